import type { Role } from "@parley/contracts";
import type { StripeGateway } from "@parley/contracts/billing";
import type { Scope } from "@parley/core/agencies";
import type { SecretBox } from "@parley/core/crypto";
import type { ClaimBatcher } from "@parley/core/moderation";
import type { Database } from "@parley/db";

export interface Services {
  db: Database;
  secretBox: SecretBox;
  hashPassword(password: string): Promise<string>;
  /** What time it is for the use cases (SLA clocks, escalations); the real clock when omitted. */
  clock?: { now(): Date };
  /** Invoices pushed to Stripe; absent when STRIPE_SECRET_KEY is unset. */
  stripe?: StripeGateway | null;
}

/** Built per request by the API from the session cookie. */
export interface Context {
  services: Services;
  /** Claims of this API process, served in batches (one per app: concurrent requests share it). */
  claims: ClaimBatcher;
  requestId: string;
  session: { id: string; userId: string; currentAgencyId: string | null } | null;
  scope: Scope | null;
}

export const staffRoles: readonly Role[] = ["owner", "admin", "account_manager", "moderator"];
