import { z } from "zod";
import { reportBadInput } from "./bad-input";
import { checkSha256Signature, type SignatureCheck } from "./hmac-signature";
import {
  buildItemEvent,
  type ItemOp,
  itemTimeProblem,
  maxTitleLength,
  type NormalizedItemEvent,
  requiredText,
} from "./inbound-item";

/** Checks `X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256(secret, rawBody)>` in constant time. */
export function verifyDiscourseSignature({
  secret,
  rawBody,
  header,
}: {
  secret: string;
  rawBody: string | Uint8Array;
  header: string | null | undefined;
}): SignatureCheck {
  return checkSha256Signature({ secret, parts: [rawBody], header });
}

export type DiscourseWebhookResult = { ping: true } | { ping: false; events: NormalizedItemEvent[] };

const postEventOps: Readonly<Record<string, ItemOp>> = {
  post_created: "upsert",
  post_edited: "upsert",
  post_recovered: "restore",
  post_destroyed: "remove",
};

/** Topic events carry the topic's title, which Parley keeps on the topic's first post. */
const topicTitleEvents: ReadonlySet<string> = new Set(["topic_created", "topic_edited"]);

const positiveId = z
  .number({ error: (issue) => (issue.input === undefined ? "is required" : "must be a number") })
  .int({ error: "must be a whole number" })
  .positive({ error: "must be positive" });

const regularPostType = 1;

const isoDateTime = z.iso.datetime({
  offset: true,
  error: (issue) => (issue.input === undefined ? "is required" : "must be an ISO-8601 date-time with a UTC offset"),
});

const postPayload = z.object(
  {
    post: z.object(
      {
        id: positiveId,
        topic_id: positiveId,
        post_number: positiveId,
        reply_to_post_number: positiveId.nullish(),
        post_type: z.number().int().optional(),
        user_id: z.number({ error: "must be a number" }).int(),
        username: requiredText(200),
        name: z.string().nullish(),
        // Only a post that is there needs its text: a destroyed post's is not read.
        raw: z
          .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
          .optional(),
        created_at: isoDateTime,
        topic_slug: z.string().nullish(),
        topic_title: z.string().nullish(),
        topic_archetype: z.string().nullish(),
      },
      { error: (issue) => (issue.input === undefined ? "is required" : "must be an object") },
    ),
  },
  { error: "must be an object" },
);

const topicPayload = z.object(
  {
    topic: z.object(
      {
        id: positiveId,
        title: requiredText(maxTitleLength),
        archetype: z.string().nullish(),
      },
      { error: (issue) => (issue.input === undefined ? "is required" : "must be an object") },
    ),
  },
  { error: "must be an object" },
);

/** The name a topic's first post is known by (`aliasOf` in core gives every forum post its `topic:<id>#<number>`). */
function firstPostAlias(topicId: number | string): string {
  return `topic:${topicId}#1`;
}

/**
 * Maps a verified Discourse webhook (`X-Discourse-Event` header + JSON body) to item events.
 * `post_created` and `post_edited` upsert, `post_destroyed` removes, `post_recovered` restores, `ping` answers
 * `{ ping: true }`; `topic_created` and `topic_edited` retitle the topic's first post (the post's own events carry
 * the title too, as `topic_title`); every other event (users, likes…) is acknowledged with no events.
 *
 * Identifiers: `externalId` is the post id; `threadExternalId` is the topic id; a reply's `parentExternalId`
 * is `topic:<topic_id>#<reply_to_post_number>`, because Discourse sends the number of the post replied to,
 * not its id; the parent can be found among the thread's items by its `url`, which ends in `/<post_number>`.
 * Private-message topics map to `direct_message`, everything else to `forum_post`. Small actions, whispers
 * and moderator notices (post_type ≠ 1) and posts by Discourse's own bots (user id ≤ 0) are not items. A post by
 * `ownUsername` (the API user Parley posts as) is the brand's (`byBrand`). `created_at` must lie between 2000 and
 * a day after `now`.
 */
export function mapDiscourseWebhook({
  event,
  payload,
  forumBaseUrl,
  ownUsername,
  now,
}: {
  event: string | null | undefined;
  payload: unknown;
  forumBaseUrl: string;
  ownUsername?: string | undefined;
  now: Date;
}): DiscourseWebhookResult {
  if (!event) throw reportBadInput([{ path: ["X-Discourse-Event"], message: "is required" }]);
  if (event === "ping") return { ping: true };
  if (topicTitleEvents.has(event)) {
    const parsed = topicPayload.safeParse(payload);
    if (!parsed.success) throw reportBadInput(parsed.error.issues);
    const { topic } = parsed.data;
    return { ping: false, events: [{ op: "retitle", target: firstPostAlias(topic.id), title: topic.title }] };
  }
  const op = postEventOps[event];
  if (op === undefined) return { ping: false, events: [] };
  const parsed = postPayload.safeParse(payload);
  if (!parsed.success) throw reportBadInput(parsed.error.issues);
  const { post } = parsed.data;
  if ((post.post_type ?? regularPostType) !== regularPostType || post.user_id <= 0) return { ping: false, events: [] };
  if (op !== "remove" && post.raw === undefined)
    throw reportBadInput([{ path: ["post", "raw"], message: "is required" }]);
  const timeProblem = itemTimeProblem(new Date(post.created_at), now);
  if (timeProblem) throw reportBadInput([{ path: ["post", "created_at"], message: timeProblem }]);
  const base = forumBaseUrl.replace(/\/+$/, "");
  const slug = post.topic_slug ? `${encodeURIComponent(post.topic_slug)}/` : "";
  const item = buildItemEvent({
    op,
    path: ["post"],
    item: {
      externalId: String(post.id),
      kind: post.topic_archetype === "private_message" ? "direct_message" : "forum_post",
      threadExternalId: String(post.topic_id),
      parentExternalId: post.reply_to_post_number ? `topic:${post.topic_id}#${post.reply_to_post_number}` : undefined,
      author: { externalId: String(post.user_id), handle: post.username, displayName: post.name || undefined },
      byBrand: isOwnUsername(post.username, ownUsername) || undefined,
      title: post.post_number === 1 && post.topic_title ? post.topic_title : undefined,
      body: op === "remove" ? "" : (post.raw ?? ""),
      createdAt: post.created_at,
      url: `${base}/t/${slug}${post.topic_id}/${post.post_number}`,
    },
  });
  return { ping: false, events: [item] };
}

/** Discourse usernames are unique without regard to case. */
function isOwnUsername(username: string, ownUsername: string | undefined): boolean {
  return ownUsername !== undefined && ownUsername !== "" && username.toLowerCase() === ownUsername.toLowerCase();
}
