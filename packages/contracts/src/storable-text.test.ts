import { describe, expect, it } from "vitest";
import { unstorableTextIssues, unstorableTextProblem } from "./storable-text";

describe("unstorableTextProblem", () => {
  it.each([
    ["plain text", null],
    ["emoji 🎮 and accents é", null],
    ["a\u0000b", "must not contain NUL (U+0000) characters"],
    ["truncated \ud83c", "must be valid Unicode text (it holds half of a surrogate pair)"],
    ["\udfae stray low half", "must be valid Unicode text (it holds half of a surrogate pair)"],
  ])("%j: %s", (text, problem) => {
    expect(unstorableTextProblem(text)).toBe(problem);
  });
});

describe("unstorableTextIssues", () => {
  it("names every bad string and key by its path, up to the limit", () => {
    const input = {
      name: "ok",
      document: { categories: [{ key: "refund", keywords: ["fine", "bad\u0000"] }], "key\u0000": 1 },
      tags: ["x", "\ud800"],
      when: new Date(0),
    };
    expect(unstorableTextIssues(input, 10)).toEqual([
      { path: ["document", "categories", 0, "keywords", 1], message: "must not contain NUL (U+0000) characters" },
      { path: ["document", "key\u0000"], message: "name must not contain NUL (U+0000) characters" },
      { path: ["tags", 1], message: "must be valid Unicode text (it holds half of a surrogate pair)" },
    ]);
    expect(unstorableTextIssues(input, 2)).toHaveLength(2);
    expect(unstorableTextIssues({ fine: ["text", 1, null, true] }, 10)).toEqual([]);
  });
});
