import { uuid } from "@parley/contracts";
import { type Database, schema, withTenant } from "@parley/db";
import { eq, sql } from "drizzle-orm";
import type { SecretBox } from "../crypto/secret-box";
import {
  type IngestChannel,
  type IngestDeps,
  type IngestItemEvent,
  type IngestResult,
  ingestItems,
} from "./ingest-items";

/*
 * Deliberately unscoped: a webhook names its channel in the URL before anyone knows the tenant. The lookup
 * sees that one channel row only (the `ingest_lookup` policy on channels); everything after it runs in a
 * tenant transaction for the channel's agency and client.
 */

const { channels } = schema;

export interface IngestChannelSecrets extends IngestChannel {
  externalAccountId: string;
  /** The channel's HMAC ingest secret, decrypted. */
  ingestSecret: string;
  /** Platform credentials (Meta `appSecret`/`verifyToken`, Discourse `webhookSecret`…), decrypted; `{}` when none. */
  credentials: Record<string, string>;
}

/** The channel with its secrets, or null when the id is not a UUID or names no channel. */
export async function findIngestChannel(
  db: Database,
  channelId: string,
  deps: { secretBox: SecretBox },
): Promise<IngestChannelSecrets | null> {
  if (!uuid.safeParse(channelId).success) return null;
  const row = await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.ingest_channel_id', ${channelId}, true)`);
    const [found] = await tx.select().from(channels).where(eq(channels.id, channelId));
    return found;
  });
  if (!row) return null;
  let credentials: Record<string, string> = {};
  if (row.credentialsEnc) {
    const parsed: unknown = JSON.parse(deps.secretBox.decrypt(row.credentialsEnc));
    if (parsed && typeof parsed === "object") credentials = parsed as Record<string, string>;
  }
  return {
    id: row.id,
    agencyId: row.agencyId,
    clientId: row.clientId,
    platform: row.platform,
    externalAccountId: row.externalAccountId,
    ingestSecret: deps.secretBox.decrypt(row.ingestSecretEnc),
    credentials,
  };
}

/** PostgreSQL's deadlock and serialization failures: the whole delivery is safe to run again (it is idempotent). */
function isRetryable(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  return code === "40P01" || code === "40001";
}

/** Stores a delivery in one transaction scoped to the channel's agency and client, retried on a deadlock. */
export async function ingestChannelItems(
  db: Database,
  channel: IngestChannel,
  events: readonly IngestItemEvent[],
  deps: IngestDeps = {},
): Promise<IngestResult> {
  const tenant = { agencyId: channel.agencyId, clientIds: [channel.clientId], userId: null };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTenant(db, tenant, (tx) => ingestItems(channel, tx, { events }, deps));
    } catch (error) {
      if (attempt >= 4 || !isRetryable(error)) throw error;
    }
  }
}
