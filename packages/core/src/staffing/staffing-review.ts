/**
 * Planned against actual for a past week, per pool and local day, so a lead can trust the model or see where it is
 * wrong:
 * - arrivals: the forecast as it would have been made at the week's start (history before it, the planned events)
 *   against the items that arrived;
 * - moderators: the moderator-hours the plan asked for, the hours the actual arrivals would have asked for, the
 *   hours rostered, and the hours moderators were online — a moderator counts as online in an hour when they
 *   claimed or acted on an item in it (Parley records work, not presence, so a quiet hour on shift reads low);
 * - compliance: first-response clocks started that day that are decided (stopped, or past due) and how many met
 *   their target.
 * Handling times are today's measurement (the last four weeks of work), not the week's own.
 */
import { AppError, type StaffingWeekInput, staffingWeekInput } from "@parley/contracts";
import { addDaysToLocalDate } from "@parley/contracts/billing";
import { type Executor, uuidArray } from "@parley/db";
import { sql } from "drizzle-orm";
import type { Scope } from "../kernel/scope";
import { localWallTime } from "../sla/zone-offsets";
import { countHourlyArrivals } from "./arrival-history";
import { HOUR_MS } from "./forecast";
import {
  forecastHistoryWeeks,
  forecastWeek,
  loadStaffingContext,
  planPools,
  poolNameOf,
  type StaffingDeps,
  weekHours,
  weekStartOf,
} from "./staffing-plan";

/** Audit actions that show a moderator at work. */
const workActions = [
  "item.claimed",
  "item.claim_renewed",
  "item.released",
  "item.skipped",
  "item.hidden",
  "item.deleted",
  "item.no_action",
  "item.tagged",
  "item.note_added",
  "reply.queued",
  "reply.submitted_for_approval",
  "escalation.opened",
];

export interface ReviewFigures {
  plannedArrivals: number;
  actualArrivals: number;
  /** Moderator-hours the week's plan asked for (Σ scheduled). */
  plannedRequiredHours: number;
  /** Moderator-hours the actual arrivals asked for. */
  actualRequiredHours: number;
  rosteredHours: number;
  onlineHours: number;
  /** Hours the plan showed a gap in. */
  plannedHoursShort: number;
  /** Hours with fewer moderators online than the actual arrivals asked for (before shrinkage). */
  actualHoursShort: number;
  clocksDecided: number;
  clocksMet: number;
  /** `clocksMet / clocksDecided` in percent, null with nothing decided. */
  compliancePercent: number | null;
}

export interface StaffingReviewView {
  weekStart: string;
  /** The week reviewed when none is asked for: the last one. */
  defaultWeekStart: string;
  timeZone: string;
  generatedAt: Date;
  pools: Array<{
    key: string;
    name: string;
    days: Array<ReviewFigures & { date: string }>;
    totals: ReviewFigures;
  }>;
}

function emptyFigures(): ReviewFigures {
  return {
    plannedArrivals: 0,
    actualArrivals: 0,
    plannedRequiredHours: 0,
    actualRequiredHours: 0,
    rosteredHours: 0,
    onlineHours: 0,
    plannedHoursShort: 0,
    actualHoursShort: 0,
    clocksDecided: 0,
    clocksMet: 0,
    compliancePercent: null,
  };
}

function addFigures(into: ReviewFigures, from: ReviewFigures): void {
  for (const key of Object.keys(into) as Array<keyof ReviewFigures>) {
    if (key !== "compliancePercent") into[key] += from[key] as number;
  }
}

function withCompliance(figures: ReviewFigures): ReviewFigures {
  return {
    ...figures,
    compliancePercent: figures.clocksDecided > 0 ? (figures.clocksMet / figures.clocksDecided) * 100 : null,
  };
}

/** The review of a past week (default: last week), within the forecast's history. */
export async function getStaffingReview(
  scope: Scope,
  tx: Executor,
  input: StaffingWeekInput,
  deps: StaffingDeps = {},
): Promise<StaffingReviewView> {
  const { weekStart: asked } = staffingWeekInput.parse(input);
  const context = await loadStaffingContext(scope, tx, deps);
  const currentWeek = weekStartOf(context.now.getTime(), context.timeZone);
  const defaultWeekStart = addDaysToLocalDate(currentWeek, -7);
  const weekStart = asked ?? defaultWeekStart;
  const earliest = addDaysToLocalDate(currentWeek, -7 * forecastHistoryWeeks);
  if (weekStart >= currentWeek || weekStart < earliest) {
    throw new AppError("BAD_INPUT", "The review covers past weeks", {
      reason: "validation",
      fields: { weekStart: `must be a Monday from ${earliest} to ${addDaysToLocalDate(currentWeek, -7)}` },
    });
  }
  const { from, hours } = weekHours(weekStart, context.timeZone);
  const to = from + hours * HOUR_MS;
  const clientIds = context.clients.map((client) => client.id);
  const planned = await forecastWeek(scope, tx, context, { from, hours, fitTo: from });
  const counts = await countHourlyArrivals(scope, tx, { clientIds, from: new Date(from), to: new Date(to) });
  const actual = new Map(
    clientIds.map((id) => [
      id,
      Array.from({ length: hours }, (_, index) => counts.get(id)?.get(from + index * HOUR_MS) ?? 0),
    ]),
  );
  const plannedPlans = await planPools(scope, tx, context, { from, hours, arrivals: planned });
  const actualPlans = await planPools(scope, tx, context, { from, hours, arrivals: actual });

  const membershipOfUser = new Map(context.moderators.map((moderator) => [moderator.userId, moderator.membershipId]));
  const activity =
    membershipOfUser.size === 0
      ? []
      : await tx.execute<{ actor_user_id: string; hour: number }>(sql`
          select distinct actor_user_id, floor(extract(epoch from created_at) / 3600)::int8::float8 as hour
          from audit_events
          where agency_id = ${scope.agencyId} and created_at >= ${new Date(from).toISOString()}::timestamptz
            and created_at < ${new Date(to).toISOString()}::timestamptz
            and actor_user_id = any(${uuidArray([...membershipOfUser.keys()])})
            and action in (${sql.join(
              workActions.map((action) => sql`${action}`),
              sql`, `,
            )})`);
  const onlineByHour = new Map<number, Set<string>>();
  for (const row of activity) {
    const membershipId = membershipOfUser.get(row.actor_user_id);
    if (!membershipId) continue;
    const hour = Number(row.hour) * HOUR_MS;
    onlineByHour.set(hour, (onlineByHour.get(hour) ?? new Set()).add(membershipId));
  }
  const clocks =
    clientIds.length === 0
      ? []
      : await tx.execute<{ client_id: string; hour: number; decided: number; met: number }>(sql`
          select client_id, floor(extract(epoch from started_at) / 3600)::int8::float8 as hour,
            count(*) filter (where stopped_at is not null or due_at < ${context.now.toISOString()}::timestamptz)::int as decided,
            count(*) filter (where stopped_at is not null and stopped_at <= due_at)::int as met
          from sla_clocks
          where agency_id = ${scope.agencyId} and client_id = any(${uuidArray(clientIds)})
            and metric = 'first_response' and started_at >= ${new Date(from).toISOString()}::timestamptz
            and started_at < ${new Date(to).toISOString()}::timestamptz
          group by 1, 2`);

  return {
    weekStart,
    defaultWeekStart,
    timeZone: context.timeZone,
    generatedAt: context.now,
    pools: context.pools.map((pool) => {
      const days = new Map<string, ReviewFigures>();
      const dayOf = (at: number) => {
        const date = localWallTime(at, context.timeZone).date;
        let figures = days.get(date);
        if (!figures) {
          figures = emptyFigures();
          days.set(date, figures);
        }
        return figures;
      };
      const plannedHours = plannedPlans.get(pool.key) ?? [];
      const actualHours = actualPlans.get(pool.key) ?? [];
      for (let index = 0; index < hours; index++) {
        const hourStart = from + index * HOUR_MS;
        const plan = plannedHours[index];
        const need = actualHours[index];
        const online = [...(onlineByHour.get(hourStart) ?? [])].filter((id) => pool.membershipIds.includes(id)).length;
        const figures = dayOf(hourStart);
        figures.plannedArrivals += plan?.arrivals ?? 0;
        figures.actualArrivals += need?.arrivals ?? 0;
        figures.plannedRequiredHours += plan?.required.scheduled ?? 0;
        figures.actualRequiredHours += need?.required.scheduled ?? 0;
        figures.rosteredHours += plan?.rostered ?? 0;
        figures.onlineHours += online;
        if ((plan?.gap ?? 0) > 0) figures.plannedHoursShort += 1;
        if (online < (need?.required.agents ?? 0)) figures.actualHoursShort += 1;
      }
      for (const row of clocks) {
        if (!pool.clientIds.includes(row.client_id)) continue;
        const figures = dayOf(Number(row.hour) * HOUR_MS);
        figures.clocksDecided += row.decided;
        figures.clocksMet += row.met;
      }
      const totals = emptyFigures();
      const list = [...days.entries()]
        .filter(([date]) => date >= weekStart && date < addDaysToLocalDate(weekStart, 7))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([date, figures]) => {
          addFigures(totals, figures);
          return { date, ...withCompliance(figures) };
        });
      return { key: pool.key, name: poolNameOf(context, pool), days: list, totals: withCompliance(totals) };
    }),
  };
}
