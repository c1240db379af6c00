import { type DeliveryState, deliveryStateOf, type OutboundAction, type Platform } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, desc, eq, gte, inArray, ne, or } from "drizzle-orm";
import { findDeliveryStates } from "../deliveries/delivery-states";
import { systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { type ApprovedAnswer, getMaxReplyLength } from "../protocols/protocol-document";
import { getItemSla, type ItemSlaView } from "../sla/item-sla";
import { getItemInScope, type ItemRow, listItemNotes, type ModerationDeps, type NoteView } from "./item-actions";
import { type ItemView, toItemView } from "./read-items";
import { loadItemProtocol, type ReplyView, toReplyView } from "./replies";

const { items, channels, customers, customerIdentities, replies, outboundDeliveries, users } = schema;

/** How far back a customer's conversations elsewhere are shown. */
export const customerHistoryDays = 30;
const maxThreadItems = 200;
const maxHistoryItems = 50;

export interface CustomerView {
  id: string;
  displayName: string | null;
  identities: Array<{ platform: Platform; handle: string }>;
}

export interface DeliveryView {
  id: string;
  action: OutboundAction;
  status: (typeof schema.deliveryStatuses)[number];
  attempts: number;
  lastError: string | null;
  /** When the platform echoed what the delivery posted (its own confirmation that the reply is public). */
  echoedAt: Date | null;
  state: DeliveryState;
}

/** Everything a moderator needs to act on one item. */
export interface ModerationItemDetail {
  item: ItemView;
  channel: { id: string; platform: Platform; displayName: string };
  /** The item's conversation on its channel, oldest first (the item included). */
  thread: ItemView[];
  customer: CustomerView | null;
  /** The customer's other conversations of the last 30 days (outside this thread), with the replies they got. */
  history: Array<{ item: ItemView; channel: { id: string; platform: Platform }; replies: ReplyView[] }>;
  /** What the customer was told on the client's other channels in the last 30 days: say the same thing here. */
  toldElsewhere: Array<{ channelId: string; platform: Platform; text: string; sentAt: Date }>;
  protocol: {
    versionId: string;
    version: number;
    voiceGuidelines: string;
    /** The approved answers for the item's category on its platform. */
    approvedAnswers: ApprovedAnswer[];
    forbiddenPhrases: Array<{ phrase: string; reason: string }>;
    maxReplyLength: number;
  } | null;
  replies: ReplyView[];
  /** The name of the member holding the claim (null when unclaimed): who to ask, or whom a lead takes it from. */
  holderName: string | null;
  notes: NoteView[];
  deliveries: DeliveryView[];
  /** Its clocks (running or stopped), where their targets came from and the targets left out; null for the brand's own. */
  sla: ItemSlaView | null;
}

export async function findCustomer(scope: Scope, tx: Executor, customerId: string): Promise<CustomerView | null> {
  const [customer] = await tx
    .select()
    .from(customers)
    .where(and(eq(customers.id, customerId), eq(customers.agencyId, scope.agencyId)));
  if (!customer) return null;
  const identities = await tx
    .select({ platform: customerIdentities.platform, handle: customerIdentities.handle })
    .from(customerIdentities)
    .where(and(eq(customerIdentities.agencyId, scope.agencyId), eq(customerIdentities.customerId, customer.id)))
    .orderBy(asc(customerIdentities.createdAt));
  return { id: customer.id, displayName: customer.displayName, identities };
}

async function findThread(scope: Scope, tx: Executor, item: ItemRow): Promise<ItemRow[]> {
  const root = item.threadExternalId ?? item.externalId;
  return tx
    .select()
    .from(items)
    .where(
      and(
        eq(items.agencyId, scope.agencyId),
        eq(items.channelId, item.channelId),
        or(eq(items.threadExternalId, root), eq(items.externalId, root), eq(items.id, item.id)),
      ),
    )
    .orderBy(asc(items.createdAt), asc(items.id))
    .limit(maxThreadItems);
}

async function findRepliesOf(scope: Scope, tx: Executor, itemIds: readonly string[]) {
  if (itemIds.length === 0) return [];
  return tx
    .select()
    .from(replies)
    .where(and(eq(replies.agencyId, scope.agencyId), inArray(replies.itemId, [...itemIds])))
    .orderBy(asc(replies.createdAt));
}

/** The item in full for the moderator's console: thread, customer, history elsewhere, protocol, replies, notes. */
export async function getModerationItemDetail(
  scope: Scope,
  tx: Executor,
  input: { itemId: string },
  deps: ModerationDeps = {},
): Promise<ModerationItemDetail> {
  const now = (deps.now ?? systemClock)();
  const item = await getItemInScope(scope, tx, { itemId: input.itemId });
  const [channel] = await tx
    .select({ id: channels.id, platform: channels.platform, displayName: channels.displayName })
    .from(channels)
    .where(and(eq(channels.id, item.channelId), eq(channels.agencyId, scope.agencyId)));
  if (!channel) throw new Error(`channel ${item.channelId} of item ${item.id} vanished`);
  const thread = await findThread(scope, tx, item);
  const threadIds = new Set(thread.map((row) => row.id));
  const since = new Date(now.getTime() - customerHistoryDays * 24 * 60 * 60 * 1000);

  const customer = item.customerId ? await findCustomer(scope, tx, item.customerId) : null;
  const elsewhere = customer
    ? (
        await tx
          .select({ item: items, platform: channels.platform })
          .from(items)
          .innerJoin(channels, eq(channels.id, items.channelId))
          .where(
            and(
              eq(items.agencyId, scope.agencyId),
              eq(items.clientId, item.clientId),
              eq(items.customerId, customer.id),
              gte(items.createdAt, since),
              ne(items.id, item.id),
            ),
          )
          .orderBy(desc(items.createdAt))
          .limit(maxHistoryItems + threadIds.size)
      ).filter((row) => !threadIds.has(row.item.id))
    : [];
  const historyReplies = await findRepliesOf(
    scope,
    tx,
    elsewhere.map((row) => row.item.id),
  );
  const shownHistory = elsewhere.slice(0, maxHistoryItems);
  const states = await findDeliveryStates(tx, {
    agencyId: scope.agencyId,
    itemIds: [...new Set([item.id, ...thread.map((row) => row.id), ...shownHistory.map((row) => row.item.id)])],
  });
  const history = shownHistory.map((row) => ({
    item: toItemView(row.item, states.ofItem(row.item.id)),
    channel: { id: row.item.channelId, platform: row.platform },
    replies: historyReplies
      .filter((reply) => reply.itemId === row.item.id)
      .map((reply) => toReplyView(reply, states.ofReply(reply.id))),
  }));
  const platformOf = new Map(elsewhere.map((row) => [row.item.channelId, row.platform]));
  const toldElsewhere = historyReplies
    .filter(
      (reply) => reply.status === "sent" && reply.channelId !== item.channelId && reply.sentAt && reply.sentAt >= since,
    )
    .sort((a, b) => (b.sentAt?.getTime() ?? 0) - (a.sentAt?.getTime() ?? 0))
    .map((reply) => ({
      channelId: reply.channelId,
      platform: platformOf.get(reply.channelId) ?? channel.platform,
      text: reply.body,
      sentAt: reply.sentAt ?? now,
    }));

  const protocol = await loadItemProtocol(tx, item);
  const categoryKey = item.categoryKey ?? protocol?.document.defaultCategory.key;
  const itemReplies = await findRepliesOf(scope, tx, [item.id]);
  const deliveries = await tx
    .select()
    .from(outboundDeliveries)
    .where(and(eq(outboundDeliveries.agencyId, scope.agencyId), eq(outboundDeliveries.itemId, item.id)))
    .orderBy(asc(outboundDeliveries.createdAt));

  return {
    item: toItemView(item, states.ofItem(item.id)),
    channel,
    thread: thread.map((row) => toItemView(row, states.ofItem(row.id))),
    customer,
    history,
    toldElsewhere,
    protocol: protocol
      ? {
          versionId: protocol.id,
          version: protocol.version,
          voiceGuidelines: protocol.document.voiceGuidelines,
          approvedAnswers: protocol.document.approvedAnswers.filter(
            (answer) =>
              answer.categoryKey === categoryKey && (!answer.platforms || answer.platforms.includes(channel.platform)),
          ),
          forbiddenPhrases: protocol.document.forbiddenPhrases,
          maxReplyLength: getMaxReplyLength({ protocol: protocol.document, platform: channel.platform }),
        }
      : null,
    replies: itemReplies.map((reply) => toReplyView(reply, states.ofReply(reply.id))),
    holderName: item.claimedBy
      ? ((await tx.select({ name: users.name }).from(users).where(eq(users.id, item.claimedBy)))[0]?.name ?? null)
      : null,
    notes: await listItemNotes(scope, tx, { itemIds: [item.id] }),
    deliveries: deliveries.map((delivery) => ({
      id: delivery.id,
      action: delivery.action,
      status: delivery.status,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
      echoedAt: delivery.echoedAt,
      state: deliveryStateOf(delivery),
    })),
    sla: await getItemSla(tx, { item, now }),
  };
}
