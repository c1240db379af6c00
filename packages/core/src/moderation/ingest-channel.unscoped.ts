import { uuid } from "@parley/contracts";
import { type Database, type Executor, runPrepared, withTenant } from "@parley/db";
import { type Clock, systemClock } from "../kernel/clock";
import { isRetryableConflict } from "../kernel/retryable-conflict";
import type { SecretBox } from "../kernel/secret-box";
import { createTtlCache } from "../kernel/ttl-cache";
import type { IngestChannel } from "./ingest-context";
import {
  contextParams,
  ingestContextCache,
  ingestContextVersionsStatement,
  loadIngestContext,
  type VersionsRow,
} from "./ingest-context";
import { applyDelivery, deliveryNames, type IngestDeps, type IngestItemEvent, type IngestResult } from "./ingest-items";

/*
 * Deliberately unscoped: a webhook names its channel in the URL before anyone knows the tenant. The lookup
 * sees that one channel row only (the `ingest_lookup` policy on channels); everything after it runs in a
 * tenant transaction for the channel's agency and client.
 */

export interface IngestChannelSecrets extends IngestChannel {
  externalAccountId: string;
  /** The channel's HMAC ingest secret, decrypted. */
  ingestSecret: string;
  /** Platform credentials (Meta `appSecret`/`verifyToken`, Discourse `webhookSecret`…), decrypted; `{}` when none. */
  credentials: Record<string, string>;
  /** `xmin` of the row the secrets were read from: the ingest transaction checks it is still the current one. */
  version: string;
}

/**
 * The channel changed (its secret was rotated, its credentials replaced) between the signature check and
 * the ingest transaction: nothing was stored; check the signature again against the channel as it is now.
 */
export class IngestChannelChangedError extends Error {
  constructor(readonly channelId: string) {
    super(`Channel ${channelId} changed while a delivery was being stored`);
    this.name = "IngestChannelChangedError";
  }
}

interface ChannelRow {
  id: string;
  agency_id: string;
  client_id: string;
  platform: IngestChannel["platform"];
  external_account_id: string;
  ingest_secret_enc: string;
  credentials_enc: string | null;
  version: string;
}

/** The channel with its secrets, or null when the id is not a UUID or names no channel. Always reads the row. */
export async function findIngestChannel(
  db: Database,
  channelId: string,
  deps: { secretBox: SecretBox },
): Promise<IngestChannelSecrets | null> {
  if (!uuid.safeParse(channelId).success) return null;
  const [row] = await db.$client.begin(async (sql) => {
    const [, found] = await Promise.all([
      sql`select set_config('app.ingest_channel_id', ${channelId}, true)`,
      sql<ChannelRow[]>`select id, agency_id, client_id, platform, external_account_id, ingest_secret_enc,
          credentials_enc, xmin::text as version
        from channels where id = ${channelId}::uuid`,
    ]);
    return found;
  });
  if (!row) return null;
  let credentials: Record<string, string> = {};
  if (row.credentials_enc) {
    const parsed: unknown = JSON.parse(deps.secretBox.decrypt(row.credentials_enc));
    if (parsed && typeof parsed === "object") credentials = parsed as Record<string, string>;
  }
  return {
    id: row.id,
    agencyId: row.agency_id,
    clientId: row.client_id,
    platform: row.platform,
    externalAccountId: row.external_account_id,
    ingestSecret: deps.secretBox.decrypt(row.ingest_secret_enc),
    credentials,
    version: row.version,
  };
}

/** How long a looked-up channel (with its decrypted secrets) is kept in memory. */
export const ingestChannelTtlMs = 30_000;
const maxCachedChannels = 10_000;

export interface IngestChannelCache {
  /** The channel, from memory when read less than the TTL ago. */
  get(channelId: string): Promise<{ channel: IngestChannelSecrets | null; cached: boolean }>;
  /** The channel as it is now (read again, and remembered). */
  refresh(channelId: string): Promise<IngestChannelSecrets | null>;
}

/**
 * Channels with their decrypted secrets, kept `ingestChannelTtlMs` so a delivery costs no lookup transaction
 * and no decryption. A cached secret never admits a delivery after a rotation: the route reads the channel
 * again when a signature fails against the cached secret (so a new secret works at once), and the ingest
 * transaction checks the channel row's version (`IngestChannelChangedError`, so a revoked secret stops
 * working at once, in every process). The TTL bounds what else could be stale: nothing read from a cached
 * entry outside an ingest transaction is trusted (the Meta verification handshake reads the row).
 */
export function createIngestChannelCache({
  db,
  secretBox,
  now = systemClock,
}: {
  db: Database;
  secretBox: SecretBox;
  now?: Clock;
}): IngestChannelCache {
  const entries = createTtlCache<string, IngestChannelSecrets>({
    ttlMs: ingestChannelTtlMs,
    maxEntries: maxCachedChannels,
  });
  const refresh = async (channelId: string) => {
    const channel = await findIngestChannel(db, channelId, { secretBox });
    entries.delete(channelId);
    // Unknown ids are not remembered: anyone can make them up.
    if (channel) entries.set(channelId, channel, now());
    return channel;
  };
  return {
    async get(channelId) {
      const channel = entries.get(channelId, now());
      if (channel) return { channel, cached: true };
      return { channel: await refresh(channelId), cached: false };
    },
    refresh,
  };
}

/** The cached context turned out stale inside the transaction: run the delivery again with a fresh one. */
class StaleIngestContextError extends Error {}

/**
 * Stores a delivery in one transaction scoped to the channel's agency and client, retried on a deadlock or a
 * serialization failure (the whole delivery is idempotent), then links the replies waiting for its items
 * (`linkWaitingReplies`). Its statements are prepared and sent without waiting
 * for one another where they can be (`runPrepared`): the check of the cached context (see ingest-context) travels with the first round of new items. Throws
 * `IngestChannelChangedError` when `channel.version` is given and the channel row has changed since.
 */
export async function ingestChannelItems(
  db: Database,
  channel: IngestChannel,
  events: readonly IngestItemEvent[],
  deps: IngestDeps = {},
): Promise<IngestResult> {
  const tenant = { agencyId: channel.agencyId, clientIds: [channel.clientId], userId: null };
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await withTenant(db, tenant, (tx) => storeDelivery(db, channel, events, deps, tx));
      await linkWaitingReplies(db, channel, deliveryNames(events));
      return result;
    } catch (error) {
      if (error instanceof StaleIngestContextError || error instanceof IngestChannelChangedError) {
        ingestContextCache(db).delete(channel.id);
      }
      if (error instanceof StaleIngestContextError && attempt < 4) continue;
      if (attempt >= 4 || !isRetryableConflict(error)) throw error;
    }
  }
}

/**
 * Links the channel's replies that name one of `names` to the stored item of that name, once the delivery has
 * committed (`parley_link_waiting_replies`, migrations 0043 and 0045). Inside its transaction a delivery links what it can
 * see; a reply and its parent stored by two deliveries at the same time see neither each other, and the later to
 * commit links them here. Idempotent, so a conflict retries the delivery (which creates nothing the second time)
 * and this with it; the delivery is answered only after this, so one cut short is delivered again by the platform.
 */
async function linkWaitingReplies(db: Database, channel: IngestChannel, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await runPrepared(db, linkWaitingRepliesStatement, [
    channel.agencyId,
    channel.clientId,
    channel.id,
    JSON.stringify(names),
  ]);
}

const linkWaitingRepliesStatement =
  "select parley_link_waiting_replies($1::uuid, $2::uuid, $3::uuid, $4::jsonb) as linked";

async function storeDelivery(
  db: Database,
  channel: IngestChannel,
  events: readonly IngestItemEvent[],
  deps: IngestDeps,
  tx: Executor,
): Promise<IngestResult> {
  const now = (deps.now ?? systemClock)();
  const channelChanged = (version: string | null) =>
    channel.version !== undefined && channel.version !== null && version !== channel.version;
  let context = ingestContextCache(db).get(channel.id, now);
  let verify = async () => {};
  if (context) {
    const cached = context;
    const versions = runPrepared<VersionsRow>(tx, ingestContextVersionsStatement, contextParams(channel));
    verify = async () => {
      const [current] = await versions;
      if (channelChanged(current?.channel_version ?? null)) throw new IngestChannelChangedError(channel.id);
      if (current?.context_version !== cached.contextVersion) throw new StaleIngestContextError();
    };
  } else {
    context = await loadIngestContext(tx, channel);
    if (channelChanged(context.channelVersion)) throw new IngestChannelChangedError(channel.id);
    ingestContextCache(db).set(channel.id, context, now);
  }
  return applyDelivery(channel, tx, events, { context, now, verify });
}
