/**
 * The words of a text as Parley's text analysis sees them (recurring topics, clusters of near-identical items):
 * normalised as the protocol checks do (lower case, accents folded; URLs, @mentions, emoji and numbers dropped),
 * French/Italian elisions cut, stop words of English, French, German and Spanish dropped, and each word reduced by
 * one light multilingual suffix stemmer. Pure: no I/O.
 */

import { normaliseForComparison } from "./normalise-text";

/** Function words and greetings of English, French, German and Spanish (accents folded). */
const stopWordText = `
a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can cannot could did do does doing don't done down during each even ever few for from further
get got had has have having he her here hers him his how i i'd i'll i'm i've if in into is isn't it it's its itself
just let me more most my myself no nor not now of off on once only or other our ours out over own same she should so
some still such than that the their theirs them then there these they this those through to too under until up upon
us very via was wasn't we were what when where which while who whom why will with won't would yet you your yours
hi hello hey dear please pls thanks thank thx ok okay yes yeah really already since today yesterday one two
im ive dont cant wont didnt doesnt isnt wasnt its youre thats hasn't haven't hadn't can't couldn't didn't doesn't
shouldn't wouldn't aren't weren't i'd you're that's there's
au aux avec ce ces cela ceci cet cette chez comme dans de des du elle elles en encore est et etaient etait etre eu
il ils je la le les leur leurs lui ma mais me meme mes moi mon ne ni nos notre nous on ont ou par pas plus pour
quand que quel quelle qui sa sans se ses si son sont sur ta te tes toi ton tous tout toute toutes tres tu un une
vos votre vous ya y deja depuis toujours jamais rien ai as avez avons suis sommes etes fait faire bonjour bonsoir
merci svp stp oui non salut car donc alors
aber alle als am an auch auf aus bei bin bis bist da das dass dem den der des die dies diese dieser du durch ein
eine einem einen einer er es fur hab habe haben hat hatte ich ihr ihre im in ist ja kann kein keine mein meine
mich mir mit nach nicht noch nur oder schon sehr sein sich sie sind so uber um und uns unser von vor war waren
was wie wir wird wo zu zum zur hallo danke bitte immer noch
al algo como con cual cuando de del desde donde el ella ellas ellos en entre era es esa ese eso esta estan estas
este esto estos estoy fue ha hay la las le les lo los mas me mi mis muy nada ni no nos nuestro o otra otro para
pero por porque que se sin sobre su sus tambien tengo tiene todo todos tu un una uno unos usted ya yo hola gracias
sigue todavia nunca
`;

const foldAccents = (text: string) => text.normalize("NFD").replace(/\p{M}+/gu, "");

const stopWords = new Set(foldAccents(stopWordText).split(/\s+/).filter(Boolean));

/** French and Italian elided articles and pronouns: "l'", "d'", "qu'"… */
const elisions = new Set(["l", "d", "j", "n", "m", "t", "s", "c", "qu", "jusqu", "lorsqu", "puisqu", "un", "dell"]);

/**
 * Suffixes of English, French, German and Spanish inflection and derivation, longest first; one stemmer for
 * every language, so a word is reduced the same whatever its item's language.
 */
const suffixes = [
  ...new Set(
    [
      "issements issement ements ement aisons aison ations ation aciones acion amientos amiento imientos imiento",
      "ungen heiten keiten euses euse ings ando iendo ados adas idos idas ness ment lich heit keit ung",
      "ing ies ied eux ees ado ada ido ida ers ait ant",
      "er ed es ly ee ez en em ar ir os as",
      "s y e x o a",
    ]
      .join(" ")
      .split(" "),
  ),
].sort((a, b) => b.length - a.length);

/** The light stemmer: strips the longest known suffix, leaving at least 3 letters (4 for a one-letter suffix). */
export function stemWord(word: string): string {
  let stem = word;
  for (let round = 0; round < 2; round++) {
    const suffix = suffixes.find(
      (candidate) => stem.endsWith(candidate) && stem.length - candidate.length >= (candidate.length === 1 ? 4 : 3),
    );
    if (!suffix) break;
    stem = stem.slice(0, -suffix.length);
  }
  return stem;
}

const urlPattern = /\bhttps?:\/\/\S+|\bwww\.\S+/giu;
const mentionPattern = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.]+/gu;
const wordPattern = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

export type Term = { stem: string; word: string };

/**
 * Reads texts' words as the topics see them, remembering each written word's term (words repeat: a month's
 * texts have far fewer distinct words than words).
 */
export function createTermReader(): (text: string) => Term[] {
  const known = new Map<string, Term | null>();
  const termOf = (written: string): Term | null => {
    const folded = foldAccents(written);
    if (stopWords.has(folded)) return null;
    const parts = folded.split("'");
    const writtenParts = written.split("'");
    const elided = parts.length > 1 && elisions.has(parts[0] ?? "");
    const word = elided ? parts.slice(1).join("") : (parts[0] ?? "");
    const spelling = elided ? writtenParts.slice(1).join("") : (writtenParts[0] ?? "");
    if (word.length < 3 || /^\p{N}+$/u.test(word) || stopWords.has(word)) return null;
    return { stem: stemWord(word), word: spelling };
  };
  return (text) => {
    const clean = normaliseForComparison(text.replace(urlPattern, " ").replace(mentionPattern, "$1 "));
    const terms: Term[] = [];
    for (const written of clean.match(wordPattern) ?? []) {
      let term = known.get(written);
      if (term === undefined) {
        term = termOf(written);
        known.set(written, term);
      }
      if (term) terms.push(term);
    }
    return terms;
  };
}

/** A text's words as the topics see them: each with its stem and the spelling it was written in. */
export function topicTermsOf(text: string): Term[] {
  return createTermReader()(text);
}
