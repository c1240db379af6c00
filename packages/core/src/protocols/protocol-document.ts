import { badInput, defaultMaxReplyLength, type Platform, platforms } from "@parley/contracts";
import { z } from "zod";
import { compileForbiddenPhrase } from "./forbidden-phrase-matcher";
import { normaliseForComparison, normaliseForMatching } from "./normalise-text";
import { findPatternProblem, patternMaxLength } from "./protocol-regex";

export const priorities = ["P1", "P2", "P3", "P4"] as const;
export type Priority = (typeof priorities)[number];
export const riskFlags = ["legal", "safety", "press", "vip", "crisis"] as const;
export type RiskFlag = (typeof riskFlags)[number];
/** What a moderator may do in a category: answer, draft for the client's approval, or acknowledge and escalate. */
export const categoryAuthorities = ["respond", "approval", "triage"] as const;
export type CategoryAuthority = (typeof categoryAuthorities)[number];
export const moderationActions = ["hide", "delete", "flag"] as const;
export type ModerationAction = (typeof moderationActions)[number];
export const moderationRuleKinds = ["profanity", "links", "personal_data", "spam"] as const;
export const personalDataKinds = ["email", "phone", "payment_card"] as const;
export type PersonalDataKind = (typeof personalDataKinds)[number];
/** What a client's protocol can add to ingest's masking (`maskPersonalData`); cards and IBANs are masked regardless. */
export const optionalMaskedKinds = ["email", "phone"] as const;
export type OptionalMaskedKind = (typeof optionalMaskedKinds)[number];

const languageNames = new Intl.DisplayNames(["en"], { type: "language", fallback: "none" });

function text(field: string, max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be text`) })
    .trim()
    .min(1, { error: `${field} is required` })
    .max(max, { error: `${field} must be at most ${max} characters` });
}

function slug(field: string) {
  return text(field, 64).regex(/^[a-z0-9]+(?:[_-][a-z0-9]+)*$/, {
    error: `${field} must be a lowercase slug such as account_hacked`,
  });
}

function list<T extends z.ZodType>(field: string, item: T, max: number) {
  return z
    .array(item, { error: `${field} must be a list` })
    .max(max, { error: `${field} may hold at most ${max} entries` });
}

function oneOf<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return z.enum(values, { error: `${field} must be one of ${values.join(", ")}` });
}

/** One word; a trailing `*` matches any ending (`refund*`: refunds, refunded). */
function keyword(field: string) {
  return text(field, 60).regex(/^[^\s*]+\*?$/u, {
    error: `${field} must be one word, optionally ending in * to match any ending`,
  });
}

/** A client-written pattern's text; whether RE2 can run it quickly is checked on save (`checkPatterns`). */
function regexPattern(field: string) {
  return text(field, patternMaxLength);
}

const languageCode = z
  .string({ error: "language must be an ISO 639-1 code such as en" })
  .trim()
  .toLowerCase()
  .refine((code) => /^[a-z]{2}$/.test(code) && languageNames.of(code) !== undefined, {
    error: "language must be an ISO 639-1 code such as en",
  });

function hasNoDuplicates(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

const categoryMatch = z
  .object(
    {
      keywords: list("keywords", keyword("keyword"), 500).optional(),
      phrases: list("phrases", text("phrase", 200), 500).optional(),
      /** Regular expressions, matched case-insensitively with Unicode semantics. */
      patterns: list("patterns", regexPattern("pattern"), 50).optional(),
      /** When set, the category applies only to items in these languages (or whose language is unknown). */
      languages: list("languages", languageCode, 20).optional(),
    },
    { error: "match must be an object with keywords, phrases, patterns or languages" },
  )
  .refine((match) => (match.keywords?.length ?? 0) + (match.phrases?.length ?? 0) + (match.patterns?.length ?? 0) > 0, {
    error: "match needs at least one keyword, phrase or pattern",
  });

const category = z.object({
  key: slug("category key"),
  name: text("category name", 120),
  match: categoryMatch,
  priority: oneOf("priority", priorities),
  riskFlags: list("risk flags", oneOf("risk flag", riskFlags), riskFlags.length)
    .refine(hasNoDuplicates, { error: "risk flags must not repeat" })
    .default([]),
  authority: oneOf("authority", categoryAuthorities),
});

const moderationAction = oneOf("moderation action", moderationActions);

const moderationRule = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("profanity"),
      action: moderationAction,
      words: list("profanity words", keyword("profanity word"), 5000).min(1, {
        error: "profanity words need at least one word",
      }),
    }),
    z.object({ kind: z.literal("links"), action: moderationAction }),
    z.object({
      kind: z.literal("personal_data"),
      action: moderationAction,
      personalData: list(
        "personal data kinds",
        oneOf("personal data kind", personalDataKinds),
        personalDataKinds.length,
      )
        .min(1, { error: "personal data kinds need at least one kind" })
        .default([...personalDataKinds]),
    }),
    z.object({
      kind: z.literal("spam"),
      action: moderationAction,
      patterns: list("spam patterns", regexPattern("spam pattern"), 50).min(1, {
        error: "spam patterns need at least one pattern",
      }),
    }),
  ],
  { error: `moderation rule kind must be one of ${moderationRuleKinds.join(", ")}` },
);

const forbiddenPhrase = z.object({
  phrase: text("forbidden phrase", 200),
  reason: text("reason", 500),
});

const approvedAnswer = z.object({
  id: slug("approved answer id"),
  categoryKey: slug("category key"),
  /** Absent: usable on every platform. */
  platforms: list("platforms", oneOf("platform", platforms), platforms.length).optional(),
  text: text("approved answer text", 10000),
});

const protocolDocumentBase = z
  .object({
    categories: list("categories", category, 200),
    /** What an item that matches no category is filed under. */
    defaultCategory: z.object(
      {
        key: slug("default category key"),
        priority: oneOf("default category priority", priorities),
        authority: oneOf("default category authority", categoryAuthorities).default("respond"),
      },
      { error: "default category is required (key and priority)" },
    ),
    moderationRules: list("moderation rules", moderationRule, 50).default([]),
    forbiddenPhrases: list("forbidden phrases", forbiddenPhrase, 500).default([]),
    approvedAnswers: list("approved answers", approvedAnswer, 500).default([]),
    /** Rotated so a channel never sees the same acknowledgement twice in a row; two or more recommended. */
    acknowledgementTemplates: list("acknowledgement templates", text("acknowledgement template", 1000), 50).default([]),
    /** Per-platform overrides of `defaultMaxReplyLength`, in Unicode code points. */
    maxReplyLength: z
      .partialRecord(
        oneOf("platform", platforms),
        z
          .number({ error: "max reply length must be a number" })
          .int({ error: "max reply length must be a whole number" })
          .positive({ error: "max reply length must be positive" })
          .max(100_000, { error: "max reply length must be at most 100000" }),
      )
      .default({}),
    /**
     * Personal data masked at ingest besides card numbers and IBANs (always masked): the client's choice for
     * e-mail addresses and phone numbers.
     */
    maskPersonalData: list("masked personal data", oneOf("masked personal data kind", optionalMaskedKinds), 2)
      .refine(hasNoDuplicates, { error: "masked personal data kinds must not repeat" })
      .default([]),
    voiceGuidelines: z
      .string({ error: "voice guidelines must be text" })
      .trim()
      .max(20_000, { error: "voice guidelines must be at most 20000 characters" })
      .default(""),
  })
  .superRefine(checkConsistency);

/**
 * A protocol as stored: read without re-judging its patterns, so a version saved under older pattern rules still
 * loads (a pattern RE2 cannot run matches nothing, see `compileProtocol`).
 */
export const storedProtocolDocument = protocolDocumentBase;

/** A protocol as a client admin saves it: every client-written pattern must compile for RE2 and run quickly. */
export const protocolDocument = protocolDocumentBase.superRefine(checkPatterns);

function checkPatterns(document: z.infer<typeof protocolDocumentBase>, ctx: z.RefinementCtx): void {
  const check = (path: PropertyKey[], field: string, pattern: string) => {
    const problem = findPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: "custom", path, message: `${field} ${JSON.stringify(pattern)} ${problem}` });
  };
  for (const [index, category] of document.categories.entries()) {
    for (const [at, pattern] of (category.match.patterns ?? []).entries()) {
      check(["categories", index, "match", "patterns", at], "pattern", pattern);
    }
  }
  for (const [index, rule] of document.moderationRules.entries()) {
    if (rule.kind !== "spam") continue;
    for (const [at, pattern] of rule.patterns.entries())
      check(["moderationRules", index, "patterns", at], "spam pattern", pattern);
  }
}

export type ProtocolDocument = z.infer<typeof protocolDocumentBase>;
/** What a client admin submits: defaults not yet applied. */
export type ProtocolDocumentInput = z.input<typeof protocolDocumentBase>;
export type Category = ProtocolDocument["categories"][number];
export type ModerationRule = ProtocolDocument["moderationRules"][number];
export type ForbiddenPhrase = ProtocolDocument["forbiddenPhrases"][number];
export type ApprovedAnswer = ProtocolDocument["approvedAnswers"][number];

/** Rules across fields: unique keys, references that resolve, texts the protocol itself would refuse. */
function checkConsistency(document: ProtocolDocument, ctx: z.RefinementCtx): void {
  const report = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });

  const categoryKeys = new Set<string>();
  document.categories.forEach(({ key }, index) => {
    if (categoryKeys.has(key)) report(["categories", index, "key"], `category key "${key}" is used twice`);
    categoryKeys.add(key);
  });
  if (categoryKeys.has(document.defaultCategory.key)) {
    report(
      ["defaultCategory", "key"],
      `default category key "${document.defaultCategory.key}" must differ from every category key`,
    );
  }
  categoryKeys.add(document.defaultCategory.key);

  const phrases = new Set<string>();
  document.forbiddenPhrases.forEach(({ phrase }, index) => {
    const normalised = normaliseForComparison(phrase);
    if (phrases.has(normalised))
      report(["forbiddenPhrases", index, "phrase"], `forbidden phrase "${phrase}" is listed twice`);
    phrases.add(normalised);
  });
  const forbidden = document.forbiddenPhrases.map((entry) => ({
    ...entry,
    matcher: compileForbiddenPhrase(entry.phrase),
  }));
  const reportForbidden = (path: PropertyKey[], field: string, value: string) => {
    const text = normaliseForMatching(value);
    const hit = forbidden.find(({ matcher }) => matcher.test(text));
    if (hit) report(path, `${field} contains the forbidden phrase "${hit.phrase}"`);
  };

  const answerIds = new Set<string>();
  document.approvedAnswers.forEach((answer, index) => {
    if (answerIds.has(answer.id))
      report(["approvedAnswers", index, "id"], `approved answer id "${answer.id}" is used twice`);
    answerIds.add(answer.id);
    if (!categoryKeys.has(answer.categoryKey)) {
      report(["approvedAnswers", index, "categoryKey"], `category key "${answer.categoryKey}" names no category`);
    }
    reportForbidden(["approvedAnswers", index, "text"], "approved answer text", answer.text);
  });

  const templates = new Set<string>();
  document.acknowledgementTemplates.forEach((template, index) => {
    const normalised = normaliseForComparison(template);
    if (templates.has(normalised))
      report(["acknowledgementTemplates", index], "acknowledgement template is listed twice");
    templates.add(normalised);
    reportForbidden(["acknowledgementTemplates", index], "acknowledgement template", template);
  });
  const triages =
    document.defaultCategory.authority === "triage" ||
    document.categories.some(({ authority }) => authority === "triage");
  if (triages && document.acknowledgementTemplates.length < 2) {
    report(
      ["acknowledgementTemplates"],
      "acknowledgement templates need at least 2 entries when a category is triage-only, so a channel never sees the same one twice in a row",
    );
  }
}

/** Parses a submitted protocol; throws BAD_INPUT naming every bad field. */
export function parseProtocolDocument(input: unknown): ProtocolDocument {
  const result = protocolDocument.safeParse(input);
  if (!result.success) throw badInput(result.error.issues);
  return result.data;
}

export function getMaxReplyLength({ protocol, platform }: { protocol: ProtocolDocument; platform: Platform }): number {
  return protocol.maxReplyLength[platform] ?? defaultMaxReplyLength[platform];
}
