/**
 * What the screens say about a clock, in words (pure): where its target came from ("Cobalt Bank's contract" or
 * "agency default (no contract)"), which targets the contract leaves out for a priority ("no first-response target
 * for P3 in Cobalt Bank's contract"), and why a running business-hours clock is not counting ("paused — outside
 * Cobalt Bank's hours, opens Mon 09:00 Europe/Berlin", the opening in the calendar's zone, named).
 */
import { formatZonedTime } from "@parley/contracts";
import { agencyDefaultLabel, type ClockTarget, slaMetrics } from "@parley/contracts/billing";
import type { Priority } from "../protocols/protocol-document";
import type { ClockMetric } from "./advance-clock";
import type { BusinessCalendar } from "./business-calendar";
import { nextBusinessInstant } from "./business-time";

const metricWords: Record<ClockMetric, string> = { first_response: "first-response", resolution: "resolution" };

/** "Cobalt Bank's contract", or "agency default (no contract)" when the clock (or item) had no contract. */
export function clockSourceOf({ contractId, clientName }: { contractId: string | null; clientName: string }): string {
  return contractId ? `${clientName}'s contract` : agencyDefaultLabel;
}

/**
 * The targets `source` leaves out for `priority`, in words: each metric the source sets for some priority (and
 * first response always) without a target for this one — "No first-response target for P3 in Cobalt Bank's
 * contract". Such an item has no clock of that metric rather than an invented one.
 */
export function targetsLeftOut({
  priority,
  targets,
  source,
  clocked = [],
}: {
  priority: Priority;
  targets: readonly ClockTarget[];
  source: string;
  /** Metrics the item has a clock of (started when the source still set them): never "left out". */
  clocked?: readonly ClockMetric[];
}): string[] {
  const used = new Set<ClockMetric>(["first_response", ...targets.map((target) => target.metric)]);
  return slaMetrics
    .filter((metric) => used.has(metric) && !clocked.includes(metric))
    .filter((metric) => !targets.some((target) => target.priority === priority && target.metric === metric))
    .map((metric) => `No ${metricWords[metric]} target for ${priority} in ${source}`);
}

/**
 * When `calendar` is closed at `now`: the next opening and the words the screens show ("paused — outside Cobalt
 * Bank's hours, opens Mon 09:00 Europe/Berlin"); null while open, or when the calendar never opens.
 */
export function closedHoursOf(
  calendar: BusinessCalendar,
  clientName: string,
  now: Date,
): { opensAt: Date; note: string } | null {
  let opensAt: Date;
  try {
    opensAt = nextBusinessInstant(now, calendar);
  } catch {
    return null;
  }
  if (opensAt <= now) return null;
  // Within the week the weekday says when; further off (a long closure), the date too.
  const withinWeek = opensAt.getTime() - now.getTime() < 6 * 24 * 60 * 60 * 1000;
  return {
    opensAt,
    note: `paused — outside ${clientName}'s hours, opens ${formatZonedTime(opensAt, calendar.timeZone, { date: !withinWeek })}`,
  };
}
