import { describe, expect, it } from "vitest";
import { gamesPublisherProtocol as before } from "./games-publisher-protocol.fixture";
import { diffProtocols } from "./protocol-diff";
import { parseProtocolDocument } from "./protocol-document";

const categoryOf = (key: string) => before.categories.find((category) => category.key === key)!;
const bugReport = {
  key: "bug_report",
  name: "Bug report",
  match: { keywords: ["bug", "crash*"] },
  priority: "P3",
  authority: "respond",
} as const;

/** Version 2: what a client admin changed after launch week. */
const after = parseProtocolDocument({
  ...before,
  categories: [
    categoryOf("account_hacked"),
    categoryOf("legal_threat"),
    {
      ...categoryOf("refund"),
      priority: "P1",
      match: {
        ...categoryOf("refund").match,
        keywords: ["refund*", "chargebacks", "rückerstattung", "remboursement", "reembolso"],
      },
    },
    categoryOf("age_rating_de"),
    bugReport,
  ],
  moderationRules: [
    ...before.moderationRules.map((rule) => (rule.kind === "links" ? { ...rule, action: "hide" } : rule)),
    { kind: "spam", action: "flag", patterns: ["cheap\\s+keys"] },
  ],
  forbiddenPhrases: [
    { phrase: "we guarantee", reason: "Legal: never promise an outcome" },
    { phrase: "refund approved", reason: "Only the client's billing team approves refunds" },
    { phrase: "Our  Fault", reason: "Legal: never admit liability, even jokingly" },
    { phrase: "free keys", reason: "Marketing: giveaways run only through official channels" },
  ],
  acknowledgementTemplates: [
    ...before.acknowledgementTemplates,
    "Thanks for your patience. We've escalated this and will reply here.",
  ],
  maxReplyLength: { x: 200 },
  voiceGuidelines: "Warm, direct and brief.",
});

describe("diffProtocols", () => {
  it("lists what changed between two versions, in a stable order", () => {
    expect(diffProtocols(before, after)).toEqual([
      { path: "categories[refund].match.keywords", change: "removed", before: "chargeback" },
      { path: "categories[refund].match.keywords", change: "added", after: "chargebacks" },
      { path: "categories[refund].priority", change: "changed", before: "P2", after: "P1" },
      { path: "categories[praise]", change: "removed", before: categoryOf("praise") },
      { path: "categories[bug_report]", change: "added", after: { ...bugReport, riskFlags: [] } },
      {
        path: "categories",
        change: "changed",
        before: ["legal_threat", "account_hacked", "refund", "age_rating_de"],
        after: ["account_hacked", "legal_threat", "refund", "age_rating_de"],
      },
      { path: "moderationRules[links].action", change: "changed", before: "flag", after: "hide" },
      {
        path: "moderationRules[spam#2]",
        change: "added",
        after: { kind: "spam", action: "flag", patterns: ["cheap\\s+keys"] },
      },
      { path: 'forbiddenPhrases["our fault"].phrase', change: "changed", before: "our fault", after: "Our  Fault" },
      {
        path: 'forbiddenPhrases["our fault"].reason',
        change: "changed",
        before: "Legal: no admission of liability",
        after: "Legal: never admit liability, even jokingly",
      },
      {
        path: 'forbiddenPhrases["free keys"]',
        change: "added",
        after: { phrase: "free keys", reason: "Marketing: giveaways run only through official channels" },
      },
      {
        path: "acknowledgementTemplates",
        change: "added",
        after: "Thanks for your patience. We've escalated this and will reply here.",
      },
      { path: "maxReplyLength.facebook", change: "removed", before: 2000 },
      { path: "maxReplyLength.x", change: "added", after: 200 },
      {
        path: "voiceGuidelines",
        change: "changed",
        before: "Warm, direct and brief. First names, no corporate jargon, one emoji at most.",
        after: "Warm, direct and brief.",
      },
    ]);
  });

  it("reports the reverse change the other way round", () => {
    const changes = diffProtocols(after, before);
    expect(changes).toContainEqual({
      path: "categories[refund].priority",
      change: "changed",
      before: "P1",
      after: "P2",
    });
    expect(changes).toContainEqual({ path: "maxReplyLength.x", change: "removed", before: 200 });
    expect(changes.filter(({ change }) => change === "added")).toHaveLength(
      diffProtocols(before, after).filter(({ change }) => change === "removed").length,
    );
  });

  it("finds nothing between a version and its stored copy", () => {
    const stored = parseProtocolDocument(JSON.parse(JSON.stringify(before)));
    expect(diffProtocols(before, stored)).toEqual([]);
  });

  it("ignores a reordering of keywords", () => {
    const reordered = parseProtocolDocument({
      ...before,
      categories: before.categories.map((category) => ({
        ...category,
        match: { ...category.match, keywords: [...(category.match.keywords ?? [])].reverse() },
      })),
    });
    expect(diffProtocols(before, reordered)).toEqual([]);
  });
});
