import { describe, expect, it } from "vitest";
import { findNearDuplicates } from "./near-duplicates";

const documents = (texts: string[]) => texts.map((text, index) => ({ id: `d${index}`, text }));

describe("near-identical items", () => {
  it("groups rewordings of one complaint and leaves other complaints out", () => {
    const clusters = findNearDuplicates(
      documents([
        "Servers down again!! can't login",
        "servers are down, cannot login",
        "@GameCo servers down again, can't login https://x.co/1",
        "My refund never arrived",
        "Servers down again, can't login 😡",
        "Where is my refund? It never arrived",
        "Love the new trailer",
      ]),
    );
    expect(clusters).toEqual([["d0", "d1", "d2", "d4"]]);
  });

  it("drops groups smaller than the minimum and texts with no words left", () => {
    expect(findNearDuplicates(documents(["servers down", "servers down", "!!!", "!!!", "!!!"]))).toEqual([]);
    expect(findNearDuplicates(documents(["servers down", "servers down"]), { minClusterSize: 2 })).toEqual([
      ["d0", "d1"],
    ]);
  });

  it("finds the incident among thousands of varied texts", () => {
    const texts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      texts.push(
        i % 3 === 0
          ? `servers crashed during launch again ${["!!", "??", "wtf", "ugh"][i % 4]}`
          : `ticket${i} about invoice${i} refund`,
      );
    }
    const [incident] = findNearDuplicates(documents(texts));
    expect(incident).toHaveLength(1000);
  });
});
