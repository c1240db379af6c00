/**
 * A client's recurring topics over a period: the protocol's categories and the topics discovered from the items'
 * text (topic-discovery), each with its volume, its trend against the four weeks before, whether it is new this
 * week, and example items. What the reports' topics panel, the weekly digest and the monthly client report show.
 *
 * The items counted are the client's customers' (the brand's own posts left out), received in the period's local
 * dates in the client's zone; spam is left out: items deleted, or that the protocol's moderation rules said to
 * delete (its spam and abuse rules). Topics are discovered over the period and the four weeks before it together,
 * so a topic is the same one on both sides of its trend; word weights come from the client's longer history (the
 * eight weeks before that as well).
 */

import { AppError, badInput, uuid } from "@parley/contracts";
import { localDate } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { createTtlCache } from "../kernel/ttl-cache";
import type { ReportReader } from "./report-rows";
import { discoverTopics } from "./topic-discovery";
import { addDays, measureTopicTrend, type TopicTrend, trendWindowStart } from "./topic-trends";

/** The longest period topics are found over (the trend's four weeks come on top). */
export const maxTopicPeriodDays = 92;
/** Weeks of history before the trend's window that word weights are counted over. */
const historyWeeks = 8;
/** At most this many history items are read for word weights (the most recent). */
const historyLimit = 20_000;
const examplesPerTopic = 3;
const maxDiscoveredTopics = 25;

export const clientTopicsInput = z
  .object({
    clientId: uuid,
    from: localDate.describe("the first local date of the period, in the client's time zone"),
    to: localDate.describe("the last local date of the period, included"),
  })
  .superRefine((input, context) => {
    const days = (Date.parse(`${input.to}T00:00:00Z`) - Date.parse(`${input.from}T00:00:00Z`)) / 864e5;
    if (days < 0) context.addIssue({ code: "custom", path: ["to"], message: "must be on or after `from`" });
    else if (days >= maxTopicPeriodDays) {
      context.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be less than ${maxTopicPeriodDays} days after \`from\``,
      });
    }
  });
export type ClientTopicsInput = z.input<typeof clientTopicsInput>;

export interface TopicExample {
  itemId: string;
  /** The start of the item's text (title and body), on one line. */
  excerpt: string;
  receivedAt: Date;
}

export interface ClientTopic extends TopicTrend {
  /** `category:<key>` or `terms:<stems>`: what the drill-down (`listTopicItems`) takes. */
  key: string;
  kind: "category" | "discovered";
  label: string;
  /** A discovered topic's terms (a category's key). */
  terms: string[];
  /** The period's most recent items of the topic. */
  examples: TopicExample[];
}

export interface ClientTopicsView {
  clientId: string;
  clientName: string;
  from: string;
  to: string;
  asOf: Date;
  /** The period's items the topics are counted over (spam and the brand's own posts left out). */
  itemsInPeriod: number;
  /** The protocol's categories that had items in the period or the four weeks before, the largest first. */
  categories: ClientTopic[];
  /** Topics discovered from the text with items in the period, the largest first. */
  topics: ClientTopic[];
}

interface TopicItem {
  id: string;
  text: string;
  categoryKey: string | null;
  receivedAt: Date;
  localDate: string;
}

function parse<T extends z.ZodType>(schemaOf: T, input: unknown): z.infer<T> {
  const parsed = schemaOf.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error.issues);
  return parsed.data;
}

/** The client, when the reader sees it; another agency's or client's is NOT_FOUND. */
async function findReadableClient(reader: ReportReader, tx: Executor, clientId: string) {
  const [client] =
    reader.clientIds && !reader.clientIds.includes(clientId)
      ? []
      : await tx
          .select({ id: schema.clients.id, name: schema.clients.name, timeZone: schema.clients.timeZone })
          .from(schema.clients)
          .where(and(eq(schema.clients.agencyId, reader.agencyId), eq(schema.clients.id, clientId)));
  if (!client) {
    throw new AppError("NOT_FOUND", `Client not found: ${clientId}`, {
      reason: "client_not_found",
      fields: { clientId: `${clientId} is not a client you can see` },
    });
  }
  return client;
}

/** The client's customer items received from the local date `from` to `to` (included), spam left out. */
async function findTopicItems(
  tx: Executor,
  where: { agencyId: string; clientId: string; from: string; to: string },
): Promise<TopicItem[]> {
  const rows = await tx.execute<{
    id: string;
    text: string;
    category_key: string | null;
    received_at: string | Date;
    local_date: string;
  }>(sql`
    select i.id, concat_ws(E'\n', i.title, i.body) as text, i.category_key, i.received_at,
      ((i.received_at at time zone c.time_zone)::date)::text as local_date
    from items i join clients c on c.id = i.client_id and c.agency_id = i.agency_id
    where i.agency_id = ${where.agencyId} and i.client_id = ${where.clientId} and not i.by_brand
      and i.status <> 'deleted' and i.moderation_action is distinct from 'delete'
      and i.received_at >= (${where.from}::date::timestamp at time zone c.time_zone)
      and i.received_at < ((${where.to}::date + 1)::timestamp at time zone c.time_zone)
    order by i.received_at, i.id`);
  return rows.map((row) => ({
    id: row.id,
    text: row.text,
    categoryKey: row.category_key,
    receivedAt: new Date(row.received_at),
    localDate: row.local_date,
  }));
}

/** The texts word weights are counted over: the most recent items of the weeks before `before`. */
async function findHistoryTexts(
  tx: Executor,
  where: { agencyId: string; clientId: string; from: string; before: string },
): Promise<string[]> {
  const rows = await tx.execute<{ text: string }>(sql`
    select concat_ws(E'\n', i.title, i.body) as text
    from items i join clients c on c.id = i.client_id and c.agency_id = i.agency_id
    where i.agency_id = ${where.agencyId} and i.client_id = ${where.clientId} and not i.by_brand
      and i.status <> 'deleted' and i.moderation_action is distinct from 'delete'
      and i.received_at >= (${where.from}::date::timestamp at time zone c.time_zone)
      and i.received_at < (${where.before}::date::timestamp at time zone c.time_zone)
    order by i.received_at desc
    limit ${historyLimit}`);
  return rows.map((row) => row.text);
}

/** The names of the client's active protocol's categories, by key. */
async function findCategoryNames(tx: Executor, where: { agencyId: string; clientId: string }) {
  const [active] = await tx
    .select({ document: schema.protocolVersions.document })
    .from(schema.protocolVersions)
    .where(
      and(
        eq(schema.protocolVersions.agencyId, where.agencyId),
        eq(schema.protocolVersions.clientId, where.clientId),
        eq(schema.protocolVersions.active, true),
      ),
    );
  const categories = (active?.document as { categories?: Array<{ key: string; name: string }> } | undefined)
    ?.categories;
  return new Map((categories ?? []).map((category) => [category.key, category.name]));
}

const excerptOf = (text: string) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
};

/** A topic's figures and examples from its items (any order). */
function describeTopic(
  items: readonly TopicItem[],
  period: { from: string; to: string },
  topic: Pick<ClientTopic, "key" | "kind" | "label" | "terms">,
): ClientTopic {
  const examples = items
    .filter((item) => item.localDate >= period.from)
    .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || b.id.localeCompare(a.id))
    .slice(0, examplesPerTopic)
    .map((item) => ({ itemId: item.id, excerpt: excerptOf(item.text), receivedAt: item.receivedAt }));
  return {
    ...topic,
    ...measureTopicTrend(
      items.map((item) => item.localDate),
      period,
    ),
    examples,
  };
}

interface ComputedTopics {
  view: ClientTopicsView;
  /** Each topic's items (period and the four weeks before), by key. */
  itemsOf: Map<string, TopicItem[]>;
}

/**
 * The topics each client's latest read found, for a minute: a drill-down lists the items of the topics the reader
 * was just shown (and skips finding them again). Keyed by agency, client and period; read only after the reader is
 * known to see the client.
 */
const recentTopics = createTtlCache<string, ComputedTopics>({ ttlMs: 60_000, maxEntries: 8 });
const recentKey = (agencyId: string, input: { clientId: string; from: string; to: string }) =>
  `${agencyId} ${input.clientId} ${input.from} ${input.to}`;

async function computeClientTopics(
  reader: ReportReader,
  tx: Executor,
  input: unknown,
  deps: { now?: Clock },
): Promise<ComputedTopics> {
  const { clientId, from, to } = parse(clientTopicsInput, input);
  const client = await findReadableClient(reader, tx, clientId);
  const asOf = (deps.now ?? systemClock)();
  const windowStart = trendWindowStart(from);
  const where = { agencyId: reader.agencyId, clientId };
  const items = await findTopicItems(tx, { ...where, from: windowStart, to });
  const history = await findHistoryTexts(tx, {
    ...where,
    from: addDays(windowStart, -7 * historyWeeks),
    before: windowStart,
  });
  const categoryNames = await findCategoryNames(tx, where);
  const period = { from, to };
  const itemsOf = new Map<string, TopicItem[]>();

  const byCategory = new Map<string, TopicItem[]>();
  for (const item of items) {
    if (!item.categoryKey) continue;
    const members = byCategory.get(item.categoryKey) ?? [];
    members.push(item);
    byCategory.set(item.categoryKey, members);
  }
  const categories = [...byCategory].map(([categoryKey, members]) => {
    const key = `category:${categoryKey}`;
    itemsOf.set(key, members);
    return describeTopic(members, period, {
      key,
      kind: "category",
      label: categoryNames.get(categoryKey) ?? categoryKey,
      terms: [categoryKey],
    });
  });

  const byId = new Map(items.map((item) => [item.id, item]));
  const discovered = discoverTopics(items, { history })
    .map((found) => {
      const key = `terms:${found.key}`;
      const members = found.ids.flatMap((id) => byId.get(id) ?? []);
      itemsOf.set(key, members);
      return describeTopic(members, period, { key, kind: "discovered", label: found.label, terms: found.terms });
    })
    .filter((topic) => topic.volume > 0);

  const largestFirst = (a: ClientTopic, b: ClientTopic) =>
    b.volume - a.volume || b.previousFourWeeks - a.previousFourWeeks || a.key.localeCompare(b.key);
  const computed = {
    view: {
      clientId,
      clientName: client.name,
      from,
      to,
      asOf,
      itemsInPeriod: items.filter((item) => item.localDate >= from).length,
      categories: categories.sort(largestFirst),
      topics: discovered.sort(largestFirst).slice(0, maxDiscoveredTopics),
    },
    itemsOf,
  };
  recentTopics.set(recentKey(reader.agencyId, { clientId, from, to }), computed, asOf);
  return computed;
}

/**
 * The client's topics over the period (see the module comment): what the reports' topics panel, the weekly digest
 * and the monthly client report show. The reader must see the client (else NOT_FOUND); who may read reports at all
 * (`readReports`) is the caller's check.
 */
export async function getClientTopics(
  reader: ReportReader,
  tx: Executor,
  input: ClientTopicsInput,
  deps: { now?: Clock } = {},
): Promise<ClientTopicsView> {
  return (await computeClientTopics(reader, tx, input, deps)).view;
}

/**
 * Topics that grew, or are new: the largest growth (items per week against the weeks before) first, a discovered
 * topic before a category that grew as much.
 */
export function findRisingTopics(view: ClientTopicsView, limit = 5): ClientTopic[] {
  const days = (Date.parse(`${view.to}T00:00:00Z`) - Date.parse(`${view.from}T00:00:00Z`)) / 864e5 + 1;
  const growth = (topic: ClientTopic) => (topic.volume * 7) / days - topic.previousFourWeeks / 4;
  return [...view.topics, ...view.categories]
    .filter((topic) => topic.rising)
    .sort((a, b) => growth(b) - growth(a) || b.kind.localeCompare(a.kind) || a.key.localeCompare(b.key))
    .slice(0, limit);
}

export const topicItemsInput = z.intersection(
  clientTopicsInput,
  z.object({
    topicKey: z.string().min(1).max(300).describe("a topic's `key` from the topics of the same period"),
    offset: z.int().min(0).default(0),
    limit: z.int().min(1).max(500).default(100),
  }),
);
export type TopicItemsInput = z.input<typeof topicItemsInput>;

/**
 * The drill-down: a topic's items in the period, newest first, a page at a time: exactly the items the topic's
 * volume counted — those of the topics read for this client and period in the last minute (what the reader was
 * shown), else of the topics found again. A key the period has no topic for is NOT_FOUND.
 */
export async function listTopicItems(
  reader: ReportReader,
  tx: Executor,
  input: TopicItemsInput,
  deps: { now?: Clock } = {},
): Promise<{ topic: ClientTopic; items: Array<TopicExample & { categoryKey: string | null }>; total: number }> {
  const query = parse(topicItemsInput, input);
  await findReadableClient(reader, tx, query.clientId);
  const { view, itemsOf } =
    recentTopics.get(recentKey(reader.agencyId, query), (deps.now ?? systemClock)()) ??
    (await computeClientTopics(reader, tx, query, deps));
  const topic = [...view.categories, ...view.topics].find((candidate) => candidate.key === query.topicKey);
  if (!topic) {
    throw new AppError("NOT_FOUND", `No topic ${query.topicKey} in this period`, {
      reason: "topic_not_found",
      fields: { topicKey: "is not a topic of this client and period" },
    });
  }
  const inPeriod = (itemsOf.get(topic.key) ?? [])
    .filter((item) => item.localDate >= query.from)
    .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || b.id.localeCompare(a.id));
  return {
    topic,
    total: inPeriod.length,
    items: inPeriod.slice(query.offset, query.offset + query.limit).map((item) => ({
      itemId: item.id,
      excerpt: excerptOf(item.text),
      receivedAt: item.receivedAt,
      categoryKey: item.categoryKey,
    })),
  };
}
