/**
 * Insight: what customers say beyond sentiment — purchase intent, product feedback, satisfaction with the service —
 * and the **gratitude index**, for a report's period against the one before, with the items behind every figure.
 *
 * Definitions (docs/ARCHITECTURE.md, "Reports"):
 * - the items are a report's (customer items received in the period on their client's local dates, the brand's
 *   own left out, under the report's filters), each labelled by `classifyInsight` (title and body) when read;
 * - a **conversation** is one customer's messages in one thread of one channel (`coalesce(thread_external_id,
 *   external_id)`, the customer, or the author when not linked to one) among the period's items; it is **answered**
 *   when one of them has a reply the platform confirmed (`replies.status = 'sent'`), from the first such reply;
 * - it is **thanked** when the same customer wrote in the same thread after that reply (created after it, within 7
 *   days, whatever that message's own priority or date) a message labelled thanks;
 * - **gratitude index** = thanked ÷ answered conversations (null when none was answered);
 * - the **previous period** is the calendar month before when the period is one whole month, else as many days
 *   just before it.
 *
 * Labels are computed at read time, not stored (a rule change applies to every past period, ingest does no more
 * work), and kept in the process by text for an hour; `insight.bench.ts` measures a large client's month cold and
 * warm (figures in the README).
 */
import { type Executor, uuidArray } from "@parley/db";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { createTtlCache } from "../kernel/ttl-cache";
import { classifyInsight, type InsightClassification, type InsightLabel } from "./insight-labels";
import { type ReportFilters, type ReportReader, reportFilters } from "./report-rows";
import { checkedReader, parse } from "./reports";

/**
 * Labels by text, kept in the process for an hour: a drill-down, another look at the same month or the next
 * period's trend reads the labels rather than running the rules again (they are a pure function of the text). About
 * three large client-months of texts.
 */
const labelsByText = createTtlCache<string, InsightClassification>({ ttlMs: 3_600_000, maxEntries: 120_000 });

function labelText(text: string, at: Date): InsightClassification {
  const known = labelsByText.get(text, at);
  if (known) return known;
  const classification = classifyInsight(text);
  labelsByText.set(text, classification, at);
  return classification;
}

/** How long after the brand's reply a customer's thanks still counts. */
export const gratitudeWindowDays = 7;

export interface InsightFigures {
  /** The period's items. */
  itemsIn: number;
  purchaseIntent: number;
  productFeedback: number;
  satisfied: number;
  dissatisfied: number;
  /** Conversations with a confirmed reply of the brand. */
  conversationsAnswered: number;
  /** Answered conversations where the customer then thanked. */
  conversationsThanked: number;
  /** thanked ÷ answered, 0–1; null without answered conversations. */
  gratitudeIndex: number | null;
}

export interface InsightView {
  from: string;
  to: string;
  previous: { from: string; to: string };
  asOf: Date;
  current: InsightFigures;
  previousPeriod: InsightFigures;
}

/** The figures a drill-down opens: a label's items, or the conversations behind the gratitude index. */
export const insightFigureNames = [
  "purchase_intent",
  "product_feedback",
  "satisfied",
  "dissatisfied",
  "answered",
  "thanked",
] as const;
export type InsightFigure = (typeof insightFigureNames)[number];

export const insightItemsInput = reportFilters.and(
  z.object({
    figure: z.enum(insightFigureNames),
    period: z.enum(["current", "previous"]).default("current"),
    offset: z.int().min(0).max(1_000_000).default(0),
    limit: z.int().min(1).max(500).default(100),
  }),
);
export type InsightItemsInput = z.input<typeof insightItemsInput>;

/** One item behind an insight figure. */
export interface InsightItemRow {
  id: string;
  clientId: string;
  clientName: string;
  channelId: string;
  channelName: string;
  platform: string;
  authorHandle: string;
  /** The customer's text (title and body). */
  text: string;
  createdAt: Date;
  receivedAt: Date;
  labels: InsightLabel[];
  evidence: InsightClassification["evidence"];
  /** `answered`: the first confirmed reply of the conversation; `thanked`: the reply the thanks came after. */
  answeredAt: Date | null;
  /** `answered` and `thanked`: the conversation's thanks message (for `thanked`, the item itself). */
  thanksItemId: string | null;
}

const dayMs = 864e5;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** The period a trend compares with: the previous calendar month for a whole month, else as many days before. */
export function previousPeriodOf(from: string, to: string): { from: string; to: string } {
  const start = new Date(msOf(from));
  const lastOfMonth = dateOf(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0));
  if (start.getUTCDate() === 1 && to === lastOfMonth) {
    return {
      from: dateOf(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1)),
      to: dateOf(msOf(from) - dayMs),
    };
  }
  const days = (msOf(to) - msOf(from)) / dayMs + 1;
  return { from: dateOf(msOf(from) - days * dayMs), to: dateOf(msOf(from) - dayMs) };
}

type MessageRow = {
  id: string;
  client_id: string;
  client_name: string;
  channel_id: string;
  channel_name: string;
  platform: string;
  author_handle: string;
  text: string;
  created_at: string;
  received_at: string;
  local_date: string;
  conversation: string;
  first_reply_at: string | null;
  /** Under the report's priority and moderator filters (a conversation's later messages need not be). */
  counted: boolean;
};

/**
 * The customer messages of the previous period, the period, and the gratitude window after it, in the reader's
 * clients under the filters, each with its conversation key and its first confirmed reply. The UTC bounds (a day
 * wider than any time zone) let the client-and-arrival index narrow the scan before local dates are judged.
 */
async function readMessages(
  reader: ReportReader,
  tx: Executor,
  filters: ReportFilters,
  window: { from: string; to: string },
): Promise<MessageRow[]> {
  const clientIds = filters.clientIds ?? reader.clientIds;
  const conditions: SQL[] = [
    sql`i.agency_id = ${reader.agencyId}`,
    sql`not i.by_brand`,
    sql`i.received_at >= ${window.from}::date - 1 and i.received_at < ${window.to}::date + 2`,
    sql`(i.received_at at time zone c.time_zone) >= ${window.from}::date`,
    sql`(i.received_at at time zone c.time_zone) < ${window.to}::date + 1`,
  ];
  if (clientIds) conditions.push(sql`i.client_id = any(${uuidArray(clientIds)})`);
  if (filters.channelIds) conditions.push(sql`i.channel_id = any(${uuidArray(filters.channelIds)})`);
  const counted: SQL[] = [sql`true`];
  if (filters.priorities) {
    counted.push(sql`i.priority::text = any(${`{${filters.priorities.join(",")}}`}::text[])`);
  }
  if (filters.moderatorId) {
    counted.push(sql`exists (select 1 from replies m where m.agency_id = i.agency_id and m.item_id = i.id
      and m.status = 'sent' and m.author_user_id = ${filters.moderatorId})`);
  }
  return tx.execute<MessageRow>(sql`
    select i.id, i.client_id, c.name as client_name, i.channel_id, ch.display_name as channel_name,
      ch.platform::text as platform, i.author_handle,
      case when i.title is null then i.body else i.title || E'.\\n' || i.body end as text,
      i.created_at, i.received_at, (i.received_at at time zone c.time_zone)::date::text as local_date,
      i.channel_id::text || ' ' || coalesce(i.thread_external_id, i.external_id) || ' '
        || coalesce(i.customer_id::text, 'author:' || i.author_external_id) as conversation,
      answered.first_reply_at, (${sql.join(counted, sql` and `)}) as counted
    from items i
    join clients c on c.id = i.client_id and c.agency_id = i.agency_id
    join channels ch on ch.id = i.channel_id and ch.agency_id = i.agency_id
    left join lateral (
      select min(p.sent_at) as first_reply_at from replies p
      where p.agency_id = i.agency_id and p.item_id = i.id and p.status = 'sent'
    ) answered on true
    where ${sql.join(conditions, sql` and `)}`);
}

type Labelled = MessageRow & { classification: InsightClassification };

interface Conversation {
  opener: Labelled;
  answeredAt: number;
  thanks: Labelled | null;
}

interface PeriodInsight {
  figures: InsightFigures;
  items: Record<Exclude<InsightFigure, "answered" | "thanked">, Labelled[]>;
  conversations: Conversation[];
}

const labelFigures = {
  purchase_intent: "purchaseIntent",
  product_feedback: "productFeedback",
  satisfied: "satisfied",
  dissatisfied: "dissatisfied",
} as const;

/** One period's figures and the items behind them, from the messages read for it (and the window around it). */
function insightOf(messages: readonly Labelled[], period: { from: string; to: string }): PeriodInsight {
  const inPeriod = messages.filter(
    (row) => row.counted && row.local_date >= period.from && row.local_date <= period.to,
  );
  const items = {
    purchase_intent: [],
    product_feedback: [],
    satisfied: [],
    dissatisfied: [],
  } as PeriodInsight["items"];
  const openers = new Map<string, { opener: Labelled; answeredAt: number }>();
  for (const row of inPeriod) {
    for (const label of row.classification.labels) if (label !== "thanks") items[label].push(row);
    if (row.first_reply_at === null) continue;
    const answeredAt = Date.parse(row.first_reply_at);
    const known = openers.get(row.conversation);
    if (!known || answeredAt < known.answeredAt) openers.set(row.conversation, { opener: row, answeredAt });
  }
  const byConversation = new Map<string, Labelled[]>();
  for (const row of messages) {
    if (!row.classification.labels.includes("thanks") || !openers.has(row.conversation)) continue;
    byConversation.set(row.conversation, [...(byConversation.get(row.conversation) ?? []), row]);
  }
  const conversations = [...openers.entries()].map(([key, { opener, answeredAt }]) => {
    const thanks = (byConversation.get(key) ?? [])
      .filter((row) => {
        const at = Date.parse(row.created_at);
        return at > answeredAt && at <= answeredAt + gratitudeWindowDays * dayMs;
      })
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))[0];
    return { opener, answeredAt, thanks: thanks ?? null };
  });
  const thanked = conversations.filter((conversation) => conversation.thanks !== null).length;
  return {
    items,
    conversations,
    figures: {
      itemsIn: inPeriod.length,
      ...(Object.fromEntries(
        Object.entries(labelFigures).map(([label, name]) => [name, items[label as keyof typeof labelFigures].length]),
      ) as Pick<InsightFigures, (typeof labelFigures)[keyof typeof labelFigures]>),
      conversationsAnswered: conversations.length,
      conversationsThanked: thanked,
      gratitudeIndex: conversations.length === 0 ? null : thanked / conversations.length,
    },
  };
}

async function readInsight(reader: ReportReader, tx: Executor, filters: ReportFilters, now: Date) {
  const previous = previousPeriodOf(filters.from, filters.to);
  const until = dateOf(msOf(filters.to) + (gratitudeWindowDays + 1) * dayMs);
  const rows = await readMessages(reader, tx, filters, { from: previous.from, to: until });
  const messages = rows.map((row) => ({ ...row, classification: labelText(row.text, now) }));
  return {
    previous,
    current: insightOf(messages, filters),
    previousPeriod: insightOf(messages, previous),
  };
}

/** The period's insight figures against the previous period's. */
export async function getInsight(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock } = {},
): Promise<InsightView> {
  const filters = parse(reportFilters, input);
  const reader = await checkedReader(scope, tx, filters);
  const asOf = (deps.now ?? systemClock)();
  const { previous, current, previousPeriod } = await readInsight(reader, tx, filters, asOf);
  return {
    from: filters.from,
    to: filters.to,
    previous,
    asOf,
    current: current.figures,
    previousPeriod: previousPeriod.figures,
  };
}

/**
 * One client's insight for a period — what the monthly client report shows: the gratitude index (share and counts)
 * and the intent, feedback and satisfaction counts, each against the previous period. `tx` is a tenant transaction
 * of the client's agency.
 */
export function getClientInsight(
  tx: Executor,
  options: { agencyId: string; clientId: string; from: string; to: string; now?: Clock },
): Promise<InsightView> {
  const reader = { agencyId: options.agencyId, clientIds: [options.clientId] };
  return getInsight(reader, tx, { from: options.from, to: options.to }, { now: options.now });
}

function toInsightItemRow(row: Labelled, conversation?: Conversation): InsightItemRow {
  return {
    id: row.id,
    clientId: row.client_id,
    clientName: row.client_name,
    channelId: row.channel_id,
    channelName: row.channel_name,
    platform: row.platform,
    authorHandle: row.author_handle,
    text: row.text,
    createdAt: new Date(row.created_at),
    receivedAt: new Date(row.received_at),
    labels: row.classification.labels,
    evidence: row.classification.evidence,
    answeredAt: conversation ? new Date(conversation.answeredAt) : null,
    thanksItemId: conversation?.thanks?.id ?? null,
  };
}

/**
 * The items behind an insight figure, newest first, a page at a time: a label's items; for `answered` each answered
 * conversation's first answered item; for `thanked` each thanked conversation's first thanks after the reply.
 * Exactly the items the figure counted, from the same reading.
 */
export async function listInsightItems(
  scope: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock } = {},
): Promise<{ items: InsightItemRow[]; total: number; nextOffset: number | null }> {
  const query = parse(insightItemsInput, input);
  const reader = await checkedReader(scope, tx, query);
  const read = await readInsight(reader, tx, query, (deps.now ?? systemClock)());
  const period = query.period === "current" ? read.current : read.previousPeriod;
  const rows =
    query.figure === "answered"
      ? period.conversations.map((conversation) => toInsightItemRow(conversation.opener, conversation))
      : query.figure === "thanked"
        ? period.conversations.flatMap((conversation) =>
            conversation.thanks ? [toInsightItemRow(conversation.thanks, conversation)] : [],
          )
        : period.items[query.figure].map((row) => toInsightItemRow(row));
  rows.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || b.id.localeCompare(a.id));
  const end = query.offset + query.limit;
  return {
    items: rows.slice(query.offset, end),
    total: rows.length,
    nextOffset: end < rows.length ? end : null,
  };
}
