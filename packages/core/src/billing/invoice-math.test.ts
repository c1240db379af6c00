import {
  type ContractTermsInput,
  type CreditTier,
  compliancePercent,
  maxRetainerMinor,
  maxUnitPriceMinor,
  type OverageTier,
  type SlaTarget,
  slaCalendars,
  slaMetrics,
  slaPriorities,
} from "@parley/contracts/billing";
import { makeContractTerms } from "@parley/contracts/billing/contract-terms.fixture";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeInvoiceDraft,
  creditTierFor,
  type InvoiceDraft,
  type InvoiceDraftInput,
  maxPeriodCount,
  roundHalfUp,
  type SlaEvidence,
} from "./invoice-math";

const creditTiers: CreditTier[] = [
  { fromPercent: 90, toPercent: 95, creditPercent: 5 },
  { fromPercent: 0, toPercent: 90, creditPercent: 10 },
];

/** The invoice tests' contract, with a P3 first-response target (60 business minutes, 90 %) besides its P1 and P2. */
function makeTerms(overrides: Partial<ContractTermsInput> = {}): ContractTermsInput {
  const { slaTargets } = makeContractTerms();
  const p3: SlaTarget = {
    priority: "P3",
    metric: "first_response",
    minutes: 60,
    calendar: "business_hours",
    complianceTargetPercent: 90,
  };
  return makeContractTerms({ slaTargets: [...slaTargets, p3], ...overrides });
}

function makeInput(overrides: Partial<InvoiceDraftInput> = {}): InvoiceDraftInput {
  return {
    terms: makeTerms(),
    itemCount: 17_000,
    escalationCount: 12,
    outOfHoursItemCount: 50,
    slaEvidence: [
      { priority: "P1", metric: "first_response", total: 50, met: 47 },
      { priority: "P2", metric: "resolution", total: 100, met: 88 },
      { priority: "P3", metric: "first_response", total: 0, met: 0 },
    ],
    ...overrides,
  };
}

/** Only the retainer as fees, and one P1 target: isolates credit arithmetic. */
function makeRetainerOnlyInput(options: {
  retainerMinor: number;
  creditCapPercent: number;
  creditPercent: number;
}): InvoiceDraftInput {
  return makeInput({
    terms: makeTerms({
      retainerMinor: options.retainerMinor,
      creditCapPercent: options.creditCapPercent,
      overageTiers: [],
      slaTargets: [
        { priority: "P1", metric: "first_response", minutes: 15, calendar: "24x7", complianceTargetPercent: 95 },
      ],
      creditTiers: [{ fromPercent: 0, toPercent: 95, creditPercent: options.creditPercent }],
    }),
    escalationCount: 0,
    outOfHoursItemCount: 0,
    slaEvidence: [{ priority: "P1", metric: "first_response", total: 10, met: 5 }],
  });
}

function sumLines(draft: InvoiceDraft): number {
  return draft.lines.reduce((sum, line) => sum + line.amountMinor, 0);
}

describe("roundHalfUp: the one rounding rule", () => {
  it.each([
    [5n, 2n, 3n], // 2.5 → 3
    [3n, 2n, 2n], // 1.5 → 2
    [1n, 2n, 1n], // 0.5 → 1
    [24_999n, 10_000n, 2n], // 2.4999 → 2
    [125n, 1_000n, 0n], // 0.125 → 0
    [375n, 10n, 38n], // 37.5 → 38
    [505n, 10n, 51n], // 50.5 → 51
    [7n, 3n, 2n], // 2.33… → 2
    [8n, 3n, 3n], // 2.66… → 3
    [-5n, 2n, -3n], // half away from zero
    [-2n, 5n, 0n], // -0.4 → 0
    [10n, 5n, 2n], // exact
  ])("%i / %i → %i", (numerator, denominator, expected) => {
    expect(roundHalfUp(numerator, denominator)).toBe(expected);
  });

  it("rejects a non-positive denominator", () => {
    expect(() => roundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});

describe("compliancePercent", () => {
  it.each([
    [0, 0, 100], // no items: nothing was late
    [19, 20, 95],
    [47, 50, 94],
    [0, 10, 0],
    [10, 10, 100],
    [1, 3, 100 / 3],
  ])("%i of %i met → %d %", (met, total, expected) => {
    expect(compliancePercent({ met, total })).toBe(expected);
  });
});

describe("creditTierFor: lower bound inclusive, upper exclusive, compared exactly", () => {
  it.each([
    [100, 100, null],
    [95, 100, null], // 95 is not in [90, 95)
    [9_499, 10_000, 5],
    [1_899_999, 2_000_000, 5], // 94.99995
    [90, 100, 5], // 90 is in [90, 95)
    [8_999, 10_000, 10],
    [0, 10, 10],
    [159, 179, 10], // 88.826…
  ])("%i of %i → %s % credit", (met, total, expected) => {
    expect(creditTierFor({ met, total }, creditTiers)?.creditPercent ?? null).toBe(expected);
  });

  it("finds nothing in a gap or without tiers", () => {
    expect(creditTierFor({ met: 85, total: 100 }, [{ fromPercent: 90, toPercent: 95, creditPercent: 5 }])).toBeNull();
    expect(creditTierFor({ met: 1, total: 2 }, [])).toBeNull();
  });
});

describe("computeInvoiceDraft", () => {
  it("bills retainer, overage per tier, escalations, out-of-hours and credits per missed target", () => {
    const draft = computeInvoiceDraft(makeInput());
    expect(
      draft.lines.map(({ kind, quantity, unitPriceMinor, amountMinor }) => [
        kind,
        quantity,
        unitPriceMinor,
        amountMinor,
      ]),
    ).toEqual([
      ["retainer", 1, 250_000, 250_000],
      ["overage", 5_000, 40, 200_000],
      ["overage", 2_000, 30, 60_000],
      ["escalations", 12, 1_500, 18_000],
      ["out_of_hours", 50, 300, 15_000],
      ["service_credit", 1, -27_150, -27_150], // P1: 94 % → [90, 95) → 5 % of 543,000
      ["service_credit", 1, -54_300, -54_300], // P2: 88 % → [0, 90) → 10 %
    ]);
    expect(draft).toMatchObject({
      currency: "EUR",
      feesMinor: 543_000,
      creditsMinor: 81_450,
      creditCapMinor: 108_600,
      totalMinor: 461_550,
    });
    expect(draft.lines[1]?.description).toBe("Overage tier 1: items 10,001–15,000 (10,000 included)");
    expect(draft.lines[2]?.description).toBe("Overage tier 2: items 15,001–17,000 (10,000 included)");
    expect(draft.lines[5]?.description).toBe(
      "Service credit: P1 first response, 47 of 50 met (94.00 %) against a 95 % target; tier [90, 95): 5 % of fees",
    );
    expect(draft.lines[5]?.evidence).toEqual({
      priority: "P1",
      metric: "first_response",
      met: 47,
      total: 50,
      compliancePercent: 94,
      targetPercent: 95,
      tier: { fromPercent: 90, toPercent: 95, creditPercent: 5 },
      creditPercent: 5,
      uncappedAmountMinor: 27_150,
      capped: false,
      breachedItemIds: [],
    });
    expect(sumLines(draft)).toBe(draft.totalMinor);
  });

  it.each([
    [9_000, []],
    [10_000, []],
    [10_001, [[1, 40]]],
    [15_000, [[5_000, 200_000]]],
    [
      15_001,
      [
        [5_000, 200_000],
        [1, 30],
      ],
    ],
    [
      17_000,
      [
        [5_000, 200_000],
        [2_000, 60_000],
      ],
    ],
  ])("overage for %i items (10,000 included, 5,000 at 40, beyond at 30)", (itemCount, expected) => {
    const draft = computeInvoiceDraft(makeInput({ itemCount }));
    const overage = draft.lines.filter((line) => line.kind === "overage");
    expect(overage.map((line) => [line.quantity, line.amountMinor])).toEqual(expected);
  });

  it.each([
    [3, 12.5, 38], // 37.5 → 38
    [1, 0.125, 0], // 0.125 → 0
    [5_000, 0.0001, 1], // 0.5 → 1
    [4_999, 0.0001, 0], // 0.4999 → 0
    [3, 0.4, 1], // 1.2 → 1, exactly: no 1.2000000000000002
    [7, 33.3333, 233], // 233.3331 → 233
  ])("rounds %i items × %d half-up once per line → %i", (quantity, unitPriceMinor, expected) => {
    const draft = computeInvoiceDraft(
      makeInput({
        terms: makeTerms({ includedItems: 0, overageTiers: [{ upTo: null, unitPriceMinor }] }),
        itemCount: quantity,
        outOfHoursItemCount: 0,
      }),
    );
    expect(draft.lines.find((line) => line.kind === "overage")?.amountMinor).toBe(expected);
  });

  it("rounds each credit half-up from the month's fees", () => {
    const draft = computeInvoiceDraft(
      makeRetainerOnlyInput({ retainerMinor: 1_010, creditCapPercent: 100, creditPercent: 5 }),
    );
    expect(draft.lines.at(-1)?.amountMinor).toBe(-51); // 50.5 → 51
    expect(draft.totalMinor).toBe(959);
  });

  it("applies the cap in order, reducing the credit that crosses it and the ones after", () => {
    const draft = computeInvoiceDraft(
      makeInput({
        terms: makeTerms({ creditCapPercent: 10 }),
        slaEvidence: [
          { priority: "P3", metric: "first_response", total: 10, met: 5 },
          { priority: "P2", metric: "resolution", total: 100, met: 88 },
          { priority: "P1", metric: "first_response", total: 50, met: 47 },
        ],
      }),
    );
    const credits = draft.lines.filter((line) => line.kind === "service_credit");
    expect(
      credits.map((line) => [
        line.evidence?.priority,
        line.amountMinor,
        line.evidence?.uncappedAmountMinor,
        line.evidence?.capped,
      ]),
    ).toEqual([
      ["P1", -27_150, 27_150, false],
      ["P2", -27_150, 54_300, true],
      ["P3", 0, 54_300, true],
    ]);
    expect(credits[1]?.description).toMatch(/reduced by the credit cap$/);
    expect(draft).toMatchObject({
      feesMinor: 543_000,
      creditCapMinor: 54_300,
      creditsMinor: 54_300,
      totalMinor: 488_700,
    });
    expect(sumLines(draft)).toBe(draft.totalMinor);
  });

  it.each([
    [333, 15, 20, 49], // cap 49.95 → 49: never above the percentage; uncapped 66.6 → 67
    [333, 0, 20, 0],
    [1_000, 100, 100, 1_000], // the whole month credited: total 0
  ])("fees %i, cap %d %, credit %d % → credit %i", (retainerMinor, creditCapPercent, creditPercent, expected) => {
    const draft = computeInvoiceDraft(makeRetainerOnlyInput({ retainerMinor, creditCapPercent, creditPercent }));
    expect(draft.creditsMinor).toBe(expected);
    expect(draft.totalMinor).toBe(retainerMinor - expected);
  });

  it("shows a missed target that no tier covers as a zero line", () => {
    const draft = computeInvoiceDraft(
      makeInput({ terms: makeTerms({ creditTiers: [{ fromPercent: 0, toPercent: 80, creditPercent: 10 }] }) }),
    );
    const p1 = draft.lines.find((line) => line.evidence?.priority === "P1");
    expect(p1?.amountMinor).toBe(0);
    expect(p1?.evidence?.tier).toBeNull();
    expect(p1?.description).toMatch(/no credit tier applies$/);
  });

  it("never shows a missed compliance as the target itself", () => {
    const draft = computeInvoiceDraft(
      makeInput({
        slaEvidence: [
          { priority: "P1", metric: "first_response", total: 2_000_000, met: 1_899_999 },
          { priority: "P2", metric: "resolution", total: 1, met: 1 },
          { priority: "P3", metric: "first_response", total: 1, met: 1 },
        ],
      }),
    );
    expect(draft.lines.at(-1)?.description).toContain("(94.99 %) against a 95 % target");
  });

  it("omits fee lines with nothing to bill", () => {
    const draft = computeInvoiceDraft(
      makeInput({
        terms: makeTerms({ retainerMinor: 0, escalationFeeMinor: 0 }),
        itemCount: 100,
        outOfHoursItemCount: 0,
      }),
    );
    expect(draft.lines.map((line) => line.kind)).toEqual(["service_credit", "service_credit"]);
    expect(draft).toMatchObject({ feesMinor: 0, creditsMinor: 0, totalMinor: 0 });
  });

  it("bills in the currency's minor units (JPY has none)", () => {
    const draft = computeInvoiceDraft(
      makeInput({
        terms: makeTerms({
          currency: "JPY",
          retainerMinor: 300_000,
          includedItems: 0,
          overageTiers: [{ upTo: null, unitPriceMinor: 12.5 }],
          escalationFeeMinor: 0,
          outOfHoursSurchargeMinor: 0,
          creditCapPercent: 100,
        }),
        itemCount: 3,
        outOfHoursItemCount: 0,
      }),
    );
    // fees ¥300,038; P1 5 % = 15,001.9 → 15,002; P2 10 % = 30,003.8 → 30,004
    expect(draft.lines.map((line) => line.amountMinor)).toEqual([300_000, 38, -15_002, -30_004]);
    expect(draft).toMatchObject({ currency: "JPY", totalMinor: 255_032 });
  });

  it("does not depend on the order of the evidence", () => {
    const input = makeInput();
    const reversed = makeInput({ slaEvidence: [...input.slaEvidence].reverse() });
    expect(computeInvoiceDraft(reversed)).toEqual(computeInvoiceDraft(input));
  });

  it.each([
    [
      {
        slaEvidence: [
          ...makeInput().slaEvidence.slice(1),
          { priority: "P1", metric: "first_response", total: 5, met: 6 },
        ],
      },
      "slaEvidence.2.met: must not exceed total",
    ],
    [{ slaEvidence: makeInput().slaEvidence.slice(1) }, "slaEvidence: is missing the P1 first_response target"],
    [
      { slaEvidence: [...makeInput().slaEvidence, { priority: "P4", metric: "resolution", total: 1, met: 1 }] },
      "slaEvidence.3: the contract has no P4 resolution target",
    ],
    [
      { slaEvidence: [...makeInput().slaEvidence, { priority: "P1", metric: "first_response", total: 1, met: 1 }] },
      "slaEvidence.3: duplicates the P1 first_response evidence",
    ],
    [{ outOfHoursItemCount: 17_001 }, "outOfHoursItemCount: must not exceed itemCount"],
    [{ itemCount: -1 }, "itemCount: must not be negative"],
    [{ escalationCount: maxPeriodCount + 1 }, `escalationCount: must be at most ${maxPeriodCount}`],
    [{ terms: makeTerms({ currency: "ABC" }) }, "terms.currency: must be an upper-case ISO 4217 currency code"],
  ] as Array<[Partial<InvoiceDraftInput>, string]>)("reports $1", (overrides, expected) => {
    expect(() => computeInvoiceDraft(makeInput(overrides))).toThrow(
      expect.objectContaining({ code: "BAD_INPUT", message: expect.stringContaining(expected) }),
    );
  });
});

describe("computeInvoiceDraft properties", () => {
  const percentArb = fc.integer({ min: 0, max: 10_000 }).map((hundredths) => hundredths / 100);
  const positivePercentArb = fc.integer({ min: 1, max: 10_000 }).map((hundredths) => hundredths / 100);
  const unitPriceArb = fc.oneof(
    fc.integer({ min: 0, max: 1_000 }),
    fc.integer({ min: 0, max: maxUnitPriceMinor * 10_000 }).map((n) => n / 10_000),
  );
  const countArb = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: maxPeriodCount }));

  const overageTiersArb = fc
    .uniqueArray(fc.integer({ min: 1, max: maxPeriodCount }), { maxLength: 4 })
    .chain((bounds) =>
      fc
        .array(unitPriceArb, { minLength: bounds.length + 1, maxLength: bounds.length + 1 })
        .map((prices) =>
          [...bounds.sort((a, b) => a - b), null].map((upTo, index) => ({ upTo, unitPriceMinor: prices[index] ?? 0 })),
        ),
    );
  const slaTargetsArb = fc
    .subarray(slaPriorities.flatMap((priority) => slaMetrics.map((metric) => ({ priority, metric }))))
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          fc
            .record({
              minutes: fc.integer({ min: 1, max: 10_000 }),
              calendar: fc.constantFrom(...slaCalendars),
              complianceTargetPercent: positivePercentArb,
            })
            .map((rest): SlaTarget => ({ ...key, ...rest })),
        ),
      ),
    );
  const creditTiersArb = fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 8 }).chain((points) => {
    const sorted = points.sort((a, b) => a - b);
    const ranges = sorted.flatMap((from, index) => {
      const to = sorted[index + 1];
      return index % 2 === 0 && to !== undefined ? [{ fromPercent: from / 100, toPercent: to / 100 }] : [];
    });
    return fc.tuple(...ranges.map((range) => positivePercentArb.map((creditPercent) => ({ ...range, creditPercent }))));
  });
  const termsArb = fc.record({
    currency: fc.constantFrom("EUR", "JPY", "KWD", "USD"),
    validFrom: fc.constant("2025-01-01"),
    retainerMinor: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: maxRetainerMinor })),
    includedItems: countArb,
    overageTiers: fc.oneof(overageTiersArb, fc.constant<OverageTier[]>([])),
    escalationFeeMinor: fc.integer({ min: 0, max: maxUnitPriceMinor }),
    outOfHoursSurchargeMinor: fc.integer({ min: 0, max: maxUnitPriceMinor }),
    slaTargets: slaTargetsArb,
    creditTiers: creditTiersArb,
    creditCapPercent: percentArb,
    excludeClientSideTime: fc.boolean(),
  });
  const inputArb = termsArb.chain((terms) =>
    fc
      .record({
        terms: fc.constant(terms),
        counts: fc.tuple(countArb, countArb).map(([a, b]) => [Math.max(a, b), Math.min(a, b)] as const),
        escalationCount: countArb,
        slaEvidence: fc.tuple(
          ...terms.slaTargets.map(({ priority, metric }) =>
            fc
              .tuple(countArb, countArb)
              .map(([a, b]): SlaEvidence => ({ priority, metric, total: Math.max(a, b), met: Math.min(a, b) })),
          ),
        ),
      })
      .map(
        ({ terms, counts: [itemCount, outOfHoursItemCount], escalationCount, slaEvidence }): InvoiceDraftInput => ({
          terms,
          itemCount,
          outOfHoursItemCount,
          escalationCount,
          slaEvidence,
        }),
      ),
  );

  it("sum(lines) = total, credits ≤ cap ≤ cap % of fees, whole minor units, same result for any evidence order", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const draft = computeInvoiceDraft(input);
        expect(sumLines(draft)).toBe(draft.totalMinor);
        for (const line of draft.lines) expect(Number.isSafeInteger(line.amountMinor)).toBe(true);
        const fees = draft.lines.filter((line) => line.kind !== "service_credit");
        const credits = draft.lines.filter((line) => line.kind === "service_credit");
        expect(fees.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(draft.feesMinor);
        expect(credits.reduce((sum, line) => sum - line.amountMinor, 0)).toBe(draft.creditsMinor);
        for (const line of credits) expect(line.amountMinor).toBeLessThanOrEqual(0);
        expect(draft.creditsMinor).toBeLessThanOrEqual(draft.creditCapMinor);
        const capHundredths = BigInt(Math.round(input.terms.creditCapPercent * 100));
        expect(BigInt(draft.creditCapMinor) * 10_000n).toBeLessThanOrEqual(BigInt(draft.feesMinor) * capHundredths);
        expect(draft.totalMinor).toBeGreaterThanOrEqual(0);
        const reversed = computeInvoiceDraft({ ...input, slaEvidence: [...input.slaEvidence].reverse() });
        expect(reversed).toEqual(draft);
      }),
      { numRuns: 500 },
    );
  });
});
