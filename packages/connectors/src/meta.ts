import { timingSafeEqual } from "node:crypto";
import { AppError } from "@parley/contracts";
import { z } from "zod";
import { type InputIssue, reportBadInput } from "./bad-input";
import { maxBatchItems } from "./generic-ingest";
import { checkSha256Signature, type SignatureCheck } from "./hmac-signature";
import {
  buildItemEvent,
  type InboundItemInput,
  type ItemOp,
  itemTimeProblem,
  type NormalizedItemEvent,
} from "./inbound-item";

/*
 * Facebook Pages ("page" object: `feed` and `mention` fields) and Instagram ("instagram" object: `comments`,
 * `live_comments` and `mentions` fields) webhooks, as Meta's Graph API webhooks reference documents them and as
 * Meta sends them (see meta.fixture.ts for the captures and samples this is tested against). Everything else Meta
 * may send to the same endpoint (reactions, likes, shares, hide/unhide verbs, Messenger, story insights…) is
 * acknowledged and maps to no event.
 */

export type MetaVerificationAnswer =
  | { ok: true; challenge: string }
  | { ok: false; reason: "bad_mode" | "bad_verify_token" | "missing_challenge" };

/**
 * Answers Meta's subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`): the
 * receiver echoes `challenge` as the 200 body, or answers 403. The challenge must look like Meta's (a short
 * token), so the endpoint can never reflect arbitrary text.
 */
export function answerMetaVerification({
  query,
  verifyToken,
}: {
  query: Readonly<Record<string, string | undefined>>;
  verifyToken: string;
}): MetaVerificationAnswer {
  if (query["hub.mode"] !== "subscribe") return { ok: false, reason: "bad_mode" };
  const given = Buffer.from(query["hub.verify_token"] ?? "");
  const expected = Buffer.from(verifyToken);
  if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad_verify_token" };
  }
  const challenge = query["hub.challenge"];
  if (!challenge || !/^[A-Za-z0-9_-]{1,200}$/.test(challenge)) return { ok: false, reason: "missing_challenge" };
  return { ok: true, challenge };
}

/** Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, rawBody)>` in constant time. */
export function verifyMetaSignature({
  appSecret,
  rawBody,
  header,
}: {
  appSecret: string;
  rawBody: string | Uint8Array;
  header: string | null | undefined;
}): SignatureCheck {
  return checkSha256Signature({ secret: appSecret, parts: [rawBody], header });
}

/** Most changes one Meta delivery may carry (all entries together): the generic ingest's batch limit. */
export const maxMetaChanges = maxBatchItems;

const required = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? "is required" : `must be ${expected}`;

/**
 * A Meta id: a numeric string, or (in older payloads) a JSON number, stored as a string. A number too large for
 * JSON to carry exactly would be a different id, so it is refused.
 */
const metaId = z.union([z.string(), z.number()], { error: required("an id") }).transform((value, context) => {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    context.addIssue({ code: "custom", message: "must be an id (a whole number this large must be sent as a string)" });
    return z.NEVER;
  }
  if (value === "" || value.length > 200) {
    context.addIssue({ code: "custom", message: value === "" ? "is required" : "must be at most 200 characters" });
    return z.NEVER;
  }
  return value;
});

const unixSeconds = z
  .number({ error: required("unix seconds") })
  .int({ error: "must be unix seconds" })
  .positive({ error: "must be unix seconds" });

/** `2018-02-22T10:06:05+0000` as Instagram writes it, or with `Z` / `+00:00`. */
export const isoWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

const metaEnvelope = z.object({
  object: z.string({ error: required("a string") }),
  entry: z.array(z.unknown(), { error: required("an array") }),
});

const metaEntry = z.object(
  {
    id: metaId.optional(),
    time: z.unknown().optional(),
    changes: z.array(z.unknown(), { error: "must be an array" }).optional(),
  },
  { error: "must be an object" },
);

const metaChange = z.object(
  { field: z.string({ error: required("a string") }), value: z.unknown().optional() },
  { error: "must be an object" },
);

const author = z.object(
  { id: metaId, name: z.string({ error: "must be a string" }).optional() },
  {
    error: required("an object"),
  },
);

/** Who wrote a feed or mention change: `from`, or `sender_id`/`sender_name` in older payloads. */
const authorFields = {
  from: author.optional(),
  sender_id: metaId.optional(),
  sender_name: z.string({ error: "must be a string" }).optional(),
};

const feedValue = z.object({
  item: z.enum(["comment", "post", "status"]),
  post_id: metaId,
  comment_id: metaId.optional(),
  parent_id: metaId.optional(),
  message: z.string({ error: "must be a string" }).optional(),
  photo: z.string({ error: "must be a string" }).optional(),
  video: z.string({ error: "must be a string" }).optional(),
  created_time: unixSeconds.optional(),
  post: z.unknown().optional(),
  ...authorFields,
});
type FeedValue = z.infer<typeof feedValue>;

const mentionValue = z.object({
  item: z.enum(["comment", "post"]),
  post_id: metaId,
  comment_id: metaId.optional(),
  message: z.string({ error: "must be a string" }).optional(),
  created_time: unixSeconds.optional(),
  ...authorFields,
});

const instagramComment = z.object({
  id: metaId,
  text: z.string({ error: required("a string") }),
  parent_id: metaId.optional(),
  from: z.object(
    { id: metaId, username: z.string({ error: "must be a string" }).optional() },
    {
      error: required("an object"),
    },
  ),
  // Meta's dashboard "Test" button sends comments without their media.
  media: z.object({ id: metaId }, { error: "must be an object" }).optional(),
  timestamp: z.union([z.string(), z.number()], { error: "must be a date-time or unix seconds" }).optional(),
});

const instagramMentionValue = z.object({ media_id: metaId, comment_id: metaId.optional() });

/** Feed and mention verbs Parley acts on; any other (hide, unhide, block…) is acknowledged and ignored. */
const changeOps: Readonly<Record<string, ItemOp>> = {
  add: "upsert",
  edited: "upsert",
  edit: "upsert",
  remove: "remove",
};
const changeHead = z.object({ item: z.string(), verb: z.string() });

/** A change Parley would act on but cannot: where it is in the delivery and what is wrong with it. */
export interface SkippedChange {
  /** e.g. `entry.0.changes.2`. */
  change: string;
  /** Field path (from the body's root) → problem. */
  fields: Record<string, string>;
}

/**
 * An Instagram @mention: Meta sends only ids (`media_id`, and `comment_id` for a mention in a comment). The text is
 * read from the Graph API (`fetchInstagramMention`).
 */
export interface InstagramMention {
  change: string;
  /** The Instagram professional account that was mentioned (`entry.id`). */
  accountId: string;
  mediaId: string;
  commentId?: string;
}

export interface MetaWebhookMapping {
  /** Item events in delivery order. */
  events: NormalizedItemEvent[];
  mentions: InstagramMention[];
  /** Changes of a kind Parley maps that could not be used; the others in the delivery still count. */
  skipped: SkippedChange[];
}

interface ChangeContext {
  path: Array<string | number>;
  entryId: string | undefined;
  entryTime: unknown;
  now: Date;
  ownAccountIds: ReadonlySet<string>;
}

/** Thrown inside one change's mapping: the change is skipped with these problems. */
class UnusableChange extends Error {
  constructor(readonly issues: InputIssue[]) {
    super("unusable change");
  }
}

function unusable(path: ReadonlyArray<PropertyKey>, message: string): UnusableChange {
  return new UnusableChange([{ path: [...path], message }]);
}

function parseValue<T extends z.ZodType>(schema: T, value: unknown, path: PropertyKey[]): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new UnusableChange(
      parsed.error.issues.map((issue) => ({ path: [...path, ...issue.path], message: issue.message })),
    );
  }
  return parsed.data;
}

/**
 * Maps a verified Meta webhook body to item events, in delivery order, change by change: a change Parley maps but
 * cannot use (no `value`, a missing id, a time outside 2000 … now + 1 day) is skipped and reported in `skipped`,
 * and the rest of the delivery still counts. Throws BAD_INPUT only for a body that is not a Meta notification
 * (`object`, `entry`), and LIMIT_EXCEEDED (`batch_too_large`) for more than `maxMetaChanges` changes.
 *
 * Facebook: a post is its own thread; a comment's thread is its post, and a comment whose `parent_id` is another
 * comment is a `reply` to it; a `mention` of the Page is a `mention` item; a removal carries no text (empty body)
 * and needs no `created_time`. Instagram: the thread is the media, a comment with `parent_id` is a `reply`, and
 * `createdAt` is the comment's own `timestamp` when it has one, else the entry's `time` (when Meta sent the
 * notification); `createdAtFrom` says which. Anything written by the channel's own account (`from` is the Page or
 * the Instagram account: `entry.id`, or `accountId`) is marked `byBrand`.
 */
export function mapMetaWebhook(
  payload: unknown,
  { now, accountId }: { now: Date; accountId?: string },
): MetaWebhookMapping {
  const envelope = metaEnvelope.safeParse(payload);
  if (!envelope.success) throw reportBadInput(envelope.error.issues);
  const { object, entry } = envelope.data;
  const mapping: MetaWebhookMapping = { events: [], mentions: [], skipped: [] };
  const skip = (path: ReadonlyArray<PropertyKey>, issues: readonly InputIssue[]) => {
    const fields: Record<string, string> = {};
    for (const issue of issues) fields[issue.path.map(String).join(".")] ??= issue.message;
    mapping.skipped.push({ change: path.map(String).join("."), fields });
  };
  const entries = entry.map((record, entryIndex) => ({ entryIndex, parsed: metaEntry.safeParse(record) }));
  const changeCount = entries.reduce(
    (sum, { parsed }) => sum + (parsed.success ? (parsed.data.changes?.length ?? 0) : 0),
    0,
  );
  if (changeCount > maxMetaChanges) {
    throw new AppError(
      "LIMIT_EXCEEDED",
      `A delivery holds at most ${maxMetaChanges} changes; this one has ${changeCount}`,
      {
        reason: "batch_too_large",
        limit: maxMetaChanges,
        received: changeCount,
      },
    );
  }
  for (const { entryIndex, parsed } of entries) {
    const entryPath = ["entry", entryIndex];
    if (!parsed.success) {
      skip(
        entryPath,
        parsed.error.issues.map((issue) => ({ path: [...entryPath, ...issue.path], message: issue.message })),
      );
      continue;
    }
    const ownAccountIds = new Set(
      [parsed.data.id, accountId].filter((id): id is string => id !== undefined && id !== ""),
    );
    (parsed.data.changes ?? []).forEach((rawChange, changeIndex) => {
      const path = [...entryPath, "changes", changeIndex];
      const context: ChangeContext = { path, entryId: parsed.data.id, entryTime: parsed.data.time, now, ownAccountIds };
      try {
        const change = parseValue(metaChange, rawChange, path);
        const outcome = mapChange(object, change.field, change.value, context);
        if (outcome === null) return;
        if ("mention" in outcome) mapping.mentions.push(outcome.mention);
        else mapping.events.push(outcome.event);
      } catch (error) {
        if (error instanceof UnusableChange) skip(path, error.issues);
        else if (error instanceof AppError && error.code === "BAD_INPUT") {
          skip(
            path,
            Object.entries(error.details.fields ?? {}).map(([field, message]) => ({ path: [field], message })),
          );
        } else throw error;
      }
    });
  }
  return mapping;
}

type ChangeOutcome = { event: NormalizedItemEvent } | { mention: InstagramMention } | null;

function mapChange(object: string, field: string, value: unknown, context: ChangeContext): ChangeOutcome {
  if (object === "page" && (field === "feed" || field === "mention")) {
    const valuePath = [...context.path, "value"];
    if (typeof value !== "object" || value === null)
      throw unusable(valuePath, value === undefined ? "is required" : "must be an object");
    const head = changeHead.safeParse(value);
    if (!head.success) throw unusable(valuePath, "must name its item and verb");
    const op = changeOps[head.data.verb];
    if (op === undefined) return null;
    if (field === "feed") {
      if (!feedValue.shape.item.safeParse(head.data.item).success) return null;
      return { event: mapFeedChange(op, parseValue(feedValue, value, valuePath), context) };
    }
    if (!mentionValue.shape.item.safeParse(head.data.item).success) return null;
    return { event: mapPageMention(op, parseValue(mentionValue, value, valuePath), context) };
  }
  if (object === "instagram" && (field === "comments" || field === "live_comments")) {
    return { event: mapInstagramComment(parseValue(instagramComment, value, [...context.path, "value"]), context) };
  }
  if (object === "instagram" && field === "mentions") {
    const mention = parseValue(instagramMentionValue, value, [...context.path, "value"]);
    if (context.entryId === undefined)
      throw unusable([context.path[0] ?? "entry", context.path[1] ?? 0, "id"], "is required");
    return {
      mention: {
        change: context.path.join("."),
        accountId: context.entryId,
        mediaId: mention.media_id,
        ...(mention.comment_id === undefined ? {} : { commentId: mention.comment_id }),
      },
    };
  }
  return null;
}

/** JavaScript dates end 8.64e15 ms from 1970 either way; a time past that is clamped there to be judged. */
const maxDateMs = 8.64e15;

function fromMilliseconds(ms: number, path: PropertyKey[], now: Date): string {
  return checkedTime(new Date(Math.max(-maxDateMs, Math.min(maxDateMs, ms))), path, now);
}

/** The time an item was written, from unix seconds (a time outside 2000 … now + 1 day is unusable). */
function fromUnixSeconds(seconds: number, path: PropertyKey[], now: Date): string {
  return fromMilliseconds(seconds * 1000, path, now);
}

function checkedTime(at: Date, path: PropertyKey[], now: Date): string {
  const problem = itemTimeProblem(at, now);
  if (problem) throw unusable(path, problem);
  return at.toISOString();
}

/** `entry.time`: unix seconds, or milliseconds (as Messenger sends it); null when absent. */
function entryTimeOf(context: ChangeContext): string | null {
  const time = context.entryTime;
  const path = [context.path[0] ?? "entry", context.path[1] ?? 0, "time"];
  if (time === undefined || time === null) return null;
  if (typeof time !== "number" || !Number.isInteger(time) || time <= 0) throw unusable(path, "must be unix seconds");
  return time > 100_000_000_000 ? fromMilliseconds(time, path, context.now) : fromUnixSeconds(time, path, context.now);
}

/**
 * When the item was written: the change's `created_time`, else the entry's `time`, else (for a removal only, which
 * needs no creation time) when Parley received it.
 */
function createdAtOf(
  createdTime: number | undefined,
  op: ItemOp,
  context: ChangeContext,
): { createdAt: string; createdAtFrom: string } {
  if (createdTime !== undefined) {
    return {
      createdAt: fromUnixSeconds(createdTime, [...context.path, "value", "created_time"], context.now),
      createdAtFrom: "value.created_time",
    };
  }
  const entryTime = entryTimeOf(context);
  if (entryTime) return { createdAt: entryTime, createdAtFrom: "entry.time" };
  if (op === "remove") return { createdAt: context.now.toISOString(), createdAtFrom: "received" };
  throw unusable([...context.path, "value", "created_time"], "is required");
}

/**
 * Meta sends no author with some changes (a Page mention, a removal): such an item gets an author of its own, so
 * it is never taken for another unknown author's conversation.
 */
export function unknownAuthor(externalId: string): InboundItemInput["author"] {
  return { externalId: `unknown:${externalId}`, handle: "unknown" };
}

function authorOf(value: {
  from?: { id: string; name?: string | undefined } | undefined;
  sender_id?: string | undefined;
  sender_name?: string | undefined;
}): InboundItemInput["author"] | null {
  if (value.from)
    return { externalId: value.from.id, handle: value.from.name ?? value.from.id, displayName: value.from.name };
  if (value.sender_id) {
    return {
      externalId: value.sender_id,
      handle: value.sender_name ?? value.sender_id,
      displayName: value.sender_name,
    };
  }
  return null;
}

function permalinkOf(post: unknown): string | undefined {
  if (typeof post !== "object" || post === null) return undefined;
  const url = (post as { permalink_url?: unknown }).permalink_url;
  return typeof url === "string" && url !== "" ? url : undefined;
}

function mapFeedChange(op: ItemOp, change: FeedValue, context: ChangeContext): NormalizedItemEvent {
  const valuePath = [...context.path, "value"];
  const isPost = change.item !== "comment";
  if (!isPost && change.comment_id === undefined) throw unusable([...valuePath, "comment_id"], "is required");
  const externalId = isPost ? change.post_id : (change.comment_id as string);
  const writer = authorOf(change);
  if (!writer && op !== "remove") throw unusable([...valuePath, "from"], "is required");
  const isReply = !isPost && change.parent_id !== undefined && change.parent_id !== change.post_id;
  const { createdAt, createdAtFrom } = createdAtOf(change.created_time, op, context);
  return buildItemEvent({
    op,
    path: valuePath,
    createdAtFrom,
    item: {
      externalId,
      kind: isPost ? "post" : isReply ? "reply" : "comment",
      threadExternalId: change.post_id,
      parentExternalId: isReply ? change.parent_id : undefined,
      author: writer ?? unknownAuthor(externalId),
      byBrand: (writer && context.ownAccountIds.has(writer.externalId)) || undefined,
      body: op === "remove" ? "" : describeFeedBody(change),
      createdAt,
      url: permalinkOf(change.post),
    },
  });
}

/** The message, plus the attachment a photo, sticker or video comment carries (it may have no text at all). */
function describeFeedBody(change: FeedValue): string {
  const parts = [change.message, change.photo && `[photo] ${change.photo}`, change.video && `[video] ${change.video}`];
  return parts.filter((part) => part !== undefined && part !== "").join("\n");
}

/** The Page was @mentioned in a post or comment elsewhere on Facebook. */
function mapPageMention(op: ItemOp, change: z.infer<typeof mentionValue>, context: ChangeContext): NormalizedItemEvent {
  const valuePath = [...context.path, "value"];
  if (change.item === "comment" && change.comment_id === undefined)
    throw unusable([...valuePath, "comment_id"], "is required");
  const externalId = change.item === "comment" ? (change.comment_id as string) : change.post_id;
  const writer = authorOf(change);
  const { createdAt, createdAtFrom } = createdAtOf(change.created_time, op, context);
  return buildItemEvent({
    op,
    path: valuePath,
    createdAtFrom,
    item: {
      externalId,
      kind: "mention",
      threadExternalId: change.post_id,
      author: writer ?? unknownAuthor(externalId),
      byBrand: (writer && context.ownAccountIds.has(writer.externalId)) || undefined,
      body: op === "remove" ? "" : (change.message ?? ""),
      createdAt,
    },
  });
}

/** An Instagram `timestamp`: ISO 8601 (`+0000` offsets included) or unix seconds. */
function instagramTimestamp(value: string | number, path: PropertyKey[], now: Date): string {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value <= 0) throw unusable(path, "must be a date-time or unix seconds");
    return fromUnixSeconds(value, path, now);
  }
  if (!isoWithOffset.test(value)) throw unusable(path, "must be an ISO-8601 date-time with a UTC offset");
  return checkedTime(new Date(value), path, now);
}

function mapInstagramComment(comment: z.infer<typeof instagramComment>, context: ChangeContext): NormalizedItemEvent {
  const valuePath = [...context.path, "value"];
  let createdAt: string | null;
  let createdAtFrom: string;
  if (comment.timestamp !== undefined) {
    createdAt = instagramTimestamp(comment.timestamp, [...valuePath, "timestamp"], context.now);
    createdAtFrom = "value.timestamp";
  } else {
    createdAt = entryTimeOf(context);
    createdAtFrom = "entry.time";
    if (createdAt === null) throw unusable([context.path[0] ?? "entry", context.path[1] ?? 0, "time"], "is required");
  }
  return buildItemEvent({
    op: "upsert",
    path: valuePath,
    createdAtFrom,
    item: {
      externalId: comment.id,
      kind: comment.parent_id === undefined ? "comment" : "reply",
      threadExternalId: comment.media?.id,
      parentExternalId: comment.parent_id,
      author: { externalId: comment.from.id, handle: comment.from.username || comment.from.id },
      byBrand: context.ownAccountIds.has(comment.from.id) || undefined,
      body: comment.text,
      createdAt,
    },
  });
}
