import type { ApiKeyScope } from "@parley/contracts";
import { type Database, schema, setTenant } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import { hashApiKey } from "./api-keys";

/*
 * Deliberately unscoped: a bearer key arrives before anyone knows the tenant. The lookup sees the one row
 * whose hash the server put in `app.api_key_hash` (the `api_key_lookup` policy); recording the use then runs
 * scoped to the key's agency.
 */

const { apiKeys } = schema;

/** Who a valid API key speaks for: an agency (or one of its clients), for what its scopes allow. */
export interface ApiKeyPrincipal {
  apiKeyId: string;
  agencyId: string;
  scopes: readonly ApiKeyScope[];
  /** The one client the key is restricted to; null: every client of the agency. */
  clientId: string | null;
}

/** A key refused: `invalid` (malformed, unknown or revoked) or `expired`. */
export type ApiKeyRefusal = { refused: "invalid" | "expired" };

/** Keys are `pk_live_` + 43 base64url characters; anything far off is refused before touching the database. */
const plausibleKey = /^pk_live_[A-Za-z0-9_-]{20,100}$/;

/**
 * Whom a bearer key speaks for, or why it is refused (malformed, unknown or revoked: `invalid`; past its
 * expiry: `expired`). Counts the request and stamps `last_used_at` when it is accepted.
 */
export async function authenticateApiKey(
  db: Database,
  input: { secret: string },
  deps: { now?: Clock } = {},
): Promise<ApiKeyPrincipal | ApiKeyRefusal> {
  if (!plausibleKey.test(input.secret)) return { refused: "invalid" };
  const keyHash = hashApiKey(input.secret);
  const now = (deps.now ?? systemClock)();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.api_key_hash', ${keyHash}, true)`);
    const [row] = await tx
      .select({
        id: apiKeys.id,
        agencyId: apiKeys.agencyId,
        revokedAt: apiKeys.revokedAt,
        scopes: apiKeys.scopes,
        clientId: apiKeys.clientId,
        expiresAt: apiKeys.expiresAt,
      })
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, keyHash));
    if (!row || row.revokedAt) return { refused: "invalid" as const };
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return { refused: "expired" as const };
    await setTenant(tx, { agencyId: row.agencyId, clientIds: null, userId: null });
    await tx
      .update(apiKeys)
      .set({ lastUsedAt: now, requestCount: sql`${apiKeys.requestCount} + 1` })
      .where(and(eq(apiKeys.id, row.id), eq(apiKeys.agencyId, row.agencyId)));
    return {
      apiKeyId: row.id,
      agencyId: row.agencyId,
      scopes: row.scopes as ApiKeyScope[],
      clientId: row.clientId,
    };
  });
}
