import type { ConnectionTester, OutboundAllowlist } from "@parley/contracts";
import type { StripeGateway } from "@parley/contracts/billing";
import type { LinkKind, LinkMailer } from "@parley/core/agencies";
import type { Clock, Scope, SecretBox } from "@parley/core/kernel";
import type { ClaimBatcher, ClientClustersSource, QueueCounter } from "@parley/core/moderation";
import type { Database } from "@parley/db";

export interface Services {
  db: Database;
  /**
   * Ingest's own pool (a few connections), so a burst of platform deliveries cannot hold every connection claims
   * and consoles need; ingest uses `db` when absent (tests, tools).
   */
  ingestDb?: Database;
  secretBox: SecretBox;
  /** What time it is for the use cases (SLA clocks, escalations); the real clock when omitted. Procedures hand
   * `services` to a use case as its dependencies, so a use case's `deps.now` is this clock. */
  now?: Clock;
  /** Invoices pushed to Stripe; absent when STRIPE_SECRET_KEY is unset. */
  stripe?: StripeGateway | null;
  /** Hosts a tenant's outbound URLs may name although plain http or private (`OUTBOUND_ALLOWLIST`). */
  outboundAllowlist?: OutboundAllowlist;
  /** Admin → Channels' **Test connection** (`@parley/connectors`), built by the app from `META_GRAPH_BASE_URL`. */
  testConnection?: ConnectionTester;
  /** Invitation and reset links by e-mail; absent without SMTP_URL (the inviter then copies the link). */
  mailer?: LinkMailer | null;
}

/** Built per request by the API from the session cookie. */
export interface Context {
  services: Services;
  /** Claims of this API process, served in batches (one per app: concurrent requests share it). */
  claims: ClaimBatcher;
  /** Queue counts of this API process, one read per agency serving every console that asked meanwhile. */
  queueCounts: QueueCounter;
  /** Each client's clusters of near-identical items, shared by the consoles of this API process for a few seconds. */
  clusters: ClientClustersSource;
  requestId: string;
  session: { id: string; userId: string; currentAgencyId: string | null } | null;
  scope: Scope | null;
  /** The client's IP address (taken `TRUST_PROXY` hops from the right of X-Forwarded-For). */
  ip: string;
  /** An absolute link into the web app (`PUBLIC_URL`, else the request's own origin). */
  linkFor(kind: LinkKind, token: string): string;
}
