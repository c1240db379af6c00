/**
 * The monthly invoice run across agencies (deliberately unscoped: it lists the agencies, then works
 * inside each one's tenant transaction). Two drivers call it — the Inngest cron
 * (@parley/workflows, `monthly-invoices.function`) and the embedded scheduler of apps/api — and
 * both take the same two decisions from here:
 *
 * 1. `findDueMonthlyInvoiceRuns`: which agencies have last month's drafts to create at `now`;
 * 2. `createMonthlyInvoiceDrafts` (below): create them and notify the account managers.
 *
 * When an agency is due, written down once:
 * - from 06:00 on the 1st in the AGENCY's time zone (its office opens to fresh drafts), for the
 *   month before, in that zone ("2026-09" at 06:00 on 1 October);
 * - and only once every client still waiting for that month has finished it in the CLIENT's own
 *   zone (periods are the client's local month): an agency in London with a client in Los Angeles
 *   gets its drafts at 09:00 London time, not at 06:00 with eight hours of September missing;
 * - "waiting" = active, with a contract in force on the 1st of the month, and no invoice for the
 *   month yet (draft or finalized). So a month done costs one query per agency, and a client
 *   without a contract never makes its agency due;
 * - catch-up: the rest of the month stays due, so drafts a stopped server missed on the 1st are
 *   created at its next look.
 * Idempotent: a run creates only missing drafts (and the draft unique index refuses a second one),
 * so retries, both drivers and restarts never duplicate a draft or a notification.
 */
import { AppError } from "@parley/contracts";
import { contractForPeriod } from "@parley/contracts/billing";
import { type Database, schema, withTenant } from "@parley/db";
import { and, asc, eq, sql } from "drizzle-orm";
import { localDateOf, monthlyPeriod, previousMonth } from "../sla/period-aggregates";
import { computeDrafts, type DraftOutcome } from "./draft-invoices";

const { agencies, clientAssignments, clients, contracts, invoices, memberships, notifications } = schema;

/** The hour of the 1st, in the agency's zone, from which last month's drafts are due. */
export const MONTHLY_RUN_HOUR = 6;

/** An agency whose drafts of `period` are due: the input of one run. */
export interface DueMonthlyInvoiceRun {
  agencyId: string;
  /** The agency's IANA zone, in which `period` is "last month". */
  timeZone: string;
  /** "YYYY-MM". */
  period: string;
  /** The clients still waiting for a draft of `period` when it was found due. */
  clientIds: string[];
}

export interface MonthlyRunResult {
  agencyId: string;
  period: string;
  outcomes: DraftOutcome[];
}

/** Whether 06:00 on the 1st of the current month has come in `timeZone` (the whole rest of the month, too). */
export function isMonthlyRunHour(now: Date, timeZone: string): boolean {
  const day = Number(localDateOf(now, timeZone).slice(8, 10));
  const hour = Number(
    new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" })
      .formatToParts(now)
      .find((part) => part.type === "hour")?.value,
  );
  return day > 1 || hour >= MONTHLY_RUN_HOUR;
}

/**
 * The active clients of an agency that have no invoice of `period` yet and a contract in force on
 * its 1st (a contract that cannot be chosen — overlapping periods — counts as waiting, so the run
 * reports it), with each client's zone.
 */
async function findWaitingClients(
  db: Database,
  input: { agencyId: string; period: string },
): Promise<Array<{ id: string; timeZone: string }>> {
  const periodStart = `${input.period}-01`;
  const rows = await withTenant(db, { agencyId: input.agencyId, clientIds: null }, (tx) =>
    tx
      .select({
        id: clients.id,
        timeZone: clients.timeZone,
        validFrom: contracts.validFrom,
        validTo: contracts.validTo,
      })
      .from(clients)
      .innerJoin(contracts, and(eq(contracts.agencyId, clients.agencyId), eq(contracts.clientId, clients.id)))
      .where(
        and(
          eq(clients.agencyId, input.agencyId),
          eq(clients.status, "active"),
          sql`not exists (select 1 from ${invoices} where ${invoices.agencyId} = ${clients.agencyId}
            and ${invoices.clientId} = ${clients.id} and ${invoices.periodStart} = ${periodStart}
            and ${invoices.kind} = 'invoice')`,
        ),
      )
      .orderBy(asc(clients.id)),
  );
  const byClient = new Map<string, { id: string; timeZone: string; contracts: typeof rows }>();
  for (const row of rows) {
    const client = byClient.get(row.id) ?? { id: row.id, timeZone: row.timeZone, contracts: [] };
    client.contracts.push(row);
    byClient.set(row.id, client);
  }
  return [...byClient.values()]
    .filter((client) => {
      try {
        return contractForPeriod(client.contracts, periodStart) !== null;
      } catch (error) {
        if (error instanceof AppError) return true;
        throw error;
      }
    })
    .map(({ id, timeZone }) => ({ id, timeZone }));
}

/**
 * The agencies whose last month's drafts are due at `now` (see the rules above), in a stable
 * order. Reads only; a driver then calls `createMonthlyInvoiceDrafts` for each.
 */
export async function findDueMonthlyInvoiceRuns(db: Database, input: { now: Date }): Promise<DueMonthlyInvoiceRun[]> {
  const rows = await db
    .select({ id: agencies.id, timeZone: agencies.timeZone })
    .from(agencies)
    .orderBy(asc(agencies.id));
  const due: DueMonthlyInvoiceRun[] = [];
  for (const agency of rows) {
    if (!isMonthlyRunHour(input.now, agency.timeZone)) continue;
    const period = previousMonth(input.now, agency.timeZone);
    const waiting = await findWaitingClients(db, { agencyId: agency.id, period });
    if (waiting.length === 0) continue;
    // Every waiting client's own month must be over: periods are the client's local month.
    if (waiting.some((client) => monthlyPeriod(period, client.timeZone).to > input.now)) continue;
    due.push({ agencyId: agency.id, timeZone: agency.timeZone, period, clientIds: waiting.map((c) => c.id) });
  }
  return due;
}

/**
 * One pass of the embedded driver: every due agency's drafts, one tenant transaction each. An
 * agency that fails is reported to `onError` (when given) and the others still run; without
 * `onError` the first failure is thrown.
 */
export async function runMonthlyInvoiceDrafts(
  db: Database,
  input: { now: Date; onError?: (error: unknown, run: DueMonthlyInvoiceRun) => void },
): Promise<MonthlyRunResult[]> {
  const results: MonthlyRunResult[] = [];
  for (const run of await findDueMonthlyInvoiceRuns(db, { now: input.now })) {
    try {
      const outcomes = await createMonthlyInvoiceDrafts(db, {
        agencyId: run.agencyId,
        period: run.period,
        asOf: input.now,
      });
      results.push({ agencyId: run.agencyId, period: run.period, outcomes });
    } catch (error) {
      if (!input.onError) throw error;
      input.onError(error, run);
    }
  }
  return results;
}

/**
 * The monthly run of one agency (cron on the 1st, or the embedded scheduler): drafts of last month
 * for every active client that has none yet, and a notification to each account manager assigned
 * to the client. Idempotent: a second run finds the drafts and does nothing. Runs of the same agency
 * and month take turns (a transaction-level advisory lock): with several API processes, each running
 * the embedded scheduler, the second run waits for the first and then finds its drafts — without the
 * lock it would plan before the first committed, upsert over its drafts and notify a second time.
 */
export async function createMonthlyInvoiceDrafts(
  db: Database,
  input: { agencyId: string; period: string; asOf: Date },
): Promise<DraftOutcome[]> {
  const scope = { agencyId: input.agencyId };
  const { asOf } = input;
  return withTenant(db, { agencyId: input.agencyId, clientIds: null }, async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`parley:monthly-invoices:${input.agencyId}:${input.period}`}, 0))`,
    );
    const active = await tx
      .select()
      .from(clients)
      .where(and(eq(clients.agencyId, input.agencyId), eq(clients.status, "active")))
      .orderBy(asc(clients.name));
    const outcomes = await computeDrafts(scope, tx, { clients: active, period: input.period, asOf, onlyMissing: true });
    for (const outcome of outcomes) {
      if (outcome.status !== "created") continue;
      const managers = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .innerJoin(clientAssignments, eq(clientAssignments.membershipId, memberships.id))
        .where(
          and(
            eq(memberships.agencyId, input.agencyId),
            eq(memberships.role, "account_manager"),
            eq(clientAssignments.clientId, outcome.clientId),
          ),
        );
      if (managers.length === 0) continue;
      await tx.insert(notifications).values(
        managers.map((manager) => ({
          agencyId: input.agencyId,
          clientId: outcome.clientId,
          recipientUserId: manager.userId,
          kind: "invoice.draft_created",
          subjectType: "invoice",
          subjectId: outcome.invoice.id,
          title: `Invoice draft for ${outcome.clientName}, ${input.period}`,
          body: `The ${input.period} draft of ${outcome.clientName} is ready for review.`,
        })),
      );
    }
    return outcomes;
  });
}
