import { AppError, type DeliveryState, isAllowed, uuid } from "@parley/contracts";
import { columnNames, type Executor, fromRawRow, type RawRow, schema, uuidArray } from "@parley/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { findDeliveryStates } from "../deliveries/delivery-states";
import { type Clock, systemClock } from "../kernel/clock";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { riskFlags } from "../protocols/protocol-document";
import { defaultClaimLeaseSeconds, publishQueueChanges, queueClientIds, queueOrder } from "./claim-next-item";

const { items, clients, channels } = schema;
type ItemRow = typeof items.$inferSelect;

const maxQueuePageSize = 100;
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
    cursor: z.string().max(200, { message: "is not a cursor this API returned" }).optional(),
    limit: z
      .number({ message: "must be a whole number" })
      .int({ message: "must be a whole number" })
      .min(1, { message: `must be between 1 and ${maxQueuePageSize}` })
      .max(maxQueuePageSize, { message: `must be between 1 and ${maxQueuePageSize}` })
      .default(50),
  })
  .default({ status: "queued", limit: 50 });
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
  })
  .default({});
export type ClaimNextInput = z.infer<typeof claimNextInput>;

export const queueItemInput = z.object({ itemId: uuid });
export type QueueItemInput = z.infer<typeof queueItemInput>;

export const queueCountsInput = z.object({}).default({});

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
};

export interface QueuePageView {
  items: QueueItemView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Waiting and claimed items of one client; `byPriority` counts the waiting (queued) ones. */
export interface QueueCountsView {
  clientId: string;
  clientName: string;
  queued: number;
  claimed: number;
  byPriority: Record<ItemRow["priority"], number>;
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

/** Keyset position after the last row of a page, in `queueOrder` with the id breaking ties. */
const queueCursor = z.object({
  priority: z.enum(schema.itemPriorities),
  receivedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  id: uuid,
});
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
};

function toQueueItemView(row: QueueRow, delivery: DeliveryState | null): QueueItemView {
  return {
    ...fromRawRow(items, queueItemKeys, row),
    clientName: row.client_name,
    channelName: row.channel_name,
    platform: row.platform,
    delivery,
  };
}

/** The select list of a queue page's items (`i`): the preview of the body, exact text for the claim's expiry. */
const queueItemColumns = sql.join(
  columnNames(items, queueItemKeys).map((name) => {
    if (name === "body") return sql`left(i.body, ${bodyPreviewLength}) as body`;
    if (name === "claim_expires_at") return sql`${utcText(sql.raw("i.claim_expires_at"))} as claim_expires_at`;
    return sql.raw(`i.${name}`);
  }),
  sql`, `,
);

/**
 * A page of the caller's queues in the order claim next works them. Each client's queue is read on its own, in
 * the order of `items_claim_queued_idx` (queued items), and the pages merged before names are joined, so the
 * first pages cost about `limit` index entries per client however long the queues. Under row-level security
 * the cursor's bound on the enum `priority` cannot become an index bound (enum comparisons are not leakproof),
 * so a page deep in a long queue reads the entries before it.
 */
export async function listQueueItems(scope: Scope, tx: Executor, input: QueueListInput): Promise<QueuePageView> {
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor);
  const clientIds = await queueClientIds(scope, tx, input.clientId);
  if (clientIds.length === 0) return { items: [], nextCursor: null };
  const filters = [
    input.channelId ? sql`and i.channel_id = ${input.channelId}` : sql``,
    input.priority ? sql`and i.priority = ${input.priority}` : sql``,
    input.riskFlag ? sql`and ${input.riskFlag} = any(i.risk_flags)` : sql``,
    after
      ? sql`and (i.priority, i.received_at, i.id) > (${after.priority}::priority, ${after.receivedAt}::timestamptz, ${after.id}::uuid)`
      : sql``,
  ];
  const rows = await tx.execute<QueueRow & { cursor_at: string }>(sql`
    select page.*, c.name as client_name, ch.display_name as channel_name, ch.platform
    from (
      select next.*, row_number() over (order by ${queueOrder}, id) as position
      from unnest(${uuidArray(clientIds)}) as scoped(client_id)
      cross join lateral (
        select ${queueItemColumns}, ${utcText(sql.raw("i.received_at"))} as cursor_at
        from ${items} as i
        where i.agency_id = ${scope.agencyId} and i.client_id = scoped.client_id and i.status = ${input.status}
          ${sql.join(filters, sql` `)}
        order by ${queueOrder}, i.id
        limit ${input.limit + 1}
      ) as next
      order by position
      limit ${input.limit + 1}
    ) as page
    join ${clients} as c on c.agency_id = ${scope.agencyId} and c.id = page.client_id
    join ${channels} as ch on ch.agency_id = ${scope.agencyId} and ch.id = page.channel_id
    order by page.position`);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const states = await findDeliveryStates(tx, { agencyId: scope.agencyId, itemIds: page.map((row) => row.id) });
  return {
    items: page.map((row) => toQueueItemView({ ...row, received_at: row.cursor_at }, states.ofItem(row.id))),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor({ priority: last.priority, receivedAt: last.cursor_at, id: last.id })
        : null,
  };
}

/**
 * Queued and claimed items per client the caller works on, in one statement: each count reads only its partial
 * index (`items_claim_queued_idx` holds client and priority, `items_claim_expired_idx` the client).
 */
export async function countQueues(scope: Scope, tx: Executor): Promise<QueueCountsView[]> {
  const rows = await tx.execute<{
    client_id: string;
    client_name: string;
    queued: number;
    claimed: number;
    p1: number;
    p2: number;
    p3: number;
    p4: number;
  }>(sql`
    select c.id as client_id, c.name as client_name, coalesce(q.queued, 0) as queued,
      coalesce(k.claimed, 0) as claimed, coalesce(q.p1, 0) as p1, coalesce(q.p2, 0) as p2,
      coalesce(q.p3, 0) as p3, coalesce(q.p4, 0) as p4
    from ${clients} as c
    left join (
      select client_id, count(*)::int as queued, (count(*) filter (where priority = 'P1'))::int as p1,
        (count(*) filter (where priority = 'P2'))::int as p2, (count(*) filter (where priority = 'P3'))::int as p3,
        (count(*) filter (where priority = 'P4'))::int as p4
      from ${items} where agency_id = ${scope.agencyId} and status = 'queued' group by client_id
    ) as q on q.client_id = c.id
    left join (
      select client_id, count(*)::int as claimed
      from ${items} where agency_id = ${scope.agencyId} and status = 'claimed' group by client_id
    ) as k on k.client_id = c.id
    where c.agency_id = ${scope.agencyId} and c.status <> 'archived'
      ${scope.clientIds ? sql`and c.id = any(${uuidArray(scope.clientIds)})` : sql``}
    order by c.name`);
  return rows.map((row) => ({
    clientId: row.client_id,
    clientName: row.client_name,
    queued: row.queued,
    claimed: row.claimed,
    byPriority: { P1: row.p1, P2: row.p2, P3: row.p3, P4: row.p4 },
  }));
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
