import {
  callPlatform,
  type OutboundHttp,
  type OutboundOutcome,
  type OutboundRequest,
  permanentFailure,
} from "./outbound-request";

export const defaultMetaGraphBaseUrl = "https://graph.facebook.com/v21.0";

/**
 * Facebook and Instagram comments through the Graph API, with the page access token from the channel's
 * credentials (`pageAccessToken`) as a bearer token. Facebook: reply `POST /{id}/comments`, hide and unhide
 * `POST /{id}` with `is_hidden`; Instagram: reply `POST /{id}/replies`, hide `POST /{id}` with `hide`. Delete is
 * `DELETE /{id}` on both.
 */
export function sendMetaGraph(
  request: OutboundRequest,
  options: { baseUrl: string; http: OutboundHttp },
): Promise<OutboundOutcome> {
  const token = request.channel.credentials.pageAccessToken;
  if (!token) return Promise.resolve(permanentFailure("The channel has no pageAccessToken credential"));
  const instagram = request.channel.platform === "instagram";
  const node = `${options.baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(request.item.externalId)}`;
  const call = (method: string, url: string, params?: Record<string, string>) =>
    callPlatform(options.http, {
      platform: "Meta Graph",
      url,
      init: {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(params ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        ...(params ? { body: new URLSearchParams(params).toString() } : {}),
      },
    });
  const hiddenFlag = instagram ? "hide" : "is_hidden";
  switch (request.action) {
    case "reply":
      if (!request.reply) return Promise.resolve(permanentFailure("The reply to send is missing"));
      return call("POST", `${node}/${instagram ? "replies" : "comments"}`, { message: request.reply.body });
    case "hide":
      return call("POST", node, { [hiddenFlag]: "true" });
    case "unhide":
      return call("POST", node, { [hiddenFlag]: "false" });
    case "delete":
      return call("DELETE", node);
  }
}
