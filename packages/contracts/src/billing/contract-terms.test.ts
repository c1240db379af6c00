import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import {
  acknowledgementCountsOf,
  addDaysToLocalDate,
  type ContractPeriod,
  contractForPeriod,
  contractPeriodsOverlap,
  findOverlappingContract,
  parseContractTerms,
  paymentTermsDaysOf,
} from "./contract-terms";
import { makeContractTerms } from "./contract-terms.fixture";

/** The shared terms, as a client would send them: without the fields that have defaults. */
function makeTerms(overrides: Record<string, unknown> = {}) {
  const {
    excludeClientSideTime: _defaulted,
    acknowledgementCountsAsFirstResponse: _alsoDefaulted,
    ...terms
  } = makeContractTerms();
  return { ...terms, ...overrides };
}

function messageOf(input: unknown): string {
  try {
    parseContractTerms(input);
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
  throw new Error("expected BAD_INPUT");
}

describe("contractTermsInput", () => {
  it("accepts valid terms, open-ended by default and excluding client-side time by default", () => {
    const terms = parseContractTerms(makeTerms());
    expect(terms.validTo).toBeUndefined();
    expect(terms.excludeClientSideTime).toBe(true);
  });

  it("gives contracts stored without payment terms the default of 30 days", () => {
    expect(parseContractTerms(makeTerms()).paymentTermsDays).toBe(30);
    expect(parseContractTerms(makeTerms({ paymentTermsDays: 0 })).paymentTermsDays).toBe(0);
    expect(parseContractTerms(makeTerms({ paymentTermsDays: 120 })).paymentTermsDays).toBe(120);
    expect(paymentTermsDaysOf({})).toBe(30);
    expect(paymentTermsDaysOf({ paymentTermsDays: 14 })).toBe(14);
  });

  it("lets acknowledgements count as the first response unless the contract says they don't", () => {
    expect(parseContractTerms(makeTerms()).acknowledgementCountsAsFirstResponse).toBe(true);
    expect(
      parseContractTerms(makeTerms({ acknowledgementCountsAsFirstResponse: false }))
        .acknowledgementCountsAsFirstResponse,
    ).toBe(false);
    expect(acknowledgementCountsOf({})).toBe(true);
    expect(acknowledgementCountsOf({ acknowledgementCountsAsFirstResponse: false })).toBe(false);
  });

  it.each([
    ["2026-04-02", 30, "2026-05-02"],
    ["2026-01-31", 30, "2026-03-02"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2026-12-15", 30, "2027-01-14"],
    ["2026-03-28", 0, "2026-03-28"],
  ])("adds %s + %i days = %s", (date, days, expected) => {
    expect(addDaysToLocalDate(date, days)).toBe(expected);
  });

  it.each([
    ["a 4-decimal unit price", { overageTiers: [{ upTo: null, unitPriceMinor: 12.3456 }] }],
    ["a sub-unit price", { overageTiers: [{ upTo: null, unitPriceMinor: 0.4 }] }],
    ["no overage tiers (flat retainer)", { overageTiers: [] }],
    ["a zero-exponent currency", { currency: "JPY" }],
    ["a 3-decimal currency", { currency: "KWD" }],
    ["a closed period", { validTo: "2026-01-01" }],
    ["credit tiers with a gap", { creditTiers: [{ fromPercent: 0, toPercent: 80, creditPercent: 10 }] }],
    ["percentages with 2 decimals", { creditCapPercent: 12.5 }],
  ])("accepts %s", (_, overrides) => {
    expect(() => parseContractTerms(makeTerms(overrides))).not.toThrow();
  });

  it.each([
    [{ currency: "eur" }, "currency: must be an upper-case ISO 4217 currency code"],
    [{ currency: "EUX" }, "currency: must be an upper-case ISO 4217 currency code"],
    [{ currency: "XAU" }, "currency: must be an upper-case ISO 4217 currency code"],
    [{ validFrom: "2025-02-30" }, "validFrom: must be a date in the form YYYY-MM-DD"],
    [{ validFrom: "2025-1-01" }, "validFrom: must be a date in the form YYYY-MM-DD"],
    [{ validTo: "2025-01-01" }, "validTo: must be after validFrom (validTo is exclusive)"],
    [{ retainerMinor: 10.5 }, "retainerMinor: must be a whole number of minor units"],
    [{ retainerMinor: -1 }, "retainerMinor: must not be negative"],
    [{ includedItems: undefined }, "includedItems: must be a whole number"],
    [
      { overageTiers: [{ upTo: null, unitPriceMinor: 0.12345 }] },
      "overageTiers.0.unitPriceMinor: must have at most 4 decimals",
    ],
    [
      {
        overageTiers: [
          { upTo: null, unitPriceMinor: 40 },
          { upTo: null, unitPriceMinor: 30 },
        ],
      },
      "overageTiers.0.upTo: only the last tier may be unbounded (null)",
    ],
    [
      {
        overageTiers: [
          { upTo: 5_000, unitPriceMinor: 40 },
          { upTo: 9_000, unitPriceMinor: 30 },
        ],
      },
      "overageTiers.1.upTo: the last tier must be unbounded (null)",
    ],
    [
      {
        overageTiers: [
          { upTo: 5_000, unitPriceMinor: 40 },
          { upTo: 5_000, unitPriceMinor: 35 },
          { upTo: null, unitPriceMinor: 30 },
        ],
      },
      "overageTiers.1.upTo: must be greater than the previous tier's upTo (5000)",
    ],
    [
      {
        slaTargets: [
          { priority: "P5", metric: "resolution", minutes: 5, calendar: "24x7", complianceTargetPercent: 90 },
        ],
      },
      "slaTargets.0.priority: must be one of P1, P2, P3, P4",
    ],
    [
      {
        slaTargets: [
          { priority: "P1", metric: "resolution", minutes: 0, calendar: "24x7", complianceTargetPercent: 90 },
        ],
      },
      "slaTargets.0.minutes: must be greater than 0",
    ],
    [
      {
        slaTargets: [
          { priority: "P1", metric: "resolution", minutes: 5, calendar: "24x7", complianceTargetPercent: 0 },
        ],
      },
      "slaTargets.0.complianceTargetPercent: must be greater than 0",
    ],
    [
      {
        slaTargets: [
          { priority: "P1", metric: "resolution", minutes: 5, calendar: "24x7", complianceTargetPercent: 100.5 },
        ],
      },
      "slaTargets.0.complianceTargetPercent: must be between 0 and 100",
    ],
    [
      {
        slaTargets: [
          { priority: "P1", metric: "resolution", minutes: 5, calendar: "24x7", complianceTargetPercent: 90 },
          { priority: "P1", metric: "resolution", minutes: 9, calendar: "24x7", complianceTargetPercent: 80 },
        ],
      },
      "slaTargets.1: duplicates the P1 resolution target",
    ],
    [
      {
        creditTiers: [
          { fromPercent: 90, toPercent: 95, creditPercent: 5 },
          { fromPercent: 90, toPercent: 90, creditPercent: 10 },
        ],
      },
      "creditTiers.1.toPercent: must be greater than fromPercent",
    ],
    [
      {
        creditTiers: [
          { fromPercent: 90, toPercent: 95, creditPercent: 5 },
          { fromPercent: 0, toPercent: 90.5, creditPercent: 10 },
        ],
      },
      "creditTiers.1.fromPercent: overlaps creditTiers.0 [90, 95)",
    ],
    [
      { creditTiers: [{ fromPercent: 0, toPercent: 90, creditPercent: 0 }] },
      "creditTiers.0.creditPercent: must be greater than 0",
    ],
    [{ creditCapPercent: 101 }, "creditCapPercent: must be between 0 and 100"],
    [{ creditCapPercent: 12.345 }, "creditCapPercent: must have at most 2 decimals"],
    [{ excludeClientSideTime: "yes" }, "excludeClientSideTime: must be true or false"],
    [{ acknowledgementCountsAsFirstResponse: 1 }, "acknowledgementCountsAsFirstResponse: must be true or false"],
    [{ paymentTermsDays: 121 }, "paymentTermsDays: must be between 0 and 120 days"],
    [{ paymentTermsDays: -1 }, "paymentTermsDays: must be between 0 and 120 days"],
    [{ paymentTermsDays: 7.5 }, "paymentTermsDays: must be a whole number of days"],
  ])("reports $1", (overrides, expected) => {
    expect(messageOf(makeTerms(overrides))).toContain(expected);
  });

  it("reports every bad field at once, with the fields in details", () => {
    try {
      parseContractTerms(makeTerms({ currency: "usd", retainerMinor: -5 }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.code).toBe("BAD_INPUT");
      expect(Object.keys(appError.details.fields ?? {})).toEqual(["currency", "retainerMinor"]);
    }
  });
});

describe("contractPeriodsOverlap", () => {
  it.each<[string, ContractPeriod, ContractPeriod, boolean]>([
    [
      "adjacent (validTo is exclusive)",
      { validFrom: "2025-01-01", validTo: "2025-07-01" },
      { validFrom: "2025-07-01" },
      false,
    ],
    [
      "sharing one day",
      { validFrom: "2025-01-01", validTo: "2025-07-01" },
      { validFrom: "2025-06-30", validTo: "2025-08-01" },
      true,
    ],
    [
      "open-ended after a closed one",
      { validFrom: "2025-01-01" },
      { validFrom: "2024-01-01", validTo: "2025-01-01" },
      false,
    ],
    ["both open-ended", { validFrom: "2025-01-01", validTo: null }, { validFrom: "2030-01-01" }, true],
    [
      "one inside the other",
      { validFrom: "2025-01-01", validTo: "2026-01-01" },
      { validFrom: "2025-03-01", validTo: "2025-04-01" },
      true,
    ],
    [
      "disjoint",
      { validFrom: "2025-01-01", validTo: "2025-02-01" },
      { validFrom: "2025-03-01", validTo: "2025-04-01" },
      false,
    ],
  ])("%s", (_, a, b, expected) => {
    expect(contractPeriodsOverlap(a, b)).toBe(expected);
    expect(contractPeriodsOverlap(b, a)).toBe(expected);
  });
});

describe("findOverlappingContract", () => {
  const existing = [
    { id: "a", validFrom: "2024-01-01", validTo: "2025-01-01" },
    { id: "b", validFrom: "2025-01-01", validTo: "2025-07-01" },
  ];

  it.each([
    [{ validFrom: "2025-07-01" }, null],
    [{ validFrom: "2025-06-01" }, "b"],
    [{ validFrom: "2023-01-01", validTo: "2024-06-01" }, "a"],
    [{ validFrom: "2023-01-01", validTo: "2024-01-01" }, null],
  ])("%j overlaps %s", (candidate, expectedId) => {
    expect(findOverlappingContract(existing, candidate)?.id ?? null).toBe(expectedId);
  });
});

describe("contractForPeriod: the contract in force on the period's first day governs the whole month", () => {
  const contracts = [
    { id: "old", validFrom: "2025-01-01", validTo: "2025-07-15" },
    { id: "new", validFrom: "2025-07-15" },
  ];

  it.each([
    ["2024-12-01", null],
    ["2025-01-01", "old"],
    ["2025-06-01", "old"],
    ["2025-07-01", "old"], // changed on 15 July: July stays on the old terms
    ["2025-08-01", "new"],
    ["2030-01-01", "new"],
  ])("period starting %s → %s", (periodStart, expectedId) => {
    expect(contractForPeriod(contracts, periodStart)?.id ?? null).toBe(expectedId);
  });

  it("a first contract starting mid-month governs from the next period", () => {
    const first = [{ id: "first", validFrom: "2025-03-10" }];
    expect(contractForPeriod(first, "2025-03-01")).toBeNull();
    expect(contractForPeriod(first, "2025-04-01")?.id).toBe("first");
  });

  it("refuses to choose between overlapping contracts", () => {
    const overlapping = [{ validFrom: "2025-01-01" }, { validFrom: "2025-06-01" }];
    expect(() => contractForPeriod(overlapping, "2025-07-01")).toThrow(
      expect.objectContaining({ code: "INVALID_STATE", details: { reason: "overlapping_contracts" } }),
    );
  });
});
