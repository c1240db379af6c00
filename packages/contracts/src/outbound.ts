import type { Platform } from "./domain";

/** The public actions the outbox carries out on a platform. */
export const outboundActions = ["reply", "hide", "unhide", "delete"] as const;
export type OutboundAction = (typeof outboundActions)[number];

/**
 * One delivery as the outbox (core) hands it to a platform sender (connectors): what the sender needs to carry
 * it out on the platform.
 */
export interface OutboundRequest {
  deliveryId: string;
  action: OutboundAction;
  channel: {
    id: string;
    platform: Platform;
    externalAccountId: string;
    /** Decrypted platform credentials; `{}` when the channel has none. */
    credentials: Record<string, string>;
    ingestSecret: string;
  };
  item: {
    id: string;
    externalId: string;
    kind: string;
    threadExternalId: string | null;
    aliasExternalId: string | null;
    url: string | null;
  };
  reply: { id: string; body: string } | null;
}

/** `retryable: false` for failures a retry cannot fix (missing credentials, a 4xx refusal, an unsupported action). */
export type OutboundOutcome =
  | { ok: true; externalId: string | null }
  | { ok: false; retryable: boolean; error: string };
