import { AppError, memberTriageMessage, type Platform } from "@parley/contracts";
import { compileProtocol } from "./compile-protocol";
import { containsCardNumber } from "./mask-personal-data";
import { countCodePoints, normaliseForComparison, normaliseForMatching, wordsOf } from "./normalise-text";
import { getMaxReplyLength, type ProtocolDocument } from "./protocol-document";

export const replyCheckNames = [
  "forbidden_phrase",
  "payment_card",
  "length",
  "authority",
  "authenticity",
  "duplicate",
] as const;
export type ReplyCheckName = (typeof replyCheckNames)[number];

export interface ReplyCheckResult {
  check: ReplyCheckName;
  /** `block`: the reply may not be sent as it is. `warn`: it may, after the moderator has seen this. */
  severity: "block" | "warn";
  message: string;
  /** JSON-safe (dates as ISO strings), so results can be stored with the reply. */
  details: Record<string, unknown>;
}

export interface ReplyCheck {
  /** No result blocks. */
  ok: boolean;
  results: ReplyCheckResult[];
}

export interface RecentReply {
  readonly text: string;
  /** When it was sent; for a reply not yet sent, when it was written. */
  sentAt: Date;
  /** Sent, or on its way: approved and queued (or retrying) for delivery, or waiting for approval. Default `sent`. */
  status?: "sent" | "queued" | "pending_approval";
  threadId?: string | null;
  channelId: string;
}

export interface CheckReplyInput {
  protocol: ProtocolDocument;
  platform: Platform;
  /** The item's category, as classified under this protocol. */
  categoryKey: string;
  /** Where the draft would be posted: for the duplicate check. */
  channelId: string;
  threadId?: string | null;
  text: string;
  /** The client's replies, newest first or not; only the 500 most recent are compared. */
  recentReplies: readonly RecentReply[];
  now: Date;
  /**
   * The author's own authority on the client (a moderator's assignment; agency leads respond): `triage` may
   * only acknowledge and escalate, whatever the category allows.
   */
  memberAuthority: "respond" | "triage";
}

/** Draft and earlier reply at least this similar (Jaccard on 3-word shingles): warn. */
export const similarityWarningThreshold = 0.8;
/** How many of the client's most recent replies the authenticity check reads. */
export const recentRepliesLimit = 500;
/** The same text again on the same channel within this window: block. */
export const duplicateWindowMs = 24 * 60 * 60 * 1000;
const shingleSize = 3;

/** Checks a draft reply against the protocol and what was recently said. Pure: `now` comes in. */
export function checkReply(input: CheckReplyInput): ReplyCheck {
  const recentReplies = [...input.recentReplies]
    .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime())
    .slice(0, recentRepliesLimit);
  const results = [
    ...checkForbiddenPhrases(input),
    ...checkPaymentCard(input),
    ...checkLength(input),
    ...checkAuthority(input),
    ...checkAuthenticity({ ...input, recentReplies }),
    ...checkDuplicate({ ...input, recentReplies }),
  ];
  return { ok: results.every(({ severity }) => severity !== "block"), results };
}

function checkForbiddenPhrases({ protocol, text }: CheckReplyInput): ReplyCheckResult[] {
  const normalised = normaliseForMatching(text);
  return compileProtocol(protocol)
    .forbiddenPhrases.filter(({ matcher }) => matcher.test(normalised))
    .map(({ forbiddenPhrase: { phrase, reason } }) => ({
      check: "forbidden_phrase",
      severity: "block",
      message: `Contains the forbidden phrase "${phrase}": ${reason}`,
      details: { phrase, reason },
    }));
}

/** A card number is never posted in public (PCI DSS), whoever typed it: blocked, and the message does not quote it. */
function checkPaymentCard({ text }: CheckReplyInput): ReplyCheckResult[] {
  if (!containsCardNumber(normaliseForMatching(text))) return [];
  return [
    {
      check: "payment_card",
      severity: "block",
      message: "Contains a payment card number: a card number is never posted in public; remove it",
      details: { reason: "payment_card_number" },
    },
  ];
}

function checkLength({ protocol, platform, text }: CheckReplyInput): ReplyCheckResult[] {
  const limit = getMaxReplyLength({ protocol, platform });
  const length = countCodePoints(text);
  if (length <= limit) return [];
  return [
    {
      check: "length",
      severity: "block",
      message: `Too long for ${platform}: ${length} characters, the limit is ${limit}`,
      details: { platform, limit, length },
    },
  ];
}

function checkAuthority({ protocol, categoryKey, memberAuthority }: CheckReplyInput): ReplyCheckResult[] {
  if (memberAuthority === "triage") {
    return [
      {
        check: "authority",
        severity: "block",
        message: memberTriageMessage,
        details: { memberAuthority, reason: "triage_authority" },
      },
    ];
  }
  const authority =
    protocol.defaultCategory.key === categoryKey
      ? protocol.defaultCategory.authority
      : protocol.categories.find(({ key }) => key === categoryKey)?.authority;
  switch (authority) {
    case undefined:
      return [
        {
          check: "authority",
          severity: "block",
          message: `Category "${categoryKey}" is not in this protocol version; reclassify the item before replying`,
          details: { categoryKey, reason: "unknown_category" },
        },
      ];
    case "triage":
      return [
        {
          check: "authority",
          severity: "block",
          message: `Category "${categoryKey}" is triage-only: this category may only be acknowledged and escalated`,
          details: { categoryKey, authority },
        },
      ];
    case "approval":
      return [
        {
          check: "authority",
          severity: "warn",
          message: `Category "${categoryKey}" needs the client's approval before the reply is sent`,
          details: { categoryKey, authority, requiresApproval: true },
        },
      ];
    case "respond":
      return [];
  }
}

/**
 * What the checks read of an earlier reply, worked out once per reply object: a run of drafts checked against the
 * same recent replies (a holding statement to a whole incident) does not read each of them again for every draft.
 */
const readings = new WeakMap<RecentReply, { shingles: Set<string>; normalised: string }>();
function readingOf(reply: RecentReply) {
  let reading = readings.get(reply);
  if (!reading) {
    reading = { shingles: shinglesOf(reply.text), normalised: normaliseForComparison(reply.text) };
    readings.set(reply, reading);
  }
  return reading;
}

function checkAuthenticity({ text, recentReplies }: CheckReplyInput): ReplyCheckResult[] {
  const draft = shinglesOf(text);
  let closest: { reply: RecentReply; similarity: number } | undefined;
  for (const reply of recentReplies) {
    const similarity = jaccardSimilarity(draft, readingOf(reply).shingles);
    if (similarity > (closest?.similarity ?? 0)) closest = { reply, similarity };
  }
  if (!closest || closest.similarity < similarityWarningThreshold) return [];
  const { reply, similarity } = closest;
  return [
    {
      check: "authenticity",
      severity: "warn",
      message: `Reads like a reply ${describeStatus(reply)} (${Math.round(similarity * 100)} % similar): "${excerptOf(reply.text)}"`,
      details: {
        similarity,
        status: reply.status ?? "sent",
        similarText: reply.text,
        sentAt: reply.sentAt.toISOString(),
        channelId: reply.channelId,
        threadId: reply.threadId ?? null,
      },
    },
  ];
}

/**
 * The same normalised text already sent on the same thread (at any time among the recent replies: a
 * customer should never read the same answer twice in one conversation) or on the same channel within
 * the last 24 hours. Reports the most recent such reply (`recentReplies` come newest first).
 */
function checkDuplicate({ text, channelId, threadId, recentReplies, now }: CheckReplyInput): ReplyCheckResult[] {
  const normalised = normaliseForComparison(text);
  const isSameThread = (reply: RecentReply) => Boolean(threadId) && reply.threadId === threadId;
  const duplicate = recentReplies.find(
    (reply) =>
      readingOf(reply).normalised === normalised &&
      (isSameThread(reply) ||
        (reply.channelId === channelId && now.getTime() - reply.sentAt.getTime() <= duplicateWindowMs)),
  );
  if (!duplicate) return [];
  const where = isSameThread(duplicate) ? "thread" : "channel";
  const hoursAgo = Math.max(0, Math.round((now.getTime() - duplicate.sentAt.getTime()) / 3_600_000));
  return [
    {
      check: "duplicate",
      severity: "block",
      message: `The same reply was ${describeStatus(duplicate)} on this ${where} ${hoursAgo} h ago`,
      details: {
        scope: where,
        status: duplicate.status ?? "sent",
        sentAt: duplicate.sentAt.toISOString(),
        channelId: duplicate.channelId,
        threadId: duplicate.threadId ?? null,
      },
    },
  ];
}

function describeStatus(reply: RecentReply): string {
  switch (reply.status ?? "sent") {
    case "sent":
      return "already sent";
    case "queued":
      return "already queued to be sent";
    case "pending_approval":
      return "already submitted for approval";
  }
}

function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= 120 ? flat : `${flat.slice(0, 117)}…`;
}

/** Overlapping 3-word sequences of the text's words; a text of one or two words is one shingle. */
export function shinglesOf(text: string): Set<string> {
  const words = wordsOf(text);
  if (words.length < shingleSize) return new Set(words.length === 0 ? [] : [words.join(" ")]);
  const shingles = new Set<string>();
  for (let start = 0; start + shingleSize <= words.length; start++) {
    shingles.add(words.slice(start, start + shingleSize).join(" "));
  }
  return shingles;
}

/** |a ∩ b| / |a ∪ b|, in [0, 1]; two empty sets share nothing to compare and score 0. */
export function jaccardSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [smaller, larger] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const shingle of smaller) if (larger.has(shingle)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * The acknowledgement to post next on a channel: the template after the one used last (in protocol
 * order, wrapping round), so the same text never appears twice in a row. Throws INVALID_STATE when no
 * template differs from the last one used.
 */
export function pickAcknowledgement({
  templates,
  lastUsedOnChannel,
}: {
  templates: readonly string[];
  lastUsedOnChannel?: string | null;
}): string {
  const last = typeof lastUsedOnChannel === "string" ? normaliseForComparison(lastUsedOnChannel) : null;
  const start = templates.findIndex((template) => normaliseForComparison(template) === last) + 1;
  for (let offset = 0; offset < templates.length; offset++) {
    const template = templates[(start + offset) % templates.length]!;
    if (normaliseForComparison(template) !== last) return template;
  }
  throw new AppError("INVALID_STATE", "The protocol has no acknowledgement template other than the one used last", {
    reason: "acknowledgement_would_repeat",
  });
}
