import { AppError } from "@parley/contracts";
import { type Database, type Executor, schema, withTenant } from "@parley/db";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { queueDeliveries } from "../deliveries/queue-deliveries";
import { type Notifier, type OutboundNotice, sendNotices } from "../kernel/outbound-notices";
import { publishLiveEvent } from "../kernel/publish-live-event";
import type { AdvanceResult, FlowTarget } from "../kernel/wakeup";
import { lastAcknowledgementOn } from "../protocols/last-acknowledgement";
import { getActiveProtocol } from "../protocols/protocol-versions";
import { businessCalendarAt } from "../sla/business-hours";
import { stopResolutionClock } from "../sla/clock-lifecycle";
import {
  advanceTriage,
  applyTriageActions,
  createTriageState,
  type TriageAction,
  type TriageState,
} from "./advance-triage";
import { findPlaybookFor, notifyLevel, openEscalation, readWorkflowState } from "./escalate-item";
import { type PlaybookView, toPlaybookView, toTriagePolicy } from "./playbooks";

const { items, escalations, playbooks, replies } = schema;
type ItemRow = typeof items.$inferSelect;
type EscalationRow = typeof escalations.$inferSelect;

/** "Still on it" texts for the customer while the client works on an escalation, rotated by sequence. */
export const customerUpdateTexts = [
  "Quick update: this is still with the right team and we haven't forgotten you. We'll reply here as soon as we can.",
  "We're still working on this with the team concerned and will come back to you on this thread.",
  "Thanks for bearing with us: your message is being looked at and we'll update you here.",
] as const;

/** Advances an item's triage: decides at `now`, performs what was decided, returns the next wake-up. */
export interface TriageStore {
  advance(target: FlowTarget, now: Date): Promise<AdvanceResult<TriageAction>>;
}

export interface TriageStoreOptions {
  db: Database;
  /** E-mail and webhook notices; omitted, only in-app notices are made. */
  notifier?: Notifier;
  onNoticeError?: (error: unknown, notice: OutboundNotice) => void;
}

/** The replies the triage state is read from: the item's own, and the latest acknowledgement on its channel. */
async function readTriageReplies(tx: Executor, item: ItemRow) {
  const [itemReplies, lastOnChannel] = await Promise.all([
    tx.select().from(replies).where(eq(replies.itemId, item.id)).orderBy(asc(replies.createdAt)),
    lastAcknowledgementOn(tx, item),
  ]);
  return { itemReplies, lastOnChannel };
}

/** The item's triage as the pure decision sees it, from the rows the actions leave behind. */
function triageStateOf({
  item,
  escalation,
  playbookTriggered,
  replies: { itemReplies, lastOnChannel },
}: {
  item: ItemRow;
  escalation: EscalationRow | undefined;
  playbookTriggered: boolean;
  replies: Awaited<ReturnType<typeof readTriageReplies>>;
}): TriageState {
  const acknowledgement = itemReplies.find((reply) => reply.kind === "acknowledgement");
  const firstSent = itemReplies.find((reply) => reply.status === "sent");
  const state = createTriageState(
    {
      id: item.id,
      clientId: item.clientId,
      channelId: item.channelId,
      categoryKey: item.categoryKey,
      authority: item.authority === "triage" ? "triage" : "respond",
      playbookTriggered: playbookTriggered || Boolean(escalation),
      receivedAt: item.receivedAt,
    },
    { lastTemplateOnChannel: lastOnChannel },
  );
  // Posted, or handed to the delivery worker (a failed delivery stays visible there; it is not posted again).
  const acknowledged =
    acknowledgement &&
    (acknowledgement.status === "approved" || acknowledgement.status === "sent" || acknowledgement.status === "failed");
  state.acknowledgement = {
    ...state.acknowledgement,
    sentAt: acknowledged ? (acknowledgement.sentAt ?? acknowledgement.createdAt) : (firstSent?.sentAt ?? null),
    template: acknowledgement?.body ?? null,
    queuedAt:
      acknowledgement && (acknowledgement.status === "draft" || acknowledgement.status === "pending_approval")
        ? acknowledgement.createdAt
        : null,
  };
  if (!escalation) return state;
  const workflow = readWorkflowState(escalation.workflowState);
  return {
    ...state,
    escalation: {
      status: escalation.status,
      level: escalation.level,
      startedAt: escalation.createdAt,
      levelStartedAt: escalation.levelStartedAt,
      remindedLevels: workflow.remindedLevels,
      clientAnsweredAt: escalation.answeredAt ?? escalation.resolvedAt,
      answer: escalation.answer,
    },
    followUp: {
      customerUpdatesSentAt: workflow.customerUpdatesSentAt.map((at) => new Date(at)),
      replyQueuedAt: workflow.replyQueuedAt ? new Date(workflow.replyQueuedAt) : null,
      replySentAt: workflow.replySentAt ? new Date(workflow.replySentAt) : null,
    },
    closed: workflow.closed,
    closeReason: workflow.closeReason as TriageState["closeReason"],
  };
}

/** A public reply on the item's thread; approved ones get a pending delivery (the delivery worker posts it). */
async function queueReply(
  tx: Executor,
  {
    item,
    kind,
    body,
    send,
    now,
  }: { item: ItemRow; kind: "acknowledgement" | "follow_up"; body: string; send: boolean; now: Date },
): Promise<void> {
  const [reply] = await tx
    .insert(replies)
    .values({
      agencyId: item.agencyId,
      clientId: item.clientId,
      itemId: item.id,
      channelId: item.channelId,
      kind,
      body,
      status: send ? "approved" : "draft",
      protocolVersionId: item.protocolVersionId,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: replies.id });
  if (!reply) throw new AppError("INTERNAL", "Reply not saved");
  if (send) {
    await queueDeliveries(tx, [
      {
        agencyId: item.agencyId,
        clientId: item.clientId,
        channelId: item.channelId,
        itemId: item.id,
        replyId: reply.id,
        action: "reply",
      },
    ]);
  }
  await publishLiveEvent(tx, {
    type: "reply.changed",
    agencyId: item.agencyId,
    clientId: item.clientId,
    subjectId: reply.id,
  });
}

/**
 * The playbook the item's triage follows: its escalation's; else the one whose trigger matches it (`triggered`);
 * else, when the protocol leaves the category to triage, the client's first active playbook.
 */
async function escalationPlaybook(
  tx: Executor,
  item: ItemRow,
  escalation: EscalationRow | undefined,
): Promise<{ playbook: PlaybookView | null; triggered: boolean }> {
  if (!escalation?.playbookId) return findPlaybookFor(tx, item, { orFirst: item.authority === "triage" });
  const [row] = await tx.select().from(playbooks).where(eq(playbooks.id, escalation.playbookId));
  return { playbook: row ? toPlaybookView(row) : null, triggered: false };
}

/**
 * The database-backed `TriageStore`: under a lock on the item, reads the triage state from the rows
 * (acknowledgement replies, the escalation and its `workflow_state`), decides with `advanceTriage` at
 * `now`, performs each action in the same transaction — so a replay finds it done and does nothing —
 * and sends the e-mails and webhooks it decided after commit (kept in the escalation's outbox until sent).
 */
export function createTriageStore({ db, notifier, onNoticeError }: TriageStoreOptions): TriageStore {
  return {
    async advance(target: FlowTarget, now: Date) {
      const outcome = await withTenant(db, { agencyId: target.agencyId, clientIds: null }, async (tx) => {
        // What the decision reads, in two pipelined rounds (a spike's triage is round trips to a busy database):
        // the item, locked, with its latest escalation (read once the lock is held: the statements run in order),
        // then its playbook, protocol, calendar and replies.
        const [[item], [latest]] = await Promise.all([
          tx
            .select()
            .from(items)
            .where(and(eq(items.id, target.itemId), eq(items.agencyId, target.agencyId)))
            .for("update"),
          tx
            .select()
            .from(escalations)
            .where(eq(escalations.itemId, target.itemId))
            .orderBy(desc(escalations.createdAt))
            .limit(1),
        ]);
        if (!item) throw new AppError("NOT_FOUND", "Item not found", { reason: "item_not_found" });
        let escalation = latest;
        const [chosen, protocol, clientCalendar, triageReplies] = await Promise.all([
          escalationPlaybook(tx, item, escalation),
          getActiveProtocol(tx, item.clientId),
          businessCalendarAt(tx, { clientId: item.clientId, at: now }),
          readTriageReplies(tx, item),
        ]);
        const { playbook } = chosen;
        const templates = protocol?.document.acknowledgementTemplates ?? [];
        const policy = toTriagePolicy({
          document: playbook?.document ?? null,
          clientCalendar,
          acknowledgementTemplates: templates,
        });
        const state = triageStateOf({ item, escalation, playbookTriggered: chosen.triggered, replies: triageReplies });
        const decision = advanceTriage(state, now, policy);
        const outbox: OutboundNotice[] = [];
        for (const action of decision.actions) {
          escalation =
            (await perform(tx, { action, item, escalation, playbook, templates, outbox, now })) ?? escalation;
        }
        if (!escalation) return { decision, escalationId: null, outbox: [] };
        const after = applyTriageActions(state, decision.actions, now);
        const workflow = readWorkflowState(escalation.workflowState);
        const [saved] = await tx
          .update(escalations)
          .set({
            level: after.escalation.level || escalation.level,
            levelStartedAt: after.escalation.levelStartedAt ?? escalation.levelStartedAt,
            updatedAt: now,
            workflowState: {
              ...workflow,
              remindedLevels: after.escalation.remindedLevels,
              customerUpdatesSentAt: after.followUp.customerUpdatesSentAt.map((at) => at.toISOString()),
              replyQueuedAt: after.followUp.replyQueuedAt?.toISOString() ?? null,
              replySentAt: after.followUp.replySentAt?.toISOString() ?? null,
              closed: after.closed,
              closeReason: after.closeReason,
              outbox: [...workflow.outbox, ...outbox],
            },
          })
          .where(eq(escalations.id, escalation.id))
          .returning();
        if (decision.actions.length > 0) {
          await publishLiveEvent(tx, {
            type: "escalation.changed",
            agencyId: item.agencyId,
            clientId: item.clientId,
            subjectId: escalation.id,
          });
        }
        return { decision, escalationId: escalation.id, outbox: readWorkflowState(saved?.workflowState).outbox };
      });
      if (outcome.escalationId && outcome.outbox.length > 0) {
        await sendNotices(notifier, outcome.outbox, onNoticeError);
        await withTenant(db, { agencyId: target.agencyId, clientIds: null }, (tx) =>
          tx.execute(sql`
            update ${escalations} set workflow_state = jsonb_set(workflow_state, '{outbox}', coalesce((
              select jsonb_agg(notice order by position) from jsonb_array_elements(workflow_state->'outbox')
                with ordinality as sent(notice, position)
              where position > ${outcome.outbox.length}), '[]'::jsonb))
            where id = ${outcome.escalationId}`),
        );
      }
      return { next: outcome.decision.next, actions: outcome.decision.actions };
    },
  };
}

async function perform(
  tx: Executor,
  {
    action,
    item,
    escalation,
    playbook,
    templates,
    outbox,
    now,
  }: {
    action: TriageAction;
    item: ItemRow;
    escalation: EscalationRow | undefined;
    playbook: PlaybookView | null;
    templates: readonly string[];
    outbox: OutboundNotice[];
    now: Date;
  },
): Promise<EscalationRow | undefined> {
  switch (action.type) {
    case "send_acknowledgement":
      await queueReply(tx, { item, kind: "acknowledgement", body: action.template, send: true, now });
      return escalation;
    case "queue_acknowledgement_for_moderator":
      await queueReply(tx, {
        item,
        kind: "acknowledgement",
        body: action.suggestedTemplate ?? templates[0] ?? "",
        send: false,
        now,
      });
      return escalation;
    case "escalate":
      return openEscalation(tx, { item, playbook, level: action.level, note: null, manual: false, now });
    case "remind_and_escalate":
    case "remind": {
      // The escalation an incident's items rolled up into reminds the client for all of them.
      if (!escalation || escalation.rolledUpIntoId) return escalation;
      const fromLevel = action.type === "remind" ? action.level : action.fromLevel;
      outbox.push(...(await notifyLevel(tx, { escalation, item, playbook, level: fromLevel, kind: "reminder", now })));
      if (action.type === "remind_and_escalate") {
        outbox.push(
          ...(await notifyLevel(tx, { escalation, item, playbook, level: action.toLevel, kind: "opened", now })),
        );
      }
      return escalation;
    }
    case "send_customer_update":
      await queueReply(tx, {
        item,
        kind: "follow_up",
        body: customerUpdateTexts[(action.sequence - 1) % customerUpdateTexts.length] ?? customerUpdateTexts[0],
        send: true,
        now,
      });
      return escalation;
    case "queue_follow_up_reply":
    case "send_follow_up_reply":
      await queueReply(tx, {
        item,
        kind: "follow_up",
        body: action.answer,
        send: action.type === "send_follow_up_reply",
        now,
      });
      return escalation;
    case "close":
      if (action.reason === "answered" || action.reason === "resolved_without_answer") {
        await stopResolutionClock(tx, { itemId: item.id, at: now });
        if (item.status !== "deleted" && item.status !== "resolved") {
          await tx.update(items).set({ status: "resolved", updatedAt: now }).where(eq(items.id, item.id));
          await publishLiveEvent(tx, {
            type: "item.changed",
            agencyId: item.agencyId,
            clientId: item.clientId,
            subjectId: item.id,
          });
        }
      }
      return escalation;
  }
}
