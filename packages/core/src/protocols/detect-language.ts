import { wordsOf } from "./normalise-text";

/** ISO 639 code for "undetermined". */
export const undeterminedLanguage = "und";

/**
 * Frequent function words per language, chosen to overlap little. Words shared by several languages
 * ("es", "mi", "para") count for each; the margin rule below settles those ties.
 */
const stopWordLists: Readonly<Record<string, string>> = {
  en: "the and is are was were to of it this that my you your have has not with for but i me what why can don't it's i'm",
  de: "der die das und ist nicht ich ein eine mit auf für sie es den dem zu mein meine wir aber auch noch wie bitte kein habe hat",
  fr: "le les et est une des pas je vous nous mon ma mes pour avec dans sur ce cette qui mais ne du au c'est j'ai n'est très",
  es: "el los las y es no una por para con mi mis pero muy está estoy tengo yo su lo del al como más qué desde hola gracias",
  it: "il gli è che di per non mi ma sono della questo questa ho ha mio miei mia si anche come perché molto ciao grazie",
  nl: "het een en van ik niet dat die met op voor mijn maar ook je zijn wat hoe heb geen nog naar er wel",
  pt: "os é não com para por meu meus minha mas muito estou eu do da dos das na você obrigado obrigada uma em",
};

const stopWords = Object.entries(stopWordLists).map(([language, list]) => ({
  language,
  words: new Set(list.split(" ")),
}));

/** Fewer stop words than this and the text is too short to tell. */
const minimumHits = 2;

/**
 * A light guess at the language of a text among en, de, fr, es, it, nl and pt, from counts of
 * function words; `und` when the text is too short or two languages score the same.
 */
export function detectLanguage(text: string): string {
  const tokens = wordsOf(text);
  const scores = stopWords
    .map(({ language, words }) => ({ language, hits: tokens.filter((token) => words.has(token)).length }))
    .sort((a, b) => b.hits - a.hits);
  const [best, runnerUp] = scores;
  if (!best || best.hits < minimumHits || best.hits === runnerUp?.hits) return undeterminedLanguage;
  return best.language;
}
