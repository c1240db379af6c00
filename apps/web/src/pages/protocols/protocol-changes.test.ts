import { describe, expect, it } from "vitest";
import { describeChange } from "./protocol-changes";

describe("describeChange", () => {
  it.each([
    [
      { path: "categories[refund].match.keywords", change: "added", after: "refund*" },
      { what: "Category “refund” · keywords", before: null, after: "“refund*”" },
    ],
    [
      {
        path: 'forbiddenPhrases["our fault"]',
        change: "added",
        after: { phrase: "our fault", reason: "No admission" },
      },
      { what: "Forbidden phrase “our fault”", after: "“our fault” (No admission)" },
    ],
    [
      { path: "voiceGuidelines", change: "changed", before: "Warm", after: "Short" },
      { what: "Voice", before: "“Warm”", after: "“Short”" },
    ],
    [
      { path: "categories", change: "changed", before: ["a", "b"], after: ["b", "a"] },
      { what: "Category order", before: "“a”, “b”", after: "“b”, “a”" },
    ],
    [
      {
        path: "categories[refund]",
        change: "removed",
        before: { name: "Refunds", priority: "P2", authority: "respond" },
      },
      { what: "Category “refund”", before: "Refunds — P2, respond", after: null },
    ],
    [
      { path: "moderationRules[spam#2].action", change: "changed", before: "hide", after: "delete" },
      { what: "Moderation rule “spam#2” · action", before: "“hide”", after: "“delete”" },
    ],
    [
      { path: "maxReplyLength.x", change: "added", after: 200 },
      { what: "Maximum reply length · X", before: null, after: "200" },
    ],
  ] as const)("reads %j", (change, expected) => {
    expect(describeChange(change)).toMatchObject(expected);
  });
});
