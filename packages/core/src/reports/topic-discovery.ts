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

import { createTermReader } from "../protocols/text-terms";

export { stemWord, topicTermsOf } from "../protocols/text-terms";

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
