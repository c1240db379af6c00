import { describe, expect, it } from "vitest";
import { formatUnitPrice, minorToMajorText, parseMajorAmount, shiftMonth } from "./billing-format";
import { defaultDraft, draftFromTerms, humanizeMessage, validateDraft } from "./contract-draft";

function filledDraft() {
  return {
    ...defaultDraft("2026-01-01"),
    retainer: "2500.00",
    includedItems: "10000",
    overageTiers: [{ upTo: "", unitPriceMinor: "30" }],
  };
}

describe("money in major units", () => {
  it.each<[string, string, number | undefined]>([
    ["2500", "EUR", 250_000],
    ["2500.5", "EUR", 250_050],
    ["0.07", "EUR", 7],
    ["1250", "JPY", 1250],
    ["1.250", "KWD", 1250],
    ["12.50", "JPY", undefined],
  ])("%s %s → %s minor units (undefined: refused)", (text, currency, expected) => {
    const parsed = parseMajorAmount(text, currency);
    if (expected === undefined) expect(parsed.ok).toBe(false);
    else expect(parsed).toEqual({ ok: true, value: expected });
  });

  it("refuses more decimals than the currency has, and text that isn't an amount", () => {
    expect(parseMajorAmount("12.345", "EUR")).toEqual({ ok: false, message: "must have at most 2 decimals in EUR" });
    expect(parseMajorAmount("twelve", "EUR").ok).toBe(false);
    expect(parseMajorAmount("-5", "EUR")).toEqual({ ok: false, message: "must not be negative" });
    expect(parseMajorAmount("", "EUR")).toEqual({ ok: true, value: undefined });
  });

  it("round-trips minor units through the input text", () => {
    expect(minorToMajorText(250_050, "EUR")).toBe("2500.50");
    expect(minorToMajorText(7, "EUR")).toBe("0.07");
    expect(minorToMajorText(1250, "JPY")).toBe("1250");
  });

  it("shows fractional minor-unit prices in the currency", () => {
    expect(formatUnitPrice(40, "EUR")).toBe("€0.40");
    expect(formatUnitPrice(12.5, "EUR")).toBe("€0.125");
    expect(formatUnitPrice(40, "JPY")).toBe("JP¥40");
  });

  it("shifts months across years", () => {
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2025-12", 1)).toBe("2026-01");
  });
});

describe("validateDraft", () => {
  it("turns a filled draft into terms the schema accepts, money in minor units", () => {
    const draft = filledDraft();
    draft.overageTiers = [
      { upTo: "5000", unitPriceMinor: "40" },
      { upTo: "", unitPriceMinor: "30" },
    ];
    const { parsed, errors } = validateDraft(draft);
    expect(errors).toEqual({});
    expect(parsed?.retainerMinor).toBe(250_000);
    expect(parsed?.overageTiers).toEqual([
      { upTo: 5000, unitPriceMinor: 40 },
      { upTo: null, unitPriceMinor: 30 },
    ]);
    expect(parsed?.excludeClientSideTime).toBe(true);
  });

  it("names overlapping credit tiers even while other fields are still empty", () => {
    const draft = defaultDraft("2026-01-01");
    draft.creditTiers[1] = { fromPercent: "0", toPercent: "92", creditPercent: "10" };
    const { errors } = validateDraft(draft);
    expect(errors.retainerMinor).toBeDefined();
    expect(humanizeMessage(errors["creditTiers.1.fromPercent"] ?? "")).toBe("overlaps credit tier 1 [90 %, 95 %)");
  });

  it("puts conversion errors on the field, before the schema's", () => {
    const draft = { ...filledDraft(), escalationFee: "1.234" };
    expect(validateDraft(draft).errors.escalationFeeMinor).toBe("must have at most 2 decimals in EUR");
  });

  it("reads stored terms back into the inputs", () => {
    const { parsed } = validateDraft(filledDraft());
    expect(parsed).not.toBeNull();
    if (parsed) expect(draftFromTerms(parsed)).toMatchObject({ retainer: "2500.00", includedItems: "10000" });
  });

  it("edits payment terms: 30 days by default and for contracts stored without them, 0–120 accepted", () => {
    expect(defaultDraft("2026-01-01").paymentTermsDays).toBe("30");
    const { parsed } = validateDraft({ ...filledDraft(), paymentTermsDays: "14" });
    expect(parsed?.paymentTermsDays).toBe(14);
    if (parsed) {
      const { paymentTermsDays: _stored, ...legacy } = parsed;
      expect(draftFromTerms(legacy).paymentTermsDays).toBe("30");
    }
    expect(validateDraft({ ...filledDraft(), paymentTermsDays: "121" }).errors.paymentTermsDays).toBe(
      "must be between 0 and 120 days",
    );
    expect(validateDraft({ ...filledDraft(), paymentTermsDays: "" }).errors.paymentTermsDays).toBeUndefined();
  });
});
