import {
  AppError,
  type DeliveryState,
  memberTriageMessage,
  type Platform,
  type ReplyDraftInput,
  type ReplyResendInput,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, inArray } from "drizzle-orm";
import { cancelDelivery } from "../deliveries/delivery-actions";
import { findDeliveryStates } from "../deliveries/delivery-states";
import { queueDeliveries } from "../deliveries/queue-deliveries";
import { systemClock } from "../kernel/clock";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import {
  checkReply,
  pickAcknowledgement,
  type RecentReply,
  type ReplyCheck,
  type ReplyCheckResult,
  recentRepliesLimit,
} from "../protocols/check-reply";
import { lastAcknowledgementOn } from "../protocols/last-acknowledgement";
import { type ProtocolDocument, protocolDocument, storedProtocolDocument } from "../protocols/protocol-document";
import { type ActiveProtocol, getActiveProtocol } from "../protocols/protocol-versions";
import {
  announceItemChange,
  assertNotClaimedByAnother,
  getItemInScope,
  type ItemRow,
  type ModerationDeps,
  memberAuthorityOn,
} from "./item-actions";

const { replies, items, channels, protocolVersions, clientAssignments, memberships, outboundDeliveries } = schema;
export type ReplyRow = typeof replies.$inferSelect;

export interface ReplyView {
  id: string;
  itemId: string;
  kind: ReplyRow["kind"];
  body: string;
  status: ReplyRow["status"];
  checkResults: ReplyCheckResult[];
  requiresApproval: ReplyRow["requiresApproval"];
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionComment: string | null;
  sentAt: Date | null;
  failureReason: string | null;
  createdAt: Date;
  /** Its delivery as the platform confirmed it (null while it is a draft or awaits approval). */
  delivery: DeliveryState | null;
}

export function toReplyView(row: ReplyRow, delivery: DeliveryState | null): ReplyView {
  return {
    id: row.id,
    itemId: row.itemId,
    kind: row.kind,
    body: row.body,
    status: row.status,
    checkResults: row.checkResults as ReplyCheckResult[],
    requiresApproval: row.requiresApproval,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    decisionComment: row.decisionComment,
    sentAt: row.sentAt,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
    delivery,
  };
}

/** What replies are checked against when the client has no protocol at all: the platform's length, repetition. */
const noProtocol: ProtocolDocument = protocolDocument.parse({
  categories: [],
  defaultCategory: { key: "general", priority: "P3" },
});

/**
 * The protocol version the item was classified under (the one its actions are taken under); for an item that
 * arrived before the client had a protocol, the client's active one. Null when the client has none.
 */
export async function loadItemProtocol(
  tx: Executor,
  item: Pick<ItemRow, "agencyId" | "clientId" | "protocolVersionId">,
): Promise<ActiveProtocol | null> {
  // The active version is parsed once and cached by the store; most items were classified under it.
  const active = await getActiveProtocol(tx, item.clientId);
  if (!item.protocolVersionId || active?.id === item.protocolVersionId) return active;
  const [row] = await tx
    .select()
    .from(protocolVersions)
    .where(and(eq(protocolVersions.id, item.protocolVersionId), eq(protocolVersions.agencyId, item.agencyId)));
  if (!row) return active;
  return { id: row.id, version: row.version, document: storedProtocolDocument.parse(row.document) };
}

/** The conversation a reply lands in, comparable across the client's channels. */
function threadKeyOf(item: Pick<ItemRow, "channelId" | "threadExternalId" | "externalId">): string {
  return `${item.channelId}:${item.threadExternalId ?? item.externalId}`;
}

/** A reply as the authenticity and duplicate checks see it; a reply not yet sent counts from when it was written. */
function recentReplyOf(row: {
  text: string;
  status: ReplyRow["status"];
  sentAt: Date | null;
  createdAt: Date;
  channelId: string;
  threadExternalId: string | null;
  externalId: string;
}): RecentReply {
  return {
    text: row.text,
    sentAt: row.sentAt ?? row.createdAt,
    status: row.status === "sent" ? "sent" : row.status === "pending_approval" ? "pending_approval" : "queued",
    channelId: row.channelId,
    threadId: threadKeyOf(row),
  };
}

/**
 * The replies the authenticity and duplicate checks compare a draft with: the client's most recently sent ones and
 * those on their way — approved and queued or retrying delivery, or waiting for approval — so the same answer cannot
 * go out twice while deliveries are backed up. Each read uses its own index (sent by `sent_at`; the few in flight by
 * status). Newest first, the `recentRepliesLimit` the checks compare.
 */
async function findRecentReplies(tx: Executor, item: Pick<ItemRow, "agencyId" | "clientId">): Promise<RecentReply[]> {
  const columns = {
    text: replies.body,
    status: replies.status,
    sentAt: replies.sentAt,
    createdAt: replies.createdAt,
    channelId: replies.channelId,
    threadExternalId: items.threadExternalId,
    externalId: items.externalId,
  };
  const ofClient = and(eq(replies.agencyId, item.agencyId), eq(replies.clientId, item.clientId));
  const sent = await tx
    .select(columns)
    .from(replies)
    .innerJoin(items, eq(items.id, replies.itemId))
    .where(and(ofClient, eq(replies.status, "sent")))
    .orderBy(desc(replies.sentAt))
    .limit(recentRepliesLimit);
  const inFlight = await tx
    .select(columns)
    .from(replies)
    .innerJoin(items, eq(items.id, replies.itemId))
    .where(and(ofClient, inArray(replies.status, ["approved", "pending_approval"])))
    .orderBy(desc(replies.createdAt))
    .limit(recentRepliesLimit);
  return [...inFlight, ...sent]
    .map(recentReplyOf)
    .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime())
    .slice(0, recentRepliesLimit);
}

/** Whether the client has a stakeholder who approves replies; if not, the agency's leads approve them. */
async function findApprover(
  tx: Executor,
  item: Pick<ItemRow, "agencyId" | "clientId">,
): Promise<"client" | "agency_lead"> {
  const [approver] = await tx
    .select({ id: clientAssignments.id })
    .from(clientAssignments)
    .innerJoin(memberships, eq(memberships.id, clientAssignments.membershipId))
    .where(
      and(
        eq(clientAssignments.agencyId, item.agencyId),
        eq(clientAssignments.clientId, item.clientId),
        eq(clientAssignments.authority, "approve"),
        eq(memberships.role, "client_stakeholder"),
      ),
    )
    .limit(1);
  return approver ? "client" : "agency_lead";
}

/** A read made once per key (`keyOf`) for the life of a `ReplyReads`. */
function readOnce<K, T>(keyOf: (of: K) => string, read: (of: K) => Promise<T>): (of: K) => Promise<T> {
  const reads = new Map<string, Promise<T>>();
  return (of) => {
    const key = keyOf(of);
    let value = reads.get(key);
    if (!value) {
      value = read(of);
      reads.set(key, value);
    }
    return value;
  };
}

/**
 * What writing replies reads besides the item itself — the member's authority, the protocol, the channel's platform,
 * the client's approver and recent replies — read once per client for a run of replies in one transaction (a holding
 * statement to a whole incident) and kept current as each reply is stored: the hundredth customer's reply is checked
 * against the ninety-nine before it without reading the client's recent replies a hundred times. One reply alone
 * makes its own.
 */
export interface ReplyReads {
  memberAuthority(clientId: string): Promise<"respond" | "triage">;
  protocol(item: ItemRow): Promise<ActiveProtocol | null>;
  platform(item: ItemRow): Promise<Platform>;
  approver(item: ItemRow): Promise<"client" | "agency_lead">;
  recentReplies(item: ItemRow): Promise<readonly RecentReply[]>;
  /** A reply just stored on the item: the next drafts are checked against it too. */
  stored(reply: ReplyRow, item: ItemRow): void;
}

export function createReplyReads(scope: Scope, tx: Executor): ReplyReads {
  const ofClient = (item: ItemRow) => item.clientId;
  /** The recent replies read so far, by client: what `stored` adds to. */
  const recent = new Map<string, RecentReply[]>();
  return {
    memberAuthority: readOnce(
      (clientId: string) => clientId,
      (clientId) => memberAuthorityOn(scope, tx, clientId),
    ),
    protocol: readOnce(
      (item) => `${item.clientId}:${item.protocolVersionId ?? ""}`,
      (item) => loadItemProtocol(tx, item),
    ),
    platform: readOnce(
      (item) => item.channelId,
      async (item) => {
        const [channel] = await tx
          .select({ platform: channels.platform })
          .from(channels)
          .where(and(eq(channels.id, item.channelId), eq(channels.agencyId, item.agencyId)));
        if (!channel) throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
        return channel.platform;
      },
    ),
    approver: readOnce(ofClient, (item) => findApprover(tx, item)),
    recentReplies: readOnce(ofClient, async (item) => {
      const list = await findRecentReplies(tx, item);
      recent.set(item.clientId, list);
      return list;
    }),
    stored: (reply, item) => {
      const list = recent.get(item.clientId);
      if (!list) return;
      list.unshift(
        recentReplyOf({
          ...reply,
          text: reply.body,
          threadExternalId: item.threadExternalId,
          externalId: item.externalId,
        }),
      );
      if (list.length > recentRepliesLimit) list.pop();
    },
  };
}

/** Runs the protocol's reply checks for a draft on the item, as they stand now, for a member of `memberAuthority`. */
async function runReplyChecks(
  reads: ReplyReads,
  item: ItemRow,
  input: { text: string; now: Date; memberAuthority: "respond" | "triage" },
): Promise<{ check: ReplyCheck; protocol: ActiveProtocol | null }> {
  const protocol = await reads.protocol(item);
  const document = protocol?.document ?? noProtocol;
  const check = checkReply({
    protocol: document,
    platform: await reads.platform(item),
    categoryKey: (protocol ? item.categoryKey : null) ?? document.defaultCategory.key,
    channelId: item.channelId,
    threadId: threadKeyOf(item),
    text: input.text,
    recentReplies: await reads.recentReplies(item),
    now: input.now,
    memberAuthority: input.memberAuthority,
  });
  return { check, protocol };
}

/** Live checks while the moderator types: nothing is stored. */
export async function checkDraftReply(
  scope: Scope,
  tx: Executor,
  input: ReplyDraftInput,
  deps: ModerationDeps = {},
): Promise<ReplyCheck> {
  const item = await getItemInScope(scope, tx, { itemId: input.itemId });
  const reads = createReplyReads(scope, tx);
  const { check } = await runReplyChecks(reads, item, {
    text: input.text,
    now: (deps.now ?? systemClock)(),
    memberAuthority: await reads.memberAuthority(item.clientId),
  });
  return check;
}

/** Statuses a reply moves to `responded`; an item hidden, escalated or resolved keeps its status. */
const answerableStatuses: readonly ItemRow["status"][] = ["queued", "claimed", "no_action", "responded"];

/** Tells live consoles a reply and its item changed, and answers with the reply and its delivery state. */
async function announceReply(tx: Executor, reply: ReplyRow, item: ItemRow): Promise<ReplyView> {
  await publishLiveEvent(tx, {
    type: "reply.changed",
    agencyId: reply.agencyId,
    clientId: reply.clientId,
    subjectId: reply.id,
  });
  await announceItemChange(tx, item);
  return toReplyView(
    reply,
    (await findDeliveryStates(tx, { agencyId: reply.agencyId, itemIds: [reply.itemId] })).ofReply(reply.id),
  );
}

/**
 * Sends a reply on the item's public thread: re-runs the checks (any block refuses it, storing nothing); in a
 * category that needs approval the reply waits `pending_approval` for the client's approver (or, when the client
 * has none, the agency's leads) and nothing is delivered; otherwise it is `approved` and queued for delivery.
 * Either way the moderator is done with the item: it is `responded` and the claim ends. A run of replies in one
 * transaction passes one `reads` to them all.
 */
export async function sendReply(
  scope: Scope,
  tx: Executor,
  input: ReplyDraftInput,
  deps: ModerationDeps = {},
  reads: ReplyReads = createReplyReads(scope, tx),
): Promise<ReplyView> {
  const now = (deps.now ?? systemClock)();
  const item = await getItemInScope(scope, tx, { itemId: input.itemId, lock: true });
  assertNotClaimedByAnother(scope, item, now);
  const memberAuthority = await reads.memberAuthority(item.clientId);
  if (memberAuthority === "triage") {
    throw new AppError("FORBIDDEN", memberTriageMessage, { reason: "triage_authority" });
  }
  if (item.status === "deleted" || item.removedAt) {
    throw new AppError("INVALID_STATE", "The item was deleted: there is nothing to reply to", {
      reason: "item_deleted",
    });
  }
  const [pending] = await tx
    .select({ id: replies.id })
    .from(replies)
    .where(
      and(eq(replies.agencyId, scope.agencyId), eq(replies.itemId, item.id), eq(replies.status, "pending_approval")),
    )
    .limit(1);
  if (pending) {
    throw new AppError("INVALID_STATE", "A reply to this item is waiting for approval", {
      reason: "reply_pending_approval",
      replyId: pending.id,
    });
  }
  const { check, protocol } = await runReplyChecks(reads, item, { text: input.text, now, memberAuthority });
  if (!check.ok) {
    const blocks = check.results.filter((result) => result.severity === "block");
    throw new AppError("BAD_INPUT", `The reply cannot be sent: ${blocks.map((b) => b.message).join("; ")}`, {
      reason: "reply_blocked",
      fields: { text: blocks.map((b) => b.message).join("; ") },
      results: check.results,
    });
  }
  const needsApproval = check.results.some(
    (result) => result.check === "authority" && result.details.requiresApproval === true,
  );
  const [reply] = await tx
    .insert(replies)
    .values({
      agencyId: scope.agencyId,
      clientId: item.clientId,
      itemId: item.id,
      channelId: item.channelId,
      kind: "reply",
      body: input.text,
      status: needsApproval ? "pending_approval" : "approved",
      checkResults: check.results,
      requiresApproval: needsApproval ? await reads.approver(item) : "none",
      authorUserId: scope.actorId,
      protocolVersionId: protocol?.id ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!reply) throw new AppError("INTERNAL", "Reply was not stored");
  reads.stored(reply, item);
  if (reply.status === "approved") {
    await queueDeliveries(tx, [
      {
        agencyId: reply.agencyId,
        clientId: reply.clientId,
        channelId: reply.channelId,
        itemId: reply.itemId,
        replyId: reply.id,
        action: "reply",
      },
    ]);
  }
  const status = answerableStatuses.includes(item.status) ? "responded" : item.status;
  await tx
    .update(items)
    .set({ status, claimedBy: null, claimExpiresAt: null, updatedAt: now })
    .where(and(eq(items.id, item.id), eq(items.agencyId, scope.agencyId)));
  await recordAudit(tx, scope, {
    action: reply.status === "approved" ? "reply.queued" : "reply.submitted_for_approval",
    subjectType: "reply",
    subjectId: reply.id,
    clientId: reply.clientId,
    before: { itemId: item.id, itemStatus: item.status, claimedBy: item.claimedBy },
    after: {
      itemId: item.id,
      itemStatus: status,
      status: reply.status,
      requiresApproval: reply.requiresApproval,
      body: reply.body,
      checkResults: check.results,
    },
    protocolVersionId: reply.protocolVersionId,
  });
  return announceReply(tx, reply, item);
}

/**
 * Edit and resend a reply whose delivery failed: its failed delivery is cancelled (audited) and the edited text is
 * sent as a new reply, through every check again (approval included). INVALID_STATE unless the reply failed.
 */
export async function resendReply(
  scope: Scope,
  tx: Executor,
  input: ReplyResendInput,
  deps: ModerationDeps = {},
): Promise<ReplyView> {
  const [failed] = await tx
    .select({ reply: replies, deliveryId: outboundDeliveries.id })
    .from(replies)
    .leftJoin(
      outboundDeliveries,
      and(eq(outboundDeliveries.replyId, replies.id), eq(outboundDeliveries.status, "failed")),
    )
    .where(and(eq(replies.id, input.replyId), eq(replies.agencyId, scope.agencyId)));
  if (!failed || (scope.clientIds && !scope.clientIds.includes(failed.reply.clientId))) {
    throw new AppError("NOT_FOUND", "Reply not found", { reason: "reply_not_found" });
  }
  if (failed.reply.status !== "failed") {
    throw new AppError("INVALID_STATE", "Only a reply whose delivery failed can be edited and resent", {
      reason: "reply_not_failed",
      status: failed.reply.status,
    });
  }
  if (failed.deliveryId) await cancelDelivery(scope, tx, { deliveryId: failed.deliveryId }, deps);
  const resent = await sendReply(scope, tx, { itemId: failed.reply.itemId, text: input.text }, deps);
  await recordAudit(tx, scope, {
    action: "reply.resent",
    subjectType: "reply",
    subjectId: resent.id,
    clientId: failed.reply.clientId,
    before: { replyId: failed.reply.id, body: failed.reply.body, failureReason: failed.reply.failureReason },
    after: { replyId: resent.id, body: resent.body, status: resent.status },
    protocolVersionId: failed.reply.protocolVersionId,
  });
  return resent;
}

/**
 * A protocol-approved acknowledgement on the item's public thread — what a moderator whose authority is `triage`
 * may post (any moderator may): the client's next acknowledgement template on the channel (never the one used last),
 * addressed to the customer by name so it reads as written for them, and put through every check but authority
 * (a template that would sound templated is skipped for the next). Queued for delivery like any reply; the
 * first-response clock stops when it is delivered. INVALID_STATE when the protocol has no usable template.
 */
export async function acknowledgeItem(
  scope: Scope,
  tx: Executor,
  input: { itemId: string },
  deps: ModerationDeps = {},
): Promise<ReplyView> {
  const now = (deps.now ?? systemClock)();
  const item = await getItemInScope(scope, tx, { itemId: input.itemId, lock: true });
  assertNotClaimedByAnother(scope, item, now);
  if (item.status === "deleted" || item.removedAt) {
    throw new AppError("INVALID_STATE", "The item was deleted: there is nothing to acknowledge", {
      reason: "item_deleted",
    });
  }
  const reads = createReplyReads(scope, tx);
  const protocol = await reads.protocol(item);
  const templates = protocol?.document.acknowledgementTemplates ?? [];
  const lastBody = await lastAcknowledgementOn(tx, { agencyId: scope.agencyId, channelId: item.channelId });
  const name = (item.authorDisplayName ?? item.authorHandle).trim();
  const addressed = (template: string) =>
    name ? `Hi ${name}, ${template.charAt(0).toLowerCase()}${template.slice(1)}` : template;
  // The template behind the channel's last acknowledgement (it was addressed to someone else).
  let previous =
    templates.find(
      (template) => lastBody === template || lastBody?.endsWith(addressed(template).slice(`Hi ${name}, `.length)),
    ) ?? lastBody;
  for (let tried = 0; tried < templates.length; tried += 1) {
    const template = pickAcknowledgement({ templates, lastUsedOnChannel: previous });
    previous = template;
    const text = addressed(template);
    const { check } = await runReplyChecks(reads, item, { text, now, memberAuthority: "respond" });
    if (!check.ok) continue;
    const [reply] = await tx
      .insert(replies)
      .values({
        agencyId: scope.agencyId,
        clientId: item.clientId,
        itemId: item.id,
        channelId: item.channelId,
        kind: "acknowledgement",
        body: text,
        status: "approved",
        checkResults: check.results,
        authorUserId: scope.actorId,
        protocolVersionId: protocol?.id ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!reply) throw new AppError("INTERNAL", "Acknowledgement was not stored");
    await queueDeliveries(tx, [
      {
        agencyId: reply.agencyId,
        clientId: reply.clientId,
        channelId: reply.channelId,
        itemId: reply.itemId,
        replyId: reply.id,
        action: "reply",
      },
    ]);
    await recordAudit(tx, scope, {
      action: "reply.acknowledged",
      subjectType: "reply",
      subjectId: reply.id,
      clientId: reply.clientId,
      before: { itemId: item.id, itemStatus: item.status },
      after: { itemId: item.id, body: reply.body, template, checkResults: check.results },
      protocolVersionId: reply.protocolVersionId,
    });
    return announceReply(tx, reply, item);
  }
  throw new AppError("INVALID_STATE", "The client's protocol has no acknowledgement that passes the checks here", {
    reason: "no_acknowledgement_template",
  });
}
