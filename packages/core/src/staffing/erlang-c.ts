/**
 * The Erlang C model of a queue served by a pool of moderators (M/M/N: Poisson arrivals, exponential handling
 * times, nobody abandons, first come first served). Pure: no I/O. Durations are in seconds, traffic in erlangs.
 *
 * Numerically stable for traffic and agents up to 20,000 and beyond: no factorial or power is ever formed. Erlang B
 * comes from its recursion `B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1))`, whose terms stay in (0, 1], and Erlang C
 * from Erlang B: `C = N·B / (N − A·(1 − B))`. The searches (`requiredAgents`, `agentsForAsa`) walk the same
 * recursion upwards once, so finding the staff for 20,000 erlangs costs about 20,000 steps, not 20,000².
 *
 * Conventions: when agents ≤ traffic the queue is unstable and grows without bound: `erlangC` is 1, the service
 * level 0, the average speed of answer `Infinity` and occupancy 1. With no traffic nobody waits and no agent is
 * needed.
 */
import { AppError } from "@parley/contracts";

function refuse(field: string, message: string): never {
  throw new AppError("BAD_INPUT", `${field} ${message}`, { reason: "validation", fields: { [field]: message } });
}

function checkNonNegative(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) refuse(field, "must be a finite number of at least 0");
}

function checkPositive(field: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) refuse(field, "must be a finite number greater than 0");
}

function checkAgents(agents: number): void {
  if (!Number.isInteger(agents) || agents < 0) refuse("agents", "must be a whole number of at least 0");
}

/** Offered traffic in erlangs: the handling work arriving per second of the period. */
export function trafficErlangs(input: { arrivals: number; periodSeconds: number; ahtSeconds: number }): number {
  checkNonNegative("arrivals", input.arrivals);
  checkPositive("periodSeconds", input.periodSeconds);
  checkNonNegative("ahtSeconds", input.ahtSeconds);
  return (input.arrivals * input.ahtSeconds) / input.periodSeconds;
}

/** Erlang C from Erlang B of the same traffic and agents (agents > traffic). */
function erlangCFromB(traffic: number, agents: number, erlangB: number): number {
  return (agents * erlangB) / (agents - traffic * (1 - erlangB));
}

/** The next step of the Erlang B recursion: B(agents) from B(agents − 1). */
function nextErlangB(traffic: number, agents: number, previous: number): number {
  return (traffic * previous) / (agents + traffic * previous);
}

/** The probability that an arriving item waits for a moderator (all are busy). */
export function erlangC(trafficErlangs: number, agents: number): number {
  checkNonNegative("trafficErlangs", trafficErlangs);
  checkAgents(agents);
  if (agents <= trafficErlangs) return 1;
  if (trafficErlangs === 0) return 0;
  let erlangB = 1;
  for (let k = 1; k <= agents; k++) erlangB = nextErlangB(trafficErlangs, k, erlangB);
  return erlangCFromB(trafficErlangs, agents, erlangB);
}

/** P(wait ≤ target) given the probability of waiting at all; 0 for an unstable queue. */
function serviceLevelOf(traffic: number, agents: number, probWait: number, aht: number, target: number): number {
  if (agents <= traffic) return 0;
  if (aht === 0) return 1;
  return 1 - probWait * Math.exp((-(agents - traffic) * target) / aht);
}

function averageSpeedOf(traffic: number, agents: number, probWait: number, aht: number): number {
  if (agents <= traffic) return Number.POSITIVE_INFINITY;
  return (probWait * aht) / (agents - traffic);
}

/** The share of items answered within `targetSeconds` of arriving. */
export function serviceLevel(input: {
  trafficErlangs: number;
  agents: number;
  ahtSeconds: number;
  targetSeconds: number;
}): number {
  checkNonNegative("ahtSeconds", input.ahtSeconds);
  checkNonNegative("targetSeconds", input.targetSeconds);
  const probWait = erlangC(input.trafficErlangs, input.agents);
  return serviceLevelOf(input.trafficErlangs, input.agents, probWait, input.ahtSeconds, input.targetSeconds);
}

/** The mean wait before a moderator takes an item, in seconds (`Infinity` for an unstable queue). */
export function averageSpeedOfAnswer(input: { trafficErlangs: number; agents: number; ahtSeconds: number }): number {
  checkNonNegative("ahtSeconds", input.ahtSeconds);
  const probWait = erlangC(input.trafficErlangs, input.agents);
  return averageSpeedOf(input.trafficErlangs, input.agents, probWait, input.ahtSeconds);
}

/** The share of their time the agents spend handling items: traffic / agents, at most 1. */
export function occupancy(trafficErlangs: number, agents: number): number {
  checkNonNegative("trafficErlangs", trafficErlangs);
  checkAgents(agents);
  if (trafficErlangs === 0) return 0;
  if (agents <= trafficErlangs) return 1;
  return trafficErlangs / agents;
}

export interface RequiredAgents {
  /** Agents handling items at once: the smallest number meeting the service level (and the occupancy cap). */
  agents: number;
  /** Agents to roster so that `agents` are available after shrinkage: `ceil(agents / (1 − shrinkage))`. */
  scheduled: number;
  serviceLevel: number;
  probWait: number;
  occupancy: number;
}

/**
 * `ceil(agents / (1 − shrinkage))`, without the binary fraction's noise: 7 / 0.7 is 10.000000000000002 in floating
 * point, and 10 people, not 11, leave 7 after 30 % shrinkage.
 */
export function scheduledFor(agents: number, shrinkage: number): number {
  return Math.max(0, Math.ceil(agents / (1 - shrinkage) - 1e-9));
}

/**
 * Walks the agent count up from 0, carrying Erlang B along, and returns the first count (above the traffic) that
 * `meets` accepts, with its probability of waiting.
 */
function searchAgents(traffic: number, meets: (agents: number, probWait: number) => boolean) {
  let erlangB = 1;
  for (let agents = 1; ; agents++) {
    erlangB = nextErlangB(traffic, agents, erlangB);
    if (agents <= traffic) continue;
    const probWait = erlangCFromB(traffic, agents, erlangB);
    if (meets(agents, probWait)) return { agents, probWait };
  }
}

/**
 * The fewest agents that answer `serviceLevelTarget` of the items within `targetSeconds` (e.g. 0.8 within 20 s)
 * with occupancy at most `maxOccupancy` (default 1: no cap), and the roster that yields them after `shrinkage`
 * (default 0: the share of rostered time not spent on the queue — breaks, training, meetings).
 */
export function requiredAgents(input: {
  trafficErlangs: number;
  ahtSeconds: number;
  targetSeconds: number;
  serviceLevelTarget: number;
  maxOccupancy?: number;
  shrinkage?: number;
}): RequiredAgents {
  const { trafficErlangs: traffic, ahtSeconds, targetSeconds, serviceLevelTarget } = input;
  const maxOccupancy = input.maxOccupancy ?? 1;
  const shrinkage = input.shrinkage ?? 0;
  checkNonNegative("trafficErlangs", traffic);
  checkPositive("ahtSeconds", ahtSeconds);
  checkNonNegative("targetSeconds", targetSeconds);
  // A service level of 1 is never reached by a queue with random arrivals: the search would not end.
  if (!(serviceLevelTarget > 0 && serviceLevelTarget < 1)) refuse("serviceLevelTarget", "must be above 0 and below 1");
  if (!(maxOccupancy > 0 && maxOccupancy <= 1)) refuse("maxOccupancy", "must be above 0 and at most 1");
  if (!(shrinkage >= 0 && shrinkage < 1)) refuse("shrinkage", "must be at least 0 and below 1");
  if (traffic === 0) return { agents: 0, scheduled: 0, serviceLevel: 1, probWait: 0, occupancy: 0 };
  const found = searchAgents(
    traffic,
    (agents, probWait) =>
      traffic / agents <= maxOccupancy &&
      serviceLevelOf(traffic, agents, probWait, ahtSeconds, targetSeconds) >= serviceLevelTarget,
  );
  return {
    agents: found.agents,
    scheduled: scheduledFor(found.agents, shrinkage),
    serviceLevel: serviceLevelOf(traffic, found.agents, found.probWait, ahtSeconds, targetSeconds),
    probWait: found.probWait,
    occupancy: traffic / found.agents,
  };
}

/** The fewest agents whose average speed of answer is at most `asaTargetSeconds`. */
export function agentsForAsa(input: { trafficErlangs: number; ahtSeconds: number; asaTargetSeconds: number }): number {
  const { trafficErlangs: traffic, ahtSeconds, asaTargetSeconds } = input;
  checkNonNegative("trafficErlangs", traffic);
  checkPositive("ahtSeconds", ahtSeconds);
  checkNonNegative("asaTargetSeconds", asaTargetSeconds);
  if (traffic === 0) return 0;
  if (asaTargetSeconds === 0) refuse("asaTargetSeconds", "must be greater than 0 when there is traffic");
  return searchAgents(
    traffic,
    (agents, probWait) => averageSpeedOf(traffic, agents, probWait, ahtSeconds) <= asaTargetSeconds,
  ).agents;
}
