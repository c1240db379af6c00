/**
 * Handling time measured from real work, per client and category: from a moderator's claim of an item to the
 * action that handled it (a reply queued or sent for approval, hide, delete, no action, escalation), by the same
 * moderator, with nothing in between. Idle claims are left out: a claim that ended by expiring, by a release or a
 * skip, by a lead reassigning the item, or by someone else acting, is no handling at all; a claim held over an hour before its action is a
 * moderator away from their desk rather than an item's work. Where a client's category has fewer than
 * `minHandlingSamples` such claims in the window, the agency's fallback (a setting a lead edits) stands in.
 *
 * A client's handling time is the mean over its categories weighted by how many of its items each category
 * received in the window, so a client whose items are mostly quick praise is not planned at the pace of its rare
 * legal threats.
 */
import { type Executor, uuidArray } from "@parley/db";
import { type SQL, sql } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { plannedClientsOf } from "./staffing-scope";
import { getStaffingSettings } from "./staffing-settings";

/** Days of work handling times are measured over. */
export const handlingTimeWindowDays = 28;

/** Below this many measured claims a category's mean is too noisy to plan with. */
export const minHandlingSamples = 20;
/** A claim held longer than this before its action counts as idle, not as handling. */
export const maxHandlingSeconds = 3600;

/** The actions that handle a claimed item (the end of its handling time). */
export const handledActions = [
  "reply.queued",
  "reply.submitted_for_approval",
  "item.hidden",
  "item.deleted",
  "item.no_action",
  "escalation.opened",
];
const claimEndingActions = ["item.claimed", "item.claim_expired", "item.released", "item.skipped", "item.reassigned"];

const actionList = (actions: readonly string[]) =>
  sql.join(
    actions.map((action) => sql`${action}`),
    sql`, `,
  );

/** The item an audit event (alias `e`) is about: its subject, or the item of the reply or escalation it records. */
export const auditItemId = sql`(case when e.subject_type = 'item' then e.subject_id else e.after ->> 'itemId' end)::uuid`;

/** Audit events (alias `e`) of an action that handled an item, by anyone. */
export const handlingActionEvent = sql`e.action in (${actionList(handledActions)})`;

/**
 * The measured claims among the agency's audit events (alias `e`) matching `events`: one row per claim its
 * moderator ended by handling the item within `maxHandlingSeconds`, as `(item_id, moderator_id, claimed_at,
 * handled_at, seconds)`. The one definition of handling time: staffing plans with it, reports show it.
 */
export function handledClaims(agencyId: string, events: SQL): SQL {
  return sql`
    select s.item_id, s.actor_user_id as moderator_id, s.created_at as claimed_at, s.next_at as handled_at,
      extract(epoch from s.next_at - s.created_at)::float8 as seconds
    from (
      select item_id, action, actor_user_id, created_at,
        lead(action) over next_event as next_action,
        lead(actor_user_id) over next_event as next_actor,
        lead(created_at) over next_event as next_at
      from (
        select ${auditItemId} as item_id, e.action, e.actor_user_id, e.created_at
        from audit_events e
        where e.agency_id = ${agencyId} and ${events}
          and e.action in (${actionList([...handledActions, ...claimEndingActions])})
      ) events
      where item_id is not null
      window next_event as (partition by item_id order by created_at)
    ) s
    where s.action = 'item.claimed' and s.next_actor = s.actor_user_id
      and s.next_action in (${actionList(handledActions)})
      and s.next_at - s.created_at <= make_interval(secs => ${maxHandlingSeconds})`;
}

export interface CategoryHandlingTime {
  clientId: string;
  /** null: items no category matched. */
  categoryKey: string | null;
  /** Items the category received in the window. */
  items: number;
  /** Claims measured (handled by the claimer, not idle). */
  samples: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  /** What the plan uses: the mean when there are enough samples, else the fallback. */
  usedSeconds: number;
  source: "measured" | "fallback";
}

export interface ClientHandlingTime {
  clientId: string;
  /** Weighted by the categories' items; the fallback for a client with no items. */
  ahtSeconds: number;
  /** The share of the client's items whose category's handling time was measured. */
  measuredShare: number;
}

export interface HandlingTimes {
  from: Date;
  to: Date;
  minSamples: number;
  fallbackAhtSeconds: number;
  categories: CategoryHandlingTime[];
  clients: ClientHandlingTime[];
}

/** Handling times of `clientIds` over the work done in `[from, to)`. */
export async function measureHandlingTimes(
  scope: Scope,
  tx: Executor,
  input: { clientIds: readonly string[]; from: Date; to: Date; fallbackAhtSeconds: number },
): Promise<HandlingTimes> {
  const { from, to, fallbackAhtSeconds } = input;
  const clientIds = uuidArray([...input.clientIds]);
  const measured = await tx.execute<{
    client_id: string;
    category_key: string | null;
    samples: number;
    mean_seconds: number;
    median_seconds: number;
  }>(sql`
    with measured as (${handledClaims(
      scope.agencyId,
      sql`e.created_at >= ${from.toISOString()}::timestamptz
      and e.created_at < ${to.toISOString()}::timestamptz`,
    )})
    select i.client_id, i.category_key, count(*)::int as samples, avg(m.seconds)::float8 as mean_seconds,
      percentile_cont(0.5) within group (order by m.seconds)::float8 as median_seconds
    from measured m
    join items i on i.id = m.item_id and i.agency_id = ${scope.agencyId}
    where i.client_id = any(${clientIds})
    group by i.client_id, i.category_key`);
  const volumes = await tx.execute<{ client_id: string; category_key: string | null; items: number }>(sql`
    select client_id, category_key, count(*)::int as items from items
    where agency_id = ${scope.agencyId} and client_id = any(${clientIds})
      and received_at >= ${from.toISOString()}::timestamptz and received_at < ${to.toISOString()}::timestamptz
    group by client_id, category_key`);
  const key = (clientId: string, categoryKey: string | null) => `${clientId} ${categoryKey ?? ""}`;
  const categories = new Map<string, CategoryHandlingTime>();
  const entry = (clientId: string, categoryKey: string | null) => {
    const found = categories.get(key(clientId, categoryKey));
    if (found) return found;
    const created: CategoryHandlingTime = {
      clientId,
      categoryKey,
      items: 0,
      samples: 0,
      meanSeconds: null,
      medianSeconds: null,
      usedSeconds: fallbackAhtSeconds,
      source: "fallback",
    };
    categories.set(key(clientId, categoryKey), created);
    return created;
  };
  for (const row of volumes) entry(row.client_id, row.category_key).items = row.items;
  for (const row of measured) {
    const category = entry(row.client_id, row.category_key);
    category.samples = row.samples;
    category.meanSeconds = row.mean_seconds;
    category.medianSeconds = row.median_seconds;
    if (row.samples >= minHandlingSamples) {
      category.usedSeconds = row.mean_seconds;
      category.source = "measured";
    }
  }
  const list = [...categories.values()].sort(
    (a, b) =>
      a.clientId.localeCompare(b.clientId) ||
      b.items - a.items ||
      (a.categoryKey ?? "").localeCompare(b.categoryKey ?? ""),
  );
  const clients = input.clientIds.map((clientId): ClientHandlingTime => {
    const own = list.filter((category) => category.clientId === clientId && category.items > 0);
    const items = own.reduce((total, category) => total + category.items, 0);
    if (items === 0) return { clientId, ahtSeconds: fallbackAhtSeconds, measuredShare: 0 };
    return {
      clientId,
      ahtSeconds: own.reduce((total, category) => total + category.items * category.usedSeconds, 0) / items,
      measuredShare:
        own
          .filter((category) => category.source === "measured")
          .reduce((total, category) => total + category.items, 0) / items,
    };
  });
  return { from, to, minSamples: minHandlingSamples, fallbackAhtSeconds, categories: list, clients };
}

/** The handling times of the caller's clients over the last `handlingTimeWindowDays` days, with the agency's fallback. */
export async function getHandlingTimes(scope: Scope, tx: Executor, deps: { now?: Clock } = {}): Promise<HandlingTimes> {
  const now = (deps.now ?? systemClock)();
  const settings = await getStaffingSettings(scope, tx);
  const clients = await plannedClientsOf(scope, tx);
  return measureHandlingTimes(scope, tx, {
    clientIds: clients.map((client) => client.id),
    from: new Date(now.getTime() - handlingTimeWindowDays * 86_400_000),
    to: now,
    fallbackAhtSeconds: settings.fallbackAhtSeconds,
  });
}
