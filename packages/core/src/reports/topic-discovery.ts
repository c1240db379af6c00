/**
 * Recurring topics discovered from the text of a client's items, with a local algorithm (no text leaves Parley,
 * nothing is downloaded). Pure: no I/O. Explainable in four steps (docs/ARCHITECTURE.md, "Reports"):
 *
 * 1. **Terms.** Each text is normalised (the protocol checks' normalisation, lower case, accents folded; URLs,
 *    @mentions, emoji and numbers dropped), French/Italian elisions cut ("l'application" → "application"), stop
 *    words of English, French, German and Spanish dropped, and every word reduced by one light multilingual
 *    suffix stemmer ("delivered", "delivery", "deliveries" → "deliv"; "livrée", "livraison" → "livr").
 * 2. **Salience.** A term weighs its inverse document frequency over the client's longer history (`history`, and
 *    the documents),
 *    so words every item uses ("order", the brand's name) weigh little. An item is described by its at most
 *    `termsPerItem` heaviest terms among those at least `minTopicSize` items of the window share.
 * 3. **Clustering.** One greedy pass joins each item to the topic whose term profile (the sum of its items'
 *    vectors) it most resembles — cosine ≥ `similarity` — or starts a new one; then `refinePasses` passes
 *    move every item to its best topic with the profiles recomputed (so the first pass's order matters little);
 *    topics whose profiles are alike merge, and so do topics that share a core term (one at least `coreShare` of
 *    each topic's items use: paraphrases of one complaint), unless a quarter of all the items use it (the brand's
 *    name). Topics smaller than `minTopicSize` are dropped.
 * 4. **Labels.** A topic is named by its up to three most used terms (each used by at least a third of its items), each
 *    shown in the spelling its items use most; its key is those stems, sorted, joined by "+".
 *
 * Lexical by design: the same complaint in two languages makes two topics ("parcel · delivered" and
 * "colis · livré"); the protocol's categories, matched on keywords in every language, sit beside them.
 */

import { normaliseForComparison } from "../protocols/normalise-text";

export interface TopicDocument {
  id: string;
  text: string;
}

export interface DiscoveredTopic {
  /** The label's stems, sorted, joined by "+": stable for the same items. */
  key: string;
  /** The label's terms, heaviest first, in the spelling the topic's items use most. */
  terms: string[];
  label: string;
  /** The topic's documents, in the order given. */
  ids: string[];
}

export interface TopicDiscoveryOptions {
  /**
   * Earlier texts of the client (its longer history): the inverse document frequencies are counted over them and
   * the documents together.
   */
  history?: readonly string[];
  minTopicSize?: number;
  termsPerItem?: number;
  similarity?: number;
  refinePasses?: number;
  /** Profiles at least this alike merge. */
  mergeSimilarity?: number;
  /** Topics merge when a term at least this share of each one's items use is the same ("remboursement"). */
  coreShare?: number;
}

/** A word more than this share of all the documents use never merges topics. */
const maxCoreTermShare = 0.25;

const defaults = {
  minTopicSize: 3,
  termsPerItem: 6,
  similarity: 0.3,
  refinePasses: 2,
  mergeSimilarity: 0.4,
  coreShare: 0.8,
} satisfies Omit<Required<TopicDiscoveryOptions>, "history">;

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

type Term = { stem: string; word: string };

/**
 * Reads texts' words as the topics see them, remembering each written word's term (words repeat: a month's
 * texts have far fewer distinct words than words).
 */
function createTermReader(): (text: string) => Term[] {
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

type Vector = Map<string, number>;

interface Profile {
  sum: Vector;
  norm: number;
  members: number[];
}

function normOf(vector: Vector): number {
  let total = 0;
  for (const weight of vector.values()) total += weight * weight;
  return Math.sqrt(total);
}

function add(into: Vector, vector: Vector): void {
  for (const [term, weight] of vector) into.set(term, (into.get(term) ?? 0) + weight);
}

/** Cosine of a unit vector with a profile. */
function cosine(vector: Vector, profile: Profile): number {
  if (profile.norm === 0) return 0;
  let dot = 0;
  for (const [term, weight] of vector) dot += weight * (profile.sum.get(term) ?? 0);
  return dot / profile.norm;
}

/** Topics of `documents` (see the module comment), the largest first. */
export function discoverTopics(
  documents: readonly TopicDocument[],
  options: TopicDiscoveryOptions = {},
): DiscoveredTopic[] {
  const settings = { ...defaults, ...options };
  const readTerms = createTermReader();
  const termsOfDocument = documents.map((document) => readTerms(document.text));
  const spellings = new Map<string, Map<string, number>>();
  const windowFrequency = new Map<string, number>();
  for (const terms of termsOfDocument) {
    for (const { stem, word } of terms) {
      const counts = spellings.get(stem) ?? new Map<string, number>();
      counts.set(word, (counts.get(word) ?? 0) + 1);
      spellings.set(stem, counts);
    }
    for (const stem of new Set(terms.map((term) => term.stem))) {
      windowFrequency.set(stem, (windowFrequency.get(stem) ?? 0) + 1);
    }
  }
  // Inverse document frequencies over the history and the documents (only the documents' words matter).
  const history = options.history ?? [];
  const historySize = documents.length + history.length;
  const historyFrequency = new Map(windowFrequency);
  for (const text of history) {
    for (const stem of new Set(readTerms(text).map((term) => term.stem))) {
      const count = historyFrequency.get(stem);
      if (count !== undefined) historyFrequency.set(stem, count + 1);
    }
  }
  const idf = (stem: string) => Math.log((historySize + 1) / ((historyFrequency.get(stem) ?? 0) + 1)) + 1;

  const vectors: Vector[] = termsOfDocument.map((terms) => {
    const salient = [...new Set(terms.map((term) => term.stem))]
      .filter((stem) => (windowFrequency.get(stem) ?? 0) >= settings.minTopicSize)
      .map((stem) => ({ stem, weight: idf(stem) }))
      .sort((a, b) => b.weight - a.weight || a.stem.localeCompare(b.stem))
      .slice(0, settings.termsPerItem);
    const norm = Math.sqrt(salient.reduce((total, term) => total + term.weight * term.weight, 0));
    return new Map(salient.map((term) => [term.stem, term.weight / norm]));
  });

  let profiles = clusterOnce(vectors, settings.similarity);
  for (let pass = 0; pass < settings.refinePasses; pass++) {
    profiles = reassign(vectors, profiles, settings.similarity, settings.minTopicSize);
  }
  profiles = mergeAlike(profiles, settings.mergeSimilarity);
  // A word most items use (the brand's name) says nothing of what a topic is about: it merges nothing.
  const generic = new Set(
    [...windowFrequency].filter(([, count]) => count > documents.length * maxCoreTermShare).map(([stem]) => stem),
  );
  profiles = mergeOnCoreTerm(profiles, vectors, settings.coreShare, generic);

  // Two topics that come out with the same label are one.
  const byKey = new Map<string, DiscoveredTopic>();
  for (const profile of profiles) {
    if (profile.members.length < settings.minTopicSize) continue;
    const topic = labelTopic(profile, vectors, documents, spellings);
    const same = byKey.get(topic.key);
    if (same) same.ids.push(...topic.ids);
    else byKey.set(topic.key, topic);
  }
  return [...byKey.values()].sort((a, b) => b.ids.length - a.ids.length || a.key.localeCompare(b.key));
}

/** Topics sharing a term with the vector, through an index of each profile's terms. */
function candidatesOf(vector: Vector, index: Map<string, Set<number>>): Set<number> {
  const found = new Set<number>();
  for (const term of vector.keys()) for (const profile of index.get(term) ?? []) found.add(profile);
  return found;
}

function bestProfile(vector: Vector, profiles: Profile[], index: Map<string, Set<number>>, similarity: number) {
  let best = -1;
  let bestScore = similarity;
  for (const candidate of candidatesOf(vector, index)) {
    const profile = profiles[candidate];
    if (!profile) continue;
    const score = cosine(vector, profile);
    if (score > bestScore || (score === bestScore && best === -1)) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function indexTerms(index: Map<string, Set<number>>, vector: Vector, profile: number): void {
  for (const term of vector.keys()) {
    const profiles = index.get(term) ?? new Set<number>();
    profiles.add(profile);
    index.set(term, profiles);
  }
}

/** The greedy pass: each item joins its most alike topic so far, or starts one. */
function clusterOnce(vectors: Vector[], similarity: number): Profile[] {
  const profiles: Profile[] = [];
  const index = new Map<string, Set<number>>();
  vectors.forEach((vector, member) => {
    if (vector.size === 0) return;
    let target = bestProfile(vector, profiles, index, similarity);
    if (target === -1) {
      target = profiles.length;
      profiles.push({ sum: new Map(), norm: 0, members: [] });
    }
    const profile = profiles[target] as Profile;
    add(profile.sum, vector);
    profile.norm = normOf(profile.sum);
    profile.members.push(member);
    indexTerms(index, vector, target);
  });
  return profiles;
}

/** Every item to its most alike topic of the last pass (topics big enough only); profiles recomputed. */
function reassign(vectors: Vector[], previous: Profile[], similarity: number, minTopicSize: number): Profile[] {
  const kept = previous.filter((profile) => profile.members.length >= minTopicSize);
  const index = new Map<string, Set<number>>();
  kept.forEach((profile, position) => {
    indexTerms(index, profile.sum, position);
  });
  const next: Profile[] = kept.map(() => ({ sum: new Map(), norm: 0, members: [] }));
  vectors.forEach((vector, member) => {
    if (vector.size === 0) return;
    const target = bestProfile(vector, kept, index, similarity);
    if (target === -1) return;
    const profile = next[target] as Profile;
    add(profile.sum, vector);
    profile.members.push(member);
  });
  for (const profile of next) profile.norm = normOf(profile.sum);
  return next.filter((profile) => profile.members.length > 0);
}

/** Merges topics whose profiles are at least `mergeSimilarity` alike, the larger absorbing the smaller. */
function mergeAlike(profiles: Profile[], mergeSimilarity: number): Profile[] {
  const ordered = [...profiles].sort((a, b) => b.members.length - a.members.length);
  const merged: Profile[] = [];
  for (const profile of ordered) {
    const unit: Vector = new Map([...profile.sum].map(([term, weight]) => [term, weight / profile.norm]));
    const into = merged.find((candidate) => cosine(unit, candidate) >= mergeSimilarity);
    if (!into) {
      merged.push({ sum: new Map(profile.sum), norm: profile.norm, members: [...profile.members] });
      continue;
    }
    add(into.sum, profile.sum);
    into.norm = normOf(into.sum);
    into.members.push(...profile.members);
  }
  return merged;
}

/** Terms at least `share` of a topic's items use. */
function coreTermsOf(profile: Profile, vectors: Vector[], share: number): Set<string> {
  const usage = new Map<string, number>();
  for (const member of profile.members) {
    for (const term of vectors[member]?.keys() ?? []) usage.set(term, (usage.get(term) ?? 0) + 1);
  }
  return new Set([...usage].filter(([, count]) => count >= share * profile.members.length).map(([term]) => term));
}

/**
 * Merges topics that share a core term (one at least `share` of each topic's items use): paraphrases of one
 * complaint whose other words differ ("toujours pas reçu mon remboursement", "aucun remboursement sur mon compte").
 */
function mergeOnCoreTerm(profiles: Profile[], vectors: Vector[], share: number, generic: Set<string>): Profile[] {
  const ordered = [...profiles].sort((a, b) => b.members.length - a.members.length);
  const merged: Array<{ profile: Profile; core: Set<string> }> = [];
  for (const profile of ordered) {
    const core = new Set([...coreTermsOf(profile, vectors, share)].filter((term) => !generic.has(term)));
    const into = merged.find((candidate) => [...core].some((term) => candidate.core.has(term)));
    if (!into) {
      merged.push({ profile, core });
      continue;
    }
    add(into.profile.sum, profile.sum);
    into.profile.norm = normOf(into.profile.sum);
    into.profile.members.push(...profile.members);
  }
  return merged.map((entry) => entry.profile);
}

function labelTopic(
  profile: Profile,
  vectors: Vector[],
  documents: readonly TopicDocument[],
  spellings: Map<string, Map<string, number>>,
): DiscoveredTopic {
  const members = [...profile.members].sort((a, b) => a - b);
  const usage = new Map<string, number>();
  for (const member of members) {
    for (const term of vectors[member]?.keys() ?? []) usage.set(term, (usage.get(term) ?? 0) + 1);
  }
  const ranked = [...usage]
    .filter(([, count]) => count * 3 >= members.length)
    .sort(
      (a, b) => b[1] - a[1] || (profile.sum.get(b[0]) ?? 0) - (profile.sum.get(a[0]) ?? 0) || a[0].localeCompare(b[0]),
    )
    .slice(0, 3)
    .map(([term]) => term);
  const spellingOf = (stem: string) =>
    [...(spellings.get(stem) ?? new Map<string, number>())].sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    )[0]?.[0] ?? stem;
  const terms = ranked.map(spellingOf);
  return {
    key: [...ranked].sort().join("+"),
    terms,
    label: terms.join(" · "),
    ids: members.map((member) => documents[member]?.id ?? ""),
  };
}
