/**
 * Arrivals forecast per client and hour. Pure: no I/O, no clock reads.
 *
 * The method (an hour-of-week profile with recency weighting):
 * 1. History is counted per UTC hour (an item belongs to the hour it was received in).
 * 2. Each hour of history is placed at its hour of the week in the client's time zone (Monday 00:00 = 0 …
 *    Sunday 23:00 = 167), where the client's audience lives: a gaming audience peaks in its own evenings, whatever
 *    the agency's zone.
 * 3. The profile of an hour of the week is the weighted mean of its counts over the past weeks, each week weighted
 *    by `decay^age` (age 0 = the most recent week before the forecast starts): with the default 0.75 a week counts
 *    three quarters of the week after it, so the forecast follows a client that is growing or shrinking within a few
 *    weeks while still averaging out single noisy weeks.
 * 4. Hours inside a planned event (a launch) are left out of the profile, so a past launch does not inflate the
 *    same hour of every later week; the event's own multiplier already explained them.
 * 5. The forecast of an hour is the profile of its hour of the week, times the multiplier of any planned event
 *    overlapping it (in proportion to the overlap: a ×5 event covering half the hour gives ×3).
 * An hour of the week never seen in the history (a client younger than a week) takes the mean of the hours seen.
 *
 * `backtestForecast` measures the method the way it is used: fit on the history before the last `heldOutWeeks`,
 * forecast those weeks, compare with what arrived.
 */

import { localWallTime } from "../sla/zone-offsets";

export const HOUR_MS = 3_600_000;
export const WEEK_HOURS = 168;
export const WEEK_MS = WEEK_HOURS * HOUR_MS;
/** Weight of a week relative to the week after it. */
export const defaultWeeklyDecay = 0.75;

/** A planned surge: from `startsAt` for `durationMinutes`, arrivals × `multiplier`. */
export interface ForecastEvent {
  startsAt: Date;
  durationMinutes: number;
  multiplier: number;
}

/** Arrivals per UTC hour: the hour's first instant (epoch ms, a multiple of `HOUR_MS`) → items received. */
export type HourlyCounts = ReadonlyMap<number, number>;

/** The local hour of the week of an instant: Monday 00:00–00:59 = 0 … Sunday 23:00–23:59 = 167. */
export function hourOfWeek(at: number, timeZone: string): number {
  const local = localWallTime(at, timeZone);
  return local.weekday * 24 + Math.floor(local.minuteOfDay / 60);
}

/** The first instant of the UTC hour containing `at`. */
export function hourStartOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

function eventSpan(event: ForecastEvent): [number, number] {
  const start = event.startsAt.getTime();
  return [start, start + event.durationMinutes * 60_000];
}

/** The share of the hour starting `hourStart` that `[start, end)` covers. */
function overlapShare(hourStart: number, [start, end]: [number, number]): number {
  return Math.max(0, Math.min(end, hourStart + HOUR_MS) - Math.max(start, hourStart)) / HOUR_MS;
}

/** The combined multiplier of the events overlapping an hour (1 when none does). */
export function eventMultiplier(hourStart: number, events: readonly ForecastEvent[]): number {
  let multiplier = 1;
  for (const event of events) {
    const share = overlapShare(hourStart, eventSpan(event));
    if (share > 0) multiplier *= 1 + (event.multiplier - 1) * share;
  }
  return multiplier;
}

/**
 * The weekly profile (168 expected counts, by local hour of the week) fitted on the history `[from, to)`.
 * `to` is where the forecast starts: the week just before it has age 0.
 */
export function weeklyProfile(input: {
  counts: HourlyCounts;
  from: number;
  to: number;
  timeZone: string;
  decay?: number;
  events?: readonly ForecastEvent[];
}): number[] {
  const decay = input.decay ?? defaultWeeklyDecay;
  const spans = (input.events ?? []).map(eventSpan);
  const sums = new Array<number>(WEEK_HOURS).fill(0);
  const weights = new Array<number>(WEEK_HOURS).fill(0);
  for (let hour = hourStartOf(input.from); hour + HOUR_MS <= input.to; hour += HOUR_MS) {
    if (spans.some((span) => overlapShare(hour, span) > 0)) continue;
    const age = Math.floor((input.to - hour - HOUR_MS) / WEEK_MS);
    const weight = decay ** age;
    const slot = hourOfWeek(hour, input.timeZone);
    sums[slot] = (sums[slot] ?? 0) + weight * (input.counts.get(hour) ?? 0);
    weights[slot] = (weights[slot] ?? 0) + weight;
  }
  const seen = weights.map((weight, slot) => (weight > 0 ? (sums[slot] ?? 0) / weight : null));
  const known = seen.filter((value): value is number => value !== null);
  const fallback = known.length > 0 ? known.reduce((total, value) => total + value, 0) / known.length : 0;
  return seen.map((value) => value ?? fallback);
}

export interface ForecastHour {
  /** First instant of the UTC hour (epoch ms). */
  hourStart: number;
  /** The profile's count for this hour of the week. */
  baseline: number;
  /** Planned events' multiplier (1 when none). */
  multiplier: number;
  expected: number;
}

/** The expected arrivals of each of `hours` hours from `from` (an hour start), planned events applied. */
export function forecastArrivals(input: {
  profile: readonly number[];
  timeZone: string;
  from: number;
  hours: number;
  events?: readonly ForecastEvent[];
}): ForecastHour[] {
  const start = hourStartOf(input.from);
  return Array.from({ length: input.hours }, (_, index) => {
    const hourStart = start + index * HOUR_MS;
    const baseline = input.profile[hourOfWeek(hourStart, input.timeZone)] ?? 0;
    const multiplier = eventMultiplier(hourStart, input.events ?? []);
    return { hourStart, baseline, multiplier, expected: baseline * multiplier };
  });
}

export interface ForecastErrors {
  /** Weighted absolute percentage error per hour: Σ|forecast − actual| / Σ actual (null when nothing arrived). */
  hourlyWape: number | null;
  /** The same per local day of the client (errors within a day offset each other). */
  dailyWape: number | null;
  /** Σ(forecast − actual) / Σ actual: above 0 the forecast ran high. */
  bias: number | null;
  /** Mean absolute error per hour, in items. */
  hourlyMae: number;
}

export interface ForecastAccuracy {
  heldOutWeeks: number;
  /** The weeks of history the held-out forecast was fitted on. */
  fittedWeeks: number;
  heldOutFrom: number;
  heldOutTo: number;
  actualTotal: number;
  forecastTotal: number;
  method: ForecastErrors;
  /** The seasonal-naive baseline: the last fitted week repeated (what "same as last week" would have said). */
  naive: ForecastErrors;
}

function errorsOf(pairs: ReadonlyArray<{ day: string; actual: number; forecast: number }>): ForecastErrors {
  const actualTotal = pairs.reduce((total, pair) => total + pair.actual, 0);
  const absolute = pairs.reduce((total, pair) => total + Math.abs(pair.forecast - pair.actual), 0);
  const signed = pairs.reduce((total, pair) => total + (pair.forecast - pair.actual), 0);
  const days = new Map<string, { actual: number; forecast: number }>();
  for (const pair of pairs) {
    const day = days.get(pair.day) ?? { actual: 0, forecast: 0 };
    day.actual += pair.actual;
    day.forecast += pair.forecast;
    days.set(pair.day, day);
  }
  const dailyAbsolute = [...days.values()].reduce((total, day) => total + Math.abs(day.forecast - day.actual), 0);
  return {
    hourlyWape: actualTotal > 0 ? absolute / actualTotal : null,
    dailyWape: actualTotal > 0 ? dailyAbsolute / actualTotal : null,
    bias: actualTotal > 0 ? signed / actualTotal : null,
    hourlyMae: pairs.length > 0 ? absolute / pairs.length : 0,
  };
}

/**
 * Fits on `[from, to − heldOutWeeks)` and forecasts the held-out weeks `[to − heldOutWeeks, to)` (with the planned
 * events a lead had entered for them), against what arrived. Null when the history is too short to hold out that
 * much and still fit a week.
 */
export function backtestForecast(input: {
  counts: HourlyCounts;
  from: number;
  to: number;
  timeZone: string;
  heldOutWeeks?: number;
  decay?: number;
  events?: readonly ForecastEvent[];
}): ForecastAccuracy | null {
  const heldOutWeeks = input.heldOutWeeks ?? 4;
  const to = hourStartOf(input.to);
  const cutoff = to - heldOutWeeks * WEEK_MS;
  const fittedWeeks = Math.floor((cutoff - hourStartOf(input.from)) / WEEK_MS);
  if (fittedWeeks < 1) return null;
  const events = input.events ?? [];
  const profile = weeklyProfile({ ...input, to: cutoff, events });
  const forecast = forecastArrivals({
    profile,
    timeZone: input.timeZone,
    from: cutoff,
    hours: heldOutWeeks * 168,
    events,
  });
  const pairs = forecast.map((hour) => ({
    day: localWallTime(hour.hourStart, input.timeZone).date,
    actual: input.counts.get(hour.hourStart) ?? 0,
    forecast: hour.expected,
  }));
  const naivePairs = forecast.map((hour, index) => {
    const lastWeekHour = cutoff - WEEK_MS + (index % WEEK_HOURS) * HOUR_MS;
    return {
      day: localWallTime(hour.hourStart, input.timeZone).date,
      actual: input.counts.get(hour.hourStart) ?? 0,
      forecast: (input.counts.get(lastWeekHour) ?? 0) * hour.multiplier,
    };
  });
  return {
    heldOutWeeks,
    fittedWeeks,
    heldOutFrom: cutoff,
    heldOutTo: to,
    actualTotal: pairs.reduce((total, pair) => total + pair.actual, 0),
    forecastTotal: pairs.reduce((total, pair) => total + pair.forecast, 0),
    method: errorsOf(pairs),
    naive: errorsOf(naivePairs),
  };
}
