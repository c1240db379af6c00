/**
 * Invoice math: a month's invoice draft from contract terms and period aggregates. Pure: the
 * counts come from queries elsewhere; nothing here reads a clock or a database.
 *
 * Rules, written down once:
 * - Money is integer minor units, computed exactly (bigint rationals, never binary floats).
 * - ONE rounding rule: half-up (half away from zero) to a whole minor unit, once per line,
 *   on the line's exact amount: 3 items × 12.5 = 37.5 → 38; 1 item × 0.125 = 0.125 → 0;
 *   5 % of 1,010 = 50.5 → 51. Totals are sums of rounded lines, so sum(lines) = totalMinor.
 * - Fee lines (retainer, one overage line per tier used, escalations, out-of-hours
 *   surcharge) appear when both quantity and unit price are above zero.
 * - Compliance of a target with no items in the period (total 0) is 100 %: nothing was late.
 * - A target is missed when compliance < its target percent. Each missed target gets one
 *   service-credit line (negative amount, quantity 1) carrying its evidence; the credit is
 *   the percentage of the tier containing the compliance, applied to the month's fees (the
 *   sum of fee lines). A missed target that no tier covers gets a zero line, so the invoice
 *   still shows it.
 * - Cap: credits never exceed `creditCapPercent` of fees. The cap is a limit, not a line, so
 *   its value in minor units is the largest whole amount not above it (fees × cap %,
 *   rounded down). Credits are granted in a fixed order — P1 to P4, first response before
 *   resolution — and the one that crosses the cap is reduced to what is left; later ones get
 *   0. The total credited is the same as with pro-rata scaling, without a second rounding
 *   rule to split it, and the order is independent of the order of the evidence.
 */
import { badInput } from "@parley/contracts";
import {
  type ComplianceCount,
  type ContractTermsInput,
  type CreditTier,
  compareCompliance,
  compliancePercent,
  contractTermsInput,
  formatCompliancePercent,
  meetsComplianceTarget,
  type SlaMetric,
  type SlaPriority,
  slaMetrics,
  slaPriorities,
} from "@parley/contracts/billing";
import { z } from "zod";

/** Counts per period are at most 10^8, so every product below fits the bounds in contract-terms. */
export const maxPeriodCount = 100_000_000;

const periodCount = z
  .int({ message: "must be a whole number" })
  .min(0, { message: "must not be negative" })
  .max(maxPeriodCount, { message: `must be at most ${maxPeriodCount}` });

const slaEvidence = z
  .object({
    priority: z.enum(slaPriorities, { message: `must be one of ${slaPriorities.join(", ")}` }),
    metric: z.enum(slaMetrics, { message: `must be one of ${slaMetrics.join(", ")}` }),
    /** Items whose clock for this metric ended in the period. */
    total: periodCount,
    /** Of those, items that met the target (with or without client-side time: the caller decides). */
    met: periodCount,
  })
  .refine((evidence) => evidence.met <= evidence.total, { path: ["met"], message: "must not exceed total" });
export type SlaEvidence = z.infer<typeof slaEvidence>;

export const invoiceDraftInput = z
  .object({
    terms: contractTermsInput,
    itemCount: periodCount,
    escalationCount: periodCount,
    outOfHoursItemCount: periodCount,
    /** Exactly one entry per SLA target of the contract. */
    slaEvidence: z.array(slaEvidence, { message: "must be a list" }),
  })
  .superRefine((input, ctx) => {
    if (input.outOfHoursItemCount > input.itemCount) {
      ctx.addIssue({ code: "custom", path: ["outOfHoursItemCount"], message: "must not exceed itemCount" });
    }
    input.slaEvidence.forEach((evidence, index) => {
      const key = `${evidence.priority} ${evidence.metric}`;
      if (!input.terms.slaTargets.some((target) => isSameTarget(target, evidence))) {
        ctx.addIssue({ code: "custom", path: ["slaEvidence", index], message: `the contract has no ${key} target` });
      }
      if (input.slaEvidence.findIndex((other) => isSameTarget(other, evidence)) < index) {
        ctx.addIssue({ code: "custom", path: ["slaEvidence", index], message: `duplicates the ${key} evidence` });
      }
    });
    for (const target of input.terms.slaTargets) {
      if (!input.slaEvidence.some((evidence) => isSameTarget(evidence, target))) {
        ctx.addIssue({
          code: "custom",
          path: ["slaEvidence"],
          message: `is missing the ${target.priority} ${target.metric} target`,
        });
      }
    }
  });
export type InvoiceDraftInput = z.input<typeof invoiceDraftInput>;

export const invoiceLineKinds = ["retainer", "overage", "escalations", "out_of_hours", "service_credit"] as const;
export type InvoiceLineKind = (typeof invoiceLineKinds)[number];

export interface ServiceCreditEvidence {
  priority: SlaPriority;
  metric: SlaMetric;
  met: number;
  total: number;
  /** Unrounded `met × 100 / total`; 100 when total is 0. */
  compliancePercent: number;
  targetPercent: number;
  /** The credit tier containing the compliance, or null when none does. */
  tier: CreditTier | null;
  creditPercent: number;
  /** The credit before the cap; the line's amount is its negation unless `capped`. */
  uncappedAmountMinor: number;
  capped: boolean;
  /** The first breached items (at most `maxBreachedItemIds`, sla/period-aggregates), for the drill-down: empty in a computed draft, filled when the line is stored. */
  breachedItemIds: string[];
}

export interface InvoiceLineDraft {
  kind: InvoiceLineKind;
  description: string;
  quantity: number;
  /** Minor units; overage tiers may carry up to 4 decimals. */
  unitPriceMinor: number;
  /** Whole minor units: negative for service credits. */
  amountMinor: number;
  evidence?: ServiceCreditEvidence;
}

export interface InvoiceDraft {
  currency: string;
  lines: InvoiceLineDraft[];
  /** Sum of the fee lines: the base of service credits. */
  feesMinor: number;
  /** Sum of the service credits, as a positive number. */
  creditsMinor: number;
  /** The most the credits may add up to this month. */
  creditCapMinor: number;
  /** feesMinor − creditsMinor = the sum of every line's amountMinor. */
  totalMinor: number;
}

/** `numerator / denominator` rounded half away from zero: the one rounding rule for money. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return numerator < 0n ? -rounded : rounded;
}

/**
 * The tier with `fromPercent ≤ compliance < toPercent`, compared exactly (`compareCompliance`), or null: 95 % is not
 * in [90, 95), 90 % is.
 */
export function creditTierFor(count: ComplianceCount, tiers: readonly CreditTier[]): CreditTier | null {
  return (
    tiers.find(
      (tier) => compareCompliance(count, tier.fromPercent) >= 0 && compareCompliance(count, tier.toPercent) < 0,
    ) ?? null
  );
}

function isSameTarget(
  a: { priority: SlaPriority; metric: SlaMetric },
  b: { priority: SlaPriority; metric: SlaMetric },
): boolean {
  return a.priority === b.priority && a.metric === b.metric;
}

const countFormat = new Intl.NumberFormat("en-GB");

/** Compliance for people, by the one display rule (`formatCompliancePercent`): "88.82 %". */
function describeCompliance(evidence: SlaEvidence): string {
  return `${formatCompliancePercent(evidence)} %`;
}

/** Exact amount of `quantity × unitPriceMinor` (≤ 4 decimals), rounded once. */
function computeLineAmount(quantity: number, unitPriceMinor: number): bigint {
  return roundHalfUp(BigInt(quantity) * BigInt(Math.round(unitPriceMinor * 10_000)), 10_000n);
}

/** Zero or one line: a fee is billed when both its quantity and its unit price are above zero. */
function buildFeeLines(line: Omit<InvoiceLineDraft, "amountMinor">): InvoiceLineDraft[] {
  if (line.quantity <= 0 || line.unitPriceMinor <= 0) return [];
  return [{ ...line, amountMinor: Number(computeLineAmount(line.quantity, line.unitPriceMinor)) }];
}

function buildOverageLines(terms: ContractTermsInput, itemCount: number): InvoiceLineDraft[] {
  const overItems = Math.max(0, itemCount - terms.includedItems);
  let tierStart = 0;
  return terms.overageTiers.flatMap((tier, index) => {
    const tierEnd = Math.min(overItems, tier.upTo ?? Number.POSITIVE_INFINITY);
    const quantity = Math.max(0, tierEnd - tierStart);
    const first = terms.includedItems + tierStart + 1;
    tierStart = tier.upTo ?? tierStart;
    return buildFeeLines({
      kind: "overage",
      description:
        `Overage tier ${index + 1}: items ${countFormat.format(first)}–${countFormat.format(first + quantity - 1)}` +
        ` (${countFormat.format(terms.includedItems)} included)`,
      quantity,
      unitPriceMinor: tier.unitPriceMinor,
    });
  });
}

function describeCredit(options: {
  evidence: SlaEvidence;
  targetPercent: number;
  tier: CreditTier | null;
  capped: boolean;
}): string {
  const { evidence, targetPercent, tier, capped } = options;
  const head =
    `Service credit: ${evidence.priority} ${evidence.metric.replace("_", " ")}, ` +
    `${evidence.met} of ${evidence.total} met (${describeCompliance(evidence)}) against a ${targetPercent} % target`;
  if (!tier) return `${head}; no credit tier applies`;
  const credit = `${head}; tier [${tier.fromPercent}, ${tier.toPercent}): ${tier.creditPercent} % of fees`;
  return capped ? `${credit}, reduced by the credit cap` : credit;
}

function buildCreditLines(terms: ContractTermsInput, evidences: readonly SlaEvidence[], feesMinor: bigint) {
  const creditCapMinor = (feesMinor * BigInt(Math.round(terms.creditCapPercent * 100))) / 10_000n;
  let remaining = creditCapMinor;
  const missed = terms.slaTargets
    .flatMap((target) => {
      const evidence = evidences.find((candidate) => isSameTarget(candidate, target));
      if (!evidence) return [];
      const compliance = compliancePercent(evidence);
      return meetsComplianceTarget(evidence, target.complianceTargetPercent) ? [] : [{ target, evidence, compliance }];
    })
    .sort(
      (a, b) =>
        slaPriorities.indexOf(a.target.priority) - slaPriorities.indexOf(b.target.priority) ||
        slaMetrics.indexOf(a.target.metric) - slaMetrics.indexOf(b.target.metric),
    );
  const lines = missed.map(({ target, evidence, compliance }): InvoiceLineDraft => {
    const tier = creditTierFor(evidence, terms.creditTiers);
    const creditPercent = tier?.creditPercent ?? 0;
    const uncapped = roundHalfUp(feesMinor * BigInt(Math.round(creditPercent * 100)), 10_000n);
    const granted = uncapped < remaining ? uncapped : remaining;
    remaining -= granted;
    const capped = granted < uncapped;
    const amountMinor = granted === 0n ? 0 : -Number(granted);
    return {
      kind: "service_credit",
      description: describeCredit({ evidence, targetPercent: target.complianceTargetPercent, tier, capped }),
      quantity: 1,
      unitPriceMinor: amountMinor,
      amountMinor,
      evidence: {
        priority: target.priority,
        metric: target.metric,
        met: evidence.met,
        total: evidence.total,
        compliancePercent: compliance,
        targetPercent: target.complianceTargetPercent,
        tier,
        creditPercent,
        uncappedAmountMinor: Number(uncapped),
        capped,
        // Which items breached is read where the line is stored (sla/period-aggregates `breachedItemIdsOf`).
        breachedItemIds: [],
      },
    };
  });
  return { lines, creditCapMinor: Number(creditCapMinor), creditsMinor: Number(creditCapMinor - remaining) };
}

/**
 * The invoice draft for one month under one contract (see `contractForPeriod`). Throws
 * BAD_INPUT naming the field when the input is inconsistent (e.g. met > total, evidence
 * missing for a target). Deterministic: same input, same lines in the same order.
 */
export function computeInvoiceDraft(input: InvoiceDraftInput): InvoiceDraft {
  const parsed = invoiceDraftInput.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error.issues);
  const { terms, itemCount, escalationCount, outOfHoursItemCount, slaEvidence } = parsed.data;
  const feeLines = [
    ...buildFeeLines({
      kind: "retainer",
      description:
        terms.includedItems > 0
          ? `Monthly retainer (${countFormat.format(terms.includedItems)} items included)`
          : "Monthly retainer",
      quantity: 1,
      unitPriceMinor: terms.retainerMinor,
    }),
    ...buildOverageLines(terms, itemCount),
    ...buildFeeLines({
      kind: "escalations",
      description: "Escalations to the client",
      quantity: escalationCount,
      unitPriceMinor: terms.escalationFeeMinor,
    }),
    ...buildFeeLines({
      kind: "out_of_hours",
      description: "Items handled outside the client's business hours",
      quantity: outOfHoursItemCount,
      unitPriceMinor: terms.outOfHoursSurchargeMinor,
    }),
  ];
  const feesMinor = feeLines.reduce((sum, line) => sum + BigInt(line.amountMinor), 0n);
  const credits = buildCreditLines(terms, slaEvidence, feesMinor);
  return {
    currency: terms.currency,
    lines: [...feeLines, ...credits.lines],
    feesMinor: Number(feesMinor),
    creditsMinor: credits.creditsMinor,
    creditCapMinor: credits.creditCapMinor,
    totalMinor: Number(feesMinor) - credits.creditsMinor,
  };
}
