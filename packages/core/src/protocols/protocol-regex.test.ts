import { describe, expect, it } from "vitest";
import { normaliseForMatching } from "./normalise-text";
import { compileTerms, findPatternProblem } from "./protocol-regex";

describe("findPatternProblem", () => {
  it.each([
    "account\\s+(?:was\\s+|got\\s+)?(?:stolen|hijacked)",
    "(?:dm|message)\\s+me\\s+for\\s+(?:cheap|free)",
    "\\b\\d{3}-\\d{4}\\b",
    "(?:\\d{3}-)+\\d{4}",
    "(?:ab)+c",
    "[(a+)]+x",
    "\\(a+\\)+",
    "\\p{Lu}{5,}",
    "(?<!not )refund",
  ])("accepts %s", (pattern) => {
    expect(findPatternProblem(pattern)).toBeNull();
  });

  it.each([
    ["(a+)+$", /repeats a group/],
    ["(\\w+\\s?)*!", /repeats a group/],
    ["(?:x*y)+z", /repeats a group/],
    ["((ab)*c)+", /repeats a group/],
    ["(a+){2,}b", /repeats a group/],
    ["x*", /matches empty text/],
    ["(refund", /not a valid regular expression/],
    ["\\-refund", /not a valid regular expression/],
  ])("refuses %s", (pattern, problem) => {
    expect(findPatternProblem(pattern)).toMatch(problem);
  });
});

describe("compileTerms", () => {
  const terms = compileTerms({ keywords: ["refund*", "c++", "can't"], phrases: ["money   back"] })!;

  it.each([
    ["Refunded yet?", true],
    ["non-refundable", true],
    ["nonrefundable", false],
    ["I code in C++ all day", true],
    ["I can’t log in", true],
    ["I want my MONEY\nBACK", true],
    ["moneyback guarantee", false],
    ["Straße", false],
  ])("%j → %s", (text, matches) => {
    expect(terms.test(normaliseForMatching(text))).toBe(matches);
  });

  it("is null without keywords or phrases", () => {
    expect(compileTerms({})).toBeNull();
  });
});
