import { createHmac } from "node:crypto";

/*
 * Webhook payloads as Meta and Discourse send them, written for Parley's tests from the platforms' documented field
 * lists and from captures other projects keep (nothing here is copied; ids, names and texts are made up). Sources:
 *
 * Meta, Facebook Page `feed` and `mention` fields
 * - Webhooks for Pages and the Page webhooks reference (fields `item`, `verb`, `post_id`, `comment_id`, `parent_id`,
 *   `from`, `message`, `created_time`): https://developers.facebook.com/docs/pages-api/webhooks-for-pages and
 *   https://developers.facebook.com/docs/graph-api/webhooks/reference/page
 * - restfb/restfb src/test/resources/json/webhooks/feed-comment-add-25.json (a comment `add`),
 *   feed-comment-remove-25.json (a removal without `created_time`, by the Page itself: `from.id` = `entry.id`),
 *   feed-post-edit.json (a visitor post edited with verb `edit`, `from.id` and `recipient_id` as JSON numbers),
 *   feed-status-add-25.json (item `status`, the author as `sender_id` (a number) and `sender_name`),
 *   mention-post-add-real.json and mention-comment-add.json (field `mention`, captured without any author).
 * - restfb/restfb issue #749 (https://github.com/restfb/restfb/issues/749): visitor posts are edited with verb
 *   `edit`, other items with `edited`.
 * - Graph API v2.12 changelog: `sender_name`/`sender_id` were replaced by `from` in mentions
 *   (https://developers.facebook.com/docs/graph-api/changelog/version2.12).
 * - Yoctol/bottender packages/bottender-facebook/src/__tests__/FacebookConnector.spec.ts: a feed change whose
 *   `from.id` is the Page (`entry.id`) is one the Page sent itself (`isSentByPage`); deliveries batch several entries.
 *
 * Meta, Instagram `comments` and `mentions` fields
 * - Instagram webhook examples and reference (`entry.id` is the Instagram professional account, `entry.time` is
 *   when Meta sent the notification; a comment has `id`, `text`, `from.id`, `from.username`, `media.id`,
 *   `parent_id`): https://developers.facebook.com/docs/instagram-platform/webhooks/examples and
 *   https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram
 * - A captured comment by the account itself (`from.id` = `entry.id`, with `self_ig_scoped_id`):
 *   https://support.huaweicloud.com/api-ccfs-cec/cec_07_1142.html
 * - `mentions` carries only `media_id` and `comment_id`: bk-rs/facebook-rs
 *   facebook-webhook/src/topics/instagram.rs (`MentionsValue`; it also notes that the dashboard's "Test" comment has
 *   no `media`), and Meta's Mentions guide, which says to read the comment through
 *   `GET /{ig-user-id}?fields=mentioned_comment.comment_id(…)`:
 *   https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/mentions
 * - Instagram writes times as `2018-02-22T10:06:05+0000` (restfb/restfb issue #857).
 *
 * Discourse
 * - discourse/discourse app/serializers/web_hook_post_serializer.rb (a post payload always has `topic_title` and
 *   `raw`) and web_hook_topic_view_serializer.rb (a topic payload has `title` and `created_by`).
 * - discourse/discourse app/jobs/regular/emit_web_hook_event.rb: the body is `{ "<event type>": payload }`, the
 *   `X-Discourse-Event` header names the event (`post_created`, `post_edited`, `post_destroyed`, `post_recovered`,
 *   `topic_created`, `topic_edited`…), and `X-Discourse-Event-Signature: sha256=<HMAC>` is sent only when the
 *   webhook has a secret.
 */

/** `X-Hub-Signature-256` / `X-Discourse-Event-Signature`: `sha256=<hex HMAC-SHA256(secret, raw body)>`. */
export function sha256Signature(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

export interface MetaChange {
  field: string;
  /** Left out entirely when `undefined` (a real two-entry capture had a change without `value`). */
  value?: unknown;
}

/** One Meta notification: `{ object, entry: [{ id, time, changes }] }`. */
export function metaDelivery(
  object: "page" | "instagram",
  entries: ReadonlyArray<{ id: string | number; time?: number; changes: readonly MetaChange[] }>,
) {
  return {
    object,
    entry: entries.map(({ id, time, changes }) => ({
      id,
      time: time ?? Math.floor(Date.now() / 1000),
      changes: changes.map((change) => ("value" in change ? { ...change } : { field: change.field })),
    })),
  };
}

/** A Page `feed` change on a comment (`item: "comment"`), as Meta writes it. */
export function feedCommentValue(options: {
  postId: string;
  commentId: string;
  parentId?: string;
  from?: { id: string | number; name?: string };
  message?: string;
  createdTime?: number;
  verb?: "add" | "edited" | "remove" | "hide";
  permalink?: string;
}) {
  return {
    item: "comment",
    verb: options.verb ?? "add",
    post_id: options.postId,
    comment_id: options.commentId,
    parent_id: options.parentId ?? options.postId,
    ...(options.from ? { from: options.from } : {}),
    ...(options.message === undefined ? {} : { message: options.message }),
    ...(options.createdTime === undefined ? {} : { created_time: options.createdTime }),
    ...(options.permalink
      ? {
          post: {
            id: options.postId,
            permalink_url: options.permalink,
            status_type: "mobile_status_update",
            is_published: true,
          },
        }
      : {}),
  };
}

/** A visitor post on the Page (`item: "post"`); visitor posts are edited with verb `edit`. */
export function feedPostValue(options: {
  postId: string;
  from: { id: string | number; name?: string };
  message: string;
  createdTime?: number;
  verb?: "add" | "edit" | "remove";
}) {
  return {
    item: "post",
    verb: options.verb ?? "add",
    post_id: options.postId,
    from: options.from,
    message: options.message,
    published: 1,
    ...(options.createdTime === undefined ? {} : { created_time: options.createdTime }),
  };
}

/** The Page @mentioned in a post or comment elsewhere (field `mention`); captures carry no author. */
export function pageMentionValue(options: {
  postId: string;
  commentId?: string;
  message: string;
  createdTime?: number;
  verb?: "add" | "edit" | "remove";
}) {
  return {
    item: options.commentId ? "comment" : "post",
    verb: options.verb ?? "add",
    post_id: options.postId,
    ...(options.commentId ? { comment_id: options.commentId } : {}),
    message: options.message,
    ...(options.createdTime === undefined ? {} : { created_time: options.createdTime }),
  };
}

/** An Instagram `comments` change. */
export function instagramCommentValue(options: {
  id: string;
  text: string;
  from: { id: string; username: string };
  mediaId: string;
  parentId?: string;
  timestamp?: string | number;
}) {
  return {
    from: options.from,
    media: { id: options.mediaId, media_product_type: "FEED" },
    id: options.id,
    ...(options.parentId ? { parent_id: options.parentId } : {}),
    text: options.text,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  };
}

/** An Instagram `mentions` change: ids only. */
export function instagramMentionValue(options: { mediaId: string; commentId?: string }) {
  return { media_id: options.mediaId, ...(options.commentId ? { comment_id: options.commentId } : {}) };
}

/** A Discourse post webhook body (`{ post: … }`, WebHookPostSerializer's fields that matter, and some that do not). */
export function discoursePostPayload(overrides: Record<string, unknown> = {}) {
  return {
    post: {
      id: 248913,
      name: "Priya N.",
      username: "priya_plays",
      avatar_template: "/user_avatar/community.example.com/priya_plays/{size}/5521_2.png",
      created_at: "2025-03-14T09:12:44.318Z",
      cooked: "<p>Since patch 1.4 the game crashes on load. Anyone else?</p>",
      post_number: 1,
      post_type: 1,
      updated_at: "2025-03-14T09:12:44.318Z",
      reply_count: 0,
      reply_to_post_number: null,
      topic_id: 18422,
      topic_slug: "crash-on-load-after-patch-1-4",
      topic_title: "Crash on load after patch 1.4",
      topic_archetype: "regular",
      topic_posts_count: 1,
      category_id: 7,
      category_slug: "support",
      user_id: 90211,
      raw: "Since patch 1.4 the game crashes on load. Anyone else?",
      deleted_at: null,
      ...overrides,
    },
  };
}

/** A Discourse topic webhook body (`{ topic: … }`, WebHookTopicViewSerializer). */
export function discourseTopicPayload(overrides: Record<string, unknown> = {}) {
  return {
    topic: {
      id: 18422,
      title: "Crash on load after patch 1.4",
      fancy_title: "Crash on load after patch 1.4",
      posts_count: 1,
      created_at: "2025-03-14T09:12:44.318Z",
      archetype: "regular",
      slug: "crash-on-load-after-patch-1-4",
      category_id: 7,
      visible: true,
      closed: false,
      created_by: { id: 90211, username: "priya_plays", name: "Priya N.", avatar_template: "/a/{size}.png" },
      last_poster: { id: 90211, username: "priya_plays", name: "Priya N.", avatar_template: "/a/{size}.png" },
      ...overrides,
    },
  };
}
