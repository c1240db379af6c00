import { type Database, type Executor, schema, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import type { Scope } from "../kernel/scope";

const { items, clients, queueTallies, slaClocks, volumeSpikes } = schema;
type ItemRow = typeof items.$inferSelect;

export const queueCountsInput = z.object({}).default({});

/** Waiting and claimed items of one client; `byPriority` counts the waiting (queued) ones. */
export interface QueueCountsView {
  clientId: string;
  clientName: string;
  queued: number;
  claimed: number;
  /** Of the claimed ones, those the caller holds. */
  mine: number;
  /**
   * When the client's latest P1 arrived (its first-response clock started) in the last day, null if none: a
   * console raises its P1 alert when this moves on, even if triage escalated the item before the counts showed it.
   */
  lastP1At: Date | null;
  byPriority: Record<ItemRow["priority"], number>;
  /** The client's open volume spike (core/floor): the console's banner. Rates are items per hour. */
  spike: { id: string; startedAt: Date; ratePerHour: number; usualPerHour: number } | null;
}

/** One client's counts as every console of its agency shares them: `mine` is per caller, so claims count per holder. */
type SharedQueueCounts = Omit<QueueCountsView, "mine"> & { claimedBy: Record<string, number> };

/**
 * Queued and claimed items of every active client of the agency. The counts are the sums of `queue_tallies`,
 * which triggers on `items` append to as items enter, move through and leave the queue: first the rows appended
 * since the last read are folded into one per count (a fold running at the same time in another process folds
 * what it sees, and the sums stay the same), then a second statement, seeing every fold committed, adds them up.
 * So a read costs the same for a queue of ten items or of a million. The latest P1 arrival is one look per client
 * into `sla_clocks_p1_started_idx`. Read in the agency's tenant (every client); callers see only their clients'
 * rows (`countsFor`).
 */
export async function readAgencyQueueCounts(tx: Executor, agencyId: string, now: Date): Promise<SharedQueueCounts[]> {
  await tx.execute(sql`
    with folded as (
      delete from ${queueTallies} where agency_id = ${agencyId}
      returning client_id, status, priority, claimed_by, items
    )
    insert into ${queueTallies} (agency_id, client_id, status, priority, claimed_by, items)
    select ${agencyId}, client_id, status, priority, claimed_by, sum(items)::int from folded
    group by client_id, status, priority, claimed_by having sum(items) <> 0`);
  const rows = await tx.execute<{
    client_id: string;
    client_name: string;
    queued: number;
    claimed: number;
    claimed_by: Record<string, number> | null;
    last_p1_at: string | null;
    p1: number;
    p2: number;
    p3: number;
    p4: number;
    spike_id: string | null;
    spike_started_at: string | null;
    spike_rate: number | null;
    spike_usual: number | null;
  }>(sql`
    select c.id as client_id, c.name as client_name, coalesce(q.queued, 0) as queued,
      s.id as spike_id, s.started_at as spike_started_at, s.last_rate_per_hour as spike_rate,
      s.usual_per_hour as spike_usual,
      coalesce(k.claimed, 0) as claimed, k.claimed_by, p.last_p1_at, coalesce(q.p1, 0) as p1, coalesce(q.p2, 0) as p2,
      coalesce(q.p3, 0) as p3, coalesce(q.p4, 0) as p4
    from ${clients} as c
    left join (
      select client_id, sum(items)::int as queued, (sum(items) filter (where priority = 'P1'))::int as p1,
        (sum(items) filter (where priority = 'P2'))::int as p2, (sum(items) filter (where priority = 'P3'))::int as p3,
        (sum(items) filter (where priority = 'P4'))::int as p4
      from ${queueTallies} where agency_id = ${agencyId} and status = 'queued' group by client_id
    ) as q on q.client_id = c.id
    left join (
      select client_id, sum(held)::int as claimed, jsonb_object_agg(claimed_by, held) as claimed_by
      from (
        select client_id, claimed_by, sum(items)::int as held
        from ${queueTallies} where agency_id = ${agencyId} and status = 'claimed'
        group by client_id, claimed_by having sum(items) <> 0
      ) as holders
      group by client_id
    ) as k on k.client_id = c.id
    left join lateral (
      select max(started_at) as last_p1_at
      from ${slaClocks} where agency_id = ${agencyId} and client_id = c.id and metric = 'first_response'
        and priority = 'P1' and started_at > ${now.toISOString()}::timestamptz - interval '1 day'
    ) as p on true
    left join ${volumeSpikes} as s on s.agency_id = ${agencyId} and s.client_id = c.id and s.ended_at is null
    where c.agency_id = ${agencyId} and c.status <> 'archived'
    order by c.name`);
  return rows.map((row) => ({
    clientId: row.client_id,
    clientName: row.client_name,
    queued: row.queued,
    claimed: row.claimed,
    claimedBy: row.claimed_by ?? {},
    lastP1At: row.last_p1_at === null ? null : new Date(row.last_p1_at),
    byPriority: { P1: row.p1, P2: row.p2, P3: row.p3, P4: row.p4 },
    spike:
      row.spike_id === null
        ? null
        : {
            id: row.spike_id,
            startedAt: new Date(row.spike_started_at ?? 0),
            ratePerHour: row.spike_rate ?? 0,
            usualPerHour: row.spike_usual ?? 0,
          },
  }));
}

/** The caller's clients' rows of their agency's counts, with what the caller holds. */
export function countsFor(scope: Scope, shared: readonly SharedQueueCounts[]): QueueCountsView[] {
  return shared
    .filter((row) => scope.clientIds === null || scope.clientIds.includes(row.clientId))
    .map(({ claimedBy, ...row }) => ({ ...row, mine: claimedBy[scope.actorId] ?? 0 }));
}

/** Queue counts shared by the consoles of each agency (`createQueueCounter`). */
export interface QueueCounter {
  /** The queued and claimed items of each client the caller works on, read after the call began. */
  count(scope: Scope): Promise<QueueCountsView[]>;
}

/** Reads of one agency's counts start at least this far apart: the most a count waits behind the previous one. */
const minReadGapMs = 250;

/**
 * Serves the queue counts every console refetches as live events arrive, one read per agency at a time, the way
 * claim next batches claims: a count asked while a read runs waits for the next read, which serves every count
 * asked meanwhile. So every answer comes from a read that began after it was asked (nothing a console has heard of
 * is missing), and however many consoles are open, an agency's counts cost at most one read per `minReadGapMs`
 * (a read of a large queue takes tens of milliseconds; fifty consoles each reading it at every burst of events
 * kept PostgreSQL busy during a spike). Each read is a transaction of the agency's tenant; each caller gets only
 * their clients (`countsFor`).
 */
export function createQueueCounter(db: Database, deps: { now?: Clock } = {}): QueueCounter {
  type Waiting = { scope: Scope; resolve: (counts: QueueCountsView[]) => void; reject: (error: unknown) => void };
  type AgencyReads = { waiting: Waiting[]; reading: boolean; lastReadAt: number };
  const agencies = new Map<string, AgencyReads>();

  function startRead(agencyId: string, state: AgencyReads): void {
    if (state.reading || state.waiting.length === 0) return;
    state.reading = true;
    const wait = state.lastReadAt + minReadGapMs - performance.now();
    setTimeout(() => void read(agencyId, state), Math.max(0, wait));
  }

  async function read(agencyId: string, state: AgencyReads): Promise<void> {
    state.lastReadAt = performance.now();
    const served = state.waiting.splice(0);
    try {
      const shared = await withTenant(db, { agencyId, clientIds: null }, (tx) =>
        readAgencyQueueCounts(tx, agencyId, (deps.now ?? systemClock)()),
      );
      for (const entry of served) entry.resolve(countsFor(entry.scope, shared));
    } catch (error) {
      for (const entry of served) entry.reject(error);
    } finally {
      state.reading = false;
      startRead(agencyId, state);
    }
  }

  return {
    async count(scope) {
      assertAllowed(scope, "viewOperations");
      const state = agencies.get(scope.agencyId) ?? { waiting: [], reading: false, lastReadAt: 0 };
      agencies.set(scope.agencyId, state);
      return new Promise((resolve, reject) => {
        state.waiting.push({ scope, resolve, reject });
        startRead(scope.agencyId, state);
      });
    },
  };
}
