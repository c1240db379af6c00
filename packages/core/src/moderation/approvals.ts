import { AppError, isAllowed, type Platform, type ReplyApproveInput, type ReplyRejectInput } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, desc, eq, gte, inArray, ne } from "drizzle-orm";
import { findDeliveryStates } from "../deliveries/delivery-states";
import { queueDeliveries } from "../deliveries/queue-deliveries";
import { systemClock } from "../kernel/clock";
import { assertAllowed } from "../kernel/permissions";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { announceItemChange, type ModerationDeps } from "./item-actions";
import { type ReplyRow, type ReplyView, toReplyView } from "./replies";

const { replies, items, channels, clientAssignments, notifications } = schema;

/** A reply waiting for the caller's decision, with what the approver needs to judge it. */
export interface ApprovalView extends ReplyView {
  item: {
    id: string;
    clientId: string;
    body: string;
    authorHandle: string;
    categoryKey: string | null;
    url: string | null;
    channel: { id: string; platform: Platform; displayName: string };
  };
}

const maxListedApprovals = 200;

/** The clients whose replies this stakeholder approves (assignment authority `approve`). */
async function findApprovedClientIds(scope: Scope, tx: Executor): Promise<string[]> {
  const rows = await tx
    .select({ clientId: clientAssignments.clientId })
    .from(clientAssignments)
    .where(
      and(
        eq(clientAssignments.agencyId, scope.agencyId),
        eq(clientAssignments.membershipId, scope.membershipId),
        eq(clientAssignments.authority, "approve"),
      ),
    );
  return rows.map((row) => row.clientId);
}

/**
 * Who decides a reply: the client's stakeholders with `approve` authority when it awaits the client, the
 * agency's owners and admins when the client has no approver (`agency_lead`).
 */
async function mayDecide(scope: Scope, tx: Executor, reply: Pick<ReplyRow, "clientId" | "requiresApproval">) {
  if (reply.requiresApproval === "agency_lead") return isAllowed(scope.role, "administer");
  if (reply.requiresApproval === "client" && scope.role === "client_stakeholder") {
    return (await findApprovedClientIds(scope, tx)).includes(reply.clientId);
  }
  return false;
}

/** The replies waiting for the caller's decision, oldest first. */
export async function listPendingApprovals(scope: Scope, tx: Executor): Promise<ApprovalView[]> {
  assertAllowed(scope, "decideApprovals", "Only approvers see replies awaiting approval");
  let filter: ReturnType<typeof and>;
  if (scope.role === "client_stakeholder") {
    const clientIds = await findApprovedClientIds(scope, tx);
    if (clientIds.length === 0) return [];
    filter = and(eq(replies.requiresApproval, "client"), inArray(replies.clientId, clientIds));
  } else {
    filter = eq(replies.requiresApproval, "agency_lead");
  }
  const rows = await tx
    .select({ reply: replies, item: items, channel: channels })
    .from(replies)
    .innerJoin(items, eq(items.id, replies.itemId))
    .innerJoin(channels, eq(channels.id, replies.channelId))
    .where(and(eq(replies.agencyId, scope.agencyId), eq(replies.status, "pending_approval"), filter))
    .orderBy(asc(replies.createdAt))
    .limit(maxListedApprovals);
  return rows.map(({ reply, item, channel }) => ({
    ...toReplyView(reply, null),
    item: {
      id: item.id,
      clientId: item.clientId,
      body: item.body,
      authorHandle: item.authorHandle,
      categoryKey: item.categoryKey,
      url: item.url,
      channel: { id: channel.id, platform: channel.platform, displayName: channel.displayName },
    },
  }));
}

const recentDecisionDays = 7;

/**
 * The replies the caller decided in the last week, newest first, each with its delivery as the platform confirmed
 * it: an approver sees whether what they approved was actually posted ("sent"), is still on its way, or failed.
 */
export async function listRecentDecisions(scope: Scope, tx: Executor): Promise<ApprovalView[]> {
  assertAllowed(scope, "decideApprovals", "Only approvers see their decisions");
  const since = new Date(Date.now() - recentDecisionDays * 24 * 60 * 60 * 1000);
  const rows = await tx
    .select({ reply: replies, item: items, channel: channels })
    .from(replies)
    .innerJoin(items, eq(items.id, replies.itemId))
    .innerJoin(channels, eq(channels.id, replies.channelId))
    .where(
      and(eq(replies.agencyId, scope.agencyId), eq(replies.decidedBy, scope.actorId), gte(replies.decidedAt, since)),
    )
    .orderBy(desc(replies.decidedAt))
    .limit(20);
  const states = await findDeliveryStates(tx, {
    agencyId: scope.agencyId,
    itemIds: [...new Set(rows.map((row) => row.item.id))],
  });
  return rows.map(({ reply, item, channel }) => ({
    ...toReplyView(reply, states.ofReply(reply.id)),
    item: {
      id: item.id,
      clientId: item.clientId,
      body: item.body,
      authorHandle: item.authorHandle,
      categoryKey: item.categoryKey,
      url: item.url,
      channel: { id: channel.id, platform: channel.platform, displayName: channel.displayName },
    },
  }));
}

async function decideReply(
  scope: Scope,
  tx: Executor,
  input: { replyId: string; comment: string | null; decision: "approved" | "rejected" },
  deps: ModerationDeps,
): Promise<ReplyView> {
  const now = (deps.now ?? systemClock)();
  const [before] = await tx
    .select()
    .from(replies)
    .where(
      and(
        eq(replies.id, input.replyId),
        eq(replies.agencyId, scope.agencyId),
        scope.clientIds ? inArray(replies.clientId, [...scope.clientIds]) : undefined,
      ),
    )
    .for("update");
  if (!before) throw new AppError("NOT_FOUND", "Reply not found", { reason: "reply_not_found" });
  if (before.status !== "pending_approval") {
    throw new AppError("INVALID_STATE", `The reply is ${before.status.replace("_", " ")}, not awaiting approval`, {
      reason: "not_pending_approval",
      status: before.status,
    });
  }
  if (!(await mayDecide(scope, tx, before))) {
    throw new AppError(
      "FORBIDDEN",
      before.requiresApproval === "client"
        ? "This reply awaits the client's approver"
        : "This reply awaits an agency lead",
      { reason: "not_approver", requiresApproval: before.requiresApproval },
    );
  }
  const [after] = await tx
    .update(replies)
    .set({
      status: input.decision,
      decidedBy: scope.actorId,
      decidedAt: now,
      decisionComment: input.comment,
      updatedAt: now,
    })
    .where(and(eq(replies.id, before.id), eq(replies.agencyId, scope.agencyId)))
    .returning();
  if (!after) throw new AppError("NOT_FOUND", "Reply not found", { reason: "reply_not_found" });
  if (after.status === "approved") {
    await queueDeliveries(tx, [
      {
        agencyId: after.agencyId,
        clientId: after.clientId,
        channelId: after.channelId,
        itemId: after.itemId,
        replyId: after.id,
        action: "reply",
      },
    ]);
  }
  const itemRequeued = after.status === "rejected" && (await returnUnansweredItemToQueue(scope, tx, after, now));
  if (after.status === "rejected" && after.authorUserId && after.authorUserId !== scope.actorId) {
    // The draft's author learns why, with the way back to the item.
    await tx.insert(notifications).values({
      agencyId: after.agencyId,
      clientId: after.clientId,
      recipientUserId: after.authorUserId,
      kind: "reply.rejected",
      subjectType: "item",
      subjectId: after.itemId,
      title: "Your draft reply was rejected",
      body: `“${after.decisionComment ?? ""}” — open the item to write another: /console/items/${after.itemId}`,
      createdAt: now,
    });
  }
  await recordAudit(tx, scope, {
    action: `reply.${input.decision}`,
    subjectType: "reply",
    subjectId: after.id,
    clientId: after.clientId,
    before: { status: before.status },
    after: { status: after.status, decisionComment: after.decisionComment, itemRequeued },
    protocolVersionId: after.protocolVersionId,
  });
  await publishLiveEvent(tx, {
    type: "reply.changed",
    agencyId: after.agencyId,
    clientId: after.clientId,
    subjectId: after.id,
  });
  return toReplyView(
    after,
    (await findDeliveryStates(tx, { agencyId: after.agencyId, itemIds: [after.itemId] })).ofReply(after.id),
  );
}

/** A rejected draft leaves the customer unanswered: unless another reply went out, the item waits in the queue again. */
async function returnUnansweredItemToQueue(
  scope: Scope,
  tx: Executor,
  rejected: ReplyRow,
  now: Date,
): Promise<boolean> {
  const [answered] = await tx
    .select({ id: replies.id })
    .from(replies)
    .where(
      and(
        eq(replies.agencyId, scope.agencyId),
        eq(replies.itemId, rejected.itemId),
        ne(replies.id, rejected.id),
        inArray(replies.status, ["approved", "sent", "pending_approval"]),
      ),
    )
    .limit(1);
  if (answered) return false;
  const [item] = await tx
    .update(items)
    .set({ status: "queued", updatedAt: now })
    .where(and(eq(items.id, rejected.itemId), eq(items.agencyId, scope.agencyId), eq(items.status, "responded")))
    .returning();
  if (item) await announceItemChange(tx, item);
  return item !== undefined;
}

/** Approves a reply awaiting the caller's decision; it is queued for delivery. */
export function approveReply(
  scope: Scope,
  tx: Executor,
  input: ReplyApproveInput,
  deps: ModerationDeps = {},
): Promise<ReplyView> {
  return decideReply(scope, tx, { replyId: input.replyId, comment: input.comment ?? null, decision: "approved" }, deps);
}

/** Rejects a reply with the reason the moderator will read; the item goes back to the queue. */
export function rejectReply(
  scope: Scope,
  tx: Executor,
  input: ReplyRejectInput,
  deps: ModerationDeps = {},
): Promise<ReplyView> {
  return decideReply(scope, tx, { replyId: input.replyId, comment: input.comment, decision: "rejected" }, deps);
}
