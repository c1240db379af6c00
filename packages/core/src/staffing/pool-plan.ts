/**
 * How many moderators a pool needs in one hour, against its clients' contracts. Pure: no I/O.
 *
 * - The pool is one queue: its traffic is the sum of its clients' (arrivals × their handling time), handled at the
 *   traffic-weighted handling time.
 * - Every first-response target in force for the pool's clients that hour (priority, minutes, compliance %) is a
 *   service level the queue must reach; the target needing the most moderators governs the pool — in practice the
 *   fewest minutes at the highest compliance. A compliance target of 100 % is planned as 99.9 %: no queue with
 *   random arrivals answers every item in time.
 * - When no target runs (every client outside the hours its targets count), the pool is staffed to keep up with
 *   the work: enough moderators that the queue is stable and occupancy stays under the cap.
 * - Rostered moderators are people on shift; shrinkage (breaks, meetings, training) takes its share of them, and
 *   the rest, rounded down, are the ones answering (`productive`).
 * - A gap (fewer rostered than `scheduled`) is met by the fallback agencies use for overspill and out-of-hours
 *   cover: triage only — acknowledge, escalate at once, follow up. Where the client's contract says an
 *   acknowledgement stops the first-response clock (the default), its targets are met with the triage handling
 *   time; where it says it does not, triage cover does not meet them, and its items are planned at their full
 *   handling time in that mode while a target runs (only an answer stops its clock). `triage` says how many
 *   that needs.
 * - A client is at risk when the rostered moderators would answer fewer of its items in time than one of its
 *   targets requires (every client of the pool waits in the same queue, so a surge on one puts the others at risk).
 */

import { requiredAgents, scheduledFor, serviceLevel } from "./erlang-c";

export interface PlanSettings {
  /** 0 < maxOccupancy ≤ 1. */
  maxOccupancy: number;
  /** 0 ≤ shrinkage < 1. */
  shrinkage: number;
  /** Handling time of an item in triage-only mode (acknowledge and escalate). */
  triageAhtSeconds: number;
}

/** A first-response target of a client's contract (or the agency's default policy). */
export interface PlanTarget {
  clientId: string;
  priority: string;
  minutes: number;
  compliancePercent: number;
}

export interface ClientHourDemand {
  clientId: string;
  /** Expected items this hour. */
  arrivals: number;
  ahtSeconds: number;
  /** The targets in force this hour (none outside the hours a business-hours target counts). */
  targets: readonly PlanTarget[];
  /**
   * Whether the client's contract in force counts a delivered acknowledgement as the first response
   * (`acknowledgementCountsAsFirstResponse`); absent, it does, as on the agency's default policy.
   */
  acknowledgementCounts?: boolean;
}

export interface Requirement {
  /** Moderators answering at once. */
  agents: number;
  /** Moderators to roster: `agents` after shrinkage. */
  scheduled: number;
  /** The target that governed, or null when none ran (workload only). */
  governing: PlanTarget | null;
  /** The governing target's expected service level (1 with no traffic, null with no target). */
  serviceLevel: number | null;
}

export interface ClientAtRisk {
  clientId: string;
  /** The strictest of the client's targets the rostered moderators would miss. */
  target: PlanTarget;
  /** The share of the client's items the rostered moderators would answer within that target. */
  expectedServiceLevel: number;
}

export interface PoolHourPlan {
  arrivals: number;
  trafficErlangs: number;
  /** Traffic-weighted handling time (0 with no arrivals). */
  ahtSeconds: number;
  required: Requirement;
  /** The same hour in triage-only mode. */
  triage: Requirement;
  rostered: number;
  /** Rostered after shrinkage, rounded down: the moderators answering. */
  productive: number;
  /** `required.scheduled − rostered` when positive, else 0. */
  gap: number;
  /** Whether the rostered moderators can cover the hour in triage-only mode. */
  coverableByTriage: boolean;
  atRisk: ClientAtRisk[];
  /** What each client would need planned alone (its own traffic, its own targets), by client id. */
  standalone: Record<string, number>;
}

const maxPlannableServiceLevel = 0.999;

function serviceLevelTargetOf(target: PlanTarget): number {
  return Math.min(target.compliancePercent / 100, maxPlannableServiceLevel);
}

/** Agents for a workload with no target: a stable queue under the occupancy cap. */
function workloadAgents(traffic: number, maxOccupancy: number): number {
  if (traffic === 0) return 0;
  return Math.max(Math.floor(traffic) + 1, Math.ceil(traffic / maxOccupancy - 1e-9));
}

/** Strictness order when two targets need as many agents: fewer minutes, then higher compliance. */
function stricter(a: PlanTarget, b: PlanTarget): boolean {
  return a.minutes < b.minutes || (a.minutes === b.minutes && a.compliancePercent > b.compliancePercent);
}

/** The requirement of a queue with `traffic` erlangs handled in `ahtSeconds` against `targets`. */
function requirementFor(input: {
  traffic: number;
  ahtSeconds: number;
  targets: readonly PlanTarget[];
  settings: Pick<PlanSettings, "maxOccupancy" | "shrinkage">;
}): Requirement {
  const { traffic, settings } = input;
  if (input.targets.length === 0 || traffic === 0) {
    const agents = workloadAgents(traffic, settings.maxOccupancy);
    return {
      agents,
      scheduled: scheduledFor(agents, settings.shrinkage),
      governing: null,
      serviceLevel: input.targets.length > 0 ? 1 : null,
    };
  }
  let best: Requirement | null = null;
  for (const target of input.targets) {
    const found = requiredAgents({
      trafficErlangs: traffic,
      ahtSeconds: input.ahtSeconds,
      targetSeconds: target.minutes * 60,
      serviceLevelTarget: serviceLevelTargetOf(target),
      maxOccupancy: settings.maxOccupancy,
      shrinkage: settings.shrinkage,
    });
    const candidate: Requirement = {
      agents: found.agents,
      scheduled: found.scheduled,
      governing: target,
      serviceLevel: found.serviceLevel,
    };
    if (
      !best ||
      candidate.agents > best.agents ||
      (candidate.agents === best.agents && best.governing && stricter(target, best.governing))
    ) {
      best = candidate;
    }
  }
  return best as Requirement;
}

function queueOf(demands: readonly ClientHourDemand[], ahtOf: (demand: ClientHourDemand) => number) {
  const arrivals = demands.reduce((total, demand) => total + demand.arrivals, 0);
  const work = demands.reduce((total, demand) => total + demand.arrivals * ahtOf(demand), 0);
  return { arrivals, traffic: work / 3600, ahtSeconds: arrivals > 0 ? work / arrivals : 0 };
}

/** The plan of one pool for one hour. */
export function planPoolHour(input: {
  demands: readonly ClientHourDemand[];
  rostered: number;
  settings: PlanSettings;
}): PoolHourPlan {
  const { demands, settings } = input;
  const targets = demands.flatMap((demand) => demand.targets);
  const full = queueOf(demands, (demand) => demand.ahtSeconds);
  // Triage cover meets a running first-response target only where an acknowledgement stops its clock.
  const triageQueue = queueOf(demands, (demand) =>
    demand.acknowledgementCounts === false && demand.targets.length > 0 ? demand.ahtSeconds : settings.triageAhtSeconds,
  );
  const required = requirementFor({ traffic: full.traffic, ahtSeconds: full.ahtSeconds, targets, settings });
  const triage = requirementFor({
    traffic: triageQueue.traffic,
    ahtSeconds: triageQueue.ahtSeconds,
    targets,
    settings,
  });
  const productive = Math.floor(input.rostered * (1 - settings.shrinkage) + 1e-9);
  const atRisk: ClientAtRisk[] = [];
  if (full.traffic > 0) {
    for (const demand of demands) {
      let worst: ClientAtRisk | null = null;
      for (const target of demand.targets) {
        const expected = serviceLevel({
          trafficErlangs: full.traffic,
          agents: productive,
          ahtSeconds: full.ahtSeconds,
          targetSeconds: target.minutes * 60,
        });
        if (expected >= serviceLevelTargetOf(target)) continue;
        if (!worst || stricter(target, worst.target))
          worst = { clientId: demand.clientId, target, expectedServiceLevel: expected };
      }
      if (worst) atRisk.push(worst);
    }
  }
  const standalone: Record<string, number> = {};
  for (const demand of demands) {
    const alone = queueOf([demand], (d) => d.ahtSeconds);
    standalone[demand.clientId] = requirementFor({
      traffic: alone.traffic,
      ahtSeconds: alone.ahtSeconds,
      targets: demand.targets,
      settings,
    }).scheduled;
  }
  return {
    arrivals: full.arrivals,
    trafficErlangs: full.traffic,
    ahtSeconds: full.ahtSeconds,
    required,
    triage,
    rostered: input.rostered,
    productive,
    gap: Math.max(0, required.scheduled - input.rostered),
    coverableByTriage: input.rostered + 1e-9 >= triage.scheduled,
    atRisk,
    standalone,
  };
}
