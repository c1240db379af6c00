import { describe, expect, it } from "vitest";
import { behindAfterMs, liveChip } from "./live-chip";

const now = 1_000_000;

describe("liveChip", () => {
  it("says Live while nothing is outstanding, and the stream's state when it is not open", () => {
    expect(liveChip("live", { behindSince: null, freshAt: now - 60_000, now })).toMatchObject({
      tone: "live",
      label: "Live",
    });
    expect(liveChip("reconnecting", { behindSince: now - 30_000, freshAt: now - 30_000, now })).toMatchObject({
      tone: "reconnecting",
      label: "Reconnecting…",
    });
    expect(liveChip("connecting")).toMatchObject({ tone: "connecting", label: "Connecting…" });
  });

  it("says how old the data is once a requested refresh is more than 2 s late", () => {
    const fresh = { freshAt: now - 7_400, now };
    expect(liveChip("live", { ...fresh, behindSince: now - behindAfterMs + 1 }).label).toBe("Live");
    expect(liveChip("live", { ...fresh, behindSince: now - behindAfterMs })).toMatchObject({
      tone: "behind",
      label: "Updated 7 s ago",
    });
  });

  it("does not call a paced view behind within its pace, and does once it is 2 s past it", () => {
    // The floor refreshes at most every 10 s: a spike's events keep a refresh requested all the time.
    const floor = { freshAt: now - 9_000, now, paceMs: 10_000 };
    const onPace = liveChip("live", { ...floor, behindSince: now - 9_000 });
    expect(onPace).toMatchObject({ tone: "live", label: "Live" });
    expect(onPace.hint).toContain("refreshes at most every 10 s");
    expect(liveChip("live", { ...floor, freshAt: now - 12_000, behindSince: now - 12_000 })).toMatchObject({
      tone: "behind",
      label: "Updated 12 s ago",
    });
  });
});
