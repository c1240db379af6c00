import { z } from "zod";
import { reportBadInput } from "./bad-input";
import { checkSha256Signature, type SignatureCheck } from "./hmac-signature";
import { buildItemEvent, type ItemOp, type NormalizedItemEvent, requiredText } from "./inbound-item";

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
  post_recovered: "upsert",
  post_destroyed: "remove",
};

const positiveId = z
  .number({ error: (issue) => (issue.input === undefined ? "is required" : "must be a number") })
  .int({ error: "must be a whole number" })
  .positive({ error: "must be positive" });

const regularPostType = 1;

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
        raw: z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") }),
        created_at: z.iso.datetime({
          offset: true,
          error: (issue) =>
            issue.input === undefined ? "is required" : "must be an ISO-8601 date-time with a UTC offset",
        }),
        topic_slug: z.string().nullish(),
        topic_archetype: z.string().nullish(),
      },
      { error: (issue) => (issue.input === undefined ? "is required" : "must be an object") },
    ),
  },
  { error: "must be an object" },
);

/**
 * Maps a verified Discourse webhook (`X-Discourse-Event` header + JSON body) to item events.
 * `post_created`, `post_edited` and `post_recovered` upsert, `post_destroyed` removes, `ping` answers
 * `{ ping: true }`; every other event (topics, users, likes…) is acknowledged with no events — a topic's
 * first post arrives as its own `post_created`.
 *
 * Identifiers: `externalId` is the post id; `threadExternalId` is the topic id; a reply's `parentExternalId`
 * is `topic:<topic_id>#<reply_to_post_number>`, because Discourse sends the number of the post replied to,
 * not its id; the parent can be found among the thread's items by its `url`, which ends in `/<post_number>`.
 * Private-message topics map to `direct_message`, everything else to `forum_post`. Small actions, whispers
 * and moderator notices (post_type ≠ 1) and posts by Discourse's own bots (user id ≤ 0) are not items.
 */
export function mapDiscourseWebhook({
  event,
  payload,
  forumBaseUrl,
}: {
  event: string | null | undefined;
  payload: unknown;
  forumBaseUrl: string;
}): DiscourseWebhookResult {
  if (!event) throw reportBadInput([{ path: ["X-Discourse-Event"], message: "is required" }]);
  if (event === "ping") return { ping: true };
  const op = postEventOps[event];
  if (op === undefined) return { ping: false, events: [] };
  const parsed = postPayload.safeParse(payload);
  if (!parsed.success) throw reportBadInput(parsed.error.issues);
  const { post } = parsed.data;
  if ((post.post_type ?? regularPostType) !== regularPostType || post.user_id <= 0) return { ping: false, events: [] };
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
      body: op === "remove" ? "" : post.raw,
      createdAt: post.created_at,
      url: `${base}/t/${slug}${post.topic_id}/${post.post_number}`,
    },
  });
  return { ping: false, events: [item] };
}
