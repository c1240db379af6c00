import { signGenericPayload } from "../generic-ingest";
import {
  callPlatform,
  type OutboundHttp,
  type OutboundOutcome,
  type OutboundRequest,
  permanentFailure,
} from "./outbound-request";

/**
 * POSTs a delivery as signed JSON to `url`, signed like ingest: `X-Parley-Timestamp` and
 * `X-Parley-Signature: sha256=HMAC(ingest secret, ts + "." + body)`. The receiver may answer `{ "id": "…" }` with
 * its id for a published reply. Generic channels' callbacks and the sandbox platform both take this form.
 */
export function postSignedDelivery(
  request: OutboundRequest,
  options: { http: OutboundHttp; now: () => Date; url: string; platform: string },
): Promise<OutboundOutcome> {
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
    platform: options.platform,
    url: options.url,
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

/** A generic channel's integrator receives each action at the channel's `callbackUrl` credential. */
export function sendGeneric(
  request: OutboundRequest,
  options: { http: OutboundHttp; now: () => Date },
): Promise<OutboundOutcome> {
  const { callbackUrl } = request.channel.credentials;
  if (!callbackUrl) return Promise.resolve(permanentFailure("The channel has no callbackUrl credential"));
  return postSignedDelivery(request, { ...options, url: callbackUrl, platform: "The channel's callback" });
}
