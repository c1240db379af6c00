/**
 * Where a new clock's target and calendar come from (pure: the caller has read the rows).
 *
 * - The target (minutes per priority × metric, on `24x7` or `business_hours`) is the one of the contract in force on
 *   the item's arrival day (the client's local date, as contract periods are); without a contract in force, the
 *   agency's default SLA policy, shown as "agency default (no contract)". A priority and metric the source leaves out
 *   gets no clock.
 * - `business_hours` runs on the client's calendar version in force at arrival; a client without hours then (no
 *   version, or a version that is "around the clock") is covered around the clock.
 * - The clock stores the target, the calendar's kind and version (versions are never changed, so the version names
 *   the calendar) and the contract: running clocks keep them whatever changes later; new items take the new ones.
 */
import type { ClockTarget } from "@parley/contracts/billing";
import type { BusinessCalendar, CalendarKind } from "./business-calendar";
import { ALWAYS_OPEN } from "./business-calendar";
import { localWallTime } from "./zone-offsets";

/** One version of a client's business hours: in force from `effectiveAt` until the next version's. */
export interface CalendarVersion {
  id: string;
  version: number;
  /** The client's local date the version was chosen to apply from. */
  effectiveFrom: string;
  effectiveAt: Date;
  /** null: covered around the clock. */
  calendar: BusinessCalendar | null;
}

/** A contract's period (local dates, `validTo` exclusive) and its clock targets. */
export interface ContractClockTerms {
  id: string;
  validFrom: string;
  validTo: string | null;
  slaTargets: readonly ClockTarget[];
}

/** The targets new clocks run on: a contract's, or (contractId null) the agency's default policy. */
export interface ClockTerms {
  contractId: string | null;
  targets: readonly ClockTarget[];
}

/** The version in force at `at` (the latest whose `effectiveAt` is not after it), or null when none was yet. */
export function calendarVersionAt(versions: readonly CalendarVersion[], at: Date): CalendarVersion | null {
  let found: CalendarVersion | null = null;
  for (const version of versions) {
    if (version.effectiveAt <= at && (!found || version.effectiveAt >= found.effectiveAt)) found = version;
  }
  return found;
}

/** The contract whose period holds the local date `localDate`, or null. */
export function contractInForceOn<T extends { validFrom: string; validTo: string | null }>(
  contracts: readonly T[],
  localDate: string,
): T | null {
  return (
    contracts.find(
      (contract) => contract.validFrom <= localDate && (contract.validTo === null || localDate < contract.validTo),
    ) ?? null
  );
}

/** The clock terms for an item arriving at `at`: the contract in force on that local day, else the agency default. */
export function clockTermsAt({
  contracts,
  policy,
  timeZone,
  at,
}: {
  contracts: readonly ContractClockTerms[];
  policy: readonly ClockTarget[];
  /** The client's zone, in which contract periods are read. */
  timeZone: string;
  at: Date;
}): ClockTerms {
  const contract = contractInForceOn(contracts, localWallTime(at.getTime(), timeZone).date);
  return contract ? { contractId: contract.id, targets: contract.slaTargets } : { contractId: null, targets: policy };
}

/** The calendar a clock of `kind` runs on, and the business-hours version it came from (null for 24x7). */
export function clockCalendarOf(
  kind: CalendarKind,
  version: CalendarVersion | null,
): { calendar: BusinessCalendar; versionId: string | null } {
  if (kind === "24x7") return { calendar: ALWAYS_OPEN, versionId: null };
  return { calendar: version?.calendar ?? ALWAYS_OPEN, versionId: version?.id ?? null };
}
