import { type Executor, schema } from "@parley/db";
import { and, asc, desc, eq, inArray, ne } from "drizzle-orm";
import { getActiveProtocol } from "../protocols/protocol-versions";
import type { ClockView } from "../sla/clock-rows";
import { getItemSla, type ItemClockView } from "../sla/item-sla";

const { items, replies, channels } = schema;
type ItemRow = typeof items.$inferSelect;

export interface PacketMessage {
  itemId: string;
  channelId: string;
  platform: string;
  authorHandle: string;
  body: string;
  url: string | null;
  createdAt: string;
}

export interface PacketReply {
  itemId: string;
  kind: string;
  status: string;
  body: string;
  sentAt: string | null;
}

function toPacketReply(reply: typeof replies.$inferSelect): PacketReply {
  return {
    itemId: reply.itemId,
    kind: reply.kind,
    status:
      reply.status === "approved" ? "not yet delivered" : reply.status === "failed" ? "delivery failed" : reply.status,
    body: reply.body,
    sentAt: reply.sentAt?.toISOString() ?? null,
  };
}

/**
 * Everything the client's specialist needs to answer without asking the customer to start again, built
 * once at escalation and stored with it: the item and its thread, the customer's other conversations
 * (any channel of the client), what was already said publicly, the protocol excerpt for the category and
 * the clocks as they stood.
 */
export interface HandoverPacket {
  builtAt: string;
  note: string | null;
  item: PacketMessage & {
    categoryKey: string | null;
    priority: string;
    riskFlags: string[];
    customerId: string | null;
  };
  thread: PacketMessage[];
  otherConversations: PacketMessage[];
  /** Only what the platform confirmed it published (`sent`). */
  saidPublicly: PacketReply[];
  /** Approved but not yet confirmed by the platform when the packet was built (queued, retrying or failed). */
  notYetPublic?: PacketReply[];
  protocolExcerpt: {
    protocolVersionId: string;
    category: { key: string; name: string | null; authority: string; priority: string } | null;
    approvedAnswers: Array<{ id: string; text: string }>;
    forbiddenPhrases: Array<{ phrase: string; reason: string }>;
  } | null;
  /** The client's IANA zone: the packet shows the clocks' times in it, named (older packets lack it). */
  timeZone?: string;
  /** Where the clocks' targets came from: "Cobalt Bank's contract" or "agency default (no contract)". */
  slaSource?: string;
  /** "No first-response target for P3 in Cobalt Bank's contract". */
  withoutTarget?: string[];
  clocks: Array<
    Pick<ClockView, "metric" | "targetMinutes" | "paused"> &
      Partial<Pick<ItemClockView, "calendarKind" | "state" | "note">> & {
        dueAt: string;
        stoppedAt: string | null;
        breachedAt: string | null;
      }
  >;
}

const threadLimit = 50;
const otherConversationsLimit = 20;

export async function buildHandoverPacket(
  tx: Executor,
  { item, note, now }: { item: ItemRow; note: string | null; now: Date },
): Promise<HandoverPacket> {
  const channelRows = await tx
    .select({ id: channels.id, platform: channels.platform })
    .from(channels)
    .where(eq(channels.clientId, item.clientId));
  const platformOf = new Map(channelRows.map((row) => [row.id, row.platform as string]));
  const toMessage = (row: ItemRow): PacketMessage => ({
    itemId: row.id,
    channelId: row.channelId,
    platform: platformOf.get(row.channelId) ?? "unknown",
    authorHandle: row.authorHandle,
    body: row.body,
    url: row.url,
    createdAt: row.createdAt.toISOString(),
  });

  const thread = item.threadExternalId
    ? await tx
        .select()
        .from(items)
        .where(
          and(
            eq(items.agencyId, item.agencyId),
            eq(items.channelId, item.channelId),
            eq(items.threadExternalId, item.threadExternalId),
            ne(items.id, item.id),
          ),
        )
        .orderBy(asc(items.createdAt))
        .limit(threadLimit)
    : [];
  const others = item.customerId
    ? await tx
        .select()
        .from(items)
        .where(and(eq(items.agencyId, item.agencyId), eq(items.customerId, item.customerId), ne(items.id, item.id)))
        .orderBy(desc(items.createdAt))
        .limit(otherConversationsLimit)
    : [];
  const threadIds = new Set(thread.map((row) => row.id));
  const otherConversations = others.filter((row) => !threadIds.has(row.id));
  const relatedIds = [item.id, ...thread.map((row) => row.id), ...otherConversations.map((row) => row.id)];
  const said = await tx
    .select()
    .from(replies)
    .where(and(inArray(replies.itemId, relatedIds), inArray(replies.status, ["approved", "sent", "failed"])))
    .orderBy(asc(replies.createdAt));

  const protocol = await getActiveProtocol(tx, item.clientId);
  const category = protocol?.document.categories.find((candidate) => candidate.key === item.categoryKey);
  const defaultCategory = protocol?.document.defaultCategory;
  const sla = await getItemSla(tx, { item, now });

  return {
    builtAt: now.toISOString(),
    note,
    item: {
      ...toMessage(item),
      categoryKey: item.categoryKey,
      priority: item.priority,
      riskFlags: item.riskFlags,
      customerId: item.customerId,
    },
    thread: thread.map(toMessage),
    otherConversations: otherConversations.map(toMessage),
    saidPublicly: said.filter((reply) => reply.status === "sent").map(toPacketReply),
    notYetPublic: said.filter((reply) => reply.status !== "sent").map(toPacketReply),
    protocolExcerpt: protocol
      ? {
          protocolVersionId: protocol.id,
          category: category
            ? { key: category.key, name: category.name, authority: category.authority, priority: category.priority }
            : defaultCategory && defaultCategory.key === item.categoryKey
              ? {
                  key: defaultCategory.key,
                  name: null,
                  authority: defaultCategory.authority,
                  priority: defaultCategory.priority,
                }
              : null,
          approvedAnswers: protocol.document.approvedAnswers
            .filter((answer) => answer.categoryKey === item.categoryKey)
            .map((answer) => ({ id: answer.id, text: answer.text })),
          forbiddenPhrases: protocol.document.forbiddenPhrases.map(({ phrase, reason }) => ({ phrase, reason })),
        }
      : null,
    timeZone: sla?.timeZone,
    slaSource: sla?.source,
    withoutTarget: sla?.withoutTarget ?? [],
    clocks: (sla?.clocks ?? []).map(
      ({ metric, targetMinutes, calendarKind, state, note, dueAt, stoppedAt, breachedAt }) => ({
        metric,
        targetMinutes,
        calendarKind,
        state,
        note,
        paused: state === "paused",
        dueAt: dueAt.toISOString(),
        stoppedAt: stoppedAt?.toISOString() ?? null,
        breachedAt: breachedAt?.toISOString() ?? null,
      }),
    ),
  };
}
