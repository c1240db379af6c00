import { describe, expect, it } from "vitest";
import { normaliseForComparison, normaliseForMatching, wordsOf } from "./normalise-text";

describe("normaliseForMatching", () => {
  it.each([
    ["zero-width space", "s\u200bafe", "safe"],
    ["zero-width joiner, non-joiner, BOM, word joiner", "s\u200da\u200cf\uFEFFe\u2060", "safe"],
    ["soft hyphen, combining grapheme joiner", "sa\u00ADf\u034Fe", "safe"],
    ["bidi override and isolate", "\u202Eefas\u202C \u2066safe\u2069", "efas safe"],
    ["Cyrillic look-alikes", "ѕаfе", "safe"],
    ["Greek look-alikes", "ΤΟΚΕΝ", "TOKEN"],
    ["full-width and mathematical letters", "ｓａｆｅ 𝐬𝐚𝐟𝐞", "safe safe"],
    ["typographic apostrophe", "don\u2019t", "don't"],
  ])("%s", (_, text, expected) => {
    expect(normaliseForMatching(text)).toBe(expected);
  });

  it("keeps letters that are not look-alikes, in any script", () => {
    expect(normaliseForMatching("Grüße, ça, ñandú, Привет")).toBe("Grüße, ça, ñandú, Пpивeт");
  });
});

describe("normaliseForComparison and wordsOf", () => {
  it("fold case and whitespace after normalising", () => {
    expect(normaliseForComparison("  Your\u00A0MONEY \n is   s\u200bafe ")).toBe("your money is safe");
    expect(wordsOf("Your money is s\u200bаfe")).toEqual(["your", "money", "is", "safe"]);
  });
});
