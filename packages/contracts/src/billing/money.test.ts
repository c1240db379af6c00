import { describe, expect, it } from "vitest";
import { formatMoney, getCurrencyExponent, isCurrencyCode } from "./money";

describe("getCurrencyExponent (ISO 4217, not CLDR)", () => {
  it.each([
    ["JPY", 0],
    ["KRW", 0],
    ["EUR", 2],
    ["USD", 2],
    ["GBP", 2],
    ["HUF", 2],
    ["KWD", 3],
    ["BHD", 3],
    ["IQD", 3],
  ])("%s has %i minor digits", (currency, exponent) => {
    expect(getCurrencyExponent(currency)).toBe(exponent);
  });

  it("rejects unknown, lower-case and non-currency codes", () => {
    for (const code of ["EUX", "eur", "XAU", "", "toString"]) {
      expect(isCurrencyCode(code)).toBe(false);
    }
    expect(() => getCurrencyExponent("EUX")).toThrow(expect.objectContaining({ code: "BAD_INPUT" }));
  });
});

describe("formatMoney", () => {
  it.each([
    [123_456, "EUR", "en-GB", "€1,234.56"],
    [5, "EUR", "en-GB", "€0.05"],
    [-27_150, "EUR", "en-GB", "-€271.50"],
    [1_234, "JPY", "en-GB", "JP¥1,234"],
    [1_234, "JPY", "ja-JP", "￥1,234"],
    [1_234, "KWD", "en-GB", "KWD 1.234"],
    [123_456, "EUR", "de-DE", "1.234,56 €"],
    [9_007_199_254_740_991, "USD", "en-US", "$90,071,992,547,409.91"],
  ])("%i %s in %s → %s", (minor, currency, locale, expected) => {
    expect(formatMoney(minor, currency, locale).replace(/\u00a0/g, " ")).toBe(expected);
  });

  it("defaults to en-GB", () => {
    expect(formatMoney(100, "GBP")).toBe("£1.00");
  });

  it("refuses fractional minor units", () => {
    expect(() => formatMoney(1.5, "EUR")).toThrow(expect.objectContaining({ code: "BAD_INPUT" }));
  });
});
