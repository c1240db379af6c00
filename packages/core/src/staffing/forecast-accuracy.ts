/**
 * How well the forecast would have done: per client, fitted on the history before the last `heldOutWeeks` weeks,
 * compared hour by hour with what arrived in them (see `backtestForecast`), next to the "same as last week" baseline
 * and to other recency weightings, so a lead can see whether to trust it.
 */
import type { Executor } from "@parley/db";
import { systemClock } from "../kernel/clock";
import type { Scope } from "../kernel/scope";
import { countHourlyArrivals, firstArrivals } from "./arrival-history";
import { backtestForecast, defaultWeeklyDecay, type ForecastAccuracy, hourStartOf, WEEK_MS } from "./forecast";
import { listPlannedEvents } from "./planned-events";
import { forecastHistoryWeeks, type StaffingDeps } from "./staffing-plan";
import { plannedClientsOf } from "./staffing-scope";

export const heldOutWeeks = 4;
/** The weightings compared with the default: a plain mean of the weeks, and a steeper one. */
export const comparedDecays = [1, defaultWeeklyDecay, 0.5] as const;

export interface ClientForecastAccuracy {
  clientId: string;
  clientName: string;
  /** Null when the client's history is shorter than the held-out weeks plus one. */
  accuracy: ForecastAccuracy | null;
  /** Hourly and daily WAPE of each compared weighting (the method's own among them). */
  byDecay: Array<{ decay: number; hourlyWape: number | null; dailyWape: number | null }>;
}

export interface ForecastAccuracyView {
  heldOutWeeks: number;
  decay: number;
  heldOutFrom: Date;
  heldOutTo: Date;
  clients: ClientForecastAccuracy[];
}

export async function getForecastAccuracy(
  scope: Scope,
  tx: Executor,
  deps: StaffingDeps = {},
): Promise<ForecastAccuracyView> {
  const to = hourStartOf((deps.now ?? systemClock)().getTime());
  const from = to - (forecastHistoryWeeks + heldOutWeeks) * WEEK_MS;
  const clients = await plannedClientsOf(scope, tx);
  const clientIds = clients.map((client) => client.id);
  const counts = await countHourlyArrivals(scope, tx, { clientIds, from: new Date(from), to: new Date(to) });
  const first = await firstArrivals(scope, tx, { clientIds });
  const events = await listPlannedEvents(scope, tx, { after: new Date(from) });
  return {
    heldOutWeeks,
    decay: defaultWeeklyDecay,
    heldOutFrom: new Date(to - heldOutWeeks * WEEK_MS),
    heldOutTo: new Date(to),
    clients: clients.map((client) => {
      const run = (decay: number) =>
        backtestForecast({
          counts: counts.get(client.id) ?? new Map(),
          from: Math.max(from, hourStartOf(first.get(client.id) ?? to)),
          to,
          timeZone: client.timeZone,
          heldOutWeeks,
          decay,
          events: events.filter((event) => event.clientId === client.id),
        });
      return {
        clientId: client.id,
        clientName: client.name,
        accuracy: run(defaultWeeklyDecay),
        byDecay: comparedDecays.map((decay) => {
          const result = run(decay);
          return { decay, hourlyWape: result?.method.hourlyWape ?? null, dailyWape: result?.method.dailyWape ?? null };
        }),
      };
    }),
  };
}
