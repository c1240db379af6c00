import { z } from "zod";
import { buildItemEvent, itemTimeProblem, type NormalizedItemEvent } from "./inbound-item";
import { type InstagramMention, isoWithOffset, unknownAuthor } from "./meta";
import { isRetryableStatus, type OutboundHttp } from "./outbound/outbound-request";

/*
 * Instagram's `mentions` webhook carries ids only. The mention itself is read from the Graph API, as Meta's
 * Mentions guide says to (developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/mentions):
 * `GET /{ig-user-id}?fields=mentioned_comment.comment_id({comment-id}){…}` for a mention in a comment, and
 * `…mentioned_media.media_id({media-id}){…}` for a mention in a caption.
 */

export type InstagramMentionResult =
  | { ok: true; event: NormalizedItemEvent }
  | { ok: false; retryable: boolean; error: string };

const mentionedComment = z.object({
  mentioned_comment: z.object({
    id: z.string(),
    text: z.string(),
    timestamp: z.string().regex(isoWithOffset),
    media: z.object({ id: z.string(), permalink: z.string().optional() }).optional(),
  }),
});

const mentionedMedia = z.object({
  mentioned_media: z.object({
    id: z.string(),
    caption: z.string(),
    timestamp: z.string().regex(isoWithOffset),
    username: z.string().optional(),
    permalink: z.string().optional(),
  }),
});

/**
 * Reads one Instagram @mention from the Graph API (`baseUrl`, with the channel's page access token) and maps it to
 * a `mention` item: its text, the time the comment or caption was written (`createdAtFrom` names the Graph field),
 * the media as its thread. A mention in a comment has no author in the Graph answer: it gets an unknown author of its
 * own. Fails `retryable` when the Graph API may answer later (network, 408, 429, 5xx).
 */
export async function fetchInstagramMention(
  mention: InstagramMention,
  options: { baseUrl: string; accessToken: string; http: OutboundHttp; now: Date },
): Promise<InstagramMentionResult> {
  const fields = mention.commentId
    ? `mentioned_comment.comment_id(${mention.commentId}){id,text,timestamp,media{id,permalink}}`
    : `mentioned_media.media_id(${mention.mediaId}){id,caption,timestamp,username,permalink}`;
  const url = `${options.baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(mention.accountId)}?fields=${encodeURIComponent(fields)}`;
  let response: Response;
  try {
    response = await options.http.fetch(url, {
      headers: { authorization: `Bearer ${options.accessToken}` },
      signal: AbortSignal.timeout(options.http.timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
    return { ok: false, retryable: true, error: `Meta Graph could not be reached: ${reason}` };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    return {
      ok: false,
      retryable: isRetryableStatus(response.status),
      error: `Meta Graph answered ${response.status}`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, retryable: false, error: "Meta Graph answered with something that is not JSON" };
  }
  const path = [mention.change, "value"];
  const item = mention.commentId ? commentMention(mention, body) : captionMention(body);
  if (!item) return { ok: false, retryable: false, error: "Meta Graph's answer does not hold the mention" };
  const problem = itemTimeProblem(new Date(item.createdAt), options.now);
  if (problem) return { ok: false, retryable: false, error: `The mention's timestamp ${problem}` };
  try {
    return { ok: true, event: buildItemEvent({ op: "upsert", path, item: item.fields, createdAtFrom: item.from }) };
  } catch {
    return { ok: false, retryable: false, error: "The mention Meta Graph returned has no usable text" };
  }
}

function commentMention(mention: InstagramMention, body: unknown) {
  const parsed = mentionedComment.safeParse(body);
  if (!parsed.success) return null;
  const comment = parsed.data.mentioned_comment;
  const createdAt = new Date(comment.timestamp).toISOString();
  return {
    createdAt,
    from: "mentioned_comment.timestamp",
    fields: {
      externalId: comment.id,
      kind: "mention" as const,
      threadExternalId: comment.media?.id ?? mention.mediaId,
      author: unknownAuthor(comment.id),
      body: comment.text,
      createdAt,
      url: comment.media?.permalink,
    },
  };
}

function captionMention(body: unknown) {
  const parsed = mentionedMedia.safeParse(body);
  if (!parsed.success) return null;
  const media = parsed.data.mentioned_media;
  const createdAt = new Date(media.timestamp).toISOString();
  return {
    createdAt,
    from: "mentioned_media.timestamp",
    fields: {
      externalId: media.id,
      kind: "mention" as const,
      threadExternalId: media.id,
      author: media.username
        ? { externalId: `username:${media.username}`, handle: media.username }
        : unknownAuthor(media.id),
      body: media.caption,
      createdAt,
      url: media.permalink,
    },
  };
}
