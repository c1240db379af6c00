/**
 * Months and money as the Accounts screens show and read them. Money stays integer minor units
 * everywhere; inputs in major units ("2500.00") are converted with the currency's ISO 4217 exponent
 * by string arithmetic, never through binary fractions.
 */
import { currencyExponents, formatMoney, getCurrencyExponent } from "@parley/contracts/billing";

/** "YYYY-MM" of `date` in the browser's time zone. */
export function monthOf(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}

export function isMonth(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** `shiftMonth("2026-01", -1)` → "2025-12". */
export function shiftMonth(period: string, delta: number): string {
  const [year, month] = period.split("-").map(Number) as [number, number];
  const shifted = new Date(Date.UTC(year, month - 1 + delta, 1));
  return shifted.toISOString().slice(0, 7);
}

/** "95 %", "85.71 %": SLA compliance and credit percentages. */
export function formatPercent(value: number): string {
  return `${new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 }).format(value)} %`;
}

/** "45 min", "8 h 0 min"; "—" for none. */
export function formatMinutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const rounded = Math.round(value);
  return rounded < 60 ? `${rounded} min` : `${Math.floor(rounded / 60)} h ${rounded % 60} min`;
}

const monthFormat = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

/** "2026-10" → "October 2026". */
export function formatMonth(period: string): string {
  const [year, month] = period.split("-").map(Number) as [number, number];
  return monthFormat.format(new Date(Date.UTC(year, month - 1, 1)));
}

const localDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** A calendar date "YYYY-MM-DD" (no time zone of its own) → "1 Oct 2026". */
export function formatLocalDate(value: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? value : localDateFormat.format(date);
}

/** Today's calendar date in `timeZone` (the browser's when unknown), "YYYY-MM-DD". */
export function todayIn(timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
      new Date(),
    );
  } catch {
    return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  }
}

/** Safe money formatting for display: falls back to "<amount> <currency>" for anything unexpected. */
export function money(minor: number | null | undefined, currency: string): string {
  if (minor === null || minor === undefined) return "—";
  try {
    return formatMoney(minor, currency);
  } catch {
    return `${minor} ${currency}`;
  }
}

/** The exponent of `currency`, or 2 for a code that isn't (yet) a valid one. */
export function exponentOf(currency: string): number {
  return Object.hasOwn(currencyExponents, currency) ? getCurrencyExponent(currency) : 2;
}

/** Every currency the contracts accept, most used first. */
export function currencyCodes(): string[] {
  const common = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "CAD", "AUD"];
  const rest = Object.keys(currencyExponents)
    .filter((code) => !common.includes(code))
    .sort();
  return [...common.filter((code) => Object.hasOwn(currencyExponents, code)), ...rest];
}

export type Parsed = { ok: true; value: number | undefined } | { ok: false; message: string };

const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

/** "2500.5" in major units → 250050 minor units (EUR); blank → undefined (the schema says what's missing). */
export function parseMajorAmount(text: string, currency: string): Parsed {
  const value = text.trim().replace(/[\s_']/g, "");
  if (value === "") return { ok: true, value: undefined };
  if (value.startsWith("-")) return { ok: false, message: "must not be negative" };
  const match = decimalPattern.exec(value);
  const exponent = exponentOf(currency);
  if (!match) {
    const example = exponent > 0 ? `1250.${"0".repeat(exponent)}` : "1250";
    return { ok: false, message: `must be an amount such as ${example}` };
  }
  const fraction = match[2] ?? "";
  if (fraction.replace(/0+$/, "").length > exponent) {
    return {
      ok: false,
      message:
        exponent === 0
          ? `must be a whole amount: ${currency} has no minor units`
          : `must have at most ${exponent} decimals in ${currency}`,
    };
  }
  const minorText = `${match[1]}${fraction.padEnd(exponent, "0").slice(0, exponent)}`;
  return { ok: true, value: Number(minorText) };
}

/** 250050 minor units → "2500.50" (EUR) for an input's value. */
export function minorToMajorText(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) return String(minor);
  const exponent = exponentOf(currency);
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${minor < 0 ? "-" : ""}${whole}${exponent > 0 ? `.${fraction}` : ""}`;
}

/** A plain number (counts, percentages, minutes, minor-unit prices); blank → undefined. */
export function parseNumber(text: string): Parsed {
  const value = text.trim().replace(",", ".");
  if (value === "") return { ok: true, value: undefined };
  if (!/^-?\d+(?:\.\d+)?$/.test(value)) return { ok: false, message: "must be a number" };
  return { ok: true, value: Number(value) };
}

/**
 * A unit price in (possibly fractional) minor units shown in the currency: 40 EUR → "€0.40",
 * 12.5 EUR → "€0.125". Works on the decimal string, so no binary fraction shows up.
 */
export function formatUnitPrice(minor: number, currency: string): string {
  const exponent = exponentOf(currency);
  const [whole = "0", fraction = ""] = String(minor).split(".");
  const digits = `${whole}${fraction}`.padStart(exponent + fraction.length + 1, "0");
  const point = digits.length - exponent - fraction.length;
  const majorText = point < digits.length ? `${digits.slice(0, point)}.${digits.slice(point)}` : digits;
  try {
    return new Intl.NumberFormat("en-GB", {
      style: "currency",
      currency,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent + fraction.length,
    }).format(majorText as `${number}`);
  } catch {
    return `${minor} minor units of ${currency}`;
  }
}
