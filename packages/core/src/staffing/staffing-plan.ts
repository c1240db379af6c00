/**
 * The week's staffing plan of the caller's clients, per pool and hour: forecast arrivals (history up to now, planned
 * events), handling times measured from real work, the contracts' first-response targets, the roster — and where
 * they leave a gap, the triage-only cover and the clients at risk. See forecast.ts, handling-times.ts, pools.ts,
 * roster.ts and pool-plan.ts for each rule; this file reads the data and puts them together.
 */
import { AppError, type StaffingWeekInput, staffingWeekInput } from "@parley/contracts";
import {
  acknowledgementCountsOf,
  addDaysToLocalDate,
  type ClockTarget,
  type ContractTermsInput,
} from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { ALWAYS_OPEN, businessMinutesBetween } from "../sla";
import { calendarVersionAt, contractInForceOn } from "../sla/clock-terms";
import { getSlaPolicy } from "../sla/sla-policy";
import { localWallTime, wallTimeInstant } from "../sla/zone-offsets";
import { countHourlyArrivals, firstArrivals } from "./arrival-history";
import { type ForecastEvent, forecastArrivals, HOUR_MS, hourStartOf, WEEK_MS, weeklyProfile } from "./forecast";
import { type ClientHandlingTime, handlingTimeWindowDays, measureHandlingTimes } from "./handling-times";
import { listPlannedEvents, type PlannedEventView } from "./planned-events";
import { type ClientHourDemand, type PlanTarget, type PoolHourPlan, planPoolHour } from "./pool-plan";
import { buildPools, type StaffingPool } from "./pools";
import { onShiftHours } from "./roster";
import { loadRosterRules } from "./roster-store";
import {
  agencyTimeZoneOf,
  moderatorsOf,
  type PlannedClient,
  type PlannedModerator,
  plannedClientsOf,
} from "./staffing-scope";
import { getStaffingSettings, planSettingsOf, type StaffingSettingsView } from "./staffing-settings";

const { contracts } = schema;

/** Weeks of arrivals the forecast is fitted on. */
export const forecastHistoryWeeks = 12;
/** How far ahead a week may be planned. */
export const planAheadWeeks = 8;
/** Compliance planned for a client without a contract, on the agency's default targets. */
export const defaultPolicyCompliancePercent = 90;

export interface StaffingDeps {
  now?: Clock;
}

export interface TargetView extends PlanTarget {
  calendar: "24x7" | "business_hours";
  /** "contract": the contract in force; "default": the agency's default policy (no contract in force). */
  source: "contract" | "default";
}

/** Everything a week's plan reads, loaded once per request. */
export interface StaffingContext {
  now: Date;
  timeZone: string;
  settings: StaffingSettingsView;
  clients: PlannedClient[];
  moderators: PlannedModerator[];
  pools: StaffingPool[];
  handling: Map<string, ClientHandlingTime>;
  /** Each client's contracts (terms as stored), by client id. */
  contracts: Map<string, Array<{ validFrom: string; validTo: string | null; terms: ContractTermsInput }>>;
  /** The agency's default SLA policy (clients without a contract in force). */
  slaPolicy: ClockTarget[];
  /** Planned events from the start of the history on. */
  events: PlannedEventView[];
}

export async function loadStaffingContext(
  scope: Scope,
  tx: Executor,
  deps: StaffingDeps = {},
): Promise<StaffingContext> {
  const now = (deps.now ?? systemClock)();
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const settings = await getStaffingSettings(scope, tx);
  const clients = await plannedClientsOf(scope, tx);
  const clientIds = clients.map((client) => client.id);
  const moderators = await moderatorsOf(scope, tx, clientIds);
  const pools = buildPools({
    clientIds,
    assignments: moderators.flatMap((moderator) =>
      moderator.clientIds.map((clientId) => ({ membershipId: moderator.membershipId, clientId })),
    ),
  });
  const measured = await measureHandlingTimes(scope, tx, {
    clientIds,
    from: new Date(now.getTime() - handlingTimeWindowDays * 86_400_000),
    to: now,
    fallbackAhtSeconds: settings.fallbackAhtSeconds,
  });
  const contractRows =
    clientIds.length === 0
      ? []
      : await tx
          .select()
          .from(contracts)
          .where(and(eq(contracts.agencyId, scope.agencyId), inArray(contracts.clientId, clientIds)))
          .orderBy(asc(contracts.validFrom));
  const byClient = new Map<string, Array<{ validFrom: string; validTo: string | null; terms: ContractTermsInput }>>();
  for (const row of contractRows) {
    byClient.set(row.clientId, [
      ...(byClient.get(row.clientId) ?? []),
      { validFrom: row.validFrom, validTo: row.validTo, terms: row.terms as ContractTermsInput },
    ]);
  }
  // Events as far back as the history of the oldest week the review shows.
  const historyFrom = new Date(hourStartOf(now.getTime()) - (2 * forecastHistoryWeeks + 1) * WEEK_MS);
  return {
    now,
    timeZone,
    settings,
    clients,
    moderators,
    pools,
    handling: new Map(measured.clients.map((client) => [client.clientId, client])),
    contracts: byClient,
    slaPolicy: (await getSlaPolicy(scope, tx)).targets,
    events: await listPlannedEvents(scope, tx, { after: historyFrom }),
  };
}

/**
 * The first-response targets of a client in force on a local date: the contract's then, or the agency's default
 * policy when no contract is in force.
 */
function targetsInForce(context: StaffingContext, client: PlannedClient, localDate: string): TargetView[] {
  const contract = contractInForceOn(context.contracts.get(client.id) ?? [], localDate);
  if (contract) {
    return contract.terms.slaTargets
      .filter((target) => target.metric === "first_response")
      .map((target) => ({
        clientId: client.id,
        priority: target.priority,
        minutes: target.minutes,
        compliancePercent: target.complianceTargetPercent,
        calendar: target.calendar,
        source: "contract" as const,
      }));
  }
  return context.slaPolicy
    .filter((target) => target.metric === "first_response")
    .map((target) => ({
      clientId: client.id,
      priority: target.priority,
      minutes: target.minutes,
      compliancePercent: defaultPolicyCompliancePercent,
      calendar: target.calendar,
      source: "default" as const,
    }));
}

/**
 * Whether the contract in force on a local date counts a delivered acknowledgement as the first response (without a
 * contract — the agency's default policy — it does), as `stopFirstResponseClock` judges it.
 */
function acknowledgementCountsOn(context: StaffingContext, client: PlannedClient, localDate: string): boolean {
  const contract = contractInForceOn(context.contracts.get(client.id) ?? [], localDate);
  return contract ? acknowledgementCountsOf(contract.terms) : true;
}

/** The targets running in an hour: a business-hours target only while the client's calendar is open. */
function targetsRunning(context: StaffingContext, client: PlannedClient, hourStart: number): TargetView[] {
  const targets = targetsInForce(context, client, localWallTime(hourStart, client.timeZone).date);
  const calendar = calendarVersionAt(client.calendars, new Date(hourStart))?.calendar ?? ALWAYS_OPEN;
  const open = businessMinutesBetween(new Date(hourStart), new Date(hourStart + HOUR_MS), calendar) > 0;
  return targets.filter((target) => target.calendar === "24x7" || open);
}

function eventsOf(context: Pick<StaffingContext, "events">, clientId: string): ForecastEvent[] {
  return context.events.filter((event) => event.clientId === clientId);
}

/**
 * Each client's expected arrivals for `hours` hours from `from`, fitted on the `forecastHistoryWeeks` weeks before
 * `fitTo`, planned events applied.
 */
export async function forecastWeek(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  context: Pick<StaffingContext, "clients" | "events">,
  input: { from: number; hours: number; fitTo: number },
): Promise<Map<string, number[]>> {
  const fitTo = hourStartOf(input.fitTo);
  const fitFrom = fitTo - forecastHistoryWeeks * WEEK_MS;
  const clientIds = context.clients.map((client) => client.id);
  const counts = await countHourlyArrivals(scope, tx, { clientIds, from: new Date(fitFrom), to: new Date(fitTo) });
  const first = await firstArrivals(scope, tx, { clientIds });
  const result = new Map<string, number[]>();
  for (const client of context.clients) {
    const events = eventsOf(context, client.id);
    const profile = weeklyProfile({
      counts: counts.get(client.id) ?? new Map(),
      // Weeks before a client's first item are not weeks of zero arrivals.
      from: Math.max(fitFrom, hourStartOf(first.get(client.id) ?? fitTo)),
      to: fitTo,
      timeZone: client.timeZone,
      events,
    });
    const forecast = forecastArrivals({
      profile,
      timeZone: client.timeZone,
      from: input.from,
      hours: input.hours,
      events,
    });
    result.set(
      client.id,
      forecast.map((hour) => hour.expected),
    );
  }
  return result;
}

/** The plan of every pool for each hour, given each client's arrivals per hour. */
export async function planPools(
  scope: Scope,
  tx: Executor,
  context: StaffingContext,
  input: { from: number; hours: number; arrivals: Map<string, number[]> },
): Promise<Map<string, PoolHourPlan[]>> {
  const to = input.from + input.hours * HOUR_MS;
  const rules = await loadRosterRules(scope, tx, {
    membershipIds: context.moderators.map((moderator) => moderator.membershipId),
    from: new Date(input.from),
    to: new Date(to),
    fromDate: localWallTime(input.from - 24 * HOUR_MS, context.timeZone).date,
  });
  const onShift = onShiftHours({ ...rules, timeZone: context.timeZone, from: input.from, hours: input.hours });
  const settings = planSettingsOf(context.settings);
  const clientById = new Map(context.clients.map((client) => [client.id, client]));
  const result = new Map<string, PoolHourPlan[]>();
  for (const pool of context.pools) {
    const hours: PoolHourPlan[] = [];
    for (let index = 0; index < input.hours; index++) {
      const hourStart = input.from + index * HOUR_MS;
      const demands: ClientHourDemand[] = pool.clientIds.flatMap((clientId) => {
        const client = clientById.get(clientId);
        if (!client) return [];
        return [
          {
            clientId,
            arrivals: input.arrivals.get(clientId)?.[index] ?? 0,
            ahtSeconds: context.handling.get(clientId)?.ahtSeconds ?? context.settings.fallbackAhtSeconds,
            targets: targetsRunning(context, client, hourStart),
            acknowledgementCounts: acknowledgementCountsOn(
              context,
              client,
              localWallTime(hourStart, client.timeZone).date,
            ),
          },
        ];
      });
      const rostered = pool.membershipIds.reduce((total, id) => total + (onShift.get(id)?.[index] ?? 0), 0);
      hours.push(planPoolHour({ demands, rostered, settings }));
    }
    result.set(pool.key, hours);
  }
  return result;
}

/** The local Monday of the week containing `at` in `timeZone`. */
export function weekStartOf(at: number, timeZone: string): string {
  const local = localWallTime(at, timeZone);
  return addDaysToLocalDate(local.date, -local.weekday);
}

/** The UTC hours of the local week starting `weekStart` (167 or 169 across a DST change). */
export function weekHours(weekStart: string, timeZone: string): { from: number; hours: number } {
  const from = hourStartOf(wallTimeInstant(weekStart, 0, timeZone));
  const to = hourStartOf(wallTimeInstant(addDaysToLocalDate(weekStart, 7), 0, timeZone));
  return { from, hours: Math.round((to - from) / HOUR_MS) };
}

export interface TargetRef {
  clientId: string;
  priority: string;
  minutes: number;
  compliancePercent: number;
}

export interface PoolHourView {
  startsAt: Date;
  /** Where the hour sits in the agency's week: local date, weekday (0 = Monday) and hour. */
  localDate: string;
  weekday: number;
  hour: number;
  arrivals: number;
  byClient: Array<{ clientId: string; arrivals: number }>;
  trafficErlangs: number;
  ahtSeconds: number;
  required: { agents: number; scheduled: number; serviceLevel: number | null; governing: TargetRef | null };
  triage: { agents: number; scheduled: number };
  rostered: number;
  productive: number;
  gap: number;
  /**
   * What the plan suggests for a gap: `triage_only` when the moderators on shift can hold the targets by
   * acknowledging and escalating (the contract's overspill / out-of-hours mode) — still answering in full the
   * clients whose contract says an acknowledgement is not their first response; `add_moderators` when even that
   * is short. Null without a gap.
   */
  suggestion: { mode: "triage_only"; scheduled: number } | { mode: "add_moderators"; missing: number } | null;
  atRisk: Array<TargetRef & { expectedServiceLevel: number }>;
  /** Rostered moderators the pool's clients would need planned each on its own. */
  standalone: number;
  /** Planned events of the pool's clients running in this hour. */
  events: string[];
}

export interface PoolPlanView {
  key: string;
  name: string;
  clients: Array<{ id: string; name: string }>;
  moderators: Array<{ membershipId: string; name: string }>;
  /** Moderators of the pool who can work every one of its clients. */
  crossSkilled: number;
  hours: PoolHourView[];
  totals: {
    /** Moderator-hours to roster (Σ scheduled). */
    requiredHours: number;
    rosteredHours: number;
    /** Σ gap: moderator-hours short. */
    gapHours: number;
    /** Hours with a gap. */
    hoursShort: number;
    /** Moderator-hours the pool's clients would need planned apart: the pooling benefit is this minus requiredHours. */
    standaloneHours: number;
  };
}

export interface StaffingPlanView {
  weekStart: string;
  /** The week planned when none is asked for: the current one. */
  defaultWeekStart: string;
  /** The agency's zone: the heatmap's days and hours. */
  timeZone: string;
  generatedAt: Date;
  settings: StaffingSettingsView;
  forecastHistoryWeeks: number;
  clients: Array<{
    id: string;
    name: string;
    timeZone: string;
    ahtSeconds: number;
    /** Share of the client's items whose handling time was measured (the rest: the fallback). */
    measuredShare: number;
    forecastArrivals: number;
    /** The first-response targets in force at the week's start, and where they come from. */
    targets: TargetView[];
  }>;
  events: PlannedEventView[];
  pools: PoolPlanView[];
}

function targetRef(target: PlanTarget): TargetRef {
  return {
    clientId: target.clientId,
    priority: target.priority,
    minutes: target.minutes,
    compliancePercent: target.compliancePercent,
  };
}

/** The views of a pool's hours (shared by the plan and the review). */
export function poolHourViews(
  context: StaffingContext,
  pool: StaffingPool,
  plans: readonly PoolHourPlan[],
  input: { from: number; arrivals: Map<string, number[]> },
): PoolHourView[] {
  return plans.map((plan, index) => {
    const startsAt = input.from + index * HOUR_MS;
    const local = localWallTime(startsAt, context.timeZone);
    const suggestion: PoolHourView["suggestion"] =
      plan.gap <= 0
        ? null
        : plan.coverableByTriage
          ? { mode: "triage_only", scheduled: plan.triage.scheduled }
          : { mode: "add_moderators", missing: Math.ceil(plan.triage.scheduled - plan.rostered - 1e-9) };
    return {
      startsAt: new Date(startsAt),
      localDate: local.date,
      weekday: local.weekday,
      hour: Math.floor(local.minuteOfDay / 60),
      arrivals: plan.arrivals,
      byClient: pool.clientIds.map((clientId) => ({ clientId, arrivals: input.arrivals.get(clientId)?.[index] ?? 0 })),
      trafficErlangs: plan.trafficErlangs,
      ahtSeconds: plan.ahtSeconds,
      required: {
        agents: plan.required.agents,
        scheduled: plan.required.scheduled,
        serviceLevel: plan.required.serviceLevel,
        governing: plan.required.governing ? targetRef(plan.required.governing) : null,
      },
      triage: { agents: plan.triage.agents, scheduled: plan.triage.scheduled },
      rostered: plan.rostered,
      productive: plan.productive,
      gap: plan.gap,
      suggestion,
      atRisk: plan.atRisk.map((risk) => ({
        ...targetRef(risk.target),
        expectedServiceLevel: risk.expectedServiceLevel,
      })),
      standalone: Object.values(plan.standalone).reduce((total, value) => total + value, 0),
      events: context.events
        .filter(
          (event) =>
            pool.clientIds.includes(event.clientId) &&
            event.startsAt.getTime() < startsAt + HOUR_MS &&
            event.endsAt.getTime() > startsAt,
        )
        .map((event) => event.name),
    };
  });
}

export function poolNameOf(context: StaffingContext, pool: StaffingPool): string {
  const names = pool.clientIds.map((id) => context.clients.find((client) => client.id === id)?.name ?? id);
  return names.join(" · ");
}

/** The staffing plan of a week (default: the current one) for the caller's clients. */
export async function getStaffingPlan(
  scope: Scope,
  tx: Executor,
  input: StaffingWeekInput,
  deps: StaffingDeps = {},
): Promise<StaffingPlanView> {
  const { weekStart: asked } = staffingWeekInput.parse(input);
  const context = await loadStaffingContext(scope, tx, deps);
  const currentWeek = weekStartOf(context.now.getTime(), context.timeZone);
  const weekStart = asked ?? currentWeek;
  const lastWeek = addDaysToLocalDate(currentWeek, 7 * planAheadWeeks);
  if (weekStart < currentWeek || weekStart > lastWeek) {
    throw new AppError(
      "BAD_INPUT",
      `Plans cover this week up to ${planAheadWeeks} weeks ahead; past weeks are in the review`,
      {
        reason: "validation",
        fields: { weekStart: `must be a Monday from ${currentWeek} to ${lastWeek}` },
      },
    );
  }
  const { from, hours } = weekHours(weekStart, context.timeZone);
  const arrivals = await forecastWeek(scope, tx, context, { from, hours, fitTo: context.now.getTime() });
  const plans = await planPools(scope, tx, context, { from, hours, arrivals });
  const to = from + hours * HOUR_MS;
  return {
    weekStart,
    defaultWeekStart: currentWeek,
    timeZone: context.timeZone,
    generatedAt: context.now,
    settings: context.settings,
    forecastHistoryWeeks,
    clients: context.clients.map((client) => ({
      id: client.id,
      name: client.name,
      timeZone: client.timeZone,
      ahtSeconds: context.handling.get(client.id)?.ahtSeconds ?? context.settings.fallbackAhtSeconds,
      measuredShare: context.handling.get(client.id)?.measuredShare ?? 0,
      forecastArrivals: (arrivals.get(client.id) ?? []).reduce((total, value) => total + value, 0),
      targets: targetsInForce(context, client, weekStart),
    })),
    events: context.events.filter((event) => event.startsAt.getTime() < to && event.endsAt.getTime() > from),
    pools: context.pools.map((pool) => {
      const hoursOfPool = poolHourViews(context, pool, plans.get(pool.key) ?? [], { from, arrivals });
      const sum = (value: (hour: PoolHourView) => number) =>
        hoursOfPool.reduce((total, hour) => total + value(hour), 0);
      return {
        key: pool.key,
        name: poolNameOf(context, pool),
        clients: pool.clientIds.map((id) => ({
          id,
          name: context.clients.find((client) => client.id === id)?.name ?? id,
        })),
        moderators: pool.membershipIds.map((membershipId) => ({
          membershipId,
          name: context.moderators.find((moderator) => moderator.membershipId === membershipId)?.name ?? membershipId,
        })),
        crossSkilled: pool.crossSkilled,
        hours: hoursOfPool,
        totals: {
          requiredHours: sum((hour) => hour.required.scheduled),
          rosteredHours: sum((hour) => hour.rostered),
          gapHours: sum((hour) => hour.gap),
          hoursShort: hoursOfPool.filter((hour) => hour.gap > 0).length,
          standaloneHours: sum((hour) => hour.standalone),
        },
      };
    }),
  };
}
