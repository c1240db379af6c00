import { AppError, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import type { OutboundNotice } from "../kernel/outbound-notices";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import { scheduleWakeups } from "../kernel/schedule-wakeups";
import type { Scope } from "../kernel/scope";
import { areNearDuplicates } from "../protocols/near-duplicates";
import { resolveCalendar } from "../sla/business-calendar";
import { businessCalendarAt } from "../sla/business-hours";
import { addBusinessMinutes } from "../sla/business-time";
import { pauseResolutionClock } from "../sla/clock-lifecycle";
import { buildHandoverPacket, type HandoverPacket } from "./handover-packet";
import { notifyEscalationLevel } from "./notifications";
import { findActivePlaybooks, type PlaybookView, playbookMatches } from "./playbooks";

const { items, escalations, replies, volumeSpikes } = schema;
type ItemRow = typeof items.$inferSelect;
type EscalationRow = typeof escalations.$inferSelect;

/** What the triage flow keeps on the escalation between advances (`escalations.workflow_state`). */
export interface EscalationWorkflowState {
  /** Escalated by a moderator rather than by a playbook trigger. */
  manual: boolean;
  remindedLevels: number[];
  customerUpdatesSentAt: string[];
  replyQueuedAt: string | null;
  replySentAt: string | null;
  closed: boolean;
  closeReason: string | null;
  /** E-mails and webhook posts decided but not yet sent (sent after commit, then removed). */
  outbox: OutboundNotice[];
}

export function readWorkflowState(value: unknown): EscalationWorkflowState {
  const state = (value ?? {}) as Partial<EscalationWorkflowState>;
  return {
    manual: state.manual ?? false,
    remindedLevels: state.remindedLevels ?? [],
    customerUpdatesSentAt: state.customerUpdatesSentAt ?? [],
    replyQueuedAt: state.replyQueuedAt ?? null,
    replySentAt: state.replySentAt ?? null,
    closed: state.closed ?? false,
    closeReason: state.closeReason ?? null,
    outbox: state.outbox ?? [],
  };
}

export interface EscalationView {
  id: string;
  clientId: string;
  itemId: string;
  /** The escalation this one rides on (same incident), or null when the client sees it. */
  rolledUpIntoId: string | null;
  /** Items the escalation stands for: its own and those rolled up into it. */
  itemCount: number;
  /** The items rolled up into it (not its own), oldest first. */
  rolledUpItemIds: string[];
  playbookId: string | null;
  level: number;
  status: EscalationRow["status"];
  packet: HandoverPacket;
  levelStartedAt: Date;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: Date | null;
  resolvedAt: Date | null;
  createdAt: Date;
}

/** The view of an escalation; `rolledUpItemIds` are the items rolled up into it (see `findRolledUpItemIds`). */
export function toEscalationView(row: EscalationRow, rolledUpItemIds: readonly string[] = []): EscalationView {
  return {
    id: row.id,
    clientId: row.clientId,
    itemId: row.itemId,
    rolledUpIntoId: row.rolledUpIntoId,
    itemCount: 1 + rolledUpItemIds.length,
    rolledUpItemIds: [...rolledUpItemIds],
    playbookId: row.playbookId,
    level: row.level,
    status: row.status,
    packet: row.packet as HandoverPacket,
    levelStartedAt: row.levelStartedAt,
    answer: row.answer,
    answeredBy: row.answeredBy,
    answeredAt: row.answeredAt,
    resolvedAt: row.resolvedAt,
    createdAt: row.createdAt,
  };
}

export const escalateInput = z.object({
  itemId: uuid,
  note: z.string().trim().max(4000, { error: "note must be at most 4000 characters" }).optional(),
});
export type EscalateInput = z.infer<typeof escalateInput>;

/**
 * The playbook that applies to an item, from one read of its client's active playbooks (oldest first): the first
 * whose triggers match (`triggered`), else, with `orFirst`, the first of them.
 */
export async function findPlaybookFor(
  tx: Executor,
  item: ItemRow,
  { orFirst = false }: { orFirst?: boolean } = {},
): Promise<{ playbook: PlaybookView | null; triggered: boolean }> {
  const playbooks = await findActivePlaybooks(tx, item);
  const matching = playbooks.find((playbook) =>
    playbookMatches(playbook.document, {
      categoryKey: item.categoryKey,
      riskFlags: item.riskFlags,
      priority: item.priority,
      body: item.body,
    }),
  );
  if (matching) return { playbook: matching, triggered: true };
  return { playbook: orFirst ? (playbooks[0] ?? null) : null, triggered: false };
}

/**
 * Opens an escalation at `level` with its hand-over packet (built here, once), pauses the item's resolution
 * clock (the wait is the client's), tells the level's contacts and takes the item out of the queue unless
 * a moderator still has to post its acknowledgement.
 */
export async function openEscalation(
  tx: Executor,
  {
    item,
    playbook,
    level,
    note,
    manual,
    now,
  }: { item: ItemRow; playbook: PlaybookView | null; level: number; note: string | null; manual: boolean; now: Date },
): Promise<EscalationRow> {
  const packet = await buildHandoverPacket(tx, { item, note, now });
  const incident = manual ? null : await findIncidentEscalation(tx, { item, playbook });
  const [row] = await tx
    .insert(escalations)
    .values({
      agencyId: item.agencyId,
      clientId: item.clientId,
      itemId: item.id,
      customerId: item.customerId,
      playbookId: playbook?.id ?? null,
      rolledUpIntoId: incident?.id ?? null,
      level: incident?.level ?? level,
      status: incident?.status ?? "open",
      packet,
      workflowState: readWorkflowState({ manual }),
      levelStartedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Escalation not saved");
  // An item of an incident already escalated rides on that escalation: the client was told once.
  const outbox = incident ? [] : await notifyLevel(tx, { escalation: row, item, playbook, level, kind: "opened", now });
  const [saved] = await tx
    .update(escalations)
    .set({ workflowState: { ...readWorkflowState(row.workflowState), outbox } })
    .where(eq(escalations.id, row.id))
    .returning();
  await pauseResolutionClock(tx, { itemId: item.id, at: now });
  const [waitingAcknowledgement] = await tx
    .select({ id: replies.id })
    .from(replies)
    .where(
      and(
        eq(replies.itemId, item.id),
        eq(replies.kind, "acknowledgement"),
        inArray(replies.status, ["draft", "pending_approval"]),
      ),
    );
  if (!waitingAcknowledgement && (item.status === "queued" || item.status === "claimed")) {
    await tx
      .update(items)
      .set({ status: "escalated", claimedBy: null, claimExpiresAt: null, updatedAt: now })
      .where(eq(items.id, item.id));
    await publishLiveEvent(tx, {
      type: "item.changed",
      agencyId: item.agencyId,
      clientId: item.clientId,
      subjectId: item.id,
    });
  }
  await publishLiveEvent(tx, {
    type: "escalation.changed",
    agencyId: item.agencyId,
    clientId: item.clientId,
    subjectId: incident?.id ?? row.id,
  });
  return saved ?? row;
}

/** Open escalations compared with a new automatic one for the same incident (the newest first). */
const incidentCandidates = 50;

/**
 * While the client is in a volume spike (an open `volume_spikes` row, the floor's detection): the open automatic
 * escalation of the client, under the same playbook, whose item is near-identical to `item` (the clusters' rule,
 * `areNearDuplicates`); a new automatic escalation of the item rolls up into it. Outside a spike every escalation
 * stands alone: two customers' "my account was hacked" on a quiet day are two cases, not one incident. An item that
 * finds its incident rolls up without waiting for anyone; one that finds none looks again under a transaction lock
 * of the client's, which it holds until it commits, so automatic escalations of one client in a spike are opened
 * one at a time and one incident never opens two. The candidates are read from
 * `escalations_incident_candidates_idx` (open, not rolled up).
 */
async function findIncidentEscalation(
  tx: Executor,
  { item, playbook }: { item: ItemRow; playbook: PlaybookView | null },
): Promise<Pick<EscalationRow, "id" | "level" | "status"> | null> {
  const [spike] = await tx
    .select({ id: volumeSpikes.id })
    .from(volumeSpikes)
    .where(
      and(
        eq(volumeSpikes.agencyId, item.agencyId),
        eq(volumeSpikes.clientId, item.clientId),
        isNull(volumeSpikes.endedAt),
      ),
    );
  if (!spike) return null;
  const found = await holdIncident(tx, await findOpenIncident(tx, { item, playbook }));
  if (found) return found;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`escalation-incident:${item.clientId}`}))`);
  // Each statement reads what was committed before it began: an incident opened by the lock's last holder is seen.
  return holdIncident(tx, await findOpenIncident(tx, { item, playbook }));
}

/**
 * The incident found, still open, share-locked until commit; null once the client has answered or resolved it. An
 * answer locks the escalation for update before it reads the items rolled up into it: this lock waits for an answer
 * in progress and then reads the escalation as it left it, and an answer that begins later waits for this roll-up
 * and counts it. Without it an item could roll into an incident answered a moment before and wait for ever.
 */
async function holdIncident(
  tx: Executor,
  found: Pick<EscalationRow, "id"> | null,
): Promise<Pick<EscalationRow, "id" | "level" | "status"> | null> {
  if (!found) return null;
  const [held] = await tx
    .select({ id: escalations.id, level: escalations.level, status: escalations.status })
    .from(escalations)
    .where(and(eq(escalations.id, found.id), inArray(escalations.status, ["open", "acknowledged"])))
    .for("key share");
  return held ?? null;
}

/** The open automatic escalation of `item`'s client and playbook whose item is near-identical to it, if any. */
async function findOpenIncident(
  tx: Executor,
  { item, playbook }: { item: ItemRow; playbook: PlaybookView | null },
): Promise<Pick<EscalationRow, "id" | "level" | "status"> | null> {
  const open = await tx
    .select({
      id: escalations.id,
      level: escalations.level,
      status: escalations.status,
      title: items.title,
      body: items.body,
    })
    .from(escalations)
    .innerJoin(items, eq(items.id, escalations.itemId))
    .where(
      and(
        eq(escalations.agencyId, item.agencyId),
        eq(escalations.clientId, item.clientId),
        inArray(escalations.status, ["open", "acknowledged"]),
        isNull(escalations.rolledUpIntoId),
        playbook ? eq(escalations.playbookId, playbook.id) : isNull(escalations.playbookId),
        sql`coalesce((${escalations.workflowState}->>'manual')::boolean, false) = false`,
      ),
    )
    .orderBy(desc(escalations.createdAt))
    .limit(incidentCandidates);
  const textOf = (row: { title: string | null; body: string }) => (row.title ? `${row.title}\n${row.body}` : row.body);
  const found = open.find((candidate) => areNearDuplicates(textOf(candidate), textOf(item)));
  return found ? { id: found.id, level: found.level, status: found.status } : null;
}

/** The items rolled up into each escalation, oldest first. */
export async function findRolledUpItemIds(
  tx: Executor,
  escalationIds: readonly string[],
): Promise<Map<string, string[]>> {
  const byEscalation = new Map<string, string[]>();
  if (escalationIds.length === 0) return byEscalation;
  const rows = await tx
    .select({ into: escalations.rolledUpIntoId, itemId: escalations.itemId })
    .from(escalations)
    .where(inArray(escalations.rolledUpIntoId, [...escalationIds]))
    .orderBy(escalations.createdAt, escalations.id);
  for (const row of rows) {
    if (!row.into) continue;
    byEscalation.set(row.into, [...(byEscalation.get(row.into) ?? []), row.itemId]);
  }
  return byEscalation;
}

/** In-app notices now, e-mail and webhook posts for the outbox: for the contacts of `level`. */
export async function notifyLevel(
  tx: Executor,
  {
    escalation,
    item,
    playbook,
    level,
    kind,
    now,
  }: {
    escalation: EscalationRow;
    item: ItemRow;
    playbook: PlaybookView | null;
    level: number;
    kind: "opened" | "reminder";
    now: Date;
  },
): Promise<OutboundNotice[]> {
  const levelPolicy = playbook?.document.levels[level - 1] ?? null;
  let respondBy = "";
  if (levelPolicy) {
    const clientCalendar = await businessCalendarAt(tx, { clientId: item.clientId, at: now });
    const calendar = resolveCalendar(levelPolicy.calendar, clientCalendar);
    respondBy = ` Please answer by ${addBusinessMinutes(now, levelPolicy.respondWithinMinutes, calendar).toISOString()}.`;
  }
  const excerpt = item.body.length > 280 ? `${item.body.slice(0, 277)}…` : item.body;
  return notifyEscalationLevel(tx, {
    level: levelPolicy,
    notice: {
      kind: kind === "opened" ? "escalation.opened" : "escalation.reminder",
      agencyId: item.agencyId,
      clientId: item.clientId,
      escalationId: escalation.id,
      itemId: item.id,
      level,
      title:
        kind === "opened"
          ? `Escalation (level ${level}): ${item.authorHandle} needs an answer`
          : `Reminder: escalation from ${item.authorHandle} is still waiting`,
      body: `@${item.authorHandle} wrote: "${excerpt}".${respondBy} Open the escalation in the Parley portal to see the hand-over packet and answer.`,
      at: now,
    },
  });
}

async function getScopedItem(scope: Scope, tx: Executor, itemId: string, lock = false): Promise<ItemRow> {
  const query = tx
    .select()
    .from(items)
    .where(and(eq(items.id, itemId), eq(items.agencyId, scope.agencyId)));
  const [item] = lock ? await query.for("update") : await query;
  if (!item || (scope.clientIds && !scope.clientIds.includes(item.clientId))) {
    throw new AppError("NOT_FOUND", "Item not found", { reason: "item_not_found", fields: { itemId: "no such item" } });
  }
  return item;
}

/** The packet an escalation of the item would carry now, without saving anything. */
export async function previewEscalation(
  scope: Scope,
  tx: Executor,
  input: EscalateInput,
  deps: { now?: Clock } = {},
): Promise<{ playbookId: string | null; packet: HandoverPacket }> {
  const item = await getScopedItem(scope, tx, input.itemId);
  const { playbook } = await findPlaybookFor(tx, item);
  return {
    playbookId: playbook?.id ?? null,
    packet: await buildHandoverPacket(tx, { item, note: input.note ?? null, now: (deps.now ?? systemClock)() }),
  };
}

/**
 * A moderator escalates an item by hand: level 1 of the playbook that matches it (or the client's first
 * active playbook), and the triage flow takes over from there (acknowledgement, reminders, follow-up).
 */
export async function escalateItem(
  scope: Scope,
  tx: Executor,
  input: EscalateInput,
  deps: { now?: Clock } = {},
): Promise<EscalationView> {
  const now = (deps.now ?? systemClock)();
  const item = await getScopedItem(scope, tx, input.itemId, true);
  const [open] = await tx
    .select({ id: escalations.id })
    .from(escalations)
    .where(and(eq(escalations.itemId, item.id), inArray(escalations.status, ["open", "acknowledged"])))
    .orderBy(desc(escalations.createdAt));
  if (open) {
    throw new AppError("CONFLICT", "The item is already escalated", {
      reason: "already_escalated",
      escalationId: open.id,
    });
  }
  if (item.status === "deleted" || item.status === "resolved") {
    throw new AppError("INVALID_STATE", `A ${item.status} item cannot be escalated`, { reason: "item_closed" });
  }
  const { playbook } = await findPlaybookFor(tx, item, { orFirst: true });
  if (!playbook) {
    throw new AppError("INVALID_STATE", "The client has no active escalation playbook", { reason: "no_playbook" });
  }
  const row = await openEscalation(tx, { item, playbook, level: 1, note: input.note ?? null, manual: true, now });
  await recordAudit(tx, scope, {
    action: "escalation.opened",
    subjectType: "escalation",
    subjectId: row.id,
    clientId: item.clientId,
    after: { itemId: item.id, level: 1, playbookId: playbook.id, note: input.note ?? null },
    protocolVersionId: item.protocolVersionId,
  });
  await scheduleWakeups(tx, [
    { flow: "triage", agencyId: item.agencyId, clientId: item.clientId, itemId: item.id, dueAt: now },
  ]);
  return toEscalationView(row);
}
