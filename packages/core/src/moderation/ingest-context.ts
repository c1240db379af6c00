import type { Platform } from "@parley/contracts";
import type { ClockTarget } from "@parley/contracts/billing";
import { type Database, type Executor, runPrepared } from "@parley/db";
import { type PlaybookDocument, playbookDocument } from "../escalations/playbooks";
import { createTtlCache, type TtlCache } from "../kernel/ttl-cache";
import { storedProtocolDocument } from "../protocols/protocol-document";
import type { ActiveProtocol } from "../protocols/protocol-versions";
import type { BusinessCalendar } from "../sla/business-calendar";
import type { CalendarVersion, ContractClockTerms } from "../sla/clock-terms";

/*
 * What ingest classifies and schedules with, per channel: the client's active protocol version, its active
 * playbooks, and what its clocks start on (contracts, the agency's default SLA policy, business-hours versions).
 * Cached in process memory so a delivery does not read them again, and
 * checked in every ingest transaction by `ingestContextVersionsStatement` (one small statement sent with the
 * delivery's own, no extra round trip): when the channel row, the client row, the agency row (its SLA policy), the
 * active protocol version, an active playbook, a contract or the business-hours versions changed, the transaction is rolled back and the delivery runs again with a fresh read.
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
  /** The client's zone, in which contract periods are read. */
  timeZone: string;
  /** The client's contracts with their clock targets. */
  contracts: ContractClockTerms[];
  /** The agency's default SLA policy (clients without a contract in force). */
  slaPolicy: ClockTarget[];
  /** The client's business-hours versions, oldest first. */
  calendars: CalendarVersion[];
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
    (select xmin::text from agencies where id = $3::uuid),
    (select string_agg(id::text || ':' || xmin::text, ',' order by id)
       from playbooks where client_id = $2::uuid and agency_id = $3::uuid and active),
    (select string_agg(id::text || ':' || xmin::text, ',' order by id)
       from contracts where client_id = $2::uuid and agency_id = $3::uuid),
    (select string_agg(id::text, ',' order by id)
       from business_calendars where client_id = $2::uuid and agency_id = $3::uuid)) as context_version`;

/** The context and its versions in one statement, same parameters. */
const loadContextStatement = `select v.channel_version, v.context_version,
  (select jsonb_build_object('id', id, 'version', version, 'document', document)
     from protocol_versions where client_id = $2::uuid and agency_id = $3::uuid and active) as protocol,
  (select time_zone from clients where id = $2::uuid and agency_id = $3::uuid) as time_zone,
  (select sla_policy from agencies where id = $3::uuid) as sla_policy,
  (select coalesce(jsonb_agg(jsonb_build_object('id', id, 'validFrom', valid_from, 'validTo', valid_to,
      'slaTargets', coalesce(terms->'slaTargets', '[]'::jsonb)) order by valid_from), '[]'::jsonb)
     from contracts where client_id = $2::uuid and agency_id = $3::uuid) as contracts,
  (select coalesce(jsonb_agg(jsonb_build_object('id', id, 'version', version, 'effectiveFrom', effective_from,
      'effectiveAt', effective_at, 'calendar', calendar) order by version), '[]'::jsonb)
     from business_calendars where client_id = $2::uuid and agency_id = $3::uuid) as calendars,
  (select coalesce(jsonb_agg(document order by created_at, id), '[]'::jsonb)
     from playbooks where client_id = $2::uuid and agency_id = $3::uuid and active) as playbooks
from (${ingestContextVersionsStatement}) as v`;

export interface VersionsRow {
  channel_version: string | null;
  context_version: string;
}

interface ContextRow extends VersionsRow {
  protocol: { id: string; version: number; document: unknown } | null;
  time_zone: string;
  sla_policy: ClockTarget[];
  contracts: ContractClockTerms[];
  calendars: Array<Omit<CalendarVersion, "effectiveAt"> & { effectiveAt: string }>;
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
    timeZone: row.time_zone,
    contracts: row.contracts,
    slaPolicy: row.sla_policy,
    calendars: row.calendars.map((version) => ({
      ...version,
      effectiveAt: new Date(version.effectiveAt),
      calendar: version.calendar as BusinessCalendar | null,
    })),
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
