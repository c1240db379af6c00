/**
 * SLA compliance: one rule, written down once and used by the invoice lines, the PDF, the invoice and evidence
 * CSVs, the SLA month and the web app.
 *
 * - The figure is the exact fraction `met / total` of a target's decided clocks (100 % when none was decided).
 * - It is compared with a target or a credit-tier bound (at most 2 decimals) exactly, in integers:
 *   `met × 10,000` against `bound × 100 × total` (counts are at most 10^8, so every product is a safe integer).
 * - It is shown truncated toward zero to 2 decimals, always with both: 159 of 179 → "88.82 %", 47 of 50 →
 *   "94.00 %", 1,899,999 of 2,000,000 → "94.99 %". So a missed 95 % target never reads "95.00 %".
 */

export interface ComplianceCount {
  met: number;
  total: number;
}

/** `met × 100 / total`, unrounded, for charts; decisions use `compareCompliance`. 100 when nothing was decided. */
export function compliancePercent({ met, total }: ComplianceCount): number {
  return total === 0 ? 100 : (met * 100) / total;
}

/** -1, 0 or 1 as the exact compliance is below, at or above `percent` (≤ 2 decimals). */
export function compareCompliance({ met, total }: ComplianceCount, percent: number): -1 | 0 | 1 {
  if (total === 0) return percent < 100 ? 1 : percent === 100 ? 0 : -1;
  const difference = met * 10_000 - Math.round(percent * 100) * total;
  return difference < 0 ? -1 : difference > 0 ? 1 : 0;
}

/** Whether the exact compliance reaches `targetPercent`. */
export function meetsComplianceTarget(count: ComplianceCount, targetPercent: number): boolean {
  return compareCompliance(count, targetPercent) >= 0;
}

/** The figure as shown everywhere: truncated to 2 decimals, "88.82" (add " %" where the unit is not a header). */
export function formatCompliancePercent({ met, total }: ComplianceCount): string {
  const hundredths = total === 0 ? 10_000 : Math.floor((met * 10_000) / total);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`;
}
