import { AppError, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import { wakeFlow } from "../kernel/schedule-wakeups";
import type { Scope } from "../kernel/scope";
import { resumeResolutionClock } from "../sla/clock-lifecycle";
import { type EscalationView, findRolledUpItemIds, toEscalationView } from "./escalate-item";

const { escalations } = schema;
type EscalationRow = typeof escalations.$inferSelect;

export const escalationListInput = z
  .object({
    clientId: uuid.optional(),
    status: z.enum(schema.escalationStatuses).optional(),
  })
  .default({});
export type EscalationListInput = z.input<typeof escalationListInput>;
export const escalationIdInput = z.object({ escalationId: uuid });
export type EscalationIdInput = z.infer<typeof escalationIdInput>;
export const escalationAnswerInput = z.object({
  escalationId: uuid,
  answer: z
    .string({ error: "answer is required" })
    .trim()
    .min(1, { error: "answer must not be empty" })
    .max(10_000, { error: "answer must be at most 10000 characters" }),
});
export type EscalationAnswerInput = z.infer<typeof escalationAnswerInput>;

function scopeFilter(scope: Scope): SQL | undefined {
  return scope.clientIds ? inArray(escalations.clientId, [...scope.clientIds]) : undefined;
}

/**
 * Escalations the caller sees, newest first: a stakeholder their client's, staff their clients'. An incident's
 * items rolled up into one escalation are that one escalation, with its item count.
 */
export async function listEscalations(
  scope: Scope,
  tx: Executor,
  input: EscalationListInput = {},
): Promise<EscalationView[]> {
  const { clientId, status } = escalationListInput.parse(input);
  const rows = await tx
    .select()
    .from(escalations)
    .where(
      and(
        eq(escalations.agencyId, scope.agencyId),
        scopeFilter(scope),
        clientId ? eq(escalations.clientId, clientId) : undefined,
        status ? eq(escalations.status, status) : undefined,
        isNull(escalations.rolledUpIntoId),
      ),
    )
    .orderBy(desc(escalations.createdAt))
    .limit(200);
  const rolledUp = await findRolledUpItemIds(
    tx,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toEscalationView(row, rolledUp.get(row.id)));
}

async function findScoped(scope: Scope, tx: Executor, escalationId: string, lock: boolean): Promise<EscalationRow> {
  const query = tx
    .select()
    .from(escalations)
    .where(and(eq(escalations.id, escalationId), eq(escalations.agencyId, scope.agencyId), scopeFilter(scope)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) {
    throw new AppError("NOT_FOUND", "Escalation not found", {
      reason: "escalation_not_found",
      fields: { escalationId: "no such escalation" },
    });
  }
  return row;
}

export async function getEscalation(scope: Scope, tx: Executor, input: EscalationIdInput): Promise<EscalationView> {
  const row = await findScoped(scope, tx, input.escalationId, false);
  return toEscalationView(row, (await findRolledUpItemIds(tx, [row.id])).get(row.id));
}

/** The open escalations of an incident's items rolled up into `escalationId`, locked. */
async function lockRolledUp(tx: Executor, escalationId: string): Promise<EscalationRow[]> {
  return tx
    .select()
    .from(escalations)
    .where(and(eq(escalations.rolledUpIntoId, escalationId), inArray(escalations.status, ["open", "acknowledged"])))
    .orderBy(escalations.createdAt, escalations.id)
    .for("update");
}

/**
 * Closes the client's side of an escalation: the resolution clock counts agency time again (the wait is
 * kept as client-side time) and the triage flow wakes to follow up with the customer and close the loop.
 */
async function closeClientSide(
  scope: Scope,
  tx: Executor,
  { escalationId, answer, now }: { escalationId: string; answer: string | null; now: Date },
): Promise<EscalationView> {
  const before = await findScoped(scope, tx, escalationId, true);
  if (before.status !== "open" && before.status !== "acknowledged") {
    throw new AppError("INVALID_STATE", `The escalation is already ${before.status}`, {
      reason: `already_${before.status}`,
    });
  }
  // The answer reaches every item of the incident rolled up into this escalation, each as its own would.
  const rolledUp = await lockRolledUp(tx, before.id);
  let answered: EscalationRow | undefined;
  for (const escalation of [before, ...rolledUp]) {
    const [row] = await tx
      .update(escalations)
      .set({
        status: "resolved",
        resolvedAt: now,
        updatedAt: now,
        ...(answer ? { answer, answeredBy: scope.actorId, answeredAt: now } : {}),
      })
      .where(eq(escalations.id, escalation.id))
      .returning();
    if (!row) throw new AppError("INTERNAL", "Escalation not saved");
    answered ??= row;
    await resumeResolutionClock(tx, { itemId: row.itemId, at: now });
    const target = { agencyId: row.agencyId, clientId: row.clientId, itemId: row.itemId };
    await wakeFlow(tx, { ...target, flow: "triage", event: "escalations/escalation.resolved", now });
    await recordAudit(tx, scope, {
      action: answer ? "escalation.answered" : "escalation.resolved",
      subjectType: "escalation",
      subjectId: row.id,
      clientId: row.clientId,
      before: { status: escalation.status },
      after: { status: row.status, answer, ...(row.rolledUpIntoId ? { rolledUpIntoId: row.rolledUpIntoId } : {}) },
    });
  }
  if (!answered) throw new AppError("INTERNAL", "Escalation not saved");
  await publishLiveEvent(tx, {
    type: "escalation.changed",
    agencyId: answered.agencyId,
    clientId: answered.clientId,
    subjectId: answered.id,
  });
  return toEscalationView(
    answered,
    rolledUp.map((escalation) => escalation.itemId),
  );
}

/**
 * The client's specialist takes the escalation on: it stops moving up the levels (the customer still gets
 * the cadence updates) until answered or resolved.
 */
export async function acknowledgeEscalation(
  scope: Scope,
  tx: Executor,
  input: EscalationIdInput,
  deps: { now?: Clock } = {},
): Promise<EscalationView> {
  const now = (deps.now ?? systemClock)();
  const before = await findScoped(scope, tx, input.escalationId, true);
  if (before.status !== "open") {
    throw new AppError("INVALID_STATE", `The escalation is already ${before.status}`, {
      reason: `already_${before.status}`,
    });
  }
  const rolledUp = (await lockRolledUp(tx, before.id)).filter((escalation) => escalation.status === "open");
  const [row] = await tx
    .update(escalations)
    .set({ status: "acknowledged", updatedAt: now })
    .where(eq(escalations.id, before.id))
    .returning();
  if (!row) throw new AppError("INTERNAL", "Escalation not saved");
  if (rolledUp.length > 0) {
    await tx
      .update(escalations)
      .set({ status: "acknowledged", updatedAt: now })
      .where(
        inArray(
          escalations.id,
          rolledUp.map((escalation) => escalation.id),
        ),
      );
  }
  for (const escalation of [row, ...rolledUp]) {
    const target = { agencyId: escalation.agencyId, clientId: escalation.clientId, itemId: escalation.itemId };
    await wakeFlow(tx, { ...target, flow: "triage", event: "escalations/escalation.resolved", now });
  }
  await recordAudit(tx, scope, {
    action: "escalation.acknowledged",
    subjectType: "escalation",
    subjectId: row.id,
    clientId: row.clientId,
    before: { status: before.status },
    after: { status: row.status, rolledUpItems: rolledUp.length },
  });
  await publishLiveEvent(tx, {
    type: "escalation.changed",
    agencyId: row.agencyId,
    clientId: row.clientId,
    subjectId: row.id,
  });
  return toEscalationView(row, (await findRolledUpItemIds(tx, [row.id])).get(row.id));
}

/** The client's specialist answers: the answer goes back to the customer through the triage flow. */
export function answerEscalation(
  scope: Scope,
  tx: Executor,
  input: EscalationAnswerInput,
  deps: { now?: Clock } = {},
): Promise<EscalationView> {
  return closeClientSide(scope, tx, { ...input, now: (deps.now ?? systemClock)() });
}

/** Resolved without an answer for the customer (handled elsewhere, or nothing to say). */
export function resolveEscalation(
  scope: Scope,
  tx: Executor,
  input: EscalationIdInput,
  deps: { now?: Clock } = {},
): Promise<EscalationView> {
  return closeClientSide(scope, tx, {
    escalationId: input.escalationId,
    answer: null,
    now: (deps.now ?? systemClock)(),
  });
}
