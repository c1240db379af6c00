import { type PersonalDataKind, personalDataKinds } from "./protocol-document";

/** Starts only at the beginning of a token, so a long text without `@` is scanned in linear time. */
export const emailPattern = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/** Digit groups joined by single spaces or dashes, not right after `+` (that is a phone number). */
const digitRunPattern = /(?<![+\d])\d+(?:[ -]\d+)*/gu;

/**
 * Digits with the separators phone numbers are written with: `+44 20 7946 0958`, `(0161) 496-0000`,
 * `0049.30.901820`. Not after a letter, digit or `#` (order numbers such as #123456789).
 */
export const phoneCandidatePattern = /(?<![\p{L}\p{N}#+])\+?\(?\d[\d ().\u00A0-]*\d(?![\p{L}\p{N}])/gu;

/** What ingest's masking leaves (see mask-personal-data): `•••• •••• •••• 1111`, `•••@example.com`, `+•• •• •••• ••58`. */
const maskedCardPattern = /•••• •••• •••• \d{4}/gu;
const maskedEmailPattern = /•••@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const maskedPhonePattern = /\+?\(?•(?:[ ().\u00A0-]*•){4,}[ ().\u00A0-]*\d\d(?!\d)/u;

/**
 * Personal data that was there before ingest masked it still counts (a protocol's personal-data rule still flags
 * the item): the masked card numbers and e-mail addresses taken out, and whether each kind was found.
 */
function findMaskedPersonalData(text: string) {
  let payment_card = false;
  let email = false;
  const rest = text
    .replace(maskedCardPattern, () => {
      payment_card = true;
      return " ";
    })
    .replace(maskedEmailPattern, () => {
      email = true;
      return " ";
    });
  return { text: rest, payment_card, email, phone: maskedPhonePattern.test(rest) };
}

/** The Luhn checksum every payment card number satisfies. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export interface CardNumberSpan {
  /** Where the number starts and ends in the digit run (UTF-16 offsets, `end` exclusive). */
  start: number;
  end: number;
  digits: string;
}

/**
 * The card numbers in a run of digit groups (joined by single spaces or dashes): consecutive groups forming a 13–19
 * digit Luhn-valid number, the longest from each start, so "4111 1111 1111 1111 12/27" is found even with the
 * expiry month glued on.
 */
export function findCardNumberSpans(run: string): CardNumberSpan[] {
  const groups = [...run.matchAll(/\d+/g)].map((match) => ({ start: match.index, text: match[0] }));
  const spans: CardNumberSpan[] = [];
  for (let start = 0; start < groups.length; start++) {
    let digits = "";
    let found: { end: number; digits: string } | null = null;
    for (let end = start; end < groups.length && digits.length <= 19; end++) {
      digits += groups[end]!.text;
      if (digits.length >= 13 && digits.length <= 19 && isLuhnValid(digits)) found = { end, digits };
    }
    if (!found) continue;
    const last = groups[found.end]!;
    spans.push({ start: groups[start]!.start, end: last.start + last.text.length, digits: found.digits });
    start = found.end;
  }
  return spans;
}

export function isPhoneNumber(candidate: string): boolean {
  const digitCount = candidate.replace(/\D/g, "").length;
  return digitCount >= 9 && digitCount <= 15 && !/[ ().\u00A0-]{3,}/.test(candidate);
}

/**
 * The kinds of personal data in a text, in `personalDataKinds` order. E-mail addresses and card
 * numbers are taken out before looking for phone numbers, so their digits are not counted twice.
 */
export function findPersonalData(text: string): PersonalDataKind[] {
  const unmasked = findMaskedPersonalData(text);
  let hasEmail = unmasked.email;
  const withoutEmails = unmasked.text.replace(emailPattern, () => {
    hasEmail = true;
    return " ";
  });
  let hasCard = unmasked.payment_card;
  const withoutCards = withoutEmails.replace(digitRunPattern, (run) => {
    if (findCardNumberSpans(run).length === 0) return run;
    hasCard = true;
    return " ";
  });
  const hasPhone =
    unmasked.phone || [...withoutCards.matchAll(phoneCandidatePattern)].some(([candidate]) => isPhoneNumber(candidate));
  const present: Record<PersonalDataKind, boolean> = { email: hasEmail, phone: hasPhone, payment_card: hasCard };
  return personalDataKinds.filter((kind) => present[kind]);
}
