import { describe, expect, it } from "vitest";
import { medianAndP90 } from "./report-cells";

/** `percentile_cont`'s definition, by a sort: linear interpolation between the two closest ranks. */
function sortedPercentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const low = sorted[Math.floor(position)] as number;
  const high = sorted[Math.ceil(position)] as number;
  return low + (position - Math.floor(position)) * (high - low);
}

describe("medianAndP90", () => {
  it("interpolates between the closest ranks as percentile_cont does", () => {
    expect(medianAndP90(Float64Array.from([4, 1, 3, 2]))).toEqual([2.5, 3.7]);
    expect(medianAndP90(Float64Array.from([60]))).toEqual([60, 60]);
    expect(medianAndP90(new Float64Array(0))).toEqual([null, null]);
  });

  it("selects the same values as a sort, duplicates and ranges included", () => {
    for (let run = 0; run < 200; run++) {
      const size = 1 + ((run * 37) % 300);
      // Scrambled by a multiplicative hash: whole minutes (many equal values) in half the runs, fractions in the others.
      const values = Array.from({ length: size }, (_, at) => {
        const scrambled = ((at + run) * 2_654_435_761) % 4_294_967_296;
        return run % 2 === 0 ? 60 * (scrambled % 20) : scrambled / 1_000_003;
      });
      const padded = Float64Array.from([-1, -1, ...values, 1e12]);
      expect(medianAndP90(padded, 2, 2 + size)).toEqual([sortedPercentile(values, 0.5), sortedPercentile(values, 0.9)]);
    }
  });
});
