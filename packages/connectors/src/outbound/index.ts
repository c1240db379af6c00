import { emptyOutboundAllowlist, type OutboundAllowlist } from "@parley/contracts";
import { sendDiscourse } from "./discourse";
import { sendGeneric } from "./generic";
import { createGuardedFetch } from "./guarded-fetch";
import { defaultMetaGraphBaseUrl, sendMetaGraph } from "./meta-graph";
import { type OutboundOutcome, type OutboundRequest, permanentFailure } from "./outbound-request";
import { sendSandbox } from "./sandbox";
import { createConnectionTester } from "./test-connection";

export { createGuardedFetch, OutboundAddressRefused } from "./guarded-fetch";
export { defaultMetaGraphBaseUrl } from "./meta-graph";
export type { OutboundAction, OutboundOutcome, OutboundRequest } from "./outbound-request";
export { sandboxActionsPath } from "./sandbox";

export interface OutboundSenderOptions {
  metaGraphBaseUrl?: string;
  /**
   * Parley's own API, where the sandbox platform answers (`SANDBOX_BASE_URL`): a fixed address the operator sets, not
   * a tenant's, so it is called without the outbound guard. Unset: sandbox deliveries fail, naming why.
   */
  sandboxBaseUrl?: string;
  /** Hosts that may be plain http or private (`OUTBOUND_ALLOWLIST`); every other address must be public https. */
  allowlist?: OutboundAllowlist;
  /** Replaces the guarded fetch (unit tests record requests with it). */
  fetch?: typeof fetch;
  /** Per request; a platform slower than this counts as unreachable (and is retried). */
  timeoutMs?: number;
  now?: () => Date;
}

/** **Test connection**: one harmless request per platform with the channel's credentials (`test-connection.ts`). */
export function createChannelConnectionTester(options: Omit<OutboundSenderOptions, "sandboxBaseUrl"> = {}) {
  return createConnectionTester({
    http: {
      fetch: options.fetch ?? createGuardedFetch(options.allowlist ?? emptyOutboundAllowlist),
      timeoutMs: options.timeoutMs ?? 10_000,
    },
    metaGraphBaseUrl: options.metaGraphBaseUrl ?? defaultMetaGraphBaseUrl,
    now: options.now ?? (() => new Date()),
  });
}

/** One function that carries out any delivery on its channel's platform. */
export function createOutboundSender(options: OutboundSenderOptions = {}) {
  const http = {
    fetch: options.fetch ?? createGuardedFetch(options.allowlist ?? emptyOutboundAllowlist),
    timeoutMs: options.timeoutMs ?? 15_000,
  };
  const now = options.now ?? (() => new Date());
  const metaGraphBaseUrl = options.metaGraphBaseUrl ?? defaultMetaGraphBaseUrl;
  return (request: OutboundRequest): Promise<OutboundOutcome> => {
    switch (request.channel.platform) {
      case "facebook":
      case "instagram":
        return sendMetaGraph(request, { baseUrl: metaGraphBaseUrl, http });
      case "forum":
        return sendDiscourse(request, { http });
      case "generic":
        return sendGeneric(request, { http, now });
      case "sandbox":
        return options.sandboxBaseUrl
          ? sendSandbox(request, {
              http: { ...http, fetch: options.fetch ?? fetch },
              now,
              baseUrl: options.sandboxBaseUrl,
            })
          : Promise.resolve(permanentFailure("No sandbox address is configured (SANDBOX_BASE_URL)"));
      default:
        return Promise.resolve(permanentFailure(`Parley cannot act on ${request.channel.platform} yet`));
    }
  };
}
