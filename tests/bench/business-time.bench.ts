// Calls per second of addBusinessMinutes with a typical 60-minute target, against a
// plain date addition measured in the same run.
// Run: node --import tsx tests/bench/business-time.bench.ts
import { addBusinessMinutes, type BusinessCalendar, type Span } from "@parley/core/sla";
import { createRandom } from "./seeded-random";

const TARGET_CALLS_PER_SECOND = 500_000;
const MEASURE_MS = 1_000;
const WARM_UP_MS = 300;
const TARGET_MINUTES = 60;
const START_COUNT = 4_096;

const officeHours: Span[] = [["09:00", "17:30"]];
const weekdays = { mon: officeHours, tue: officeHours, wed: officeHours, thu: officeHours, fri: officeHours };
const calendars: BusinessCalendar[] = [
  { timeZone: "America/New_York", weekly: weekdays, holidays: ["2026-07-03", "2026-11-26", "2026-12-25"] },
  { timeZone: "Europe/London", weekly: weekdays, holidays: ["2026-04-03", "2026-04-06", "2026-12-25", "2026-12-28"] },
];

const random = createRandom(2026);
const yearStart = Date.UTC(2026, 0, 1);
const yearMs = Date.UTC(2027, 0, 1) - yearStart;
const starts = Array.from({ length: START_COUNT }, () => new Date(yearStart + Math.floor(random() * yearMs)));

/** Runs `call` over every start, round after round, for `durationMs`; returns calls per second. */
function measureCallsPerSecond(call: (start: Date, index: number) => Date, durationMs: number): number {
  let calls = 0;
  let checksum = 0;
  const began = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < START_COUNT; i++) checksum += call(starts[i]!, i).getTime();
    calls += START_COUNT;
    elapsed = performance.now() - began;
  }
  // Using the checksum keeps the calls from being optimised away.
  if (Number.isNaN(checksum)) throw new Error("a call returned an invalid date");
  return (calls / elapsed) * 1000;
}

const addToCalendar = (start: Date, index: number) => addBusinessMinutes(start, TARGET_MINUTES, calendars[index & 1]!);
// As when every call reads its calendar from storage: a new object with the same content.
const addToCalendarCopy = (start: Date, index: number) =>
  addBusinessMinutes(start, TARGET_MINUTES, { ...calendars[index & 1]! });
const addPlainly = (start: Date) => new Date(start.getTime() + TARGET_MINUTES * 60_000);

measureCallsPerSecond(addToCalendar, WARM_UP_MS);
measureCallsPerSecond(addPlainly, WARM_UP_MS);
const callsPerSecond = measureCallsPerSecond(addToCalendar, MEASURE_MS);
const baselinePerSecond = measureCallsPerSecond(addPlainly, MEASURE_MS);
const copyCallsPerSecond = measureCallsPerSecond(addToCalendarCopy, MEASURE_MS);
const passed = callsPerSecond >= TARGET_CALLS_PER_SECOND;

console.log(
  `business-time addBusinessMinutes: ${Math.round(callsPerSecond)} calls/s ` +
    `(baseline ${(baselinePerSecond / 1e6).toFixed(1)}M/s, ratio ${(callsPerSecond / baselinePerSecond).toFixed(3)}); ` +
    `target >= ${TARGET_CALLS_PER_SECOND} calls/s: ${passed ? "PASS" : "FAIL"}`,
);
console.log(`business-time addBusinessMinutes, calendar re-read per call: ${Math.round(copyCallsPerSecond)} calls/s`);
if (!passed) process.exitCode = 1;
