/**
 * Contract terms of a client: what the agency bills and which SLA it owes. Pure: no I/O.
 *
 * Choices, written down once:
 * - Validity is a half-open range of the client's local dates, `[validFrom, validTo)`:
 *   `validTo` is EXCLUSIVE (the first day the contract no longer applies), so a contract
 *   ending where the next one starts (`validTo === next.validFrom`) does not overlap it.
 *   No `validTo` means open-ended.
 * - Overage unit prices are decimal minor units with at most 4 decimals (`12.5` = 12.5
 *   cents per item for EUR), so sub-cent prices need no separate "micros" unit; invoice math
 *   scales them to integers (× 10,000) and never multiplies binary fractions.
 * - `overageTiers[].upTo` counts items OVER `includedItems` (cumulative): with 10,000
 *   included, `[{ upTo: 5000, unitPriceMinor: 40 }, { upTo: null, unitPriceMinor: 30 }]`
 *   bills items 10,001–15,000 at 40 and the rest at 30. The last tier must be unbounded.
 * - Percentages (targets, credit tiers, credit percent, cap) have at most 2 decimals.
 * - `acknowledgementCountsAsFirstResponse` (default true): whether a delivered acknowledgement ("we've seen this,
 *   we're on it") stops the first-response clock, as triage cover is usually contracted; false when the client
 *   pays for a first *answer* — then only a delivered reply or follow-up stops it. Contracts stored before the
 *   term existed parse with the default, which is what they were measured by.
 * - Amount bounds keep every invoice total a safe integer: fees per item or event at most
 *   1,000,000 minor units, the retainer at most 10^12, counts at most 10^8 (invoice-math).
 */

import { z } from "zod";
import { requiredOr } from "../domain";
import { AppError, badInput } from "../errors";
import { isCurrencyCode } from "./money";

export const slaPriorities = ["P1", "P2", "P3", "P4"] as const;
export type SlaPriority = (typeof slaPriorities)[number];
export const slaMetrics = ["first_response", "resolution"] as const;
export type SlaMetric = (typeof slaMetrics)[number];
export const slaCalendars = ["24x7", "business_hours"] as const;

export const maxRetainerMinor = 1_000_000_000_000;
export const maxUnitPriceMinor = 1_000_000;
export const defaultPaymentTermsDays = 30;
export const maxPaymentTermsDays = 120;

function hasAtMostDecimals(value: number, decimals: number): boolean {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale === value;
}

function isLocalDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A calendar date in the client's time zone, "YYYY-MM-DD". */
export const localDate = z
  .string({ error: requiredOr("must be a date in the form YYYY-MM-DD") })
  .refine(isLocalDate, { message: "must be a date in the form YYYY-MM-DD" });

const currencyMessage = "must be an upper-case ISO 4217 currency code such as EUR, USD or JPY";
const currency = z.string({ message: currencyMessage }).refine(isCurrencyCode, { message: currencyMessage });

const amountMinor = (max: number) =>
  z
    .int({ message: "must be a whole number of minor units" })
    .min(0, { message: "must not be negative" })
    .max(max, { message: `must be at most ${max}` });

const count = z.int({ message: "must be a whole number" }).min(0, { message: "must not be negative" });

const percent = z
  .number({ message: "must be a number" })
  .min(0, { message: "must be between 0 and 100" })
  .max(100, { message: "must be between 0 and 100" })
  .refine((value) => hasAtMostDecimals(value, 2), { message: "must have at most 2 decimals" });

const positivePercent = percent.refine((value) => value > 0, { message: "must be greater than 0" });

const overageTier = z.object({
  upTo: z.int({ message: "must be a whole number or null" }).positive({ message: "must be positive" }).nullable(),
  unitPriceMinor: z
    .number({ message: "must be a number" })
    .min(0, { message: "must not be negative" })
    .max(maxUnitPriceMinor, { message: `must be at most ${maxUnitPriceMinor}` })
    .refine((value) => hasAtMostDecimals(value, 4), { message: "must have at most 4 decimals" }),
});
export type OverageTier = z.infer<typeof overageTier>;

/** A clock target: minutes of the calendar's time for one priority and metric. */
const clockTarget = z.object({
  priority: z.enum(slaPriorities, { message: `must be one of ${slaPriorities.join(", ")}` }),
  metric: z.enum(slaMetrics, { message: `must be one of ${slaMetrics.join(", ")}` }),
  minutes: z.int({ message: "must be a whole number of minutes" }).positive({ message: "must be greater than 0" }),
  calendar: z.enum(slaCalendars, { message: `must be one of ${slaCalendars.join(", ")}` }),
});
export type ClockTarget = z.infer<typeof clockTarget>;

const slaTarget = clockTarget.extend({ complianceTargetPercent: positivePercent });
export type SlaTarget = z.infer<typeof slaTarget>;

const creditTier = z.object({
  fromPercent: percent,
  toPercent: percent,
  creditPercent: positivePercent,
});
/** Compliance in `[fromPercent, toPercent)` earns `creditPercent` of the month's fees. */
export type CreditTier = z.infer<typeof creditTier>;

type Issues = z.RefinementCtx;

function checkOverageTiers(tiers: readonly OverageTier[], ctx: Issues): void {
  tiers.forEach((tier, index) => {
    const path = ["overageTiers", index, "upTo"];
    const isLast = index === tiers.length - 1;
    if (tier.upTo === null && !isLast) {
      ctx.addIssue({ code: "custom", path, message: "only the last tier may be unbounded (null)" });
    }
    if (tier.upTo !== null && isLast) {
      ctx.addIssue({ code: "custom", path, message: "the last tier must be unbounded (null)" });
    }
    const previous = tiers[index - 1]?.upTo;
    if (tier.upTo !== null && previous != null && tier.upTo <= previous) {
      ctx.addIssue({ code: "custom", path, message: `must be greater than the previous tier's upTo (${previous})` });
    }
  });
}

function checkSlaTargets(targets: readonly ClockTarget[], ctx: Issues, path = "slaTargets"): void {
  const seen = new Set<string>();
  targets.forEach((target, index) => {
    const key = `${target.priority} ${target.metric}`;
    if (seen.has(key)) {
      ctx.addIssue({ code: "custom", path: [path, index], message: `duplicates the ${key} target` });
    }
    seen.add(key);
  });
}

function checkCreditTiers(tiers: readonly CreditTier[], ctx: Issues): void {
  tiers.forEach((tier, index) => {
    if (tier.toPercent <= tier.fromPercent) {
      ctx.addIssue({
        code: "custom",
        path: ["creditTiers", index, "toPercent"],
        message: "must be greater than fromPercent",
      });
      return;
    }
    const overlapping = tiers.findIndex(
      (other, otherIndex) =>
        otherIndex < index &&
        other.fromPercent < other.toPercent &&
        tier.fromPercent < other.toPercent &&
        other.fromPercent < tier.toPercent,
    );
    const other = tiers[overlapping];
    if (other) {
      ctx.addIssue({
        code: "custom",
        path: ["creditTiers", index, "fromPercent"],
        message: `overlaps creditTiers.${overlapping} [${other.fromPercent}, ${other.toPercent})`,
      });
    }
  });
}

export const contractTermsInput = z
  .object({
    currency,
    validFrom: localDate,
    /** Exclusive; absent = open-ended. */
    validTo: localDate.optional(),
    retainerMinor: amountMinor(maxRetainerMinor),
    includedItems: count,
    overageTiers: z
      .array(overageTier, { message: "must be a list" })
      .max(20, { message: "must have at most 20 tiers" }),
    escalationFeeMinor: amountMinor(maxUnitPriceMinor),
    /** Per item handled outside the client's business hours. */
    outOfHoursSurchargeMinor: amountMinor(maxUnitPriceMinor),
    slaTargets: z.array(slaTarget, { message: "must be a list" }),
    creditTiers: z.array(creditTier, { message: "must be a list" }).max(20, { message: "must have at most 20 tiers" }),
    /** The share of the month's fees at risk: service credits never exceed it. */
    creditCapPercent: percent,
    /** Whether SLA clocks stop while waiting on the client (the caller measures accordingly). */
    excludeClientSideTime: z.boolean({ message: "must be true or false" }).default(true),
    /** Whether a delivered acknowledgement stops the first-response clock (a delivered reply always does). */
    acknowledgementCountsAsFirstResponse: z.boolean({ message: "must be true or false" }).default(true),
    /**
     * Days from an invoice's issue date to its due date (0 = due on receipt). Contracts stored
     * before payment terms existed parse with the default.
     */
    paymentTermsDays: z
      .int({ message: "must be a whole number of days" })
      .min(0, { message: "must be between 0 and 120 days" })
      .max(maxPaymentTermsDays, { message: "must be between 0 and 120 days" })
      .default(defaultPaymentTermsDays),
  })
  .superRefine((terms, ctx) => {
    if (terms.validTo !== undefined && terms.validTo <= terms.validFrom) {
      ctx.addIssue({ code: "custom", path: ["validTo"], message: "must be after validFrom (validTo is exclusive)" });
    }
    checkOverageTiers(terms.overageTiers, ctx);
    checkSlaTargets(terms.slaTargets, ctx);
    checkCreditTiers(terms.creditTiers, ctx);
  });
/** Terms as parsed: every default filled in. */
export type ParsedContractTerms = z.infer<typeof contractTermsInput>;
/**
 * Terms as stored or written by hand: `paymentTermsDays` and `acknowledgementCountsAsFirstResponse` may be absent
 * (contracts saved before they existed), so readers take them through `paymentTermsDaysOf` and
 * `acknowledgementCountsOf`.
 */
export type ContractTermsInput = Omit<
  ParsedContractTerms,
  "paymentTermsDays" | "acknowledgementCountsAsFirstResponse"
> & {
  paymentTermsDays?: number;
  acknowledgementCountsAsFirstResponse?: boolean;
};

/** What every screen says of a clock started on the agency's default SLA policy. */
export const agencyDefaultLabel = "agency default (no contract)";

/**
 * The agency's default SLA policy: the clock targets of a client without a contract in force (labelled "agency
 * default (no contract)" wherever such a clock shows). A priority and metric it leaves out gets no clock.
 */
export const slaPolicyInput = z
  .object({ targets: z.array(clockTarget, { message: "must be a list" }).max(8, { message: "must have at most 8" }) })
  .superRefine((policy, ctx) => checkSlaTargets(policy.targets, ctx, "targets"));
export type SlaPolicyInput = z.infer<typeof slaPolicyInput>;

/** Parses contract terms, or throws BAD_INPUT whose message names every bad field. */
export function parseContractTerms(input: unknown): ParsedContractTerms {
  const result = contractTermsInput.safeParse(input);
  if (!result.success) throw badInput(result.error.issues);
  return result.data;
}

/**
 * The payment terms of stored contract terms, which may predate `paymentTermsDays` (then the
 * default applies, as when parsing them).
 */
export function paymentTermsDaysOf(terms: { paymentTermsDays?: number | null }): number {
  return terms.paymentTermsDays ?? defaultPaymentTermsDays;
}

/**
 * Whether stored contract terms let a delivered acknowledgement stop the first-response clock; terms that predate
 * the term take the default (true), as when parsing them.
 */
export function acknowledgementCountsOf(terms: { acknowledgementCountsAsFirstResponse?: boolean | null }): boolean {
  return terms.acknowledgementCountsAsFirstResponse ?? true;
}

/** A calendar date plus whole days: `("2026-04-02", 30)` → "2026-05-02". No time zone can shift it. */
export function addDaysToLocalDate(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The validity of a contract: local dates, `validTo` exclusive, null or absent = open-ended. */
export interface ContractPeriod {
  validFrom: string;
  validTo?: string | null;
}

function isInForce(contract: ContractPeriod, localDay: string): boolean {
  return contract.validFrom <= localDay && (contract.validTo == null || localDay < contract.validTo);
}

/** Whether two half-open validity ranges share at least one day. */
export function contractPeriodsOverlap(a: ContractPeriod, b: ContractPeriod): boolean {
  const aStartsBeforeBEnds = b.validTo == null || a.validFrom < b.validTo;
  const bStartsBeforeAEnds = a.validTo == null || b.validFrom < a.validTo;
  return aStartsBeforeBEnds && bStartsBeforeAEnds;
}

/**
 * The first of `periods` that overlaps `candidate`, or null. A client has at most one contract
 * in force on any day; when editing a contract, leave it out of `periods`.
 */
export function findOverlappingContract<T extends ContractPeriod>(
  periods: readonly T[],
  candidate: ContractPeriod,
): T | null {
  return periods.find((period) => contractPeriodsOverlap(period, candidate)) ?? null;
}

/**
 * The contract that governs the monthly period starting on `periodStartLocalDate`.
 *
 * Rule: the contract in force on the period's first day governs the WHOLE period; a change
 * of contract (new prices, targets, credit tiers) takes effect from the next period. No
 * proration: one month is billed under one set of terms, which is what the client signed up
 * for at the start of it, and SLA compliance is measured against one target. Consequence: a
 * client's first contract starting mid-month governs from the following period, so start
 * contracts on a period's first day. Returns null when no contract is in force that day.
 */
export function contractForPeriod<T extends ContractPeriod>(
  contracts: readonly T[],
  periodStartLocalDate: string,
): T | null {
  const inForce = contracts.filter((contract) => isInForce(contract, periodStartLocalDate));
  if (inForce.length > 1) {
    throw new AppError("INVALID_STATE", `Several contracts are in force on ${periodStartLocalDate}`, {
      reason: "overlapping_contracts",
    });
  }
  return inForce[0] ?? null;
}
