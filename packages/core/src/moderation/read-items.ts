import { AppError, type DeliveryState, deliveryStates, outboundActions, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, count, desc, eq, inArray, max, sql } from "drizzle-orm";
import { z } from "zod";
import { findDeliveryStates } from "../deliveries/delivery-states";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { type PiiFlag, piiFlags } from "../protocols/mask-personal-data";
import { publicClockView, toPublicClockView } from "../sla/clock-rows";

const { items, clients, replies, slaClocks } = schema;
type ItemRow = typeof items.$inferSelect;

/** What a reader may see: an agency, and the clients of a scoped member (`null` = every client, as for API keys). */
export type ReadScope = Pick<Scope, "agencyId" | "clientIds">;

export const maxItemPageSize = 200;
const defaultItemPageSize = 50;

/** `GET /v1/items` query parameters (strings on the wire). */
export const itemListQuery = z.object({
  clientId: uuid.optional(),
  status: z.enum(schema.itemStatuses, { message: `must be one of ${schema.itemStatuses.join(", ")}` }).optional(),
  cursor: z
    .string()
    .max(200, { message: "is not a cursor this API returned" })
    .optional()
    .describe("`nextCursor` of the previous page"),
  limit: z.coerce
    .number({ message: "must be a whole number" })
    .int({ message: "must be a whole number" })
    .min(1, { message: `must be between 1 and ${maxItemPageSize}` })
    .max(maxItemPageSize, { message: `must be between 1 and ${maxItemPageSize}` })
    .default(defaultItemPageSize),
});
export type ItemListQuery = z.infer<typeof itemListQuery>;

/** What the platform confirmed of a public action (see `deliveryStateOf` in contracts). */
export const deliveryStateView = z
  .object({
    deliveryId: z.uuid(),
    action: z.enum(outboundActions),
    state: z
      .enum(deliveryStates)
      .describe("sending (queued or in flight), retrying, sent (the platform accepted it), failed, cancelled"),
    attempts: z.number().int(),
    nextAttemptAt: z.date().nullable().describe("when the next attempt is due (retrying only)"),
    reason: z.string().nullable().describe("the platform's reason for the last failure"),
    updatedAt: z.date(),
  })
  .meta({ ref: "DeliveryState" });

/** The public view of an item: what it says, who wrote it, how it was classified, where it stands. */
export const itemView = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  channelId: z.uuid(),
  externalId: z.string(),
  kind: z.enum(schema.itemKindValues),
  threadExternalId: z.string().nullable(),
  parentExternalId: z.string().nullable(),
  parentItemId: z.uuid().nullable(),
  customerId: z.uuid().nullable(),
  author: z.object({ externalId: z.string(), handle: z.string(), displayName: z.string().nullable() }),
  byBrand: z
    .boolean()
    .describe("written by the client's own account (e.g. the platform's echo of a reply): never queued or billed"),
  title: z.string().nullable().describe("the title it carries on the platform (a forum topic's first post)"),
  body: z.string(),
  language: z.string().nullable(),
  url: z.string().nullable(),
  createdAt: z.date().describe("when the platform says it was written"),
  receivedAt: z.date(),
  updatedAt: z.date(),
  removedAt: z.date().nullable().describe("when the platform reported it removed"),
  status: z.enum(schema.itemStatuses),
  categoryKey: z.string().nullable(),
  priority: z.enum(schema.itemPriorities),
  riskFlags: z.array(z.string()),
  piiFlags: z
    .array(z.enum(piiFlags))
    .describe("personal data masked out of the title, text and author name at ingest: the full value is not stored"),
  authority: z.enum(schema.itemAuthorities),
  moderationAction: z.enum(schema.itemModerationActions).nullable(),
  protocolVersionId: z.uuid().nullable(),
  claimedBy: z.uuid().nullable(),
  claimExpiresAt: z.date().nullable(),
  tags: z.array(z.string()),
  delivery: deliveryStateView
    .nullable()
    .describe(
      "the item's latest public action (reply, hide, unhide, delete) as the platform confirmed it: an item is hidden, deleted or responded on the platform only once this is `sent`",
    ),
});
export type ItemView = z.infer<typeof itemView>;

export const itemDetailView = itemView.extend({
  replies: z.object({
    total: z.number().int(),
    byStatus: z.partialRecord(z.enum(schema.replyStatuses), z.number().int()),
    lastSentAt: z.date().nullable(),
  }),
  slaClocks: z
    .array(publicClockView)
    .describe("one per metric the contract (or the agency's default policy) sets for the item's priority"),
});
export type ItemDetailView = z.infer<typeof itemDetailView>;

export const itemPageView = z.object({
  items: z.array(itemView),
  nextCursor: z.string().nullable().describe("pass as `cursor` for the next page; null on the last page"),
});
export type ItemPageView = z.infer<typeof itemPageView>;

export function toItemView(row: ItemRow, delivery: DeliveryState | null): ItemView {
  return {
    id: row.id,
    clientId: row.clientId,
    channelId: row.channelId,
    externalId: row.externalId,
    kind: row.kind,
    threadExternalId: row.threadExternalId,
    parentExternalId: row.parentExternalId,
    parentItemId: row.parentItemId,
    customerId: row.customerId,
    author: { externalId: row.authorExternalId, handle: row.authorHandle, displayName: row.authorDisplayName },
    byBrand: row.byBrand,
    title: row.title,
    body: row.body,
    language: row.language,
    url: row.url,
    createdAt: row.createdAt,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    removedAt: row.removedAt,
    status: row.status,
    categoryKey: row.categoryKey,
    priority: row.priority,
    riskFlags: row.riskFlags,
    piiFlags: row.piiFlags as PiiFlag[],
    authority: row.authority,
    moderationAction: row.moderationAction,
    protocolVersionId: row.protocolVersionId,
    claimedBy: row.claimedBy,
    claimExpiresAt: row.claimExpiresAt,
    tags: row.tags,
    delivery,
  };
}

const notFound = () => new AppError("NOT_FOUND", "Item not found", { reason: "item_not_found" });

/** The item with a summary of the replies on it; NOT_FOUND when it is not visible in this scope. */
export async function getItemDetail(
  reader: ReadScope,
  tx: Executor,
  input: { itemId: string },
  deps: { now?: Clock } = {},
): Promise<ItemDetailView> {
  if (!uuid.safeParse(input.itemId).success) throw notFound();
  const [row] = await tx
    .select()
    .from(items)
    .where(
      and(
        eq(items.id, input.itemId),
        eq(items.agencyId, reader.agencyId),
        reader.clientIds ? inArray(items.clientId, [...reader.clientIds]) : undefined,
      ),
    );
  if (!row) throw notFound();
  const counts = await tx
    .select({ status: replies.status, n: count(), lastSentAt: max(replies.sentAt) })
    .from(replies)
    .where(and(eq(replies.agencyId, reader.agencyId), eq(replies.itemId, row.id)))
    .groupBy(replies.status);
  const byStatus: ItemDetailView["replies"]["byStatus"] = {};
  let lastSentAt: Date | null = null;
  for (const entry of counts) {
    byStatus[entry.status] = entry.n;
    if (entry.lastSentAt && (!lastSentAt || entry.lastSentAt > lastSentAt)) lastSentAt = entry.lastSentAt;
  }
  const total = counts.reduce((sum, entry) => sum + entry.n, 0);
  const clocks = await tx
    .select()
    .from(slaClocks)
    .where(and(eq(slaClocks.agencyId, reader.agencyId), eq(slaClocks.itemId, row.id)))
    .orderBy(slaClocks.metric);
  const now = (deps.now ?? systemClock)();
  const states = await findDeliveryStates(tx, { agencyId: reader.agencyId, itemIds: [row.id] });
  return {
    ...toItemView(row, states.ofItem(row.id)),
    replies: { total, byStatus, lastSentAt },
    slaClocks: clocks.map((clock) => toPublicClockView(clock, now)),
  };
}

export interface ItemCursor {
  /** `received_at` to the microsecond, as PostgreSQL prints it in UTC (a JS Date would drop the microseconds). */
  receivedAt: string;
  id: string;
}

const cursorShape = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/;

/** A keyset position in items newest first: opaque to callers, exact to the microsecond. */
export function encodeItemCursor(cursor: ItemCursor): string {
  return Buffer.from(`${cursor.receivedAt}|${cursor.id}`).toString("base64url");
}

export function decodeItemCursor(value: string): ItemCursor {
  const match = cursorShape.exec(Buffer.from(value, "base64url").toString("utf8"));
  if (!match?.[1] || !match[2] || !uuid.safeParse(match[2]).success) {
    throw new AppError("BAD_INPUT", "Invalid input — cursor: is not a cursor this API returned", {
      reason: "validation",
      fields: { cursor: "is not a cursor this API returned" },
    });
  }
  return { receivedAt: match[1], id: match[2] };
}

async function assertClientVisible(reader: ReadScope, tx: Executor, clientId: string): Promise<void> {
  const [row] = await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.id, clientId), eq(clients.agencyId, reader.agencyId)));
  if (!row || (reader.clientIds && !reader.clientIds.includes(row.id))) {
    throw new AppError("NOT_FOUND", "Client not found", {
      reason: "client_not_found",
      fields: { clientId: "is not a client you can see" },
    });
  }
}

/**
 * A page of items, newest first, keyset-paginated on (received_at, id) so pages stay stable while items
 * keep arriving: each page starts strictly after the previous page's last item.
 */
export async function findItems(reader: ReadScope, tx: Executor, query: ItemListQuery): Promise<ItemPageView> {
  const after = query.cursor === undefined ? null : decodeItemCursor(query.cursor);
  if (query.clientId) await assertClientVisible(reader, tx, query.clientId);
  const rows = await tx
    .select({
      item: items,
      cursorAt: sql<string>`to_char(${items.receivedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(items)
    .where(
      and(
        eq(items.agencyId, reader.agencyId),
        reader.clientIds ? inArray(items.clientId, [...reader.clientIds]) : undefined,
        query.clientId ? eq(items.clientId, query.clientId) : undefined,
        query.status ? eq(items.status, query.status) : undefined,
        after
          ? sql`(${items.receivedAt}, ${items.id}) < (${after.receivedAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(items.receivedAt), desc(items.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const states = await findDeliveryStates(tx, { agencyId: reader.agencyId, itemIds: page.map((row) => row.item.id) });
  return {
    items: page.map((row) => toItemView(row.item, states.ofItem(row.item.id))),
    nextCursor:
      rows.length > query.limit && last ? encodeItemCursor({ receivedAt: last.cursorAt, id: last.item.id }) : null,
  };
}
