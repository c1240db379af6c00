import { AppError, type DeliveryState, isAllowed, uuid } from "@parley/contracts";
import { columnNames, type Executor, fromRawRow, type RawRow, schema, uuidArray } from "@parley/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { findDeliveryStates } from "../deliveries/delivery-states";
import { type Clock, systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { riskFlags } from "../protocols/protocol-document";
import { findItemClocks, mostPressingClock, type SlaBoardEntry } from "../sla/sla-board";
import { defaultClaimLeaseSeconds, publishQueueChanges, queueClientIds, queueOrder } from "./claim-next-item";

const { items, clients, channels, slaClocks, users, memberships, clientAssignments } = schema;
type ItemRow = typeof items.$inferSelect;

const maxQueuePageSize = 100;
export const queueViews = ["queue", "mine", "at_risk", "breached"] as const;
export const queueSorts = ["queue", "due"] as const;
/** How many recently skipped items the console may ask claim next to pass over. */
const maxSkippedItems = 100;
/** A queue row shows the start of the text; the full item is one click away. */
const bodyPreviewLength = 280;

export const queueListInput = z
  .object({
    clientId: uuid.optional(),
    channelId: uuid.optional(),
    priority: z.enum(schema.itemPriorities, { message: "must be one of P1, P2, P3, P4" }).optional(),
    status: z
      .enum(schema.itemStatuses, { message: `must be one of ${schema.itemStatuses.join(", ")}` })
      .default("queued"),
    riskFlag: z.enum(riskFlags, { message: `must be one of ${riskFlags.join(", ")}` }).optional(),
    /**
     * `queue`: items in `status`; `mine`: the items the caller holds; `at_risk` / `breached`: items of any status
     * with a running clock in that state (an escalated item whose first response breached included), most overdue
     * first.
     */
    view: z.enum(queueViews, { message: `must be one of ${queueViews.join(", ")}` }).default("queue"),
    /** `queue`: the order claim next works in; `due`: the soonest running clock's due time first (none: last). */
    sort: z.enum(queueSorts, { message: `must be one of ${queueSorts.join(", ")}` }).default("queue"),
    cursor: z.string().max(200, { message: "is not a cursor this API returned" }).optional(),
    limit: z
      .number({ message: "must be a whole number" })
      .int({ message: "must be a whole number" })
      .min(1, { message: `must be between 1 and ${maxQueuePageSize}` })
      .max(maxQueuePageSize, { message: `must be between 1 and ${maxQueuePageSize}` })
      .default(50),
  })
  .default({ status: "queued", view: "queue", sort: "queue", limit: 50 });
export type QueueListInput = z.infer<typeof queueListInput>;

/**
 * `skip`: the items this moderator skipped within the last lease time. The console keeps that list (each id
 * until the `skipUntil` that `queue.skip` answered) and sends it with every claim, so a skip needs no server
 * state and ends on its own; other moderators still get those items.
 */
export const claimNextInput = z
  .object({
    clientId: uuid.optional(),
    skip: z
      .array(uuid)
      .max(maxSkippedItems, { message: `must list at most ${maxSkippedItems} items` })
      .optional(),
    /** Put the items the caller holds back in the queue first (each audited as released), and not take them again. */
    releaseHeld: z.boolean({ message: "must be true or false" }).optional(),
  })
  .default({});
export type ClaimNextInput = z.infer<typeof claimNextInput>;

export const queueItemInput = z.object({ itemId: uuid });
export const reassignItemInput = z.object({ itemId: uuid, toUserId: uuid });
export type ReassignItemInput = z.infer<typeof reassignItemInput>;
export type QueueItemInput = z.infer<typeof queueItemInput>;

/** One row of a queue: enough to pick, filter and see who holds it. */
/** The columns of an item a queue page shows; `body` is its first `bodyPreviewLength` (280) characters. */
const queueItemKeys = [
  "id",
  "clientId",
  "channelId",
  "kind",
  "authorHandle",
  "body",
  "priority",
  "categoryKey",
  "riskFlags",
  "authority",
  "moderationAction",
  "status",
  "receivedAt",
  "claimedBy",
  "claimExpiresAt",
] as const satisfies ReadonlyArray<keyof ItemRow>;

export type QueueItemView = Pick<ItemRow, (typeof queueItemKeys)[number]> & {
  clientName: string;
  channelName: string;
  platform: (typeof channels.$inferSelect)["platform"];
  /** The item's latest public action as the platform confirmed it (the row's badge). */
  delivery: DeliveryState | null;
  /** Its most pressing running SLA clock at `QueuePageView.at`; null when none runs. */
  clock: SlaBoardEntry | null;
  /** The name of the member holding the claim; null when unclaimed. */
  holderName: string | null;
};

export interface QueuePageView {
  items: QueueItemView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** When the rows' clocks were read. */
  at: Date;
}

export interface ReleasedItemView {
  itemId: string;
  status: "queued";
}

export interface SkippedItemView extends ReleasedItemView {
  /** Until when the console should keep sending this id in `skip` with its claims. */
  skipUntil: Date;
}

export interface RenewedClaimView {
  itemId: string;
  status: "claimed";
  claimExpiresAt: Date;
}

const utcPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/**
 * Keyset position after the last row of a page: in `queueOrder` with the id breaking ties, or (sorted by due time)
 * the row's soonest running due time (`infinity` for none) and id.
 */
const queueCursor = z.union([
  z.object({ priority: z.enum(schema.itemPriorities), receivedAt: z.string().regex(utcPattern), id: uuid }),
  z.object({ dueAt: z.union([z.string().regex(utcPattern), z.literal("infinity")]), id: uuid }),
]);
type QueueCursor = z.infer<typeof queueCursor>;

function encodeCursor(cursor: QueueCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(text: string): QueueCursor {
  try {
    return queueCursor.parse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
  } catch {
    throw new AppError("BAD_INPUT", "Invalid input — cursor: is not a cursor this API returned", {
      reason: "validation",
      fields: { cursor: "is not a cursor this API returned" },
    });
  }
}

/** Microsecond UTC text: exact for the cursor (a JavaScript Date would round to milliseconds). */
const utcText = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

type QueueRow = RawRow<typeof items, (typeof queueItemKeys)[number]> & {
  client_name: string;
  channel_name: string;
  platform: QueueItemView["platform"];
  holder_name: string | null;
  /** `received_at` as exact text, and the soonest running due time (or `infinity`), for the cursor. */
  cursor_at: string;
  due_cursor: string;
};

/** The select list of a queue page's items (`i`): the preview of the body, exact text for the claim's expiry. */
const queueItemColumns = sql.join(
  columnNames(items, queueItemKeys).map((name) => {
    if (name === "body") return sql`left(i.body, ${bodyPreviewLength}) as body`;
    if (name === "claim_expires_at") return sql`${utcText(sql.raw("i.claim_expires_at"))} as claim_expires_at`;
    return sql.raw(`i.${name}`);
  }),
  sql`, `,
);

/** Whether a clock (`c`) has an open pause: it is not counting. */
export const openPause = (alias: string) =>
  sql.raw(`exists (select 1 from jsonb_array_elements(${alias}.pauses) as p(pause) where p.pause->>1 is null)`);

/**
 * Whether a running clock `c` is in the view's state at `now`: `breached` past its due time; `at_risk` past its
 * at-risk time but not due, on an item with no breached running clock (that item is breached). With `not openPause`
 * on `c`, the condition of the at-risk and breached views — and of the floor view's counts of them.
 */
export function clockStateCondition(view: "at_risk" | "breached", now: Date): SQL {
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  return view === "breached"
    ? sql`c.due_at <= ${nowSql}`
    : sql`c.due_at > ${nowSql} and c.at_risk_at <= ${nowSql}
          and not exists (select 1 from ${slaClocks} as b where b.agency_id = c.agency_id and b.item_id = c.item_id
            and b.stopped_at is null and b.due_at <= ${nowSql} and not ${openPause("b")})`;
}

/** `i`'s soonest running first-response or resolution due time. */
const soonestDue = sql`(select min(c.due_at) from ${slaClocks} as c
  where c.agency_id = i.agency_id and c.item_id = i.id and c.stopped_at is null)`;

/**
 * The ids of a page, in order, with the cursor columns: `queue` order read per client from
 * `items_claim_queued_idx` and merged, or by due time (the views of clocks at risk or breached read the running
 * clocks' index, `sla_clocks_running_idx`).
 */
function selectPage(
  scope: Scope,
  input: QueueListInput,
  options: { clientIds: readonly string[]; after: QueueCursor | null; now: Date },
): SQL {
  const { clientIds, after, now } = options;
  const filters = [
    input.channelId ? sql`and i.channel_id = ${input.channelId}` : sql``,
    input.priority ? sql`and i.priority = ${input.priority}` : sql``,
    input.riskFlag ? sql`and ${input.riskFlag} = any(i.risk_flags)` : sql``,
  ];
  const held =
    input.view === "mine"
      ? sql`and i.status = 'claimed' and i.claimed_by = ${scope.actorId}`
      : sql`and i.status = ${input.status}`;
  const limit = input.limit + 1;
  const columns = sql`${queueItemColumns}, ${utcText(sql.raw("i.received_at"))} as cursor_at`;
  if (input.view === "at_risk" || input.view === "breached") {
    const state = clockStateCondition(input.view, now);
    return sql`
      select ${columns}, ${utcText(sql.raw("d.due_at"))} as due_cursor, row_number() over (order by d.due_at, i.id) as position
      from (
        select c.item_id, min(c.due_at) as due_at from ${slaClocks} as c
        where c.agency_id = ${scope.agencyId} and c.stopped_at is null and c.client_id = any(${uuidArray(clientIds)})
          and ${state} and not ${openPause("c")}
        group by c.item_id
      ) as d
      join ${items} as i on i.agency_id = ${scope.agencyId} and i.id = d.item_id
      where true ${sql.join(filters, sql` `)}
        ${after && "dueAt" in after ? sql`and (d.due_at, i.id) > (${after.dueAt}::timestamptz, ${after.id}::uuid)` : sql``}
      order by d.due_at, i.id
      limit ${limit}`;
  }
  if (input.sort === "due") {
    const due = sql`coalesce(${soonestDue}, 'infinity'::timestamptz)`;
    return sql`
      select next.*, row_number() over (order by next.due_key, next.id) as position
      from (
        select ${columns}, ${due} as due_key, coalesce(${utcText(soonestDue)}, 'infinity') as due_cursor
        from ${items} as i
        where i.agency_id = ${scope.agencyId} and i.client_id = any(${uuidArray(clientIds)}) ${held}
          ${sql.join(filters, sql` `)}
      ) as next
      where true
        ${after && "dueAt" in after ? sql`and (next.due_key, next.id) > (${after.dueAt}::timestamptz, ${after.id}::uuid)` : sql``}
      order by next.due_key, next.id
      limit ${limit}`;
  }
  return sql`
    select next.*, null as due_cursor, row_number() over (order by ${queueOrder}, id) as position
    from unnest(${uuidArray(clientIds)}) as scoped(client_id)
    cross join lateral (
      select ${columns}
      from ${items} as i
      where i.agency_id = ${scope.agencyId} and i.client_id = scoped.client_id ${held}
        ${sql.join(filters, sql` `)}
        ${
          after && "priority" in after
            ? sql`and (i.priority, i.received_at, i.id) > (${after.priority}::priority, ${after.receivedAt}::timestamptz, ${after.id}::uuid)`
            : sql``
        }
      order by ${queueOrder}, i.id
      limit ${limit}
    ) as next
    order by position
    limit ${limit}`;
}

/**
 * A page of the caller's queues (see `queueListInput` for the views and sorts), each row with its most pressing
 * running clock and the name of whoever holds it. In `queue` order each client's queue is read on its own, in the
 * order of `items_claim_queued_idx` (queued items), and the pages merged before names are joined, so the first
 * pages cost about `limit` index entries per client however long the queues. Under row-level security the
 * cursor's bound on the enum `priority` cannot become an index bound (enum comparisons are not leakproof), so a
 * page deep in a long queue reads the entries before it.
 */
export async function listQueueItems(
  scope: Scope,
  tx: Executor,
  input: QueueListInput,
  deps: { now?: Clock } = {},
): Promise<QueuePageView> {
  const now = (deps.now ?? systemClock)();
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor);
  const clientIds = await queueClientIds(scope, tx, input.clientId);
  if (clientIds.length === 0) return { items: [], nextCursor: null, at: now };
  const rows = await tx.execute<QueueRow>(sql`
    select page.*, c.name as client_name, ch.display_name as channel_name, ch.platform, u.name as holder_name
    from (${selectPage(scope, input, { clientIds, after, now })}) as page
    join ${clients} as c on c.agency_id = ${scope.agencyId} and c.id = page.client_id
    join ${channels} as ch on ch.agency_id = ${scope.agencyId} and ch.id = page.channel_id
    left join ${users} as u on u.id = page.claimed_by
    order by page.position`);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const ids = page.map((row) => row.id);
  const states = await findDeliveryStates(tx, { agencyId: scope.agencyId, itemIds: ids });
  const clocks = ids.length === 0 ? [] : (await findItemClocks(scope, tx, { itemIds: ids }, { now: () => now })).clocks;
  const byDue = input.sort === "due" || input.view === "at_risk" || input.view === "breached";
  return {
    items: page.map((row) => ({
      ...fromRawRow(items, queueItemKeys, { ...row, received_at: row.cursor_at }),
      clientName: row.client_name,
      channelName: row.channel_name,
      platform: row.platform,
      delivery: states.ofItem(row.id),
      clock: mostPressingClock(clocks.filter((entry) => entry.itemId === row.id)),
      holderName: row.holder_name,
    })),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor(
            byDue
              ? { dueAt: last.due_cursor, id: last.id }
              : { priority: last.priority, receivedAt: last.cursor_at, id: last.id },
          )
        : null,
    at: now,
  };
}

/**
 * The claimed item, locked for the change. NOT_FOUND outside the scope; INVALID_STATE when nobody holds it;
 * FORBIDDEN when someone else does, unless `othersToo` (owners and admins taking a claim back).
 */
async function lockClaim(
  scope: Scope,
  tx: Executor,
  options: { itemId: string; othersToo: boolean },
): Promise<ItemRow> {
  const [row] = await tx
    .select()
    .from(items)
    .where(
      and(
        eq(items.id, options.itemId),
        eq(items.agencyId, scope.agencyId),
        scope.clientIds ? inArray(items.clientId, [...scope.clientIds]) : undefined,
      ),
    )
    .for("update");
  if (!row) throw new AppError("NOT_FOUND", "Item not found", { reason: "item_not_found" });
  if (row.status !== "claimed") {
    throw new AppError("INVALID_STATE", "The item is not claimed", { reason: "not_claimed" });
  }
  if (row.claimedBy !== scope.actorId && !options.othersToo) {
    throw new AppError("FORBIDDEN", "Someone else holds this item", { reason: "claimed_by_someone_else" });
  }
  return row;
}

async function returnToQueue(
  scope: Scope,
  tx: Executor,
  options: { itemId: string; othersToo: boolean; action: "item.released" | "item.skipped"; now: Date },
): Promise<ItemRow> {
  const before = await lockClaim(scope, tx, options);
  await tx
    .update(items)
    .set({ status: "queued", claimedBy: null, claimExpiresAt: null, updatedAt: options.now })
    .where(and(eq(items.id, before.id), eq(items.agencyId, scope.agencyId)));
  await recordAudit(tx, scope, {
    action: options.action,
    subjectType: "item",
    subjectId: before.id,
    clientId: before.clientId,
    before: { status: before.status, claimedBy: before.claimedBy, claimExpiresAt: before.claimExpiresAt },
    after: { status: "queued" },
    protocolVersionId: before.protocolVersionId,
  });
  await publishQueueChanges(scope, tx, [{ clientId: before.clientId, itemId: before.id }]);
  return before;
}

/** Puts a claimed item back in its place in the queue: the claimer, or an owner or admin taking it back. */
export async function releaseItem(
  scope: Scope,
  tx: Executor,
  input: QueueItemInput,
  deps: { now?: Clock } = {},
): Promise<ReleasedItemView> {
  const othersToo = isAllowed(scope.role, "administer");
  const now = (deps.now ?? systemClock)();
  await returnToQueue(scope, tx, { itemId: input.itemId, othersToo, action: "item.released", now });
  return { itemId: input.itemId, status: "queued" };
}

/** The claimer passes on the item: it goes back to the queue, and the console leaves it out of its claims for a lease time. */
export async function skipItem(
  scope: Scope,
  tx: Executor,
  input: QueueItemInput,
  deps: { now?: Clock } = {},
): Promise<SkippedItemView> {
  const now = (deps.now ?? systemClock)();
  await returnToQueue(scope, tx, { itemId: input.itemId, othersToo: false, action: "item.skipped", now });
  return {
    itemId: input.itemId,
    status: "queued",
    skipUntil: new Date(now.getTime() + defaultClaimLeaseSeconds * 1000),
  };
}

export interface ReassignedItemView {
  itemId: string;
  status: "claimed";
  claimedBy: string;
  holderName: string;
  claimExpiresAt: Date;
}

/**
 * An agency lead hands a queued or claimed item to a member who works its client (a moderator assigned to it, or
 * another lead), with a fresh lease; audited as `item.reassigned` with the previous and the new holder.
 */
export async function reassignItem(
  scope: Scope,
  tx: Executor,
  input: ReassignItemInput,
  deps: { now?: Clock } = {},
): Promise<ReassignedItemView> {
  assertAllowed(scope, "administer", "Only agency leads reassign items");
  const now = (deps.now ?? systemClock)();
  const [before] = await tx
    .select()
    .from(items)
    .where(and(eq(items.id, input.itemId), eq(items.agencyId, scope.agencyId)))
    .for("update");
  if (!before) throw new AppError("NOT_FOUND", "Item not found", { reason: "item_not_found" });
  if (before.status !== "claimed" && before.status !== "queued") {
    throw new AppError("INVALID_STATE", "Only a waiting or claimed item can be reassigned", {
      reason: "not_open",
    });
  }
  const [target] = await tx
    .select({ role: memberships.role, name: users.name, assigned: clientAssignments.clientId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(
      clientAssignments,
      and(
        eq(clientAssignments.agencyId, memberships.agencyId),
        eq(clientAssignments.membershipId, memberships.id),
        eq(clientAssignments.clientId, before.clientId),
      ),
    )
    .where(and(eq(memberships.agencyId, scope.agencyId), eq(memberships.userId, input.toUserId)));
  const worksClient =
    target && isAllowed(target.role, "moderate") && (isAllowed(target.role, "administer") || target.assigned);
  if (!target || !worksClient) {
    throw new AppError("BAD_INPUT", "Invalid input — toUserId: is not a member who works this client's queue", {
      reason: "validation",
      fields: { toUserId: "is not a member who works this client's queue" },
    });
  }
  const claimExpiresAt = new Date(now.getTime() + defaultClaimLeaseSeconds * 1000);
  await tx
    .update(items)
    .set({ status: "claimed", claimedBy: input.toUserId, claimExpiresAt, updatedAt: now })
    .where(and(eq(items.id, before.id), eq(items.agencyId, scope.agencyId)));
  await recordAudit(tx, scope, {
    action: "item.reassigned",
    subjectType: "item",
    subjectId: before.id,
    clientId: before.clientId,
    before: { status: before.status, claimedBy: before.claimedBy, claimExpiresAt: before.claimExpiresAt },
    after: { status: "claimed", claimedBy: input.toUserId, claimExpiresAt },
    protocolVersionId: before.protocolVersionId,
  });
  await publishQueueChanges(scope, tx, [{ clientId: before.clientId, itemId: before.id }]);
  await publishLiveEvent(tx, {
    type: "item.changed",
    agencyId: scope.agencyId,
    clientId: before.clientId,
    subjectId: before.id,
  });
  return { itemId: before.id, status: "claimed", claimedBy: input.toUserId, holderName: target.name, claimExpiresAt };
}

/**
 * Extends the claimer's lease to a full lease from now while the item is open. A lease that ran out but was
 * not yet taken back (claims return lazily, on the next claim) can still be renewed: nobody else holds it.
 */
export async function renewClaim(
  scope: Scope,
  tx: Executor,
  input: QueueItemInput,
  deps: { now?: Clock } = {},
): Promise<RenewedClaimView> {
  const now = (deps.now ?? systemClock)();
  const before = await lockClaim(scope, tx, { itemId: input.itemId, othersToo: false });
  const claimExpiresAt = new Date(now.getTime() + defaultClaimLeaseSeconds * 1000);
  await tx
    .update(items)
    .set({ claimExpiresAt, updatedAt: now })
    .where(and(eq(items.id, before.id), eq(items.agencyId, scope.agencyId)));
  await recordAudit(tx, scope, {
    action: "item.claim_renewed",
    subjectType: "item",
    subjectId: before.id,
    clientId: before.clientId,
    before: { claimExpiresAt: before.claimExpiresAt },
    after: { claimExpiresAt },
    protocolVersionId: before.protocolVersionId,
  });
  await publishLiveEvent(tx, {
    type: "item.changed",
    agencyId: scope.agencyId,
    clientId: before.clientId,
    subjectId: before.id,
  });
  return { itemId: before.id, status: "claimed", claimExpiresAt };
}
