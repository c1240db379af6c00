/** Words and numbers as the Staffing pages show them, and the plan as CSV. */
import { numberCell, textCell, writeCsv } from "@parley/contracts";
import type { PoolHour, StaffingPlan } from "./staffing-api";

export const weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export const weekdayLabels: Record<string, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

const dayFormat = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});

/** "2026-12-18" → "Fri 18 Dec" (a calendar date: no zone can move it). */
export function formatLocalDate(date: string): string {
  return dayFormat.format(new Date(`${date}T00:00:00Z`));
}

/** A calendar date plus whole days. */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

export function formatHour(hour: number): string {
  return `${String(hour).padStart(2, "0")}:00`;
}

/** Moderators (fractions of an hour on shift read as tenths). */
export function formatPeople(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function formatPercent(share: number | null | undefined): string {
  return share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)} %`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
}

export function formatTarget(target: { priority: string; minutes: number; compliancePercent: number }): string {
  return `${target.priority} first response ${target.minutes} min, ${target.compliancePercent} %`;
}

/** How a heatmap cell reads: enough people, a gap triage-only cover can hold, a gap it cannot, or no demand. */
export type CellState = "quiet" | "covered" | "triage" | "short";

export function cellState(hour: PoolHour): CellState {
  if (hour.suggestion?.mode === "add_moderators") return "short";
  if (hour.suggestion?.mode === "triage_only") return "triage";
  return hour.required.scheduled === 0 ? "quiet" : "covered";
}

export const cellStateLabels: Record<CellState, string> = {
  quiet: "nothing expected",
  covered: "covered",
  triage: "gap: triage-only cover holds the targets",
  short: "gap: short even for triage-only cover",
};

/** The week's plan, one row per pool and hour, as CSV (`writeCsv`: RFC 4180, guarded against formulas). */
export function staffingPlanCsv(plan: StaffingPlan): string {
  const clientName = (id: string) => plan.clients.find((client) => client.id === id)?.name ?? id;
  const decimal = (value: number, places: number) => numberCell(value.toFixed(places));
  const header = [
    "pool",
    "date",
    "hour",
    "starts_at_utc",
    "expected_items",
    "items_by_client",
    "traffic_erlangs",
    "aht_seconds",
    "required_agents",
    "required_rostered",
    "rostered",
    "gap",
    "suggested_cover",
    "triage_rostered_needed",
    "governing_target",
    "slas_at_risk",
    "events",
  ];
  const rows = plan.pools.flatMap((pool) =>
    pool.hours.map((hour) => [
      textCell(pool.name),
      textCell(hour.localDate),
      textCell(formatHour(hour.hour)),
      textCell(new Date(hour.startsAt).toISOString()),
      decimal(hour.arrivals, 2),
      textCell(hour.byClient.map((entry) => `${clientName(entry.clientId)}: ${entry.arrivals.toFixed(2)}`).join("; ")),
      decimal(hour.trafficErlangs, 3),
      decimal(hour.ahtSeconds, 0),
      numberCell(hour.required.agents),
      numberCell(hour.required.scheduled),
      decimal(hour.rostered, 2),
      decimal(hour.gap, 2),
      textCell(
        hour.suggestion === null
          ? ""
          : hour.suggestion.mode === "triage_only"
            ? "triage only (acknowledge, escalate, follow up)"
            : `add ${hour.suggestion.missing} for triage-only cover`,
      ),
      numberCell(hour.triage.scheduled),
      textCell(
        hour.required.governing
          ? `${clientName(hour.required.governing.clientId)} ${formatTarget(hour.required.governing)}`
          : "",
      ),
      textCell(hour.atRisk.map((risk) => `${clientName(risk.clientId)} (${formatTarget(risk)})`).join("; ")),
      textCell(hour.events.join("; ")),
    ]),
  );
  return writeCsv(header, rows);
}

export function downloadText(text: string, filename: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}
