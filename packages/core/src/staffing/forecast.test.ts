import { describe, expect, it } from "vitest";
import {
  backtestForecast,
  eventMultiplier,
  forecastArrivals,
  HOUR_MS,
  hourOfWeek,
  WEEK_MS,
  weeklyProfile,
} from "./forecast";

/** Monday 2026-01-05 00:00 in London (UTC+0 in winter). */
const monday = Date.parse("2026-01-05T00:00:00Z");

/** A known weekly shape: quiet nights, busy evenings, a busier Friday, calmer weekends. */
function shape(slot: number): number {
  const day = Math.floor(slot / 24);
  const hour = slot % 24;
  const daily = hour < 7 ? 1 : hour < 17 ? 6 : hour < 23 ? 10 : 3;
  return daily * (day === 4 ? 2 : day >= 5 ? 0.5 : 1);
}

/** `weeks` weeks of history ending at `to`, each hour's count from `countOf(slot, weekIndex)`. */
function history(to: number, weeks: number, countOf: (slot: number, week: number) => number): Map<number, number> {
  const counts = new Map<number, number>();
  const from = to - weeks * WEEK_MS;
  for (let hour = from; hour < to; hour += HOUR_MS) {
    counts.set(hour, countOf(hourOfWeek(hour, "Europe/London"), Math.floor((hour - from) / WEEK_MS)));
  }
  return counts;
}

/** Mulberry32, for noise that is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Poisson draw (Knuth): noisy counts whose mean is the shape. */
function poisson(mean: number, next: () => number): number {
  const limit = Math.exp(-mean);
  let product = next();
  let count = 0;
  while (product > limit) {
    count++;
    product *= next();
  }
  return count;
}

describe("hourOfWeek", () => {
  it("counts from Monday 00:00 in the client's zone, across a DST change", () => {
    expect(hourOfWeek(monday, "Europe/London")).toBe(0);
    expect(hourOfWeek(monday, "America/New_York")).toBe(6 * 24 + 19); // Sunday 19:00 there
    // Sunday 29 March 2026 01:00 UTC is 02:00 BST, the first hour of summer time.
    expect(hourOfWeek(Date.parse("2026-03-29T01:00:00Z"), "Europe/London")).toBe(6 * 24 + 2);
    expect(hourOfWeek(Date.parse("2026-03-30T11:30:00Z"), "Europe/London")).toBe(12);
  });
});

describe("weeklyProfile and forecastArrivals", () => {
  it("recover a known weekly shape from a history that follows it exactly", () => {
    const counts = history(monday + 8 * WEEK_MS, 8, (slot) => shape(slot));
    const profile = weeklyProfile({ counts, from: monday, to: monday + 8 * WEEK_MS, timeZone: "Europe/London" });
    expect(profile).toEqual(Array.from({ length: 168 }, (_, slot) => shape(slot)));
    const next = forecastArrivals({ profile, timeZone: "Europe/London", from: monday + 8 * WEEK_MS, hours: 336 });
    expect(next.map((hour) => hour.expected)).toEqual(Array.from({ length: 336 }, (_, index) => shape(index % 168)));
  });

  it("weights recent weeks more: after a step up, the forecast sits nearer the new level", () => {
    const to = monday + 8 * WEEK_MS;
    const counts = history(to, 8, (slot, week) => shape(slot) * (week >= 6 ? 2 : 1));
    const recent = weeklyProfile({ counts, from: monday, to, timeZone: "Europe/London" });
    const flat = weeklyProfile({ counts, from: monday, to, timeZone: "Europe/London", decay: 1 });
    const slot = 4 * 24 + 20; // Friday 20:00
    expect(flat[slot]).toBeCloseTo(shape(slot) * 1.25, 9); // 2 of 8 weeks doubled
    // With decay 0.75 the last two weeks carry 1.75 of the 3.6 total weight: 1 + 1.75/3.6 ≈ 1.49.
    expect(recent[slot]).toBeGreaterThan(shape(slot) * 1.45);
    expect(recent[slot]).toBeLessThan(shape(slot) * 2);
  });

  it("applies a planned event to the hours it covers, in proportion, and keeps past events out of the profile", () => {
    const to = monday + 6 * WEEK_MS;
    // A past launch on the fourth Friday at 18:00 for 3 hours, ×5.
    const pastLaunch = {
      startsAt: new Date(monday + 3 * WEEK_MS + (4 * 24 + 18) * HOUR_MS),
      durationMinutes: 180,
      multiplier: 5,
    };
    const launchStart = pastLaunch.startsAt.getTime();
    const counts = history(to, 6, (slot) => shape(slot));
    for (let hour = launchStart; hour < launchStart + 3 * HOUR_MS; hour += HOUR_MS) {
      counts.set(hour, (counts.get(hour) ?? 0) * 5);
    }
    const profile = weeklyProfile({ counts, from: monday, to, timeZone: "Europe/London", events: [pastLaunch] });
    expect(profile[4 * 24 + 19]).toBe(shape(4 * 24 + 19));
    // Ignoring the event would have inflated Friday evenings for weeks.
    const naive = weeklyProfile({ counts, from: monday, to, timeZone: "Europe/London" });
    expect(naive[4 * 24 + 19]).toBeGreaterThan(shape(4 * 24 + 19) * 1.5);

    // Next Friday: ×5 from 14:30 for 6 hours.
    const launch = {
      startsAt: new Date(to + (4 * 24 + 14) * HOUR_MS + 30 * 60_000),
      durationMinutes: 360,
      multiplier: 5,
    };
    const next = forecastArrivals({ profile, timeZone: "Europe/London", from: to, hours: 168, events: [launch] });
    const at = (hour: number) => next[4 * 24 + hour];
    expect(at(13)?.multiplier).toBe(1);
    expect(at(14)?.multiplier).toBe(3); // half the hour at ×5
    expect(at(15)?.multiplier).toBe(5);
    expect(at(19)?.multiplier).toBe(5);
    expect(at(20)?.multiplier).toBe(3);
    expect(at(21)?.multiplier).toBe(1);
    expect(at(15)?.expected).toBe(shape(4 * 24 + 15) * 5);
    expect(
      eventMultiplier(to, [launch, { ...launch, startsAt: new Date(to), durationMinutes: 60, multiplier: 2 }]),
    ).toBe(2);
  });

  it("fills hours of the week never seen with the mean of those seen", () => {
    const to = monday + 3 * 24 * HOUR_MS; // three days of history only
    const counts = history(to, 1, () => 4);
    const profile = weeklyProfile({ counts, from: monday, to, timeZone: "Europe/London" });
    expect(new Set(profile)).toEqual(new Set([4]));
    expect(weeklyProfile({ counts: new Map(), from: to, to, timeZone: "Europe/London" })).toEqual(
      new Array(168).fill(0),
    );
  });
});

describe("backtestForecast", () => {
  it("holds out the last 4 weeks: no error on a history that follows its shape exactly", () => {
    const to = monday + 12 * WEEK_MS;
    const counts = history(to, 12, (slot) => shape(slot));
    const accuracy = backtestForecast({ counts, from: monday, to, timeZone: "Europe/London" });
    expect(accuracy).toMatchObject({ heldOutWeeks: 4, fittedWeeks: 8, heldOutFrom: to - 4 * WEEK_MS, heldOutTo: to });
    expect(accuracy?.method.hourlyWape).toBe(0);
    expect(accuracy?.method.bias).toBe(0);
    expect(accuracy?.actualTotal).toBe(accuracy?.forecastTotal);
  });

  it("on noisy arrivals, beats 'same as last week' and is unbiased within a few percent", () => {
    const next = random(42);
    const to = monday + 12 * WEEK_MS;
    const counts = history(to, 12, (slot) => poisson(shape(slot), next));
    const accuracy = backtestForecast({ counts, from: monday, to, timeZone: "Europe/London" });
    if (!accuracy?.method.hourlyWape || !accuracy.naive.hourlyWape) throw new Error("no accuracy");
    expect(accuracy.method.hourlyWape).toBeLessThan(accuracy.naive.hourlyWape);
    expect(Math.abs(accuracy.method.bias ?? 1)).toBeLessThan(0.05);
    // Daily totals err less than single hours: hourly errors partly cancel within a day.
    expect(accuracy.method.dailyWape).toBeLessThan(accuracy.method.hourlyWape);
  });

  it("forecasts a planned event in the held-out weeks with its multiplier", () => {
    const to = monday + 8 * WEEK_MS;
    const launch = {
      startsAt: new Date(to - 2 * WEEK_MS + (4 * 24 + 18) * HOUR_MS),
      durationMinutes: 120,
      multiplier: 4,
    };
    const counts = history(to, 8, (slot) => shape(slot));
    const start = launch.startsAt.getTime();
    for (const hour of [start, start + HOUR_MS]) counts.set(hour, (counts.get(hour) ?? 0) * 4);
    const withEvent = backtestForecast({ counts, from: monday, to, timeZone: "Europe/London", events: [launch] });
    expect(withEvent?.method.hourlyWape).toBe(0);
    const without = backtestForecast({ counts, from: monday, to, timeZone: "Europe/London" });
    expect(without?.method.hourlyWape).toBeGreaterThan(0);
  });

  it("needs at least one week to fit before the held-out weeks", () => {
    const to = monday + 4 * WEEK_MS;
    expect(backtestForecast({ counts: new Map(), from: monday, to, timeZone: "Europe/London" })).toBeNull();
  });
});
