import { columnNames, type Executor, runPrepared, schema } from "@parley/db";
import { and, asc, eq, or, sql } from "drizzle-orm";
import { z } from "zod";
import { type NewItemForFlows, planItemFlows, startItemFlowsSql } from "../flows/start-item-flows";
import { type Clock, systemClock } from "../kernel/clock";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { classifyItem, type ItemClassification } from "../protocols/classify-item";
import { maskPersonalData, type PiiFlag } from "../protocols/mask-personal-data";
import type { OptionalMaskedKind } from "../protocols/protocol-document";
import type { ActiveProtocol } from "../protocols/protocol-versions";
import { calendarVersionAt, clockTermsAt } from "../sla/clock-terms";
import { type IngestChannel, type IngestContext, loadIngestContext } from "./ingest-context";

const { items, auditEvents, uuidv7 } = schema;

export const ingestItemKinds = schema.itemKindValues;
export type IngestItemKind = (typeof ingestItemKinds)[number];

/**
 * One inbound change to an item as the connectors hand it over (structurally their `NormalizedItemEvent`; core
 * does not depend on the connectors package): created or changed (`upsert`), removed on the platform (`remove`),
 * or brought back after a removal (`restore`).
 */
export interface ItemChangeEvent {
  op: "upsert" | "remove" | "restore";
  item: {
    externalId: string;
    kind: IngestItemKind;
    threadExternalId?: string | undefined;
    parentExternalId?: string | undefined;
    author: { externalId: string; handle: string; displayName?: string | undefined };
    /** Written by the client's own account (the brand): shown in its thread, never queued. */
    byBrand?: boolean | undefined;
    title?: string | undefined;
    body: string;
    language?: string | undefined;
    createdAt: Date;
    url?: string | undefined;
    /** Set by ingest when it masks the text (`maskEvent`), never by a connector: what was masked out of it. */
    piiFlags?: readonly PiiFlag[] | undefined;
  };
  /** The payload field `createdAt` was read from, when the connector had a choice; kept in the audit trail. */
  createdAtFrom?: string | undefined;
}

/** A new title for an item already known by `target` (its external id or its alias), e.g. a Discourse topic's. */
export interface ItemRetitleEvent {
  op: "retitle";
  target: string;
  title: string;
}

export type IngestItemEvent = ItemChangeEvent | ItemRetitleEvent;

export interface IngestDeps {
  now?: Clock;
}

/** What a delivery changed, item by item (the ingest endpoints' answer). */
export const ingestResult = z.object({
  received: z.number().int(),
  created: z.number().int(),
  duplicates: z.number().int().describe("events that changed nothing (redelivered, or a removal already recorded)"),
  edited: z.number().int(),
  removed: z.number().int(),
  restored: z.number().int().describe("removed items the delivery brought back (an upsert after a removal)"),
  byBrand: z.number().int().describe('new items marked `"byBrand": true`: stored on their thread, never queued'),
  deliveriesConfirmed: z
    .number()
    .int()
    .describe("Parley replies echoed back (a brand item whose externalId is the id the reply was published with)"),
  items: z.array(
    z.object({
      externalId: z.string(),
      id: z.uuid(),
      created: z.boolean().describe("false when the item was already there (a redelivery, an edit or a removal)"),
    }),
  ),
});
export type IngestResult = z.infer<typeof ingestResult>;
export type IngestedItem = IngestResult["items"][number];

type ItemRow = typeof items.$inferSelect;
type NewItemRow = typeof items.$inferInsert;
type AuditRow = typeof auditEvents.$inferInsert;

/*
 * Bulk statements pass their rows as one JSON parameter (`jsonb_populate_recordset`) instead of one parameter
 * per value: the statement text is the same whatever the batch size, so PostgreSQL parses and plans it once
 * per connection (a prepared statement) and a 1000-item delivery is not a 30,000-parameter statement.
 */
const textArray = (values: readonly string[]) =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

/**
 * The event as it may be stored: card numbers and IBANs (and e-mail addresses and phone numbers when the client's
 * protocol says so) masked out of every free-text field, before anything reads it — classification, the item row,
 * the audit trail, flows. What was masked is in `item.piiFlags`.
 */
function maskEvent<T extends IngestItemEvent>(event: T, also: readonly OptionalMaskedKind[]): T {
  if (event.op === "retitle") return { ...event, title: maskPersonalData(event.title, also).text };
  const { item } = event as ItemChangeEvent;
  const flags = new Set<PiiFlag>();
  const masked = (text: string) => {
    const result = maskPersonalData(text, also);
    for (const flag of result.flags) flags.add(flag);
    return result.text;
  };
  const body = masked(item.body);
  const title = item.title === undefined ? undefined : masked(item.title);
  const displayName = item.author.displayName === undefined ? undefined : masked(item.author.displayName);
  return {
    ...event,
    item: {
      ...item,
      body,
      title,
      author: { ...item.author, displayName },
      piiFlags: [...flags].sort(),
    },
  };
}

/** Without a protocol, an item is filed uncategorised at normal priority. */
const unclassified = { categoryKey: null, priority: "P3", riskFlags: [], authority: "respond", moderationAction: null };

/** What the protocol reads of an item: its title (when it has one) and its text. */
function classifiedText(item: ItemChangeEvent["item"]): string {
  return item.title ? `${item.title}\n\n${item.body}` : item.body;
}

/** The protocol's reading of an item; the brand's own messages are not classified (nothing to moderate or answer). */
function classificationOf(protocol: ActiveProtocol | null, event: ItemChangeEvent) {
  const piiFlags = [...(event.item.piiFlags ?? [])];
  if (!protocol || event.item.byBrand) {
    return { ...unclassified, language: event.item.language ?? null, protocolVersionId: null, piiFlags };
  }
  const result: ItemClassification = classifyItem({
    protocol: protocol.document,
    body: classifiedText(event.item),
    language: event.item.language,
  });
  return {
    categoryKey: result.categoryKey,
    priority: result.priority,
    riskFlags: result.riskFlags,
    authority: result.authority,
    moderationAction: result.moderation.action,
    // The platform's own tag wins; otherwise what the classifier detected ("und" when it could not tell).
    language: event.item.language ?? result.language,
    protocolVersionId: protocol.id,
    piiFlags,
  } satisfies Partial<NewItemRow>;
}

/**
 * Discourse replies name their parent `topic:<topic id>#<post number>`; a forum post whose URL ends in its
 * post number is known by that name too.
 */
function aliasOf(event: ItemChangeEvent): string | null {
  const { kind, threadExternalId, url } = event.item;
  if ((kind !== "forum_post" && kind !== "direct_message") || !threadExternalId || !url) return null;
  const postNumber = /\/(\d+)\/?$/.exec(url)?.[1];
  return postNumber ? `topic:${threadExternalId}#${postNumber}` : null;
}

/**
 * The names a delivery's items go by or answer to on their channel: each item's external id and alias, and the
 * parent a reply names (what `parley_link_waiting_replies` links by after the delivery commits).
 */
export function deliveryNames(events: readonly IngestItemEvent[]): string[] {
  const names = events.flatMap((event) =>
    event.op === "retitle"
      ? []
      : [event.item.externalId, aliasOf(event), event.item.parentExternalId].filter((name) => typeof name === "string"),
  );
  return [...new Set(names)];
}

/** What an edit, a removal or a restoration changes, as the audit trail records it. */
function snapshotOf(
  row: Pick<ItemRow, "title" | "body" | "categoryKey" | "priority" | "riskFlags" | "piiFlags" | "status" | "removedAt">,
) {
  return {
    title: row.title,
    body: row.body,
    piiFlags: row.piiFlags,
    categoryKey: row.categoryKey,
    priority: row.priority,
    riskFlags: row.riskFlags,
    status: row.status,
    removedAt: row.removedAt,
  };
}

/**
 * The columns a new item's row carries in `insertRoundStatement` (its agency, client, channel and arrival are the
 * statement's parameters; its customer comes from the authors' identities).
 */
const itemColumns = columnNames(items, [
  "id",
  "externalId",
  "aliasExternalId",
  "kind",
  "threadExternalId",
  "parentExternalId",
  "authorExternalId",
  "authorHandle",
  "authorDisplayName",
  "byBrand",
  "title",
  "body",
  "language",
  "url",
  "createdAt",
  "categoryKey",
  "priority",
  "riskFlags",
  "authority",
  "piiFlags",
  "moderationAction",
  "protocolVersionId",
  "status",
  "removedAt",
]);

/** The columns of the audit entries a delivery inserts from JSON (`jsonb_populate_recordset`). */
const auditColumns = columnNames(auditEvents, [
  "id",
  "agencyId",
  "clientId",
  "action",
  "subjectType",
  "subjectId",
  "before",
  "after",
  "protocolVersionId",
]);

/**
 * One round of new items in one statement: the authors' customers and identities (created for new authors;
 * a concurrent delivery that creates the same identity first wins, and no customer is left without one), the
 * items (`ON CONFLICT DO NOTHING`, so repeated or concurrent deliveries never create a second item; a reply whose
 * parent is stored is written linked to it, and one whose parent is not comes back naming it in `waiting_for`),
 * and for the items this statement actually created their flows (`startItemFlowsSql`: SLA clocks from the delivery's
 * clock terms, and triage wake-ups), `item.received`/`item.removed` audit entries (built here from the item rows,
 * with the id and `createdAtFrom` each row brings as `audit_id` and `created_at_from`), and the link of replies
 * that arrived before them. Parameters: $1 agency, $2 client, $3 channel, $4 platform, $5 authors, $6 items,
 * $7 clock terms, $8 triage wake-ups (jsonb), $9 the arrival.
 */
const insertRoundStatement = `with authors as (
  select * from jsonb_to_recordset($5::jsonb)
    as a(external_author_id text, handle text, display_name text, customer_id uuid, identity_id uuid)
), known as (
  -- One probe of the (client, platform, author) key per author: the LIMIT keeps the lateral subquery from being
  -- turned into a join that could scan every identity of the agency, whatever the statistics say when the plan is
  -- cached.
  select a.external_author_id, ci.customer_id from authors a
  cross join lateral (
    select ci.customer_id from customer_identities ci
    where ci.client_id = $2::uuid and ci.platform = $4::platform and ci.external_author_id = a.external_author_id
    limit 1
  ) as ci
), new_identities as (
  insert into customer_identities (id, agency_id, client_id, customer_id, channel_id, platform, external_author_id, handle)
  select a.identity_id, $1::uuid, $2::uuid, a.customer_id, $3::uuid, $4::platform, a.external_author_id, a.handle
  from authors a where not exists (select 1 from known k where k.external_author_id = a.external_author_id)
  order by a.external_author_id
  on conflict do nothing
  returning external_author_id, customer_id
), new_customers as (
  insert into customers (id, agency_id, client_id, display_name)
  select a.customer_id, $1::uuid, $2::uuid, coalesce(a.display_name, a.handle)
  from authors a where a.customer_id in (select customer_id from new_identities)
), customer_of as (
  select external_author_id, customer_id from known
  union all select external_author_id, customer_id from new_identities
), item_rows as (
  select * from jsonb_populate_recordset(null::items, $6::jsonb)
), stored_parents as (
  -- The stored items the round's replies name, by external id, else by alias: each reply is written linked to its
  -- parent rather than updated afterwards. At most two index probes per name, and none for a round without replies.
  select n.name, coalesce(
    (select p.id from items p where p.agency_id = $1::uuid and p.channel_id = $3::uuid and p.external_id = n.name),
    (select p.id from items p
      where p.agency_id = $1::uuid and p.channel_id = $3::uuid and p.alias_external_id = n.name
      order by p.external_id limit 1)
  ) as id
  from (select distinct parent_external_id as name from item_rows where parent_external_id is not null) as n
), inserted as (
  insert into items (agency_id, client_id, channel_id, received_at, updated_at, ${itemColumns.join(", ")},
    customer_id, parent_item_id)
  select $1::uuid, $2::uuid, $3::uuid, $9::timestamptz, $9::timestamptz,
    ${itemColumns.map((column) => `r.${column}`).join(", ")}, c.customer_id, p.id
  from item_rows r
  left join customer_of c on c.external_author_id = r.author_external_id
  left join stored_parents p on p.name = r.parent_external_id
  order by r.external_id
  on conflict (agency_id, channel_id, external_id) do nothing
  returning id, external_id, alias_external_id, customer_id, priority, by_brand, removed_at, parent_item_id,
    parent_external_id
), started as (
  -- The customers' items start their flows; a tombstone and the brand's own message start nothing.
  select id, $1::uuid as agency_id, $2::uuid as client_id, priority from inserted
  where not by_brand and removed_at is null
), ${startItemFlowsSql({ terms: 7, triage: 8, created: true })}, audit as (
  insert into audit_events (id, agency_id, client_id, action, subject_type, subject_id, after, protocol_version_id)
  select a.audit_id, $1::uuid, $2::uuid, case when r.removed_at is null then 'item.received' else 'item.removed' end,
    'item', r.id::text,
    jsonb_build_object('channelId', $3::text, 'externalId', r.external_id, 'categoryKey', r.category_key,
      'priority', r.priority, 'riskFlags', r.risk_flags, 'authority', r.authority,
      'moderationAction', r.moderation_action)
      || case when cardinality(r.pii_flags) > 0 then jsonb_build_object('piiFlags', r.pii_flags) else '{}' end
      || case when r.by_brand then jsonb_build_object('byBrand', true) else '{}' end
      || case when a.created_at_from is not null then jsonb_build_object('createdAtFrom', a.created_at_from) else '{}' end,
    r.protocol_version_id
  from inserted i
  join item_rows r on r.id = i.id
  join jsonb_to_recordset($6::jsonb) as a(id uuid, audit_id uuid, created_at_from text) on a.id = i.id
), linked as (
  -- Replies already here that name a new item (by its id or its alias): one equality per name, so the
  -- unlinked-replies index is probed by value.
  update items as child set parent_item_id = parent.id, updated_at = now()
  from (
    select id, external_id as name from inserted
    union all select id, alias_external_id from inserted where alias_external_id is not null
  ) as parent
  where child.agency_id = $1::uuid and child.channel_id = $3::uuid
    and child.parent_item_id is null and child.parent_external_id = parent.name
)
select id, external_id, customer_id, case when parent_item_id is null then parent_external_id end as waiting_for
from inserted`;

/** New replies whose parent this same round created find it. $1 agency, $2 item ids. */
const linkRepliesStatement = `update items as child set parent_item_id = parent.id, updated_at = now()
from items as parent
where child.id = any(array(select jsonb_array_elements_text($2::jsonb)::uuid)) and child.agency_id = $1::uuid
  and child.parent_item_id is null and child.parent_external_id is not null
  and parent.agency_id = child.agency_id and parent.channel_id = child.channel_id and parent.id <> child.id
  and (parent.external_id = child.parent_external_id or parent.alias_external_id = child.parent_external_id)`;

/**
 * An item whose author's identity a concurrent delivery created (after this statement's snapshot) gets that
 * customer. $1 agency, $2 item ids, $3 platform.
 */
const adoptCustomersStatement = `update items set customer_id = ci.customer_id
from customer_identities ci
where items.id = any(array(select jsonb_array_elements_text($2::jsonb)::uuid)) and items.agency_id = $1::uuid
  and items.customer_id is null and ci.agency_id = items.agency_id and ci.client_id = items.client_id
  and ci.platform = $3::platform and ci.external_author_id = items.author_external_id`;

const insertAuditStatement = `insert into audit_events (${auditColumns.join(", ")})
select ${auditColumns.join(", ")}
from jsonb_populate_recordset(null::audit_events, $1::jsonb)`;

function auditRow(entry: AuditRow, now: Date) {
  return {
    id: uuidv7(now.getTime()),
    agency_id: entry.agencyId,
    client_id: entry.clientId ?? null,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    protocol_version_id: entry.protocolVersionId ?? null,
  };
}

/**
 * New items by the brand's own account that carry the platform id a published reply was given: the platform's echo
 * of that reply. Its delivery records the echo (once). $1 agency, $2 channel, $3 new brand item ids, $4 now.
 */
const confirmEchoesStatement = `update outbound_deliveries as d set echo_item_id = echo.id, echoed_at = $4::timestamptz,
  updated_at = $4::timestamptz
from items as echo, replies as r
where echo.id = any(array(select jsonb_array_elements_text($3::jsonb)::uuid)) and echo.agency_id = $1::uuid
  and echo.by_brand and r.agency_id = $1::uuid and r.channel_id = $2::uuid and r.external_id = echo.external_id
  and d.agency_id = $1::uuid and d.reply_id = r.id and d.action = 'reply' and d.echo_item_id is null
returning d.id, d.item_id, d.reply_id, d.echo_item_id, r.protocol_version_id`;

/**
 * The flows of a restored item that never had any (its creation arrived after its removal), from the item as it is
 * now. $1 clock terms, $2 triage wake-ups, $3 item, $4 agency.
 */
const startRestoredFlowsStatement = `with started as (
  select id, agency_id, client_id, priority from items where id = $3::uuid and agency_id = $4::uuid
), ${startItemFlowsSql({ terms: 1, triage: 2, created: false })}
select count(*) from started`;

type Round = ReadonlyArray<{ index: number; event: ItemChangeEvent }>;

interface DeliveryState {
  context: IngestContext;
  now: Date;
  result: IngestResult;
  /** Audit entries of edits and removals of items that were already there. */
  audit: AuditRow[];
  changed: boolean;
}

/** Where a new item starts: removed (a tombstone), the brand's own (nothing to do), or in the queue. */
function initialStatusOf(event: ItemChangeEvent): ItemRow["status"] {
  if (event.op === "remove") return "deleted";
  return event.item.byBrand ? "resolved" : "queued";
}

/** The rows that start new (or restored) items' flows: SLA clocks and triage, for the customers' items only. */
function planFlowsOf(
  channel: IngestChannel,
  context: IngestContext,
  items: ReadonlyArray<{ event: ItemChangeEvent; id: string; c: ReturnType<typeof classificationOf> }>,
  now: Date,
) {
  return planItemFlows({
    agencyId: channel.agencyId,
    clientId: channel.clientId,
    terms: clockTermsAt({
      contracts: context.contracts,
      policy: context.slaPolicy,
      timeZone: context.timeZone,
      at: now,
    }),
    calendarVersion: calendarVersionAt(context.calendars, now),
    playbooks: context.playbooks,
    // A tombstone and the brand's own message start nothing.
    items: items
      .filter(({ event }) => event.op !== "remove" && !event.item.byBrand)
      .map(
        ({ event, id, c }): NewItemForFlows => ({
          id,
          priority: c.priority as NewItemForFlows["priority"],
          authority: c.authority as NewItemForFlows["authority"],
          categoryKey: c.categoryKey,
          riskFlags: c.riskFlags,
          body: classifiedText(event.item),
        }),
      ),
    now,
  });
}

/**
 * Applies one round of events, each for a different external id: the new items in one statement (see
 * `insertRoundStatement`), then edits, removals and restorations of the items that were already there. `verify`
 * runs once the statement is on its way (the caller's check that its cached context is still current).
 */
async function applyRound(
  channel: IngestChannel,
  tx: Executor,
  round: Round,
  state: DeliveryState,
  verify: () => Promise<void>,
): Promise<void> {
  const { context, now } = state;
  const protocol = context.protocol;
  // One lock order for every delivery (sorted external ids), so concurrent batches never deadlock on rows.
  const sorted = [...round].sort((x, y) => (x.event.item.externalId < y.event.item.externalId ? -1 : 1));
  // The brand's own account is not a customer.
  const authors = new Map<string, ItemChangeEvent["item"]["author"]>();
  for (const { event } of sorted)
    if (!event.item.byBrand && !authors.has(event.item.author.externalId))
      authors.set(event.item.author.externalId, event.item.author);
  const authorRows = [...authors.values()]
    .sort((x, y) => (x.externalId < y.externalId ? -1 : 1))
    .map((author) => ({
      external_author_id: author.externalId,
      handle: author.handle,
      display_name: author.displayName ?? null,
      customer_id: uuidv7(),
      identity_id: uuidv7(),
    }));
  const planned = sorted.map(({ event }) => ({
    event,
    id: uuidv7(now.getTime()),
    c: classificationOf(protocol, event),
  }));
  // Only what varies from item to item, and no null (a missing key reads as null): the smaller the parameter,
  // the less there is to build, send and parse.
  const rows = planned.map(({ event, id, c }) => {
    const { item } = event;
    return {
      id,
      external_id: item.externalId,
      alias_external_id: aliasOf(event) ?? undefined,
      kind: item.kind,
      thread_external_id: item.threadExternalId,
      parent_external_id: item.parentExternalId,
      author_external_id: item.author.externalId,
      author_handle: item.author.handle,
      author_display_name: item.author.displayName,
      by_brand: item.byBrand ?? false,
      title: item.title,
      body: item.body,
      language: c.language ?? undefined,
      url: item.url,
      created_at: item.createdAt,
      category_key: c.categoryKey ?? undefined,
      priority: c.priority,
      risk_flags: c.riskFlags,
      authority: c.authority,
      pii_flags: c.piiFlags,
      moderation_action: c.moderationAction ?? undefined,
      protocol_version_id: c.protocolVersionId ?? undefined,
      // A removal that overtakes its item leaves a tombstone, so the late creation cannot resurrect it.
      status: initialStatusOf(event),
      removed_at: event.op === "remove" ? now : undefined,
      // Its `item.received` (or `item.removed`) audit entry's id, and where `createdAt` was read from.
      audit_id: uuidv7(now.getTime()),
      created_at_from: event.createdAtFrom,
    };
  });
  const flows = planFlowsOf(channel, context, planned, now);
  const inserting = runPrepared<{
    id: string;
    external_id: string;
    customer_id: string | null;
    waiting_for: string | null;
  }>(tx, insertRoundStatement, [
    channel.agencyId,
    channel.clientId,
    channel.id,
    channel.platform,
    JSON.stringify(authorRows),
    JSON.stringify(rows),
    JSON.stringify(flows.clockTerms),
    JSON.stringify(flows.triageWakeups),
    now.toISOString(),
  ]);
  // Settle every statement sent before acting on any result (the context check first), so none goes unobserved.
  const settled = await Promise.allSettled([verify(), inserting]);
  for (const outcome of settled) if (outcome.status === "rejected") throw outcome.reason;
  const inserted = await inserting;
  // A parent created by this same statement was not there for it to see. (One that is nowhere yet links the reply
  // when it arrives; one committed meanwhile by another delivery, after this one commits: `linkWaitingReplies`.)
  const roundNames = new Set(rows.flatMap((row) => [row.external_id, row.alias_external_id]));
  const waiting = inserted.filter((row) => row.waiting_for !== null && roundNames.has(row.waiting_for));
  if (waiting.length > 0) {
    await runPrepared(tx, linkRepliesStatement, [channel.agencyId, JSON.stringify(waiting.map((row) => row.id))]);
  }
  const insertedIds = new Map(inserted.map((row) => [row.external_id, row.id]));
  if (inserted.length > 0) state.changed = true;
  const brandIds = new Set(planned.filter(({ event }) => event.item.byBrand).map(({ id }) => id));
  const orphans = inserted.filter((row) => row.customer_id === null && !brandIds.has(row.id)).map((row) => row.id);
  if (orphans.length > 0) {
    await runPrepared(tx, adoptCustomersStatement, [channel.agencyId, JSON.stringify(orphans), channel.platform]);
  }
  const newBrandItems = inserted.filter((row) => brandIds.has(row.id)).map((row) => row.id);
  if (newBrandItems.length > 0) await confirmEchoes(channel, tx, newBrandItems, state);
  await applyChanges(channel, tx, round, insertedIds, state);
}

/** The deliveries of Parley's replies that the brand's new items echo: each records its echo (audited). */
async function confirmEchoes(
  channel: IngestChannel,
  tx: Executor,
  brandItemIds: readonly string[],
  state: DeliveryState,
): Promise<void> {
  const { now } = state;
  const confirmed = await runPrepared<{
    id: string;
    item_id: string;
    reply_id: string;
    echo_item_id: string;
    protocol_version_id: string | null;
  }>(tx, confirmEchoesStatement, [channel.agencyId, channel.id, JSON.stringify(brandItemIds), now.toISOString()]);
  state.result.deliveriesConfirmed += confirmed.length;
  for (const row of confirmed) {
    state.audit.push({
      agencyId: channel.agencyId,
      clientId: channel.clientId,
      action: "delivery.echoed",
      subjectType: "delivery",
      subjectId: row.id,
      after: { itemId: row.item_id, replyId: row.reply_id, echoItemId: row.echo_item_id, echoedAt: now },
      protocolVersionId: row.protocol_version_id,
    });
  }
}

/** Whether an upsert or a restoration brings an item the platform had removed back. */
function bringsBack(event: ItemChangeEvent, before: ItemRow): boolean {
  if (!before.removedAt) return false;
  // A removal that overtook the item's creation left a tombstone without text: only an explicit restoration
  // brings that back; its late creation does not. An item that was seen alive and then removed is back when the
  // platform reports it again (Meta sends `add` again for a restored comment).
  return event.op === "restore" || before.body !== "";
}

/** Edits, removals and restorations of the round's items that were already there (not created by its insert). */
async function applyChanges(
  channel: IngestChannel,
  tx: Executor,
  round: Round,
  insertedIds: ReadonlyMap<string, string>,
  state: DeliveryState,
): Promise<void> {
  const { result, audit } = state;
  for (const { index, event } of round) {
    const id = insertedIds.get(event.item.externalId);
    if (!id) continue;
    result.items[index] = { externalId: event.item.externalId, id, created: true };
    result.created += 1;
    if (event.op === "remove") result.removed += 1;
    else if (event.item.byBrand) result.byBrand += 1;
  }
  if (insertedIds.size === round.length) return;
  const sorted = [...round].sort((x, y) => (x.event.item.externalId < y.event.item.externalId ? -1 : 1));
  const existingIds = sorted.map((r) => r.event.item.externalId).filter((externalId) => !insertedIds.has(externalId));
  const existing = new Map<string, ItemRow>();
  if (existingIds.length > 0) {
    // Locked (in external id order) so two deliveries of the same edit record it once.
    const found = await tx
      .select()
      .from(items)
      .where(
        and(
          eq(items.agencyId, channel.agencyId),
          eq(items.channelId, channel.id),
          sql`${items.externalId} = any(${textArray(existingIds)})`,
        ),
      )
      .orderBy(asc(items.externalId))
      .for("update");
    for (const row of found) existing.set(row.externalId, row);
  }

  for (const { index, event } of round) {
    const { externalId } = event.item;
    if (insertedIds.has(externalId)) continue;
    const before = existing.get(externalId);
    if (!before) throw new Error(`item ${externalId} neither inserted nor found`);
    result.items[index] = { externalId, id: before.id, created: false };
    if (event.op === "remove") {
      await removeItem(channel, tx, before, state);
    } else if (bringsBack(event, before)) {
      await restoreItem(channel, tx, { before, event }, state);
    } else {
      await editItem(channel, tx, { before, event }, state);
    }
  }
  if (audit.length > 0) state.changed = true;
}

async function removeItem(channel: IngestChannel, tx: Executor, before: ItemRow, state: DeliveryState) {
  const { now, result, audit } = state;
  if (before.removedAt) {
    result.duplicates += 1;
    return;
  }
  // Only an item nobody has acted on leaves the queue (and goes back to it if the platform restores it); an
  // answered or escalated one keeps its status.
  const leavesQueue = before.status === "queued" || before.status === "claimed";
  const [after] = await tx
    .update(items)
    .set({
      removedAt: now,
      updatedAt: now,
      ...(leavesQueue
        ? { status: "deleted" as const, statusBeforeRemoval: "queued" as const, claimedBy: null, claimExpiresAt: null }
        : {}),
    })
    .where(and(eq(items.id, before.id), eq(items.agencyId, channel.agencyId)))
    .returning();
  result.removed += 1;
  state.changed = true;
  audit.push({
    agencyId: channel.agencyId,
    clientId: channel.clientId,
    action: "item.removed",
    subjectType: "item",
    subjectId: before.id,
    before: snapshotOf(before),
    after: after ? snapshotOf(after) : null,
    protocolVersionId: before.protocolVersionId,
  });
}

/** The text and title an event brings (an empty body keeps the stored text), and whether either changed. */
function textOf(event: ItemChangeEvent, before: ItemRow) {
  const body = event.item.body === "" ? before.body : event.item.body;
  const title = event.item.title ?? before.title ?? undefined;
  return { content: { body, title }, changed: body !== before.body || (title ?? null) !== before.title };
}

async function editItem(
  channel: IngestChannel,
  tx: Executor,
  { before, event }: { before: ItemRow; event: ItemChangeEvent },
  state: DeliveryState,
) {
  const { now, result, audit } = state;
  const text = textOf(event, before);
  if (!text.changed) {
    result.duplicates += 1;
    return;
  }
  // An event without a body keeps the stored (already masked) text, and with it what was masked out of it.
  const piiFlags =
    event.item.body === ""
      ? ([...new Set([...before.piiFlags, ...(event.item.piiFlags ?? [])])].sort() as PiiFlag[])
      : undefined;
  const classification = classificationOf(state.context.protocol, {
    ...event,
    item: { ...event.item, ...text.content, byBrand: before.byBrand, ...(piiFlags ? { piiFlags } : {}) },
  });
  const [after] = await tx
    .update(items)
    .set({
      body: text.content.body,
      title: text.content.title ?? null,
      url: event.item.url ?? before.url,
      authorHandle: event.item.author.handle,
      authorDisplayName: event.item.author.displayName ?? before.authorDisplayName,
      ...classification,
      updatedAt: now,
    } as Partial<NewItemRow>)
    .where(and(eq(items.id, before.id), eq(items.agencyId, channel.agencyId)))
    .returning();
  result.edited += 1;
  audit.push({
    agencyId: channel.agencyId,
    clientId: channel.clientId,
    // A tombstone getting its text (the creation arrived after the removal) is not an edit by the author.
    action: before.body === "" && before.removedAt ? "item.text_received" : "item.edited",
    subjectType: "item",
    subjectId: before.id,
    before: snapshotOf(before),
    after: after ? snapshotOf(after) : null,
    protocolVersionId: classification.protocolVersionId,
  });
}

/**
 * The platform brought a removed item back: `removed_at` is cleared and the item goes back where it was (the queue,
 * when the removal had taken it out; otherwise it keeps its status), with any new text. A tombstone (removed before
 * Parley saw it) starts its flows now, as a new item would.
 */
async function restoreItem(
  channel: IngestChannel,
  tx: Executor,
  { before, event }: { before: ItemRow; event: ItemChangeEvent },
  state: DeliveryState,
) {
  const { now, result, audit, context } = state;
  const tombstone = before.body === "";
  const text = textOf(event, before);
  const byBrand = before.byBrand || (tombstone && event.item.byBrand === true);
  const restored = { ...event, item: { ...event.item, ...text.content, byBrand } };
  const classification = text.changed ? classificationOf(context.protocol, restored) : null;
  const status = before.statusBeforeRemoval ?? (tombstone ? (byBrand ? "resolved" : "queued") : before.status);
  const [after] = await tx
    .update(items)
    .set({
      ...(text.changed ? { body: text.content.body, title: text.content.title ?? null, ...classification } : {}),
      ...(tombstone ? { byBrand, url: event.item.url ?? before.url } : {}),
      removedAt: null,
      statusBeforeRemoval: null,
      status,
      updatedAt: now,
    } as Partial<NewItemRow>)
    .where(and(eq(items.id, before.id), eq(items.agencyId, channel.agencyId)))
    .returning();
  result.restored += 1;
  audit.push({
    agencyId: channel.agencyId,
    clientId: channel.clientId,
    action: "item.restored",
    subjectType: "item",
    subjectId: before.id,
    before: snapshotOf(before),
    after: after ? snapshotOf(after) : null,
    protocolVersionId: classification?.protocolVersionId ?? before.protocolVersionId,
  });
  if (tombstone && after && !byBrand) {
    const flows = planFlowsOf(
      channel,
      context,
      [{ event: restored, id: after.id, c: classification ?? classificationOf(context.protocol, restored) }],
      now,
    );
    await runPrepared(tx, startRestoredFlowsStatement, [
      JSON.stringify(flows.clockTerms),
      JSON.stringify(flows.triageWakeups),
      after.id,
      channel.agencyId,
    ]);
  }
}

/** Retitles: the item known by the target name gets the new title (an edit, audited); unknown targets change nothing. */
async function applyRetitles(
  channel: IngestChannel,
  tx: Executor,
  retitles: ReadonlyArray<{ index: number; event: ItemRetitleEvent }>,
  state: DeliveryState,
): Promise<void> {
  for (const { index, event } of retitles) {
    const [before] = await tx
      .select()
      .from(items)
      .where(
        and(
          eq(items.agencyId, channel.agencyId),
          eq(items.channelId, channel.id),
          or(eq(items.externalId, event.target), eq(items.aliasExternalId, event.target)),
        ),
      )
      .orderBy(asc(items.externalId))
      .limit(1)
      .for("update");
    if (!before) {
      // Not here yet: the item's own creation carries its title.
      state.result.duplicates += 1;
      continue;
    }
    state.result.items[index] = { externalId: before.externalId, id: before.id, created: false };
    await editItem(
      channel,
      tx,
      {
        before,
        event: {
          op: "upsert",
          item: {
            externalId: before.externalId,
            kind: before.kind,
            author: {
              externalId: before.authorExternalId,
              handle: before.authorHandle,
              displayName: before.authorDisplayName ?? undefined,
            },
            byBrand: before.byBrand,
            title: event.title,
            body: "",
            createdAt: before.createdAt,
          },
        },
      },
      state,
    );
  }
}

/**
 * Stores a delivery on an open transaction. `verify` is awaited once the first round's statements are sent
 * (they are pipelined with it); it throws to abandon the delivery when the caller's cached context is stale.
 */
export async function applyDelivery(
  channel: IngestChannel,
  tx: Executor,
  events: readonly IngestItemEvent[],
  { context, now, verify }: { context: IngestContext; now: Date; verify: () => Promise<void> },
): Promise<IngestResult> {
  const result: IngestResult = {
    received: events.length,
    created: 0,
    duplicates: 0,
    edited: 0,
    removed: 0,
    restored: 0,
    byBrand: 0,
    deliveriesConfirmed: 0,
    items: [],
  };
  if (events.length === 0) {
    await verify();
    return result;
  }
  const also = context.protocol?.document.maskPersonalData ?? [];
  const masked = events.map((event) => maskEvent(event, also));
  // Round n holds the n-th event of each external id, so every multi-row statement touches an item once.
  const rounds: Array<Array<{ index: number; event: ItemChangeEvent }>> = [];
  const retitles: Array<{ index: number; event: ItemRetitleEvent }> = [];
  const seen = new Map<string, number>();
  masked.forEach((event, index) => {
    if (event.op === "retitle") {
      retitles.push({ index, event });
      return;
    }
    const n = seen.get(event.item.externalId) ?? 0;
    seen.set(event.item.externalId, n + 1);
    rounds[n] ??= [];
    rounds[n].push({ index, event });
  });
  const state: DeliveryState = { context, now, result, audit: [], changed: false };
  const done = async () => {};
  for (const [n, round] of rounds.entries()) await applyRound(channel, tx, round, state, n === 0 ? verify : done);
  if (rounds.length === 0) await verify();
  await applyRetitles(channel, tx, retitles, state);
  if (state.audit.length > 0) {
    state.changed = true;
    await runPrepared(tx, insertAuditStatement, [JSON.stringify(state.audit.map((entry) => auditRow(entry, now)))]);
  }
  if (state.changed) {
    await publishLiveEvent(tx, { type: "queue.changed", agencyId: channel.agencyId, clientId: channel.clientId });
  }
  return result;
}

/**
 * Stores a delivery of item events for one channel, in the caller's transaction (tenant set to the channel's
 * agency and client). New items are classified with the client's active protocol and queued, with their SLA
 * clocks and flows started; the brand's own messages are stored on their thread without any of that (and confirm
 * the delivery of the reply they echo); a repeated event changes nothing; an edit updates the text and
 * classification and keeps the earlier text in `audit_events` (`item.edited`); a removal sets `removed_at` (and
 * takes an untouched item out of the queue); a restoration puts it back (`item.restored`); replies and parents link
 * up whichever arrives first. Events for the same item apply in delivery order. (`ingestChannelItems` runs the same
 * with its own transaction and cached context.)
 */
export async function ingestItems(
  channel: IngestChannel,
  tx: Executor,
  input: { events: readonly IngestItemEvent[] },
  deps: IngestDeps = {},
): Promise<IngestResult> {
  const now = (deps.now ?? systemClock)();
  const context = await loadIngestContext(tx, channel);
  return applyDelivery(channel, tx, input.events, { context, now, verify: async () => {} });
}
