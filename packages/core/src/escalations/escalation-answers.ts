import { AppError, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, inArray, type SQL } from "drizzle-orm";
import { z } from "zod";
import { type Clock, systemClock } from "../kernel/clock";
import { publishLiveEvent } from "../kernel/publish-live-event";
import { recordAudit } from "../kernel/record-audit";
import { wakeFlow } from "../kernel/schedule-wakeups";
import type { Scope } from "../kernel/scope";
import { resumeResolutionClock } from "../sla/clock-lifecycle";
import { type EscalationView, toEscalationView } from "./escalate-item";

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

/** Escalations the caller sees, newest first: a stakeholder their client's, staff their clients'. */
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
      ),
    )
    .orderBy(desc(escalations.createdAt))
    .limit(200);
  return rows.map(toEscalationView);
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
  return toEscalationView(await findScoped(scope, tx, input.escalationId, false));
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
  const [row] = await tx
    .update(escalations)
    .set({
      status: "resolved",
      resolvedAt: now,
      updatedAt: now,
      ...(answer ? { answer, answeredBy: scope.actorId, answeredAt: now } : {}),
    })
    .where(eq(escalations.id, before.id))
    .returning();
  if (!row) throw new AppError("INTERNAL", "Escalation not saved");
  await resumeResolutionClock(tx, { itemId: row.itemId, at: now });
  const target = { agencyId: row.agencyId, clientId: row.clientId, itemId: row.itemId };
  await wakeFlow(tx, { ...target, flow: "triage", event: "escalations/escalation.resolved", now });
  await recordAudit(tx, scope, {
    action: answer ? "escalation.answered" : "escalation.resolved",
    subjectType: "escalation",
    subjectId: row.id,
    clientId: row.clientId,
    before: { status: before.status },
    after: { status: row.status, answer },
  });
  await publishLiveEvent(tx, {
    type: "escalation.changed",
    agencyId: row.agencyId,
    clientId: row.clientId,
    subjectId: row.id,
  });
  return toEscalationView(row);
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
  const [row] = await tx
    .update(escalations)
    .set({ status: "acknowledged", updatedAt: now })
    .where(eq(escalations.id, before.id))
    .returning();
  if (!row) throw new AppError("INTERNAL", "Escalation not saved");
  const target = { agencyId: row.agencyId, clientId: row.clientId, itemId: row.itemId };
  await wakeFlow(tx, { ...target, flow: "triage", event: "escalations/escalation.resolved", now });
  await recordAudit(tx, scope, {
    action: "escalation.acknowledged",
    subjectType: "escalation",
    subjectId: row.id,
    clientId: row.clientId,
    before: { status: before.status },
    after: { status: row.status },
  });
  await publishLiveEvent(tx, {
    type: "escalation.changed",
    agencyId: row.agencyId,
    clientId: row.clientId,
    subjectId: row.id,
  });
  return toEscalationView(row);
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
