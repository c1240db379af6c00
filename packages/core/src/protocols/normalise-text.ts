/**
 * One normalisation for everything that matches or compares text in a protocol: classification,
 * forbidden phrases, duplicate and similarity checks all see the same characters.
 */

/** NFKC (full-width letters, ligatures, non-breaking spaces) and typographic apostrophes as `'`. Keeps case. */
export function normaliseForMatching(text: string): string {
  return text.normalize("NFKC").replace(/[\u2018\u2019\u02BC]/g, "'");
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
