import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { prefixIssues, reportBadInput } from "./bad-input";
import { checkSha256Signature, type SignatureCheck } from "./hmac-signature";
import { buildItemEvent, type ItemOp, type NormalizedItemEvent, requiredText } from "./inbound-item";

/*
 * Facebook Pages ("page" object, "feed" field) and Instagram ("instagram" object, "comments" field) webhooks,
 * as Meta's Graph API webhooks reference documents them. Everything else Meta may send to the same endpoint
 * (reactions, likes, shares, page-authored status/photo/video posts, hide/unhide verbs, Messenger, mentions,
 * story insights…) is acknowledged and maps to no event.
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

const metaId = requiredText(200);
const unixSeconds = z
  .number({ error: (issue) => (issue.input === undefined ? "is required" : "must be unix seconds") })
  .int({ error: "must be unix seconds" })
  .positive({ error: "must be unix seconds" });

const metaEnvelope = z.object({
  object: z.string({ error: "is required" }),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      time: z.number().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })).optional(),
    }),
    { error: "must be an array" },
  ),
});

/** Only `item` and `verb` decide whether a feed change concerns us; the rest is checked once it does. */
const feedChangeHead = z.object({ item: z.string(), verb: z.string() });

const feedChange = z.object({
  item: z.enum(["comment", "post"]),
  post_id: metaId,
  comment_id: metaId.optional(),
  parent_id: metaId.optional(),
  message: z.string({ error: "must be a string" }).optional(),
  photo: z.string().optional(),
  video: z.string().optional(),
  from: z.object(
    { id: metaId, name: z.string().optional() },
    { error: (issue) => (issue.input === undefined ? "is required" : "must be an object") },
  ),
  created_time: unixSeconds,
  post: z.object({ permalink_url: z.string().optional() }).optional(),
});
type FeedChange = z.infer<typeof feedChange>;

const instagramComment = z.object({
  id: metaId,
  text: z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") }),
  parent_id: metaId.optional(),
  from: z.object(
    { id: metaId, username: requiredText(200) },
    { error: (issue) => (issue.input === undefined ? "is required" : "must be an object") },
  ),
  media: z.object(
    { id: metaId },
    { error: (issue) => (issue.input === undefined ? "is required" : "must be an object") },
  ),
});

const feedOps: Readonly<Record<string, ItemOp>> = { add: "upsert", edited: "upsert", remove: "remove" };

/**
 * Maps a verified Meta webhook body to item events, in delivery order. Facebook: a post is its own thread; a
 * comment's thread is its post, and a comment whose `parent_id` is another comment is a `reply` to it. A removal
 * carries no text (empty body). Instagram: the thread is the media, a comment with `parent_id` is a `reply`, and
 * `createdAt` is the entry's `time` (the payload has no creation time). Throws BAD_INPUT naming the path of the
 * first malformed change of interest; nothing from the delivery is accepted then.
 */
export function mapMetaWebhook(payload: unknown): NormalizedItemEvent[] {
  const envelope = metaEnvelope.safeParse(payload);
  if (!envelope.success) throw reportBadInput(envelope.error.issues);
  const { object, entry } = envelope.data;
  const events: NormalizedItemEvent[] = [];
  entry.forEach((record, entryIndex) => {
    (record.changes ?? []).forEach((change, changeIndex) => {
      const path = ["entry", entryIndex, "changes", changeIndex, "value"];
      if (object === "page" && change.field === "feed") {
        const event = mapFeedChange({ value: change.value, path });
        if (event) events.push(event);
      } else if (object === "instagram" && change.field === "comments") {
        events.push(mapInstagramComment({ value: change.value, time: record.time, path }));
      }
    });
  });
  return events;
}

function mapFeedChange({ value, path }: { value: unknown; path: PropertyKey[] }): NormalizedItemEvent | undefined {
  const head = feedChangeHead.safeParse(value);
  const op = head.success ? feedOps[head.data.verb] : undefined;
  if (!head.success || op === undefined || (head.data.item !== "comment" && head.data.item !== "post")) {
    return undefined;
  }
  const parsed = feedChange.safeParse(value);
  if (!parsed.success) throw reportBadInput(prefixIssues({ issues: parsed.error.issues, prefix: path }));
  const change = parsed.data;
  const common = {
    author: { externalId: change.from.id, handle: change.from.name ?? change.from.id, displayName: change.from.name },
    body: op === "remove" ? "" : describeFeedBody(change),
    createdAt: fromUnixSeconds(change.created_time),
    threadExternalId: change.post_id,
    url: change.post?.permalink_url,
  };
  if (change.item === "post") {
    return buildItemEvent({ op, path, item: { ...common, externalId: change.post_id, kind: "post" } });
  }
  if (change.comment_id === undefined) {
    throw reportBadInput([{ path: [...path, "comment_id"], message: "is required" }]);
  }
  const isReply = change.parent_id !== undefined && change.parent_id !== change.post_id;
  return buildItemEvent({
    op,
    path,
    item: {
      ...common,
      externalId: change.comment_id,
      kind: isReply ? "reply" : "comment",
      parentExternalId: isReply ? change.parent_id : undefined,
    },
  });
}

/** The message, plus the attachment a photo, sticker or video comment carries (it may have no text at all). */
function describeFeedBody(change: FeedChange): string {
  const parts = [change.message, change.photo && `[photo] ${change.photo}`, change.video && `[video] ${change.video}`];
  return parts.filter((part) => part !== undefined && part !== "").join("\n");
}

function mapInstagramComment({
  value,
  time,
  path,
}: {
  value: unknown;
  time: number | undefined;
  path: PropertyKey[];
}): NormalizedItemEvent {
  const parsed = instagramComment.safeParse(value);
  if (!parsed.success) throw reportBadInput(prefixIssues({ issues: parsed.error.issues, prefix: path }));
  if (time === undefined) throw reportBadInput([{ path: [...path.slice(0, 2), "time"], message: "is required" }]);
  const comment = parsed.data;
  return buildItemEvent({
    op: "upsert",
    path,
    item: {
      externalId: comment.id,
      kind: comment.parent_id === undefined ? "comment" : "reply",
      threadExternalId: comment.media.id,
      parentExternalId: comment.parent_id,
      author: { externalId: comment.from.id, handle: comment.from.username },
      body: comment.text,
      // Meta sends entry.time in seconds for these fields; milliseconds (as on Messenger) are accepted too.
      createdAt: time > 100_000_000_000 ? new Date(time).toISOString() : fromUnixSeconds(time),
    },
  });
}

function fromUnixSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
