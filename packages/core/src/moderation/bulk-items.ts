import { AppError, type ItemBulkInput, maxItemTags } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { type SQL, sql } from "drizzle-orm";
import { queueDeliveries } from "../deliveries/queue-deliveries";
import { systemClock } from "../kernel/clock";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { assertHoldingStatement, writeHoldingStatement } from "./holding-statement";
import { actionRules, assertMayModerateInPublic, type ItemRow, type ModerationDeps } from "./item-actions";
import { createReplyReads, sendReply } from "./replies";

const { items, channels } = schema;
type ItemStatus = ItemRow["status"];

export interface BulkItemsView {
  /** Items the action changed (hid, dismissed, tagged, or replied to). */
  updated: number;
  /** Items a reply was refused for by the protocol's checks, with the checks' message (nothing stored for them). */
  blocked: { itemId: string; message: string }[];
}

/**
 * A wave of items at once — the checked rows, or a cluster of one incident: hide (spam), no action, tag, or reply
 * with a holding statement written per customer. Every id must name an item in scope (else NOT_FOUND and nothing
 * changes). Hide, no action and reply touch only items still waiting: queued ones, and claimed ones whose claim is
 * the caller's or has lapsed; the rest (another moderator's, already answered) are left as they are and not counted,
 * so two moderators acting on one cluster never answer a customer twice (the rows are locked, and the second sees
 * them answered). Each reply goes through `sendReply`: the protocol's checks, approval where the category needs it,
 * outbound delivery, one audit entry per item.
 */
export async function bulkModerateItems(
  scope: Scope,
  tx: Executor,
  input: ItemBulkInput,
  deps: ModerationDeps = {},
): Promise<BulkItemsView> {
  const now = (deps.now ?? systemClock)();
  const at = sql`${now.toISOString()}::timestamptz`;
  const ids = sql`array(select jsonb_array_elements_text(${JSON.stringify(input.itemIds)}::jsonb)::uuid)`;
  const clientFilter = scope.clientIds
    ? sql`and client_id = any(array(select jsonb_array_elements_text(${JSON.stringify(scope.clientIds)}::jsonb)::uuid))`
    : sql``;
  if (input.action === "reply") assertHoldingStatement(input.statement ?? "");
  const requested = [...new Set(input.itemIds)];
  const [visible] = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from ${items} where agency_id = ${scope.agencyId} and id = any(${ids}) ${clientFilter}`);
  if ((visible?.n ?? 0) < requested.length) {
    throw new AppError("NOT_FOUND", "Some of the items were not found", {
      reason: "item_not_found",
      fields: { itemIds: `${requested.length - (visible?.n ?? 0)} of the items are not items you can see` },
    });
  }
  if (input.action === "hide" || input.action === "reply") {
    const clientIds = await tx.execute<{ client_id: string }>(sql`
      select distinct client_id from ${items} where agency_id = ${scope.agencyId} and id = any(${ids}) ${clientFilter}`);
    for (const { client_id: clientId } of clientIds) await assertMayModerateInPublic(scope, tx, clientId);
  }
  const waiting = sql`(status = 'queued' or (status = 'claimed' and (claimed_by = ${scope.actorId} or claim_expires_at <= ${at})))`;
  const inScope = (extra: SQL) => sql`agency_id = ${scope.agencyId} and id = any(${ids}) ${clientFilter} and ${extra}`;
  switch (input.action) {
    case "tag":
      return tagItems(scope, tx, { inScope: inScope(sql`status <> 'deleted'`), tags: input.tags ?? [], at });
    case "reply":
      return replyToItems(scope, tx, { inScope: inScope(waiting), statement: input.statement ?? "", deps });
    default:
      break;
  }
  const status = input.action === "hide" ? "hidden" : "no_action";
  const updated = await tx.execute<{
    id: string;
    agency_id: string;
    client_id: string;
    channel_id: string;
    protocol_version_id: string | null;
    before_status: ItemStatus;
    before_claimed_by: string | null;
  }>(sql`
    with target as (
      select id, status as before_status, claimed_by as before_claimed_by from ${items}
      where ${inScope(waiting)}
      order by id
      for update)
    update ${items} set status = ${status}::item_status, claimed_by = null, claim_expires_at = null, updated_at = ${at}
    from target where ${items}.id = target.id
    returning ${items}.id, ${items}.agency_id, ${items}.client_id, ${items}.channel_id, ${items}.protocol_version_id,
      target.before_status, target.before_claimed_by`);
  if (input.action === "hide") {
    await queueDeliveries(
      tx,
      updated.map((row) => ({
        agencyId: row.agency_id,
        clientId: row.client_id,
        channelId: row.channel_id,
        itemId: row.id,
        action: "hide" as const,
      })),
    );
  }
  const { auditAction } = actionRules[input.action];
  for (const row of updated) {
    await recordAudit(tx, scope, {
      action: auditAction,
      subjectType: "item",
      subjectId: row.id,
      clientId: row.client_id,
      before: { status: row.before_status, claimedBy: row.before_claimed_by },
      after: { status, delivery: input.action === "hide" ? "hide" : null, bulk: true },
      protocolVersionId: row.protocol_version_id,
    });
    await announceChanged(tx, row);
  }
  await announceQueues(tx, scope, updated);
  return { updated: updated.length, blocked: [] };
}

async function announceChanged(tx: Executor, row: { id: string; agency_id: string; client_id: string }) {
  await publishLiveEvent(tx, {
    type: "item.changed",
    agencyId: row.agency_id,
    clientId: row.client_id,
    subjectId: row.id,
  });
}

async function announceQueues(tx: Executor, scope: Scope, rows: readonly { client_id: string }[]) {
  for (const clientId of new Set(rows.map((row) => row.client_id))) {
    await publishLiveEvent(tx, { type: "queue.changed", agencyId: scope.agencyId, clientId });
  }
}

/** Adds the tags to every item (keeping its own, at most `maxItemTags` in all); one audit entry per item changed. */
async function tagItems(
  scope: Scope,
  tx: Executor,
  input: { inScope: SQL; tags: readonly string[]; at: SQL },
): Promise<BulkItemsView> {
  const updated = await tx.execute<{
    id: string;
    agency_id: string;
    client_id: string;
    protocol_version_id: string | null;
    tags: string[];
    before_tags: string[];
  }>(sql`
    with target as (
      select id, tags as before_tags from ${items} where ${input.inScope} order by id for update),
    tagged as (
      select target.id, target.before_tags, array(
        select tag from (
          select tag, min(position) as position from unnest(target.before_tags || array(select jsonb_array_elements_text(${JSON.stringify(input.tags)}::jsonb)))
            with ordinality as t(tag, position) group by tag) distinct_tags
        order by position limit ${maxItemTags}) as tags
      from target)
    update ${items} set tags = tagged.tags, updated_at = ${input.at}
    from tagged where ${items}.id = tagged.id and ${items}.tags is distinct from tagged.tags
    returning ${items}.id, ${items}.agency_id, ${items}.client_id, ${items}.protocol_version_id, ${items}.tags,
      tagged.before_tags`);
  for (const row of updated) {
    await recordAudit(tx, scope, {
      action: "item.tagged",
      subjectType: "item",
      subjectId: row.id,
      clientId: row.client_id,
      before: { tags: row.before_tags },
      after: { tags: row.tags, bulk: true },
      protocolVersionId: row.protocol_version_id,
    });
    await announceChanged(tx, row);
  }
  await announceQueues(tx, scope, updated);
  return { updated: updated.length, blocked: [] };
}

/**
 * The holding statement to every waiting item, written for its customer, each through `sendReply` (sharing its
 * reads: the client's recent replies are read once, and each reply is checked against those stored before it). The
 * rows are locked first (in id order, as every bulk action locks them), so a second moderator replying to the same
 * cluster waits, then finds them answered and skips them.
 */
async function replyToItems(
  scope: Scope,
  tx: Executor,
  input: { inScope: SQL; statement: string; deps: ModerationDeps },
): Promise<BulkItemsView> {
  const targets = await tx.execute<{
    id: string;
    author_handle: string;
    author_display_name: string | null;
    body: string;
    platform: string;
  }>(sql`
    with target as (select id from ${items} where ${input.inScope} order by id for update)
    select i.id, i.author_handle, i.author_display_name, i.body, c.platform
    from target join ${items} i on i.id = target.id join ${channels} c on c.id = i.channel_id
    order by i.received_at, i.id`);
  const view: BulkItemsView = { updated: 0, blocked: [] };
  // One read of the client's recent replies (and the rest) for the whole run, each reply added as it is stored.
  const reads = createReplyReads(scope, tx);
  for (const target of targets) {
    const text = writeHoldingStatement(input.statement, {
      authorHandle: target.author_handle,
      authorDisplayName: target.author_display_name,
      platform: target.platform,
      body: target.body,
    });
    try {
      await sendReply(scope, tx, { itemId: target.id, text }, input.deps, reads);
      view.updated += 1;
    } catch (err) {
      // The checks refused this customer's reply (nothing was stored for it): the others still go.
      if (!(err instanceof AppError) || err.code !== "BAD_INPUT") throw err;
      view.blocked.push({ itemId: target.id, message: err.message });
    }
  }
  return view;
}
