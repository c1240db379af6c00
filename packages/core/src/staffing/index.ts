/**
 * Staffing: how many moderators each hour, for pools shared across clients. The Erlang C model, the arrivals
 * forecast, pools, the roster and the pool plan are pure; the rest are use cases taking a scope and a transaction.
 */
export {
  agentsForAsa,
  averageSpeedOfAnswer,
  erlangC,
  occupancy,
  type RequiredAgents,
  requiredAgents,
  serviceLevel,
  trafficErlangs,
} from "./erlang-c";
export * from "./forecast";
export * from "./forecast-accuracy";
export * from "./handling-times";
export * from "./planned-events";
export * from "./pool-plan";
export * from "./pools";
export * from "./roster";
export * from "./roster-store";
export * from "./staffing-plan";
export * from "./staffing-review";
export * from "./staffing-settings";
