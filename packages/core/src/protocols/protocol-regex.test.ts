import { describe, expect, it } from "vitest";
import { normaliseForMatching } from "./normalise-text";
import { compilePattern, compileTerms, findPatternProblem, patternMaxProgramSize } from "./protocol-regex";

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
    // Catastrophic for a backtracking engine, linear on RE2.
    "(a+)+$",
    "(\\w+\\s?)*!",
    "(\\w|\\d)*x",
  ])("accepts %s", (pattern) => {
    expect(findPatternProblem(pattern)).toBeNull();
  });

  it.each([
    ["(?<!not )refund", /not a valid regular expression.*lookaround/],
    ["(a)\\1", /not a valid regular expression/],
    ["x*", /matches empty text/],
    ["(.*a){100}", /too complex to run on every item \(502 steps, at most 120\)/],
    ["(refund", /not a valid regular expression/],
  ])("refuses %s", (pattern, problem) => {
    expect(findPatternProblem(pattern)).toMatch(problem);
  });
});

describe("compilePattern", () => {
  it("matches case-insensitively and in linear time, where a backtracking engine takes exponential time", () => {
    const pattern = compilePattern("(\\w|\\d)*x");
    expect(pattern.test("ABC123X")).toBe(true);
    const started = performance.now();
    expect(pattern.test("1".repeat(40))).toBe(false);
    expect(pattern.test("1".repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("runs the most complex pattern it accepts on the longest item in a bounded time", () => {
    const pattern = compilePattern("(.*a){23}");
    expect(findPatternProblem("(.*a){23}")).toBeNull();
    expect(pattern.programSize).toBeLessThanOrEqual(patternMaxProgramSize);
    pattern.test("warm up");
    const started = performance.now();
    expect(pattern.test("b a1 ".repeat(300))).toBe(true);
    expect(pattern.test("b1 ".repeat(6_666))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
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
