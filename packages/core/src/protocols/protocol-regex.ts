import { RE2JS } from "re2js";
import { normaliseForMatching } from "./normalise-text";

/**
 * How a protocol's words, phrases and client-written patterns become regular expressions, and how a
 * client-written pattern is vetted before it is stored. Protocols are edited by client admins and run
 * on every ingested item: client patterns run on RE2 (linear time); the words and phrases, which Parley
 * escapes itself, stay native regexes.
 */

/** Every protocol regex Parley builds from words and phrases is case-insensitive and Unicode-aware. */
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

/**
 * A client-written pattern, compiled for RE2 (`re2js`, a pure-JS port): matching takes time linear in the text
 * whatever the pattern, so no pattern a client admin saves can stall ingest. RE2 has no lookaround and no
 * backreferences; a pattern using them is refused when saved.
 */
export interface ProtocolPattern {
  source: string;
  test(text: string): boolean;
}

/**
 * RE2's time is linear in the text times the pattern's program, and re2js (no DFA) spends a few hundredths of a
 * microsecond per character and instruction: both are capped, so one pattern on one item stays under ~100 ms.
 */
export const patternMaxProgramSize = 120;
/** Client patterns look at the start of an item (keywords and phrases see it all): posts say what they are about early. */
export const patternTextLimit = 2_000;

export function compilePattern(pattern: string): ProtocolPattern & { programSize: number } {
  const compiled = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  return {
    source: pattern,
    programSize: compiled.programSize(),
    test: (text) => compiled.matcher(text.length > patternTextLimit ? text.slice(0, patternTextLimit) : text).find(),
  };
}

/**
 * Why a client-written pattern is refused, or `null` when it is fine: it must compile for RE2 and must not match
 * empty text (it would match every item), and must be small enough to run quickly (`patternMaxProgramSize`).
 * The length cap is the schema's.
 */
export function findPatternProblem(pattern: string): string | null {
  let compiled: ReturnType<typeof compilePattern>;
  try {
    compiled = compilePattern(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : String(error);
    return `is not a valid regular expression (${reason}; lookaround and backreferences are not supported)`;
  }
  if (compiled.test("")) return "matches empty text, so it would match every item";
  if (compiled.programSize > patternMaxProgramSize) {
    return `is too complex to run on every item (${compiled.programSize} steps, at most ${patternMaxProgramSize}): simplify it or split it in two`;
  }
  return null;
}
