import { emailPattern, findCardNumberSpans, isPhoneNumber, phoneCandidatePattern } from "./find-personal-data";
import type { OptionalMaskedKind } from "./protocol-document";

/**
 * Masking of personal data in customer text before it is stored: payment card numbers and IBANs always (PCI DSS,
 * GDPR: Parley never holds them), e-mail addresses and phone numbers when the client's protocol asks for it. The
 * masked text is what every later reader sees — the item, the audit trail, search, exports, the outbox.
 */

export const piiFlags = ["pii:card", "pii:iban", "pii:email", "pii:phone"] as const;
export type PiiFlag = (typeof piiFlags)[number];

export interface MaskedText {
  text: string;
  /** What was masked, in `piiFlags` order. */
  flags: PiiFlag[];
}

const mask = "•";

/** A card number as `•••• •••• •••• 1111`: the last four digits only (what PCI DSS allows to be shown). */
export function maskCardNumber(digits: string): string {
  return `${mask.repeat(4)} ${mask.repeat(4)} ${mask.repeat(4)} ${digits.slice(-4)}`;
}

/**
 * An IBAN candidate: a country code, two check digits, then 11–30 letters or digits, optionally in groups split by
 * single spaces or dashes. Not inside a longer word. Case-insensitive (customers type them in lower case too).
 */
const ibanCandidatePattern = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}/giu;

/** ISO 13616: move the first four characters to the end, letters to numbers (A=10…), the number mod 97 is 1. */
export function isIbanValid(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const value = Number.parseInt(character, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/**
 * The longest valid IBAN at the start of a candidate (a greedy match may have taken the next word: "GB82 WEST 1234
 * 5698 7654 32 thanks"): its length in the candidate's characters, or 0.
 */
function validIbanPrefixLength(candidate: string): number {
  for (let end = candidate.length; end >= 15; end--) {
    if (!/[A-Z0-9]/i.test(candidate[end - 1] ?? "")) continue;
    const compact = candidate.slice(0, end).replace(/[ -]/g, "").toUpperCase();
    if (compact.length >= 15 && compact.length <= 34 && isIbanValid(compact)) return end;
  }
  return 0;
}

function maskIbans(text: string): { text: string; found: boolean } {
  let found = false;
  const masked = text.replace(ibanCandidatePattern, (candidate) => {
    const length = validIbanPrefixLength(candidate);
    if (length === 0) return candidate;
    found = true;
    const compact = candidate.slice(0, length).replace(/[ -]/g, "").toUpperCase();
    return `${compact.slice(0, 2)}${mask.repeat(2)} ${mask.repeat(4)} ${mask.repeat(4)} ${compact.slice(-4)}${candidate.slice(length)}`;
  });
  return { text: masked, found };
}

/**
 * Digit groups joined by single spaces, dashes or invisible characters (zero-width, bidi controls, soft hyphen: a
 * number split by them reads as one), wherever they are: unlike `findPersonalData`, masking errs on the safe side (a
 * Luhn-valid run after `+` or a letter is masked too; IBANs were masked before).
 */
const digitRunPattern =
  /(?<!\d)\d+(?:[ \-\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]\d+)*/gu;

function maskCardNumbers(text: string): { text: string; found: boolean } {
  let found = false;
  const masked = text.replace(digitRunPattern, (run) => {
    const spans = findCardNumberSpans(run);
    if (spans.length === 0) return run;
    found = true;
    let result = "";
    let at = 0;
    for (const { start, end, digits } of spans) {
      result += run.slice(at, start) + maskCardNumber(digits);
      at = end;
    }
    return result + run.slice(at);
  });
  return { text: masked, found };
}

function maskEmails(text: string): { text: string; found: boolean } {
  let found = false;
  const masked = text.replace(emailPattern, (address) => {
    found = true;
    return `${mask.repeat(3)}@${address.slice(address.lastIndexOf("@") + 1)}`;
  });
  return { text: masked, found };
}

/** Every digit but the last two becomes `•`; the separators stay, so the text still reads as a phone number. */
function maskPhones(text: string): { text: string; found: boolean } {
  let found = false;
  const masked = text.replace(phoneCandidatePattern, (candidate) => {
    if (!isPhoneNumber(candidate)) return candidate;
    found = true;
    let keep = 2;
    return [...candidate]
      .reverse()
      .map((character) => {
        if (!/\d/.test(character)) return character;
        if (keep > 0) {
          keep--;
          return character;
        }
        return mask;
      })
      .reverse()
      .join("");
  });
  return { text: masked, found };
}

/**
 * Masks card numbers (13–19 digits, spaces or dashes allowed, Luhn-valid) to their last four and IBANs (checksum-
 * valid) to country and last four; e-mail addresses and phone numbers too when `also` names them. IBANs go first
 * (their digits could pass for a card number), e-mail addresses before card numbers and phone numbers (so their
 * digits are not read twice). Pure, and idempotent: masked text masks to itself.
 */
export function maskPersonalData(text: string, also: readonly OptionalMaskedKind[] = []): MaskedText {
  const flags = new Set<PiiFlag>();
  let current = text;
  const step = (flag: PiiFlag, run: (text: string) => { text: string; found: boolean }) => {
    const { text: masked, found } = run(current);
    current = masked;
    if (found) flags.add(flag);
  };
  step("pii:iban", maskIbans);
  if (also.includes("email")) step("pii:email", maskEmails);
  step("pii:card", maskCardNumbers);
  if (also.includes("phone")) step("pii:phone", maskPhones);
  return { text: current, flags: piiFlags.filter((flag) => flags.has(flag)) };
}

/** Whether a text holds a payment card number: what an outbound reply may never contain. */
export function containsCardNumber(text: string): boolean {
  return maskCardNumbers(text).found;
}
