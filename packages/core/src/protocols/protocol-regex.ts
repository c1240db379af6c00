import { normaliseForMatching } from "./normalise-text";

/**
 * How a protocol's words, phrases and client-written patterns become regular expressions, and how a
 * client-written pattern is vetted before it is stored. Protocols are edited by client admins and run
 * on every ingested item, so a pattern that could backtrack for seconds is refused up front.
 */

/** Every protocol regex is case-insensitive and Unicode-aware; the schema vets patterns with the same flags. */
export const protocolRegExpFlags = "iu";

/** Longest client-written pattern accepted. */
export const patternMaxLength = 200;

/** A letter, digit or underscore in any script: what `\b` means, but Unicode-aware. */
const wordCharacter = "[\\p{L}\\p{N}_]";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `refund` matches the word only; `refund*` also matches refunds, refunded, refundable. */
function keywordSource(keyword: string): string {
  const normalised = normaliseForMatching(keyword);
  return normalised.endsWith("*")
    ? `${escapeRegExp(normalised.slice(0, -1))}${wordCharacter}*`
    : escapeRegExp(normalised);
}

/** Words in order, any run of whitespace between them. */
function phraseSource(phrase: string): string {
  return normaliseForMatching(phrase).trim().split(/\s+/).map(escapeRegExp).join("\\s+");
}

/**
 * One regex matching any of the keywords or phrases as whole words (not inside a longer word), or
 * `null` when there are none. Callers match it against `normaliseForMatching` text.
 */
export function compileTerms({
  keywords = [],
  phrases = [],
}: {
  keywords?: readonly string[];
  phrases?: readonly string[];
}): RegExp | null {
  const alternatives = [...keywords.map(keywordSource), ...phrases.map(phraseSource)];
  return alternatives.length === 0 ? null : compileWholeWords(alternatives);
}

/** One phrase as a whole-word regex: for forbidden phrases, where the caller needs to know which one matched. */
export function compilePhrase(phrase: string): RegExp {
  return compileWholeWords([phraseSource(phrase)]);
}

function compileWholeWords(alternatives: readonly string[]): RegExp {
  return new RegExp(`(?<!${wordCharacter})(?:${alternatives.join("|")})(?!${wordCharacter})`, protocolRegExpFlags);
}

export function compilePattern(pattern: string): RegExp {
  return new RegExp(pattern, protocolRegExpFlags);
}

/**
 * Why a client-written pattern is refused, or `null` when it is fine: it must compile, must not match
 * empty text (it would match every item), and must not repeat a group that itself repeats — `(a+)+`,
 * `(\w+\s?)*` — the usual shape of catastrophic backtracking. The length cap is the schema's.
 */
export function findPatternProblem(pattern: string): string | null {
  let compiled: RegExp;
  try {
    compiled = compilePattern(pattern);
  } catch (error) {
    return `is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`;
  }
  if (compiled.test("")) return "matches empty text, so it would match every item";
  if (hasNestedQuantifier(pattern))
    return "repeats a group that itself repeats, such as (a+)+, which can hang matching";
  return null;
}

/** `*`, `+`, `?` or `{n,}` / `{n,m}` at `index`; an exact `{n}` repeats nothing ambiguously, so it does not count. */
function isQuantifierAt(pattern: string, index: number): boolean {
  const char = pattern[index];
  return char === "*" || char === "+" || char === "?" || (char === "{" && /^\{\d+,\d*\}/.test(pattern.slice(index)));
}

/** A heuristic scan: tracks, per open group, whether anything inside it is quantified. */
function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = [];
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index];
    if (char === "\\") {
      index += 2;
      continue;
    }
    if (char === "[") {
      index = skipCharacterClass(pattern, index);
      continue;
    }
    if (char === "(") {
      groups.push(false);
      index += pattern[index + 1] === "?" ? 2 : 1;
      continue;
    }
    if (char === ")") {
      const innerQuantified = groups.pop() ?? false;
      const next = pattern[index + 1];
      if (innerQuantified && next !== "?" && isQuantifierAt(pattern, index + 1)) return true;
      if (innerQuantified || isQuantifierAt(pattern, index + 1)) markQuantified(groups);
      index += 1;
      continue;
    }
    if (isQuantifierAt(pattern, index)) markQuantified(groups);
    index += 1;
  }
  return false;
}

function markQuantified(groups: boolean[]): void {
  if (groups.length > 0) groups[groups.length - 1] = true;
}

/** Index just after the `]` closing the class that opens at `start`. */
function skipCharacterClass(pattern: string, start: number): number {
  let index = start + 1;
  while (index < pattern.length && pattern[index] !== "]") index += pattern[index] === "\\" ? 2 : 1;
  return index + 1;
}
