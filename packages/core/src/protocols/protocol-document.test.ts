import { AppError } from "@parley/contracts";
import { describe, expect, it } from "vitest";
import { gamesPublisherProtocol, gamesPublisherProtocolInput } from "./games-publisher-protocol.fixture";
import {
  getMaxReplyLength,
  type ProtocolDocumentInput,
  parseProtocolDocument,
  protocolDocument,
} from "./protocol-document";

type Edit = (input: ProtocolDocumentInput) => unknown;

/** The fixture with one change: each case breaks exactly one rule. */
function edited(edit: Edit): unknown {
  return edit(structuredClone(gamesPublisherProtocolInput) as ProtocolDocumentInput);
}

function withCategory(index: number, change: Record<string, unknown>): Edit {
  return (input) => ({
    ...input,
    categories: input.categories.map((category, at) => (at === index ? { ...category, ...change } : category)),
  });
}

function withMatch(index: number, match: Record<string, unknown>): Edit {
  return withCategory(index, { match });
}

describe("protocolDocument", () => {
  it("accepts the games publisher's protocol and fills in defaults", () => {
    expect(gamesPublisherProtocol.defaultCategory).toEqual({ key: "general", priority: "P3", authority: "respond" });
    expect(gamesPublisherProtocol.categories.find(({ key }) => key === "refund")?.riskFlags).toEqual([]);
    expect(gamesPublisherProtocol.moderationRules[1]).toEqual({
      kind: "personal_data",
      action: "hide",
      personalData: ["email", "phone", "payment_card"],
    });
  });

  it("accepts a minimal protocol", () => {
    const parsed = protocolDocument.parse({
      categories: [
        { key: "praise", name: "Praise", match: { keywords: ["love"] }, priority: "P4", authority: "respond" },
      ],
      defaultCategory: { key: "general", priority: "P3" },
    });
    expect(parsed).toMatchObject({
      moderationRules: [],
      forbiddenPhrases: [],
      maxReplyLength: {},
      voiceGuidelines: "",
    });
  });

  it.each<[string, Edit, string, RegExp]>([
    ["slug key", withCategory(0, { key: "Legal Threat" }), "categories.0.key", /category key must be a lowercase slug/],
    ["missing name", withCategory(0, { name: undefined }), "categories.0.name", /category name is required/],
    [
      "priority",
      withCategory(0, { priority: "urgent" }),
      "categories.0.priority",
      /priority must be one of P1, P2, P3, P4/,
    ],
    [
      "authority",
      withCategory(0, { authority: "maybe" }),
      "categories.0.authority",
      /authority must be one of respond/,
    ],
    [
      "risk flag",
      withCategory(0, { riskFlags: ["legal", "gossip"] }),
      "categories.0.riskFlags.1",
      /risk flag must be one of/,
    ],
    [
      "repeated risk flag",
      withCategory(0, { riskFlags: ["legal", "legal"] }),
      "categories.0.riskFlags",
      /must not repeat/,
    ],
    [
      "empty match",
      withMatch(0, { languages: ["en"] }),
      "categories.0.match",
      /at least one keyword, phrase or pattern/,
    ],
    ["keyword with space", withMatch(0, { keywords: ["legal action"] }), "categories.0.match.keywords.0", /one word/],
    ["inner wildcard", withMatch(0, { keywords: ["law*yer"] }), "categories.0.match.keywords.0", /one word/],
    [
      "bad regex",
      withMatch(0, { patterns: ["account (stolen"] }),
      "categories.0.match.patterns.0",
      /not a valid regular/,
    ],
    [
      "long regex",
      withMatch(0, { patterns: ["a".repeat(201)] }),
      "categories.0.match.patterns.0",
      /at most 200 characters/,
    ],
    [
      "lookbehind (RE2 has none)",
      withMatch(0, { patterns: ["(?<!not )lawyer"] }),
      "categories.0.match.patterns.0",
      /lookaround and backreferences are not supported/,
    ],
    [
      "empty-matching regex",
      withMatch(0, { patterns: ["(lawyer)?"] }),
      "categories.0.match.patterns.0",
      /matches empty text/,
    ],
    [
      "language code",
      withMatch(0, { keywords: ["sue"], languages: ["english"] }),
      "categories.0.match.languages.0",
      /ISO 639-1/,
    ],
    [
      "unknown language",
      withMatch(0, { keywords: ["sue"], languages: ["zz"] }),
      "categories.0.match.languages.0",
      /ISO 639-1/,
    ],
    [
      "duplicate key",
      (input) => ({ ...input, categories: [...input.categories, input.categories[0]] }),
      "categories.5.key",
      /category key "legal_threat" is used twice/,
    ],
    [
      "default key clash",
      (input) => ({ ...input, defaultCategory: { key: "praise", priority: "P4" } }),
      "defaultCategory.key",
      /must differ from every category key/,
    ],
    [
      "moderation kind",
      (input) => ({ ...input, moderationRules: [{ kind: "caps_lock", action: "hide" }] }),
      "moderationRules.0.kind",
      /moderation rule kind must be one of profanity, links, personal_data, spam/,
    ],
    [
      "profanity without words",
      (input) => ({ ...input, moderationRules: [{ kind: "profanity", action: "hide", words: [] }] }),
      "moderationRules.0.words",
      /at least one word/,
    ],
    [
      "spam pattern",
      (input) => ({ ...input, moderationRules: [{ kind: "spam", action: "delete", patterns: ["(a|aa)*+"] }] }),
      "moderationRules.0.patterns.0",
      /spam pattern/,
    ],
    [
      "approved answer category",
      (input) => ({ ...input, approvedAnswers: [{ id: "x", categoryKey: "refunds", text: "Hello" }] }),
      "approvedAnswers.0.categoryKey",
      /category key "refunds" names no category/,
    ],
    [
      "approved answer with forbidden phrase",
      (input) => ({
        ...input,
        approvedAnswers: [{ id: "x", categoryKey: "refund", text: "Good news:  REFUND approved!" }],
      }),
      "approvedAnswers.0.text",
      /contains the forbidden phrase "refund approved"/,
    ],
    [
      "one template with triage",
      (input) => ({ ...input, acknowledgementTemplates: ["Thanks, we're on it."] }),
      "acknowledgementTemplates",
      /at least 2 entries when a category is triage-only/,
    ],
    [
      "repeated template",
      (input) => ({ ...input, acknowledgementTemplates: ["Thanks, on it.", "thanks,  on it."] }),
      "acknowledgementTemplates.1",
      /listed twice/,
    ],
    [
      "max reply length",
      (input) => ({ ...input, maxReplyLength: { x: 0 } }),
      "maxReplyLength.x",
      /max reply length must be positive/,
    ],
  ])("refuses %s, naming the field", (_case, edit, path, message) => {
    const result = protocolDocument.safeParse(edited(edit));
    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((candidate) => candidate.path.join(".") === path);
    expect(issue?.message, JSON.stringify(result.error?.issues)).toMatch(message);
  });

  it("throws BAD_INPUT with a message per field from parseProtocolDocument", () => {
    const attempt = () => parseProtocolDocument(edited(withCategory(1, { priority: "P0", authority: "maybe" })));
    expect(attempt).toThrow(AppError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({
        code: "BAD_INPUT",
        details: {
          fields: {
            "categories.1.priority": "priority must be one of P1, P2, P3, P4",
            "categories.1.authority": "authority must be one of respond, approval, triage",
          },
        },
      });
    }
  });
});

describe("getMaxReplyLength", () => {
  it.each([
    ["x", 280],
    ["facebook", 2000],
    ["instagram", 2200],
    ["generic", 2000],
  ] as const)("on %s is %i", (platform, limit) => {
    expect(getMaxReplyLength({ protocol: gamesPublisherProtocol, platform })).toBe(limit);
  });
});
