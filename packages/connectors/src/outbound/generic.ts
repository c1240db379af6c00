import { signGenericPayload } from "../generic-ingest";
import {
  callPlatform,
  type OutboundHttp,
  type OutboundOutcome,
  type OutboundRequest,
  permanentFailure,
} from "./outbound-request";

/**
 * A generic channel's integrator receives each action as JSON POSTed to the channel's `callbackUrl` credential,
 * signed like ingest: `X-Parley-Timestamp` and `X-Parley-Signature: sha256=HMAC(ingest secret, ts + "." + body)`.
 * The integrator may answer `{ "id": "…" }` with its id for a published reply.
 */
export function sendGeneric(
  request: OutboundRequest,
  options: { http: OutboundHttp; now: () => Date },
): Promise<OutboundOutcome> {
  const { callbackUrl } = request.channel.credentials;
  if (!callbackUrl) return Promise.resolve(permanentFailure("The channel has no callbackUrl credential"));
  const body = JSON.stringify({
    deliveryId: request.deliveryId,
    action: request.action,
    channelId: request.channel.id,
    item: {
      id: request.item.id,
      externalId: request.item.externalId,
      threadExternalId: request.item.threadExternalId,
    },
    reply: request.reply ? { id: request.reply.id, text: request.reply.body } : null,
  });
  const timestamp = Math.floor(options.now().getTime() / 1000);
  return callPlatform(options.http, {
    platform: "The channel's callback",
    url: callbackUrl,
    init: {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-parley-timestamp": String(timestamp),
        "x-parley-signature": signGenericPayload({ secret: request.channel.ingestSecret, timestamp, rawBody: body }),
      },
      body,
    },
  });
}
