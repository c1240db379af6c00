import {
  AppError,
  type ItemNoteInput,
  type ItemTagInput,
  memberTriageModerationMessage,
  type OutboundAction,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, inArray } from "drizzle-orm";
import { findDeliveryStates } from "../deliveries/delivery-states";
import { queueDeliveries } from "../deliveries/queue-deliveries";
import { type Clock, systemClock } from "../kernel/clock";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { type ItemView, toItemView } from "./read-items";

const { items, itemNotes, auditEvents, users, clientAssignments } = schema;
export type ItemRow = typeof items.$inferSelect;
type ItemStatus = ItemRow["status"];

export interface ModerationDeps {
  now?: Clock;
}

export interface NoteView {
  id: string;
  body: string;
  author: { id: string; name: string };
  createdAt: Date;
}

const itemNotFound = () => new AppError("NOT_FOUND", "Item not found", { reason: "item_not_found" });

/** The item, locked for the rest of the transaction when `lock` is set; NOT_FOUND outside this scope. */
export async function getItemInScope(
  scope: Scope,
  tx: Executor,
  input: { itemId: string; lock?: boolean },
): Promise<ItemRow> {
  const query = tx
    .select()
    .from(items)
    .where(
      and(
        eq(items.id, input.itemId),
        eq(items.agencyId, scope.agencyId),
        scope.clientIds ? inArray(items.clientId, [...scope.clientIds]) : undefined,
      ),
    );
  const [row] = input.lock ? await query.for("update") : await query;
  if (!row) throw itemNotFound();
  return row;
}

/** Another moderator's live claim keeps the item theirs: two people answering one customer is the worst outcome. */
export function assertNotClaimedByAnother(scope: Scope, item: ItemRow, now: Date): void {
  const claimLive = item.status === "claimed" && item.claimExpiresAt !== null && item.claimExpiresAt > now;
  if (claimLive && item.claimedBy !== scope.actorId) {
    throw new AppError("INVALID_STATE", "Another moderator is working on this item", {
      reason: "claimed_by_another",
      claimedBy: item.claimedBy,
      claimExpiresAt: item.claimExpiresAt?.toISOString(),
    });
  }
}

/** Tells consoles that an item (and the queue it sits in) changed. */
export async function announceItemChange(tx: Executor, item: Pick<ItemRow, "id" | "agencyId" | "clientId">) {
  await publishLiveEvent(tx, {
    type: "item.changed",
    agencyId: item.agencyId,
    clientId: item.clientId,
    subjectId: item.id,
  });
  await publishLiveEvent(tx, { type: "queue.changed", agencyId: item.agencyId, clientId: item.clientId });
}

/**
 * A moderator's authority on the client (their assignment); agency leads respond. A moderator assigned with
 * `triage` acknowledges and escalates; they do not answer.
 */
export async function memberAuthorityOn(scope: Scope, tx: Executor, clientId: string): Promise<"respond" | "triage"> {
  if (scope.role !== "moderator") return "respond";
  const [assignment] = await tx
    .select({ authority: clientAssignments.authority })
    .from(clientAssignments)
    .where(
      and(
        eq(clientAssignments.agencyId, scope.agencyId),
        eq(clientAssignments.membershipId, scope.membershipId),
        eq(clientAssignments.clientId, clientId),
      ),
    );
  return assignment?.authority === "respond" ? "respond" : "triage";
}

/**
 * Hiding, unhiding and deleting change what the public sees on the brand's page: a moderator whose authority on
 * the client is `triage` acknowledges and escalates, and leaves those to a lead or a `respond` moderator. Marking
 * "no action", tagging and notes stay open to them: they change nothing in public.
 */
export async function assertMayModerateInPublic(scope: Scope, tx: Executor, clientId: string): Promise<void> {
  if ((await memberAuthorityOn(scope, tx, clientId)) === "triage") {
    throw new AppError("FORBIDDEN", memberTriageModerationMessage, { reason: "triage_authority" });
  }
}

type ModerationAction = "hide" | "unhide" | "delete" | "no_action";

interface ActionRule {
  auditAction: string;
  /** The statuses the action applies to, and the reason given when the item is in another. */
  allowedFrom: readonly ItemStatus[];
  refusal: string;
  /** What the platform must do, if anything. */
  delivery: OutboundAction | null;
}

const handledOrOpen: readonly ItemStatus[] = ["queued", "claimed", "responded", "no_action", "escalated", "resolved"];

export const actionRules: Record<ModerationAction, ActionRule> = {
  hide: { auditAction: "item.hidden", allowedFrom: handledOrOpen, refusal: "not_hideable", delivery: "hide" },
  unhide: { auditAction: "item.unhidden", allowedFrom: ["hidden"], refusal: "not_hidden", delivery: "unhide" },
  delete: {
    auditAction: "item.deleted",
    allowedFrom: [...handledOrOpen, "hidden"],
    refusal: "already_deleted",
    delivery: "delete",
  },
  no_action: {
    auditAction: "item.no_action",
    allowedFrom: ["queued", "claimed"],
    refusal: "already_handled",
    delivery: null,
  },
};

/** Unhiding gives the item back the status it had before it was hidden (a claim that was live then is over). */
async function statusBeforeHidden(scope: Scope, tx: Executor, item: ItemRow): Promise<ItemStatus> {
  const [hidden] = await tx
    .select({ before: auditEvents.before })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.agencyId, scope.agencyId),
        eq(auditEvents.subjectType, "item"),
        eq(auditEvents.subjectId, item.id),
        eq(auditEvents.action, actionRules.hide.auditAction),
      ),
    )
    .orderBy(desc(auditEvents.createdAt))
    .limit(1);
  const previous = (hidden?.before as { status?: ItemStatus } | null)?.status;
  return previous && previous !== "claimed" && previous !== "hidden" ? previous : "queued";
}

async function nextStatusOf(scope: Scope, tx: Executor, item: ItemRow, action: ModerationAction): Promise<ItemStatus> {
  switch (action) {
    case "hide":
      return "hidden";
    case "unhide":
      return statusBeforeHidden(scope, tx, item);
    case "delete":
      return "deleted";
    case "no_action":
      return "no_action";
  }
}

/**
 * Takes a moderation action on one item: changes its status, ends any claim, queues what the platform must
 * do (after commit, through the outbox), audits it under the item's protocol version and tells consoles.
 * Triage-only categories may be hidden and deleted like any other (that is moderation, not speaking); a member
 * whose own authority on the client is `triage` may not (`assertMayModerateInPublic`).
 */
async function moderateItem(
  scope: Scope,
  tx: Executor,
  input: { itemId: string; action: ModerationAction },
  deps: ModerationDeps,
): Promise<ItemView> {
  const now = (deps.now ?? systemClock)();
  const rule = actionRules[input.action];
  const before = await getItemInScope(scope, tx, { itemId: input.itemId, lock: true });
  if (rule.delivery) await assertMayModerateInPublic(scope, tx, before.clientId);
  assertNotClaimedByAnother(scope, before, now);
  if (!rule.allowedFrom.includes(before.status)) {
    throw new AppError("INVALID_STATE", `The item is ${before.status.replace("_", " ")}`, {
      reason: rule.refusal,
      status: before.status,
    });
  }
  const status = await nextStatusOf(scope, tx, before, input.action);
  const [after] = await tx
    .update(items)
    .set({ status, claimedBy: null, claimExpiresAt: null, updatedAt: now })
    .where(and(eq(items.id, before.id), eq(items.agencyId, scope.agencyId)))
    .returning();
  if (!after) throw itemNotFound();
  if (rule.delivery) {
    await queueDeliveries(tx, [
      {
        agencyId: after.agencyId,
        clientId: after.clientId,
        channelId: after.channelId,
        itemId: after.id,
        action: rule.delivery,
      },
    ]);
  }
  await recordAudit(tx, scope, {
    action: rule.auditAction,
    subjectType: "item",
    subjectId: after.id,
    clientId: after.clientId,
    before: { status: before.status, claimedBy: before.claimedBy },
    after: { status: after.status, delivery: rule.delivery },
    protocolVersionId: after.protocolVersionId,
  });
  await announceItemChange(tx, after);
  const states = await findDeliveryStates(tx, { agencyId: scope.agencyId, itemIds: [after.id] });
  return toItemView(after, states.ofItem(after.id));
}

export const hideItem = (scope: Scope, tx: Executor, input: { itemId: string }, deps: ModerationDeps = {}) =>
  moderateItem(scope, tx, { itemId: input.itemId, action: "hide" }, deps);
export const unhideItem = (scope: Scope, tx: Executor, input: { itemId: string }, deps: ModerationDeps = {}) =>
  moderateItem(scope, tx, { itemId: input.itemId, action: "unhide" }, deps);
export const deleteItem = (scope: Scope, tx: Executor, input: { itemId: string }, deps: ModerationDeps = {}) =>
  moderateItem(scope, tx, { itemId: input.itemId, action: "delete" }, deps);
export const markItemNoAction = (scope: Scope, tx: Executor, input: { itemId: string }, deps: ModerationDeps = {}) =>
  moderateItem(scope, tx, { itemId: input.itemId, action: "no_action" }, deps);

/** Replaces the item's tags (labels for recurring topics and campaigns); nothing happens on the platform. */
export async function tagItem(
  scope: Scope,
  tx: Executor,
  input: ItemTagInput,
  deps: ModerationDeps = {},
): Promise<ItemView> {
  const now = (deps.now ?? systemClock)();
  const before = await getItemInScope(scope, tx, { itemId: input.itemId, lock: true });
  const [after] = await tx
    .update(items)
    .set({ tags: input.tags, updatedAt: now })
    .where(and(eq(items.id, before.id), eq(items.agencyId, scope.agencyId)))
    .returning();
  if (!after) throw itemNotFound();
  await recordAudit(tx, scope, {
    action: "item.tagged",
    subjectType: "item",
    subjectId: after.id,
    clientId: after.clientId,
    before: { tags: before.tags },
    after: { tags: after.tags },
    protocolVersionId: after.protocolVersionId,
  });
  await announceItemChange(tx, after);
  const states = await findDeliveryStates(tx, { agencyId: scope.agencyId, itemIds: [after.id] });
  return toItemView(after, states.ofItem(after.id));
}

/** An internal note on the item, never public. */
export async function addItemNote(scope: Scope, tx: Executor, input: ItemNoteInput): Promise<NoteView> {
  const item = await getItemInScope(scope, tx, { itemId: input.itemId });
  const [note] = await tx
    .insert(itemNotes)
    .values({
      agencyId: scope.agencyId,
      clientId: item.clientId,
      itemId: item.id,
      authorUserId: scope.actorId,
      body: input.body,
    })
    .returning();
  if (!note) throw new AppError("INTERNAL", "Note was not stored");
  await recordAudit(tx, scope, {
    action: "item.note_added",
    subjectType: "item",
    subjectId: item.id,
    clientId: item.clientId,
    after: { noteId: note.id, body: note.body },
    protocolVersionId: item.protocolVersionId,
  });
  await publishLiveEvent(tx, {
    type: "item.changed",
    agencyId: item.agencyId,
    clientId: item.clientId,
    subjectId: item.id,
  });
  const [notes] = await listItemNotes(scope, tx, { itemIds: [item.id], noteId: note.id });
  if (!notes) throw new AppError("INTERNAL", "Note was not stored");
  return notes;
}

/** Notes on the items (or the one note), oldest first, with their authors' names. */
export async function listItemNotes(
  scope: Scope,
  tx: Executor,
  input: { itemIds: readonly string[]; noteId?: string },
): Promise<NoteView[]> {
  if (input.itemIds.length === 0) return [];
  const rows = await tx
    .select({ note: itemNotes, authorName: users.name })
    .from(itemNotes)
    .innerJoin(users, eq(users.id, itemNotes.authorUserId))
    .where(
      and(
        eq(itemNotes.agencyId, scope.agencyId),
        inArray(itemNotes.itemId, [...input.itemIds]),
        input.noteId ? eq(itemNotes.id, input.noteId) : undefined,
      ),
    )
    .orderBy(itemNotes.createdAt);
  return rows.map(({ note, authorName }) => ({
    id: note.id,
    body: note.body,
    author: { id: note.authorUserId, name: authorName },
    createdAt: note.createdAt,
  }));
}
