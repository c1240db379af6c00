/**
 * The contract editor's state: what the inputs hold (text, money in major units) and how it becomes
 * the `contractTermsInput` the server validates. Errors are keyed by the terms path the schema and
 * the server use ("retainerMinor", "creditTiers.1.fromPercent"), so both land on the same input.
 */
import { fieldMessages } from "@parley/contracts";
import {
  acknowledgementCountsOf,
  type ContractTermsInput,
  contractTermsInput,
  defaultPaymentTermsDays,
  paymentTermsDaysOf,
  type SlaMetric,
  type SlaPriority,
  type slaCalendars,
} from "@parley/contracts/billing";
import type { Schema } from "../../components/form";
import { minorToMajorText, type Parsed, parseMajorAmount, parseNumber } from "./billing-format";

export type SlaCalendar = (typeof slaCalendars)[number];

export interface OverageTierDraft {
  /** Items over the included volume, cumulative; blank = unbounded (the last tier). */
  upTo: string;
  /** Minor units, up to 4 decimals ("40" = €0.40 per item). */
  unitPriceMinor: string;
}

export interface SlaTargetDraft {
  priority: SlaPriority;
  metric: SlaMetric;
  minutes: string;
  calendar: SlaCalendar;
  complianceTargetPercent: string;
}

export interface CreditTierDraft {
  fromPercent: string;
  toPercent: string;
  creditPercent: string;
}

export interface ContractDraft {
  currency: string;
  validFrom: string;
  validTo: string;
  /** Major units, e.g. "2500.00". */
  retainer: string;
  includedItems: string;
  overageTiers: OverageTierDraft[];
  escalationFee: string;
  outOfHoursSurcharge: string;
  slaTargets: SlaTargetDraft[];
  creditTiers: CreditTierDraft[];
  creditCapPercent: string;
  excludeClientSideTime: boolean;
  /** Whether a delivered acknowledgement stops the first-response clock. */
  acknowledgementCountsAsFirstResponse: boolean;
  /** Days from an invoice's issue date to its due date. */
  paymentTermsDays: string;
}

/** The first day of the month after `today` ("YYYY-MM-DD"). */
export function firstOfNextMonth(today: string): string {
  const [year, month] = today.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
}

export function firstOfMonth(today: string): string {
  return `${today.slice(0, 7)}-01`;
}

/** A sensible starting point for a client's first contract. */
export function defaultDraft(validFrom: string): ContractDraft {
  return {
    currency: "EUR",
    validFrom,
    validTo: "",
    retainer: "",
    includedItems: "",
    overageTiers: [{ upTo: "", unitPriceMinor: "" }],
    escalationFee: "0.00",
    outOfHoursSurcharge: "0.00",
    slaTargets: [
      {
        priority: "P1",
        metric: "first_response",
        minutes: "15",
        calendar: "24x7",
        complianceTargetPercent: "95",
      },
    ],
    creditTiers: [
      { fromPercent: "90", toPercent: "95", creditPercent: "5" },
      { fromPercent: "0", toPercent: "90", creditPercent: "10" },
    ],
    creditCapPercent: "15",
    excludeClientSideTime: true,
    acknowledgementCountsAsFirstResponse: true,
    paymentTermsDays: String(defaultPaymentTermsDays),
  };
}

export function draftFromTerms(terms: ContractTermsInput): ContractDraft {
  const currency = terms.currency;
  return {
    currency,
    validFrom: terms.validFrom,
    validTo: terms.validTo ?? "",
    retainer: minorToMajorText(terms.retainerMinor, currency),
    includedItems: String(terms.includedItems),
    overageTiers: terms.overageTiers.map((tier) => ({
      upTo: tier.upTo === null ? "" : String(tier.upTo),
      unitPriceMinor: String(tier.unitPriceMinor),
    })),
    escalationFee: minorToMajorText(terms.escalationFeeMinor, currency),
    outOfHoursSurcharge: minorToMajorText(terms.outOfHoursSurchargeMinor, currency),
    slaTargets: terms.slaTargets.map((target) => ({
      priority: target.priority,
      metric: target.metric,
      minutes: String(target.minutes),
      calendar: target.calendar,
      complianceTargetPercent: String(target.complianceTargetPercent),
    })),
    creditTiers: terms.creditTiers.map((tier) => ({
      fromPercent: String(tier.fromPercent),
      toPercent: String(tier.toPercent),
      creditPercent: String(tier.creditPercent),
    })),
    creditCapPercent: String(terms.creditCapPercent),
    excludeClientSideTime: terms.excludeClientSideTime,
    // Contracts saved before the term existed let acknowledgements count (the default).
    acknowledgementCountsAsFirstResponse: acknowledgementCountsOf(terms),
    // Contracts saved before payment terms existed have none: the default applies.
    paymentTermsDays: String(paymentTermsDaysOf(terms)),
  };
}

/**
 * The terms input for `contracts.save`, plus the conversion errors the schema can't see
 * (text that isn't a number, too many decimals for the currency). Blank numbers become undefined,
 * so the schema names them.
 */
export function termsFromDraft(draft: ContractDraft): {
  terms: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const take = (path: string, parsed: Parsed): number | undefined => {
    if (parsed.ok) return parsed.value;
    errors[path] ??= parsed.message;
    return Number.NaN;
  };
  const money = (path: string, text: string) => take(path, parseMajorAmount(text, draft.currency));
  const number = (path: string, text: string) => take(path, parseNumber(text));

  const terms: Record<string, unknown> = {
    currency: draft.currency,
    validFrom: draft.validFrom,
    validTo: draft.validTo.trim() === "" ? undefined : draft.validTo,
    retainerMinor: money("retainerMinor", draft.retainer),
    includedItems: number("includedItems", draft.includedItems),
    overageTiers: draft.overageTiers.map((tier, index) => ({
      upTo: tier.upTo.trim() === "" ? null : number(`overageTiers.${index}.upTo`, tier.upTo),
      unitPriceMinor: number(`overageTiers.${index}.unitPriceMinor`, tier.unitPriceMinor),
    })),
    escalationFeeMinor: money("escalationFeeMinor", draft.escalationFee),
    outOfHoursSurchargeMinor: money("outOfHoursSurchargeMinor", draft.outOfHoursSurcharge),
    slaTargets: draft.slaTargets.map((target, index) => ({
      priority: target.priority,
      metric: target.metric,
      minutes: number(`slaTargets.${index}.minutes`, target.minutes),
      calendar: target.calendar,
      complianceTargetPercent: number(`slaTargets.${index}.complianceTargetPercent`, target.complianceTargetPercent),
    })),
    creditTiers: draft.creditTiers.map((tier, index) => ({
      fromPercent: number(`creditTiers.${index}.fromPercent`, tier.fromPercent),
      toPercent: number(`creditTiers.${index}.toPercent`, tier.toPercent),
      creditPercent: number(`creditTiers.${index}.creditPercent`, tier.creditPercent),
    })),
    creditCapPercent: number("creditCapPercent", draft.creditCapPercent),
    excludeClientSideTime: draft.excludeClientSideTime,
    acknowledgementCountsAsFirstResponse: draft.acknowledgementCountsAsFirstResponse,
    paymentTermsDays: number("paymentTermsDays", draft.paymentTermsDays),
  };
  return { terms, errors };
}

/** Every problem of the draft, keyed by terms path: conversion errors first, then the schema's. */
export function validateDraft(draft: ContractDraft): {
  terms: Record<string, unknown>;
  parsed: ContractTermsInput | null;
  errors: Record<string, string>;
} {
  const { terms, errors } = termsFromDraft(draft);
  const result = contractTermsInput.safeParse(terms);
  if (result.success && Object.keys(errors).length === 0) return { terms, parsed: result.data, errors };
  if (!result.success) {
    const found = fieldMessages(result.error.issues);
    for (const [path, message] of Object.entries(found)) errors[path] ??= message;
    // zod runs the cross-field rules (overlapping tiers, validTo after validFrom) only on an otherwise
    // valid object: parse again with the broken fields replaced by neutral ones, so those rules speak
    // while the retainer is still empty.
    const broken = new Set(Object.keys(found).map((path) => path.split(".")[0] ?? path));
    const stand = Object.fromEntries(
      [...broken].filter((key) => key in neutralTerms).map((key) => [key, neutralTerms[key]]),
    );
    const again = contractTermsInput.safeParse({ ...terms, ...stand });
    if (!again.success) {
      for (const [path, message] of Object.entries(fieldMessages(again.error.issues))) {
        if (!broken.has(path.split(".")[0] ?? path)) errors[path] ??= message;
      }
    }
  }
  return { terms, parsed: null, errors };
}

/** `validateDraft` as the form engine's schema: the draft in, the terms input (or the problems by terms path) out. */
export const contractDraftSchema: Schema<ContractTermsInput> = {
  safeParse(draft: unknown) {
    const { parsed, errors } = validateDraft(draft as ContractDraft);
    if (parsed) return { success: true, data: parsed };
    const issues = Object.entries(errors).map(([path, message]) => ({ path: path.split("."), message }));
    return { success: false, error: { issues } };
  },
};

/** The draft fields that hold money in major units, by the terms path of their minor units. */
const draftFieldOfTerm: Record<string, string> = {
  retainerMinor: "retainer",
  escalationFeeMinor: "escalationFee",
  outOfHoursSurchargeMinor: "outOfHoursSurcharge",
};

/** Where a terms path (the schema's, or the server's under `terms.`) sits in the draft: "terms.retainerMinor" → "retainer". */
export function draftPathOf(termsPath: string): string {
  const path = termsPath.replace(/^terms\./, "");
  const [head = path, ...rest] = path.split(".");
  return [draftFieldOfTerm[head] ?? head, ...rest].join(".");
}

/** Valid stand-ins for fields that failed, so the rules between the other fields can still run. */
const neutralTerms: Record<string, unknown> = {
  currency: "EUR",
  validFrom: "1970-01-01",
  validTo: undefined,
  retainerMinor: 0,
  includedItems: 0,
  overageTiers: [],
  escalationFeeMinor: 0,
  outOfHoursSurchargeMinor: 0,
  slaTargets: [],
  creditTiers: [],
  creditCapPercent: 0,
  excludeClientSideTime: true,
  acknowledgementCountsAsFirstResponse: true,
  paymentTermsDays: 30,
};

/** The schema speaks in field names; the editor in its labels. */
export function humanizeMessage(message: string): string {
  return message
    .replace(/creditTiers\.(\d+)/g, (_, index: string) => `credit tier ${Number(index) + 1}`)
    .replace(/overageTiers\.(\d+)/g, (_, index: string) => `overage tier ${Number(index) + 1}`)
    .replace(/\[(\d+(?:\.\d+)?), (\d+(?:\.\d+)?)\)/g, "[$1 %, $2 %)")
    .replace(/\bfromPercent\b/g, "“From %”")
    .replace(/\btoPercent\b/g, "“To %”")
    .replace(/\bvalidFrom\b/g, "“Valid from”")
    .replace(/\bvalidTo\b/g, "“Valid to”")
    .replace(/the previous tier's upTo/g, "the previous tier's “Up to”")
    .replace(/unbounded \(null\)/g, "unbounded (leave “Up to” empty)")
    .replace(/must be a whole number or null/g, "must be a whole number, or empty for no limit")
    .replace(/first_response/g, "first response")
    .replace(/business_hours/g, "business hours");
}

/** Which part of the form a path belongs to: validity, a section (rows), or a single field. */
export function groupOf(path: string): string {
  const head = path.split(".")[0] ?? path;
  return head === "validFrom" || head === "validTo" ? "validity" : head;
}
