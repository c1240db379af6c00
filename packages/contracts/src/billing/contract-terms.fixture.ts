import type { ContractTermsInput } from "./contract-terms";

/**
 * The contract the invoice tests bill against, with `overrides`: a 2,500.00 retainer including 10,000 items, overage at
 * 0.40 an item for the next 5,000 and 0.30 after, 15.00 an escalation, 3.00 an item outside business hours; P1 first
 * response within 15 minutes around the clock (95 %) and P2 resolution within 8 business hours (90 %); a credit of 5 %
 * from 90 % to 95 % and 10 % below 90 %, capped at 20 % of the fees.
 */
export function makeContractTerms(overrides: Partial<ContractTermsInput> = {}): ContractTermsInput {
  return {
    currency: "EUR",
    validFrom: "2025-01-01",
    retainerMinor: 250_000,
    includedItems: 10_000,
    overageTiers: [
      { upTo: 5_000, unitPriceMinor: 40 },
      { upTo: null, unitPriceMinor: 30 },
    ],
    escalationFeeMinor: 1_500,
    outOfHoursSurchargeMinor: 300,
    slaTargets: [
      { priority: "P1", metric: "first_response", minutes: 15, calendar: "24x7", complianceTargetPercent: 95 },
      { priority: "P2", metric: "resolution", minutes: 480, calendar: "business_hours", complianceTargetPercent: 90 },
    ],
    creditTiers: [
      { fromPercent: 90, toPercent: 95, creditPercent: 5 },
      { fromPercent: 0, toPercent: 90, creditPercent: 10 },
    ],
    creditCapPercent: 20,
    excludeClientSideTime: true,
    ...overrides,
  };
}
