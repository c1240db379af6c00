import { createHash, randomBytes } from "node:crypto";
import { type ApiKeyScope, AppError, apiKeyScopes, badInput, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";

const { apiKeys } = schema;
type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Every key starts with this, so secret scanners and people recognise it. */
export const apiKeyMarker = "pk_live_";
/** How much of a key lists show, to tell keys apart without revealing them. */
const prefixLength = 10;

export const apiKeyCreateInput = z.object({
  name: z.string().trim().min(1, { message: "is required" }).max(120, { message: "must be at most 120 characters" }),
  scopes: z
    .array(z.enum(apiKeyScopes, { message: `must each be one of ${apiKeyScopes.join(", ")}` }))
    .min(1, { message: "must name at least one scope" })
    .max(apiKeyScopes.length)
    .transform((scopes) => apiKeyScopes.filter((scope) => scopes.includes(scope))),
  /** Restrict the key to one client of the agency; absent: every client. */
  clientId: uuid.nullish(),
  /** When the key stops working; absent: never. */
  expiresAt: z.coerce.date({ message: "must be a date and time" }).nullish(),
});
export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateInput>;
export const apiKeyRevokeInput = z.object({ apiKeyId: uuid });
export type ApiKeyRevokeInput = z.infer<typeof apiKeyRevokeInput>;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  requestCount: number;
  scopes: ApiKeyScope[];
  clientId: string | null;
  expiresAt: Date | null;
}

export interface ApiKeySecretView {
  key: ApiKeyView;
  /** The whole key: shown once, at creation; only its SHA-256 is stored. */
  secret: string;
}

/** Never carries the hash: also what the audit trail records. */
function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    requestCount: row.requestCount,
    scopes: apiKeyScopes.filter((scope) => row.scopes.includes(scope)),
    clientId: row.clientId,
    expiresAt: row.expiresAt,
  };
}

/** SHA-256 (hex) of a key: what `api_keys.key_hash` stores and authentication looks up. */
export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export async function listApiKeys(scope: Scope, tx: Executor): Promise<ApiKeyView[]> {
  const rows = await tx
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.agencyId, scope.agencyId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(toApiKeyView);
}

/** A new key for the public API, with its scopes, optionally for one client and until a time. */
export async function createApiKey(
  scope: Scope,
  tx: Executor,
  input: ApiKeyCreateInput,
  deps: { now?: Clock } = {},
): Promise<ApiKeySecretView> {
  const now = (deps.now ?? systemClock)();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw badInput([{ path: ["expiresAt"], message: "must be in the future" }]);
  }
  if (input.clientId) {
    try {
      await getClient(scope, tx, input.clientId);
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND") {
        throw badInput([{ path: ["clientId"], message: "names no client of this agency" }]);
      }
      throw error;
    }
  }
  const secret = `${apiKeyMarker}${randomBytes(32).toString("base64url")}`;
  const [row] = await tx
    .insert(apiKeys)
    .values({
      agencyId: scope.agencyId,
      name: input.name,
      prefix: secret.slice(0, prefixLength),
      keyHash: hashApiKey(secret),
      createdBy: scope.actorId,
      scopes: input.scopes,
      clientId: input.clientId ?? null,
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "API key was not created");
  const key = toApiKeyView(row);
  await recordAudit(tx, scope, { action: "api_key.created", subjectType: "api_key", subjectId: key.id, after: key });
  return { key, secret };
}

/** Revoked keys stop working at once and stay listed, for the record. */
export async function revokeApiKey(scope: Scope, tx: Executor, input: ApiKeyRevokeInput): Promise<ApiKeyView> {
  const [before] = await tx
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, input.apiKeyId), eq(apiKeys.agencyId, scope.agencyId)));
  if (!before) throw new AppError("NOT_FOUND", "API key not found", { reason: "api_key_not_found" });
  if (before.revokedAt) {
    throw new AppError("INVALID_STATE", "API key is already revoked", { reason: "already_revoked" });
  }
  const [row] = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, before.id), eq(apiKeys.agencyId, scope.agencyId)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "API key not found", { reason: "api_key_not_found" });
  await recordAudit(tx, scope, {
    action: "api_key.revoked",
    subjectType: "api_key",
    subjectId: row.id,
    before: toApiKeyView(before),
    after: toApiKeyView(row),
  });
  return toApiKeyView(row);
}
