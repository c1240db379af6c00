import {
  type Database,
  type Executor,
  executePrepared,
  fromRawRow,
  type RawRow,
  schema,
  uuidArray,
  withTenant,
} from "@parley/db";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import { type Scope, tenantOf } from "../kernel/scope";

const { items, clients } = schema;
type ItemRow = typeof items.$inferSelect;

/** How long a claim holds an item before it goes back to the queue, unless the moderator acts or renews it. */
export const defaultClaimLeaseSeconds = 10 * 60;

/**
 * The order one client's queue is worked in: most urgent first, then oldest (the order of
 * `items_claim_queued_idx`). Across clients, claim next also compares first-response due times.
 * Unqualified columns, so it reads the same on `items` and on a subquery selecting these columns.
 */
export const queueOrder = sql`priority, received_at`;

/** The columns of a claimed item the console gets (`ClaimedItemView`). */
const claimedItemKeys = [
  "id",
  "clientId",
  "channelId",
  "externalId",
  "kind",
  "threadExternalId",
  "parentItemId",
  "customerId",
  "authorHandle",
  "authorDisplayName",
  "body",
  "language",
  "url",
  "createdAt",
  "receivedAt",
  "status",
  "categoryKey",
  "priority",
  "riskFlags",
  "authority",
  "moderationAction",
  "protocolVersionId",
  "claimExpiresAt",
] as const satisfies ReadonlyArray<keyof ItemRow>;

export type ClaimedItemView = Pick<ItemRow, (typeof claimedItemKeys)[number]>;

function toClaimedItemView(row: ItemRecord): ClaimedItemView {
  return fromRawRow(items, claimedItemKeys, row);
}

/** The clients whose queues the caller works: the one asked for (NOT_FOUND outside the scope), else all of theirs. */
export async function queueClientIds(scope: Scope, tx: Executor, clientId: string | undefined): Promise<string[]> {
  if (clientId) return [(await getClient(scope, tx, clientId)).id];
  if (scope.clientIds) return [...scope.clientIds];
  const rows = await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.agencyId, scope.agencyId), ne(clients.status, "archived")));
  return rows.map((row) => row.id);
}

/** Announces a `queue.changed` about each changed item (its client's counts and lists are stale, and so is it). */
export async function publishQueueChanges(
  scope: Scope,
  tx: Executor,
  changes: ReadonlyArray<{ clientId: string; itemId: string }>,
): Promise<void> {
  for (const { clientId, itemId } of changes) {
    await publishLiveEvent(tx, { type: "queue.changed", agencyId: scope.agencyId, clientId, subjectId: itemId });
  }
}

/**
 * Puts every item the caller holds back in its place in the queue, each audited as `item.released`: what "claim
 * next" does first when the moderator chose to let go of what they hold. Returns the released items' ids.
 */
export async function releaseHeldItems(scope: Scope, tx: Executor, now: Date): Promise<string[]> {
  const held = await tx
    .select()
    .from(items)
    .where(and(eq(items.agencyId, scope.agencyId), eq(items.status, "claimed"), eq(items.claimedBy, scope.actorId)))
    .for("update");
  if (held.length === 0) return [];
  await tx
    .update(items)
    .set({ status: "queued", claimedBy: null, claimExpiresAt: null, updatedAt: now })
    .where(
      and(
        eq(items.agencyId, scope.agencyId),
        inArray(
          items.id,
          held.map((row) => row.id),
        ),
      ),
    );
  for (const before of held) {
    await recordAudit(tx, scope, {
      action: "item.released",
      subjectType: "item",
      subjectId: before.id,
      clientId: before.clientId,
      before: { status: before.status, claimedBy: before.claimedBy, claimExpiresAt: before.claimExpiresAt },
      after: { status: "queued" },
      protocolVersionId: before.protocolVersionId,
    });
  }
  await publishQueueChanges(
    scope,
    tx,
    held.map((row) => ({ clientId: row.clientId, itemId: row.id })),
  );
  return held.map((row) => row.id);
}

/** The agency a claim batch serves and the clients its requests work on (the tenant its statements set). */
type ClaimTenant = { agencyId: string; clientIds: readonly string[] };

/** A claimed row of `items` as `parley_claim_take` returns it (snake case, timestamps as text). */
type ItemRecord = RawRow<typeof items, (typeof claimedItemKeys)[number]>;

/** One moderator's claim: whose, on which clients (already resolved within their scope), passing over `skip`. */
export interface ClaimRequest {
  scope: Scope;
  clientIds: readonly string[];
  skip: readonly string[];
  leaseSeconds: number;
}

/** A head-of-queue item a claim may take: a queued one, or a claim whose lease ran out (`lapsed_from`). */
type Candidate = {
  id: string;
  client_id: string;
  priority: ItemRow["priority"];
  /** First-response due time and arrival, as epoch seconds (compared, never shown). */
  due_at: number | null;
  received_at: number;
  lapsed_from: string | null;
};

/** Most urgent first: priority, then first-response due time (none: last), then arrival, then id. */
function byUrgency(x: Candidate, y: Candidate): number {
  if (x.priority !== y.priority) return x.priority < y.priority ? -1 : 1;
  if (x.due_at !== y.due_at) return (x.due_at ?? Number.POSITIVE_INFINITY) - (y.due_at ?? Number.POSITIVE_INFINITY);
  if (x.received_at !== y.received_at) return x.received_at - y.received_at;
  return x.id < y.id ? -1 : 1;
}

/**
 * Serves several moderators' claims of one agency; answers in request order, null for a request whose queues are
 * empty. In rounds of two statements, however many requests (`readCandidates`, then `takeCandidates`), each a
 * call of a function of migrations 0017, 0051 and 0056 that sets the tenant (the agency and the clients asked for)
 * for its own transaction, so each is one message and one answer:
 *
 * 1. The heads of the asked clients' queues, read without locks: per client, as many queued items (in
 *    `items_claim_queued_idx` order) as could be handed out from it (one per request working on it, plus what
 *    those requests skip; while the triage keeps up, not an item whose triage has been due for less than 30 s,
 *    which the triage is about to acknowledge and escalate), and the claims whose lease ran out. Under load, heads
 *    an earlier batch read ahead are used instead, while fresh (`QueueHeads`).
 * 2. Each request, in order, takes the most urgent candidate of its clients (`byUrgency`: priority, then
 *    first-response due time, then arrival). Only those candidates are locked, with `FOR UPDATE SKIP LOCKED`
 *    and their state checked again; the claims are written with their audit events and a live announcement
 *    about each; lapsed claims nobody took go back to the queue in their original place.
 *
 * A candidate another transaction holds or took meanwhile is passed over, and its request is served in the next
 * round; each round passes over more, so the rounds end. Locked rows are this transaction's alone, so two
 * moderators, in one batch or in concurrent ones, never get the same item.
 *
 * Within one client, due time follows arrival at equal priority (targets are per priority, on the client's
 * calendar), so reading each queue in index order finds the most urgent candidates.
 */
async function claimItems(
  db: Database,
  tenant: ClaimTenant,
  requests: readonly ClaimRequest[],
  now: Date,
  {
    inFlight,
    heads,
    readAhead,
    onServed,
  }: {
    inFlight: ClaimsInFlight;
    heads: QueueHeads;
    /** How many times the heads it needs a read fetches (see `queueHeadsReadAhead`). */
    readAhead: number;
    /** Called as each claim commits (a later round may still fail for the requests still waiting). */
    onServed: (n: number, item: ClaimedItemView) => void;
  },
): Promise<Array<ClaimedItemView | null>> {
  const served: Array<ClaimedItemView | null> = requests.map(() => null);
  const passedOver = new Set<string>();
  let waiting = requests.map((request, n) => ({ request, n }));
  while (waiting.length > 0) {
    const candidates = await readCandidates(db, tenant, {
      requests: waiting.map((entry) => entry.request),
      passedOver: new Set([...passedOver, ...inFlight.chosen()]),
      now,
      heads,
      readAhead,
    });
    candidates.sort(byUrgency);
    const taken = new Set<string>();
    const assigned = waiting.map((entry) => {
      const found = candidates.find(
        (candidate) =>
          !taken.has(candidate.id) &&
          entry.request.clientIds.includes(candidate.client_id) &&
          !entry.request.skip.includes(candidate.id),
      );
      if (found) taken.add(found.id);
      return { ...entry, candidate: found ?? null };
    });
    const lapsed = candidates.filter((candidate) => candidate.lapsed_from !== null);
    forgetHeads(heads, taken);
    inFlight.choose([...taken]);
    if (taken.size === 0 && lapsed.length === 0) break;
    const rows = await takeCandidates(db, tenant, {
      claims: assigned.flatMap(({ request, candidate }) => (candidate ? [{ request, candidate }] : [])),
      lapsed,
      now,
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    waiting = assigned.flatMap((entry) => {
      if (!entry.candidate) return [];
      const row = byId.get(entry.candidate.id);
      if (row) {
        const item = toClaimedItemView(row);
        served[entry.n] = item;
        onServed(entry.n, item);
        return [];
      }
      passedOver.add(entry.candidate.id);
      inFlight.lose(entry.candidate.id);
      // Someone else took it, or it changed: what else was remembered of that queue may be stale too.
      heads.delete(entry.candidate.client_id);
      return [{ request: entry.request, n: entry.n }];
    });
  }
  return served;
}

/**
 * What the other batches of this process are claiming while one batch runs (`createClaimBatcher`). Their
 * candidates are passed over until they commit, so batches can overlap: the next one reads the queues while the
 * previous one writes its claims.
 */
export interface ClaimsInFlight {
  /** Candidates chosen by the batches still running (this one's included). */
  chosen(): Iterable<string>;
  /** This batch chose `ids` (called after every read, possibly with none): the next batch may read. */
  choose(ids: readonly string[]): void;
  /** A chosen candidate this batch could not take. */
  lose(id: string): void;
}

/**
 * Queue heads read by the batches of a busy period, per client, kept for the next batches of the same agency
 * (`createClaimBatcher` drops them when its claims stop): under load most batches read nothing. Candidates are
 * taken out as batches choose them; a client's are read again once too few are left, once they are
 * `queueHeadsReuseMs` old, or once one of them turns out taken elsewhere. What they may miss, an item that
 * entered the queue since the read (a new arrival, a release), waits at most that long; nothing is handed out
 * twice, since the take locks and checks every candidate again.
 */
type QueueHeads = Map<string, { readAt: number; candidates: Candidate[] }>;

/** How long read queue heads are reused: the longest a newer, more urgent item can be passed over under load. */
const queueHeadsReuseMs = 250;

/**
 * While more claims wait behind a batch, its reads fetch this many times the heads it needs of each client, for
 * the batches that follow (a lone claim reads only what it needs: nothing would reuse the rest).
 */
const queueHeadsReadAhead = 4;

function forgetHeads(heads: QueueHeads, taken: ReadonlySet<string>): void {
  for (const entry of heads.values()) entry.candidates = entry.candidates.filter((c) => !taken.has(c.id));
}

/**
 * The unlocked heads of the requests' queues and the lapsed claims of their clients, less `passedOver`: the
 * remembered heads of each client that has enough fresh ones (`QueueHeads`), and for the others a read
 * (`parley_claim_queue_heads`) whose queued heads are remembered.
 */
async function readCandidates(
  db: Database,
  { agencyId, clientIds }: ClaimTenant,
  input: {
    requests: readonly ClaimRequest[];
    passedOver: ReadonlySet<string>;
    now: Date;
    heads: QueueHeads;
    readAhead: number;
  },
): Promise<Candidate[]> {
  const { passedOver, heads } = input;
  const wanted = new Map<string, number>();
  for (const request of input.requests) {
    for (const clientId of request.clientIds) {
      wanted.set(clientId, (wanted.get(clientId) ?? 0) + 1 + request.skip.length);
    }
  }
  const open = (clientId: string) => heads.get(clientId)?.candidates.filter((c) => !passedOver.has(c.id)) ?? [];
  const freshSince = performance.now() - queueHeadsReuseMs;
  const stale = [...wanted].filter(([clientId, count]) => {
    const remembered = heads.get(clientId);
    return !remembered || remembered.readAt < freshSince || open(clientId).length < count;
  });
  let lapsed: Candidate[] = [];
  if (stale.length > 0) {
    const read = await executePrepared<Candidate>(
      db,
      sql`select * from parley_claim_queue_heads(${agencyId}::uuid, ${uuidArray(clientIds)},
        ${JSON.stringify(stale.map(([client_id, count]) => ({ client_id, count: count * input.readAhead })))}::jsonb,
        ${uuidArray([...passedOver])}, ${input.now.toISOString()}::timestamptz)`,
    );
    const readAt = performance.now();
    for (const [clientId] of stale) {
      heads.set(clientId, {
        readAt,
        candidates: read.filter((c) => c.client_id === clientId && c.lapsed_from === null),
      });
    }
    lapsed = read.filter((c) => c.lapsed_from !== null);
  }
  return [...lapsed, ...[...wanted.keys()].flatMap(open)];
}

/**
 * Locks the chosen candidates and the lapsed claims (skipping rows another transaction holds), checks that each
 * is still queued or still lapsed, and claims the chosen ones: lapsed claims nobody took go back to the queue,
 * with audit events and a live announcement about each (`parley_claim_take`). Returns the rows claimed.
 */
async function takeCandidates(
  db: Database,
  { agencyId, clientIds }: ClaimTenant,
  input: {
    claims: ReadonlyArray<{ request: ClaimRequest; candidate: Candidate }>;
    lapsed: readonly Candidate[];
    now: Date;
  },
): Promise<ItemRecord[]> {
  const claims = input.claims.map(({ request, candidate }) => ({
    id: candidate.id,
    actor: request.scope.actorId,
    ip: request.scope.ip ?? null,
    expires_at: new Date(input.now.getTime() + request.leaseSeconds * 1000).toISOString(),
  }));
  const lapsed = input.lapsed.map((candidate) => ({
    id: candidate.id,
    client_id: candidate.client_id,
    claimed_by: candidate.lapsed_from,
  }));
  return executePrepared<ItemRecord>(
    db,
    sql`select * from parley_claim_take(${agencyId}::uuid, ${uuidArray(clientIds)}, ${JSON.stringify(claims)}::jsonb,
      ${JSON.stringify(lapsed)}::jsonb, ${input.now.toISOString()}::timestamptz)`,
  );
}

type ClaimNextInput = {
  clientId?: string | undefined;
  skip?: readonly string[] | undefined;
  releaseHeld?: boolean | undefined;
  leaseSeconds?: number;
};

async function claimRequestOf(scope: Scope, tx: Executor, input: ClaimNextInput): Promise<ClaimRequest> {
  return {
    scope,
    clientIds: await queueClientIds(scope, tx, input.clientId),
    skip: input.skip ?? [],
    leaseSeconds: input.leaseSeconds ?? defaultClaimLeaseSeconds,
  };
}

/** Claims served together (`createClaimBatcher`). */
export interface ClaimBatcher {
  /**
   * Gives the caller the most urgent queued item of one client or of every client they work on, leased for
   * `leaseSeconds`; null when the queue is empty. `skip` lists items the caller skipped recently (the console
   * keeps them for `defaultClaimLeaseSeconds`): they stay in the queue for everyone else.
   */
  claim(scope: Scope, input: ClaimNextInput): Promise<ClaimedItemView | null>;
}

/** At most this many claims share one batch. */
const maxClaimBatch = 16;

/** Batches of one agency that may run at once: one reading its candidates while the other writes its claims. */
const maxBatchesInFlight = 2;

/**
 * Serves concurrent claims of one agency together, the way PostgreSQL groups commits: while a batch runs, the
 * claims that arrive wait for the next one, which takes up to `maxClaimBatch` of them. A lone claim runs at once,
 * so batching adds no delay; under load, two statements serve many moderators instead of one each. Each statement
 * is a tenant transaction of its own, scoped to the agency and the clients asked for (see `claimItems`); each
 * request was resolved within its own scope first (`queueClientIds`), and `claimItems` only hands
 * a request items of its clients. Batches overlap: the next one starts once the running one has chosen its
 * candidates, and passes those over until they are claimed (`ClaimsInFlight`), so two batches do not reach for
 * the same items. A claim is answered as soon as it is committed; a failed round fails the claims still waiting.
 */
export function createClaimBatcher(db: Database, deps: { now?: Clock } = {}): ClaimBatcher {
  type Waiting = {
    request: ClaimRequest;
    resolve: (item: ClaimedItemView | null) => void;
    reject: (error: unknown) => void;
  };
  type AgencyClaims = {
    waiting: Waiting[];
    running: number;
    /** A running batch has not chosen its candidates yet: the next one waits for them. */
    choosing: boolean;
    /** Candidates chosen by running batches, until their transaction ends. */
    chosen: Set<string>;
    heads: QueueHeads;
  };
  const agencies = new Map<string, AgencyClaims>();

  function startBatches(agencyId: string): void {
    const state = agencies.get(agencyId);
    if (!state) return;
    while (state.waiting.length > 0 && state.running < maxBatchesInFlight && !state.choosing) {
      void runBatch(agencyId, state, state.waiting.splice(0, maxClaimBatch));
    }
    if (state.running === 0 && state.waiting.length === 0) agencies.delete(agencyId);
  }

  async function runBatch(agencyId: string, state: AgencyClaims, batch: Waiting[]): Promise<void> {
    state.running += 1;
    state.choosing = true;
    let chose = false;
    const mine = new Set<string>();
    const inFlight: ClaimsInFlight = {
      chosen: () => state.chosen,
      choose(ids) {
        for (const id of ids) {
          mine.add(id);
          state.chosen.add(id);
        }
        if (!chose) {
          chose = true;
          state.choosing = false;
          startBatches(agencyId);
        }
      },
      lose(id) {
        mine.delete(id);
        state.chosen.delete(id);
      },
    };
    const requests = batch.map((entry) => entry.request);
    // A settled promise ignores later calls: a claim answered when its round committed keeps its item even if a
    // later round fails for the others.
    try {
      const clientIds = [...new Set(requests.flatMap((request) => request.clientIds))];
      const claimed = await claimItems(db, { agencyId, clientIds }, requests, (deps.now ?? systemClock)(), {
        inFlight,
        heads: state.heads,
        readAhead: state.waiting.length > 0 || state.running > 1 ? queueHeadsReadAhead : 1,
        onServed: (n, item) => batch[n]?.resolve(item),
      });
      for (const [n, entry] of batch.entries()) entry.resolve(claimed[n] ?? null);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      for (const id of mine) state.chosen.delete(id);
      state.running -= 1;
      if (!chose) state.choosing = false;
      startBatches(agencyId);
    }
  }

  return {
    async claim(scope, input) {
      assertAllowed(scope, "moderate", "Only moderators claim items");
      // Moderators' clients are in their scope; a chosen client, or an owner's "all clients", is read in theirs.
      // Items released on the way are not handed straight back.
      const request =
        input.clientId === undefined && scope.clientIds !== null && !input.releaseHeld
          ? await claimRequestOf(scope, db, input)
          : await withTenant(db, tenantOf(scope), async (tx) => {
              const released = input.releaseHeld ? await releaseHeldItems(scope, tx, (deps.now ?? systemClock)()) : [];
              return claimRequestOf(scope, tx, { ...input, skip: [...(input.skip ?? []), ...released] });
            });
      return new Promise((resolve, reject) => {
        const state: AgencyClaims = agencies.get(scope.agencyId) ?? {
          waiting: [],
          running: 0,
          choosing: false,
          chosen: new Set(),
          heads: new Map(),
        };
        agencies.set(scope.agencyId, state);
        state.waiting.push({ request, resolve, reject });
        startBatches(scope.agencyId);
      });
    },
  };
}
