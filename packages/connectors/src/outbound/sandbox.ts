import { postSignedDelivery } from "./generic";
import type { OutboundHttp, OutboundOutcome, OutboundRequest } from "./outbound-request";

/** Where the sandbox platform takes a channel's deliveries, under the sandbox's base URL (Parley's own API). */
export function sandboxActionsPath(channelId: string): string {
  return `/sandbox/channels/${encodeURIComponent(channelId)}/actions`;
}

/**
 * A sandbox channel's delivery goes over real HTTP to Parley's own sandbox endpoint, signed like a generic
 * callback; the sandbox answers like a platform (latency, and the failures the channel's settings ask for).
 */
export function sendSandbox(
  request: OutboundRequest,
  options: { http: OutboundHttp; now: () => Date; baseUrl: string },
): Promise<OutboundOutcome> {
  return postSignedDelivery(request, {
    ...options,
    url: new URL(sandboxActionsPath(request.channel.id), options.baseUrl).toString(),
    platform: "The sandbox",
  });
}
