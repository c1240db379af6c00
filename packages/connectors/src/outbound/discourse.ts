import {
  callPlatform,
  type OutboundHttp,
  type OutboundOutcome,
  type OutboundRequest,
  permanentFailure,
} from "./outbound-request";

/** The forum's base URL: the `baseUrl` credential, else the channel's account id (as the webhook receiver reads it). */
function forumBaseUrlOf(request: OutboundRequest): string {
  const base =
    request.channel.credentials.baseUrl ??
    (/^https?:\/\//.test(request.channel.externalAccountId)
      ? request.channel.externalAccountId
      : `https://${request.channel.externalAccountId}`);
  return base.replace(/\/+$/, "");
}

/** The number of the post replied to, from its alias (`topic:<topic>#<post number>`) or its URL. */
function postNumberOf(request: OutboundRequest): number | null {
  const fromAlias = /#(\d+)$/.exec(request.item.aliasExternalId ?? "")?.[1];
  const fromUrl = /\/(\d+)\/?$/.exec(request.item.url ?? "")?.[1];
  const found = fromAlias ?? fromUrl;
  return found ? Number(found) : null;
}

/**
 * Discourse through its REST API with `Api-Key` / `Api-Username` from the channel's credentials: a reply is a new
 * post in the item's topic (`POST /posts.json` with `topic_id`, `raw`, `reply_to_post_number`); delete is
 * `DELETE /posts/{id}.json`. Discourse has no hide for a single post: hide and unhide fail, visibly, for the
 * moderator to do on the forum.
 */
export function sendDiscourse(request: OutboundRequest, options: { http: OutboundHttp }): Promise<OutboundOutcome> {
  const { apiKey, apiUsername } = request.channel.credentials;
  if (!apiKey || !apiUsername) {
    return Promise.resolve(permanentFailure("The channel has no apiKey and apiUsername credentials"));
  }
  const headers = { "api-key": apiKey, "api-username": apiUsername, "content-type": "application/json" };
  const base = forumBaseUrlOf(request);
  switch (request.action) {
    case "reply": {
      if (!request.reply) return Promise.resolve(permanentFailure("The reply to send is missing"));
      const topicId = Number(request.item.threadExternalId);
      if (!Number.isInteger(topicId)) return Promise.resolve(permanentFailure("The item names no Discourse topic"));
      const postNumber = postNumberOf(request);
      return callPlatform(options.http, {
        platform: "Discourse",
        url: `${base}/posts.json`,
        init: {
          method: "POST",
          headers,
          body: JSON.stringify({
            topic_id: topicId,
            raw: request.reply.body,
            ...(postNumber ? { reply_to_post_number: postNumber } : {}),
          }),
        },
      });
    }
    case "delete":
      return callPlatform(options.http, {
        platform: "Discourse",
        url: `${base}/posts/${encodeURIComponent(request.item.externalId)}.json`,
        init: { method: "DELETE", headers },
      });
    case "hide":
    case "unhide":
      return Promise.resolve(permanentFailure(`Discourse cannot ${request.action} a single post: do it on the forum`));
  }
}
