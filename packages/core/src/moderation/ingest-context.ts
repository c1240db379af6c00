import type { Platform } from "@parley/contracts";
import { type Database, type Executor, runPrepared } from "@parley/db";
import { type PlaybookDocument, playbookDocument } from "../escalations/playbooks";
import { createTtlCache, type TtlCache } from "../kernel/ttl-cache";
import { storedProtocolDocument } from "../protocols/protocol-document";
import type { ActiveProtocol } from "../protocols/protocol-versions";

/*
 * What ingest classifies and schedules with, per channel: the client's active protocol version, its active
 * playbooks and its business calendar. Cached in process memory so a delivery does not read them again, and
 * checked in every ingest transaction by `ingestContextVersionsStatement` (one small statement sent with the
 * delivery's own, no extra round trip): when the channel row, the client row, the active protocol version or
 * an active playbook changed, the transaction is rolled back and the delivery runs again with a fresh read.
 * So a cached entry never classifies with a retired protocol nor admits a rotated secret, whatever its age;
 * the TTL only bounds memory and how long an idle entry lingers.
 */

/** The channel items arrive on: for ingest, the channel is the scope (there is no signed-in user). */
export interface IngestChannel {
  id: string;
  agencyId: string;
  clientId: string;
  platform: Platform;
  /**
   * The version (`xmin`) of the channel row the caller checked the delivery's signature against, when it did:
   * the ingest transaction then fails with `IngestChannelChangedError` if the channel changed since.
   */
  version?: string | null;
}

/** How long a cached context is used before it is read again (the in-transaction check makes staleness safe). */
export const ingestContextTtlMs = 30_000;
const maxCachedContexts = 10_000;

export interface IngestContextVersions {
  /** `xmin` of the channel row: moves on every update (a secret rotation, new credentials). */
  channelVersion: string | null;
  /** The active protocol version id, `xmin` of the client row and of each active playbook. */
  contextVersion: string;
}

export interface IngestContext extends IngestContextVersions {
  protocol: ActiveProtocol | null;
  playbooks: PlaybookDocument[];
  /** `clients.business_calendar` (null: covered around the clock). */
  clientCalendar: unknown;
}

/**
 * The versions of what a context was built from, as one row (`channel_version`, `context_version`).
 * Parameters: $1 channel id, $2 client id, $3 agency id. Runs in the channel's tenant transaction.
 */
export const ingestContextVersionsStatement = `select
  (select xmin::text from channels where id = $1::uuid and agency_id = $3::uuid) as channel_version,
  concat_ws('|',
    (select id::text from protocol_versions where client_id = $2::uuid and agency_id = $3::uuid and active),
    (select xmin::text from clients where id = $2::uuid and agency_id = $3::uuid),
    (select string_agg(id::text || ':' || xmin::text, ',' order by id)
       from playbooks where client_id = $2::uuid and agency_id = $3::uuid and active)) as context_version`;

/** The context and its versions in one statement, same parameters. */
const loadContextStatement = `select v.channel_version, v.context_version,
  (select jsonb_build_object('id', id, 'version', version, 'document', document)
     from protocol_versions where client_id = $2::uuid and agency_id = $3::uuid and active) as protocol,
  (select business_calendar from clients where id = $2::uuid and agency_id = $3::uuid) as client_calendar,
  (select coalesce(jsonb_agg(document order by created_at, id), '[]'::jsonb)
     from playbooks where client_id = $2::uuid and agency_id = $3::uuid and active) as playbooks
from (${ingestContextVersionsStatement}) as v`;

export interface VersionsRow {
  channel_version: string | null;
  context_version: string;
}

interface ContextRow extends VersionsRow {
  protocol: { id: string; version: number; document: unknown } | null;
  client_calendar: unknown;
  playbooks: unknown[];
}

export const contextParams = (channel: IngestChannel) => [channel.id, channel.clientId, channel.agencyId];

/** Reads the channel's context in the caller's tenant transaction. */
export async function loadIngestContext(tx: Executor, channel: IngestChannel): Promise<IngestContext> {
  const [row] = await runPrepared<ContextRow>(tx, loadContextStatement, contextParams(channel));
  if (!row) throw new Error("ingest context query returned no row");
  const protocol = row.protocol
    ? {
        id: row.protocol.id,
        version: row.protocol.version,
        document: storedProtocolDocument.parse(row.protocol.document),
      }
    : null;
  return {
    channelVersion: row.channel_version,
    contextVersion: row.context_version,
    protocol,
    playbooks: row.playbooks.map((document) => playbookDocument.parse(document)),
    clientCalendar: row.client_calendar,
  };
}

/** One cache per database handle: tests and tools may run several databases in one process. */
const caches = new WeakMap<Database, TtlCache<string, IngestContext>>();

/** The contexts of one database's channels, by channel id, kept `ingestContextTtlMs`. */
export function ingestContextCache(db: Database): TtlCache<string, IngestContext> {
  let cache = caches.get(db);
  if (!cache) {
    cache = createTtlCache({ ttlMs: ingestContextTtlMs, maxEntries: maxCachedContexts });
    caches.set(db, cache);
  }
  return cache;
}
