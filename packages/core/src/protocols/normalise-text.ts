/**
 * One normalisation for everything that matches or compares text in a protocol: classification,
 * forbidden phrases, duplicate and similarity checks all see the same characters.
 */

/**
 * Invisible characters that split a word without showing anything: zero-width space, joiners and non-joiner, word
 * joiner and invisible operators, byte-order mark, soft hyphen, combining grapheme joiner, Mongolian vowel separator;
 * and the bidirectional controls (marks, embeddings, overrides, isolates) that reorder what a reader sees.
 */
const invisibleCharacters = /\u034F|[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/**
 * Letters of other scripts that look like Latin ones (after Unicode's confusables list, the Cyrillic and Greek letters
 * drawn the same as a Latin letter), so "ѕаfе" written with Cyrillic letters reads "safe". Applied to protocol terms
 * and to the text alike, so a term in Cyrillic or Greek still matches itself.
 */
const confusableLetters = new Map(
  zipLetters(
    // Cyrillic, then Greek.
    "аеёіїјорсухѕԁԛԝһӏАВЕЁІЇЈКМНОРСТУХЅԀԚԜҺӀαικνορυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeeiijopcyxsdqwhlABEEIIJKMHOPCTYXSDQWHIaikvopuxABEZHIKMNOPTYX",
  ),
);
const confusablePattern = new RegExp(`[${[...confusableLetters.keys()].join("")}]`, "gu");

function zipLetters(from: string, to: string): Array<[string, string]> {
  const targets = [...to];
  return [...from].map((letter, index) => [letter, targets[index] ?? letter]);
}

/**
 * What every protocol check reads (classification, forbidden phrases, card numbers, duplicates): Unicode NFKC
 * (full-width letters, ligatures, mathematical letters, non-breaking spaces), invisible and bidi control characters
 * removed, look-alike letters of other scripts mapped to Latin, typographic apostrophes as `'`. Keeps case (the
 * protocol's regexes ignore it). The stored and displayed text is never changed.
 */
export function normaliseForMatching(text: string): string {
  return text
    .normalize("NFKC")
    .replace(invisibleCharacters, "")
    .replace(confusablePattern, (letter) => confusableLetters.get(letter) ?? letter)
    .replace(/[\u2018\u2019\u02BC]/g, "'");
}

/** The matching form, lower-cased, with runs of whitespace collapsed to one space and trimmed. */
export function normaliseForComparison(text: string): string {
  return normaliseForMatching(text).toLowerCase().replace(/\s+/g, " ").trim();
}

/** Lower-cased words in reading order; an inner apostrophe stays part of the word ("don't", "c'est"). */
export function wordsOf(text: string): string[] {
  return normaliseForComparison(text).match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
}

/** Length as platforms count it: Unicode code points, so an emoji outside the BMP is one, not two. */
export function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
