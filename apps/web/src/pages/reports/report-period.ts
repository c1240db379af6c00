/**
 * A report's period as the Reports screen picks it: a preset (this month, last month, the last 7 days) or custom
 * dates, always a range of calendar dates "YYYY-MM-DD" (the server judges each item on its client's local dates).
 */

export type PeriodPreset = "this_month" | "last_month" | "last_7_days" | "custom";

export const periodPresetLabels: Record<PeriodPreset, string> = {
  this_month: "This month",
  last_month: "Last month",
  last_7_days: "Last 7 days",
  custom: "Custom",
};

export interface ReportPeriod {
  from: string;
  to: string;
}

const dayMs = 864e5;
const asDate = (value: string) => new Date(`${value}T00:00:00Z`);
const iso = (date: Date) => date.toISOString().slice(0, 10);

/** `addDays("2026-12-01", -1)` → "2026-11-30". */
export function addDays(date: string, days: number): string {
  return iso(new Date(asDate(date).getTime() + days * dayMs));
}

/** The dates of a preset, seen from `today`; a custom period has none of its own. */
export function presetPeriod(preset: Exclude<PeriodPreset, "custom">, today: string): ReportPeriod {
  const [year, month] = today.split("-").map(Number) as [number, number];
  switch (preset) {
    case "this_month":
      return { from: iso(new Date(Date.UTC(year, month - 1, 1))), to: today };
    case "last_month":
      return { from: iso(new Date(Date.UTC(year, month - 2, 1))), to: iso(new Date(Date.UTC(year, month - 1, 0))) };
    case "last_7_days":
      return { from: addDays(today, -6), to: today };
  }
}

/** The presets that give dates of their own (all but custom). */
const datedPresets = ["this_month", "last_month", "last_7_days"] as const;

/**
 * The period an address's `?period=` names: a preset ("this_month", "last_month", "last_7_days") seen from `today`,
 * so a link to last month's report stays last month's, or a calendar month "YYYY-MM" (as the invoices' address names
 * one; up to `today` for the month under way). Null for anything else.
 */
export function namedPeriod(value: string | undefined, today: string): ReportPeriod | null {
  const preset = datedPresets.find((name) => name === value);
  if (preset) return presetPeriod(preset, today);
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value ?? "");
  if (!month) return null;
  const [year, number] = [Number(month[1]), Number(month[2])];
  const from = iso(new Date(Date.UTC(year, number - 1, 1)));
  const end = iso(new Date(Date.UTC(year, number, 0)));
  return { from, to: end > today && from <= today ? today : end };
}

/** Which preset `period` is from `today`, or custom when none gives exactly these dates. */
export function presetOf(period: ReportPeriod, today: string): PeriodPreset {
  return (
    datedPresets.find((preset) => {
      const dates = presetPeriod(preset, today);
      return dates.from === period.from && dates.to === period.to;
    }) ?? "custom"
  );
}

/** True for a real calendar date written "YYYY-MM-DD". */
export function isLocalDate(value: string | undefined): value is string {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value) && iso(asDate(value)) === value;
}
