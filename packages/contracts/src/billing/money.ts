/**
 * Money is an integer number of minor units plus an ISO 4217 currency code. The exponent
 * (number of minor-unit digits) comes from ISO 4217 itself, not from CLDR/Intl: the two
 * differ for a few currencies (IQD, for example, has 3 in ISO 4217 and 0 in CLDR), and an
 * invoice must use the exponent the currency is settled in.
 */
import { AppError } from "../errors";

const codesByExponent: ReadonlyArray<readonly [number, string]> = [
  [0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"],
  [3, "BHD IQD JOD KWD LYD OMR TND"],
  [
    2,
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY " +
      "COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR " +
      "ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK " +
      "MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP " +
      "SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER " +
      "ZAR ZMW ZWG",
  ],
];

/**
 * Circulating ISO 4217 currencies (list of 2025) with their minor-unit exponent. Funds,
 * precious metals, SDR and test codes (BOV, CLF, XAU, XDR, XTS, …) are left out: no
 * agency bills a client in them.
 */
export const currencyExponents: Readonly<Record<string, number>> = Object.fromEntries(
  codesByExponent.flatMap(([exponent, codes]) => codes.split(" ").map((code) => [code, exponent] as const)),
);

export function isCurrencyCode(code: string): boolean {
  return Object.hasOwn(currencyExponents, code);
}

/** The number of minor-unit digits of an ISO 4217 currency: JPY 0, EUR 2, KWD 3. */
export function getCurrencyExponent(currency: string): number {
  const exponent = currencyExponents[currency];
  if (exponent === undefined) {
    throw new AppError("BAD_INPUT", `Unknown currency ${currency}`, {
      reason: "unknown_currency",
      fields: { currency: "must be an ISO 4217 currency code such as EUR" },
    });
  }
  return exponent;
}

/**
 * Formats an amount in minor units, e.g. `formatMoney(123456, "EUR")` → "€1,234.56",
 * `formatMoney(1234, "JPY")` → "JP¥1,234". The amount is handed to Intl as an exact decimal
 * string, so no binary floating point is involved at any magnitude.
 */
export function formatMoney(minor: number, currency: string, locale = "en-GB"): string {
  if (!Number.isSafeInteger(minor)) {
    throw new AppError("BAD_INPUT", "Money amounts are whole minor units", { reason: "fractional_minor_units" });
  }
  const exponent = getCurrencyExponent(currency);
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const decimal = `${minor < 0 ? "-" : ""}${whole}${exponent > 0 ? `.${fraction}` : ""}` as `${number}`;
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(decimal);
}
