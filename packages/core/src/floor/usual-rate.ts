import type { Executor } from "@parley/db";
import type { Scope } from "../kernel/scope";
import { firstArrivals } from "../staffing/arrival-history";
import { HOUR_MS, hourStartOf, WEEK_MS } from "../staffing/forecast";
import { listPlannedEvents } from "../staffing/planned-events";
import { forecastHistoryWeeks, forecastWeek } from "../staffing/staffing-plan";
import type { PlannedClient } from "../staffing/staffing-scope";

/** A client's expected arrivals per UTC hour (the staffing forecast), for prorating to any window inside them. */
export type UsualArrivals = Array<{ hourStart: number; expected: number }>;

/**
 * Each client's usual arrivals for the hours covering `[from, now]` (or `[from, to]`) — the staffing forecast fitted
 * on the weeks before the current hour, planned events applied — or null for a client with less than a week of
 * history (no usual rate for an hour of the week yet).
 */
export async function forecastUsualArrivals(
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: PlannedClient[]; from: number; to?: number; now: Date },
): Promise<Map<string, UsualArrivals | null>> {
  const now = input.now.getTime();
  const clientIds = input.clients.map((client) => client.id);
  const start = hourStartOf(input.from);
  const hours = Math.floor((hourStartOf(input.to ?? now) - start) / HOUR_MS) + 1;
  const events = await listPlannedEvents(scope, tx, {
    after: new Date(hourStartOf(now) - forecastHistoryWeeks * WEEK_MS),
  });
  const forecast = await forecastWeek(
    scope,
    tx,
    { clients: input.clients, events },
    { from: start, hours, fitTo: now },
  );
  const first = await firstArrivals(scope, tx, { clientIds });
  return new Map(
    input.clients.map((client) => {
      const firstAt = first.get(client.id);
      if (firstAt === undefined || firstAt > hourStartOf(now) - WEEK_MS) return [client.id, null];
      const expected = forecast.get(client.id) ?? [];
      return [client.id, expected.map((count, index) => ({ hourStart: start + index * HOUR_MS, expected: count }))];
    }),
  );
}

/** Each client's usual arrivals for a window, as `forecastUsualArrivals` answers. */
export type UsualArrivalsSource = (
  scope: Pick<Scope, "agencyId">,
  tx: Executor,
  input: { clients: PlannedClient[]; from: number; now: Date },
) => Promise<Map<string, UsualArrivals | null>>;

/** How long a process reuses an agency's usual arrivals: they follow the hour of the week, not the second. */
export const usualArrivalsMaxAgeMs = 5 * 60_000;

/**
 * `forecastUsualArrivals` remembered per agency for `maxAgeMs`, fetched through the hour after `now`, so a watcher
 * that looks every few seconds fits the forecast (the costly part of a look) once in a while and only counts the
 * window in between. A window reaching past what was fetched, a client the agency did not have then, or an older
 * fetch makes it fetch again, so a planned event or a client's first full week counts within `maxAgeMs`. One per
 * process: each holds only its agencies' latest fetch.
 */
export function rememberUsualArrivals(maxAgeMs = usualArrivalsMaxAgeMs): UsualArrivalsSource {
  const fetched = new Map<
    string,
    { at: number; from: number; until: number; arrivals: Map<string, UsualArrivals | null> }
  >();
  return async (scope, tx, input) => {
    const now = input.now.getTime();
    const held = fetched.get(scope.agencyId);
    if (
      held &&
      now - held.at < maxAgeMs &&
      now >= held.at &&
      input.from >= held.from &&
      now < held.until &&
      input.clients.every((client) => held.arrivals.has(client.id))
    ) {
      return held.arrivals;
    }
    const from = hourStartOf(input.from);
    const to = hourStartOf(now) + HOUR_MS;
    const arrivals = await forecastUsualArrivals(scope, tx, { ...input, from, to });
    fetched.set(scope.agencyId, { at: now, from, until: to + HOUR_MS, arrivals });
    return arrivals;
  };
}
