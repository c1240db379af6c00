import { stemmer as stemEnglish } from "@orama/stemmers/english";
import { stemmer as stemFrench } from "@orama/stemmers/french";
import { stemmer as stemGerman } from "@orama/stemmers/german";
import { stemmer as stemSpanish } from "@orama/stemmers/spanish";
import { wordsOf } from "./normalise-text";
import { compilePhrase } from "./protocol-regex";

/**
 * Forbidden phrases match word forms: "guaranteed return" also forbids "we guarantee a return", "guarantees returns";
 * "remboursement garanti" also "remboursements garantis". Snowball stemmers (from `@orama/stemmers`) for English,
 * French, German and Spanish; the phrase and the text are stemmed alike in each language, and the phrase matches
 * when one language finds its stems in order, with at most one article between two of its words.
 */

const stemmers: ReadonlyArray<(word: string) => string> = [stemEnglish, stemFrench, stemGerman, stemSpanish];

/** Articles of those languages, which may stand between two words of a phrase ("guarantee a return"). */
const articles = new Set(
  "a an the le la les l un une des du de der die das den dem des ein eine einen einem einer el los las una unos unas".split(
    " ",
  ),
);

export interface ForbiddenPhraseMatcher {
  /** Whether the text (already `normaliseForMatching`) says the phrase, in any word form. */
  test(text: string): boolean;
}

interface StemmedText {
  words: string[];
  /** The words' stems, one list per language of `stemmers`. */
  stems: string[][];
}

/** The last text stemmed: a reply is checked against every forbidden phrase of the protocol in turn. */
let lastStemmed: { text: string; stemmed: StemmedText } | null = null;

function stemText(text: string): StemmedText {
  if (lastStemmed?.text === text) return lastStemmed.stemmed;
  const words = wordsOf(text);
  const stemmed = { words, stems: stemmers.map((stem) => words.map((word) => stem(word))) };
  lastStemmed = { text, stemmed };
  return stemmed;
}

/** Whether `phrase` appears in `stems` in order, skipping at most one article (by `words`) between two of its words. */
function containsInOrder(stems: readonly string[], words: readonly string[], phrase: readonly string[]): boolean {
  for (let start = 0; start + phrase.length <= stems.length; start++) {
    if (stems[start] !== phrase[0]) continue;
    let at = start + 1;
    let matched = 1;
    while (matched < phrase.length && at < stems.length) {
      if (stems[at] === phrase[matched]) {
        matched++;
        at++;
      } else if (articles.has(words[at] ?? "") && stems[at + 1] === phrase[matched]) {
        at++;
      } else {
        break;
      }
    }
    if (matched === phrase.length) return true;
  }
  return false;
}

/**
 * The phrase as written (whole words, any whitespace; see `compilePhrase`) or in any word form. The text passed to
 * `test` must be `normaliseForMatching` text, as every protocol check reads.
 */
export function compileForbiddenPhrase(phrase: string): ForbiddenPhraseMatcher {
  const exact = compilePhrase(phrase);
  const words = wordsOf(phrase);
  const phraseStems = stemmers.map((stem) => words.map((word) => stem(word)));
  return {
    test(text) {
      if (exact.test(text)) return true;
      if (words.length === 0) return false;
      const { words: textWords, stems } = stemText(text);
      return phraseStems.some((phraseStem, language) => containsInOrder(stems[language] ?? [], textWords, phraseStem));
    },
  };
}
