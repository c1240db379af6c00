/**
 * Near-identical items (one incident: "servers down", "servers are down again!!") found from their text. Pure: no
 * I/O. The rule (docs/ARCHITECTURE.md, "Clusters of near-identical items"):
 *
 * 1. **Terms.** Each text is read as the recurring topics read it (`createTermReader`: normalised, stop words of
 *    four languages dropped, words stemmed), as a set of stems; a text with no stem left joins no cluster.
 * 2. **Similarity.** Two texts are near-identical when the Jaccard similarity of their stem sets is at least
 *    `similarity` (0.5 by default: "servers down again", "the servers are down!!" and "servers down, can't login" are
 *    one incident; "servers down" and "refund my order" are not).
 * 3. **Scale.** Texts with the same stem set are one group at once (a spike is mostly that); the distinct sets are
 *    compared only when MinHash (24 hashes in 12 bands of 2) puts them in a shared band bucket — near-identical sets
 *    land together with probability ≥ 0.97 at a similarity of 0.5 — and each candidate is verified with the exact
 *    Jaccard against at most `comparisonsPerBucket` groups already in the bucket. Linear in the number of texts.
 * 4. Groups joined by a verified pair are one cluster (union-find); clusters smaller than `minClusterSize` are dropped.
 */

import { createTermReader } from "./text-terms";

export interface NearDuplicateDocument {
  id: string;
  text: string;
}

export interface NearDuplicateOptions {
  similarity?: number;
  minClusterSize?: number;
  comparisonsPerBucket?: number;
}

export const nearDuplicateDefaults = {
  similarity: 0.5,
  minClusterSize: 3,
  comparisonsPerBucket: 8,
} satisfies Required<NearDuplicateOptions>;

const bands = 12;
const rowsPerBand = 2;
const hashCount = bands * rowsPerBand;

/** FNV-1a, 32 bits. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Fixed odd multipliers and offsets: the same text always lands in the same buckets. */
const seeds = Array.from({ length: hashCount }, (_, i) => ({
  multiplier: (hashText(`m${i}`) | 1) >>> 0,
  offset: hashText(`o${i}`),
}));

function minHashOf(stemHashes: readonly number[]): number[] {
  const signature: number[] = [];
  for (const { multiplier, offset } of seeds) {
    let min = 0xffffffff;
    for (const hash of stemHashes) {
      const value = (Math.imul(hash ^ offset, multiplier) ^ (hash >>> 15)) >>> 0;
      if (value < min) min = value;
    }
    signature.push(min);
  }
  return signature;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [smaller, larger] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const stem of smaller) if (larger.has(stem)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Clusters of near-identical documents (see the module comment): each cluster's ids in the order given, the largest
 * cluster first (ties: the one whose first document comes first).
 */
export function findNearDuplicates(
  documents: readonly NearDuplicateDocument[],
  options: NearDuplicateOptions = {},
): string[][] {
  const settings = { ...nearDuplicateDefaults, ...options };
  const readTerms = createTermReader();
  // One group per distinct stem set.
  const groupOfKey = new Map<string, number>();
  const groupStems: Set<string>[] = [];
  const groupMembers: number[][] = [];
  documents.forEach((document, index) => {
    const stems = [...new Set(readTerms(document.text).map((term) => term.stem))].sort();
    if (stems.length === 0) return;
    const key = stems.join(" ");
    let group = groupOfKey.get(key);
    if (group === undefined) {
      group = groupStems.length;
      groupOfKey.set(key, group);
      groupStems.push(new Set(stems));
      groupMembers.push([]);
    }
    groupMembers[group]!.push(index);
  });

  const parent = groupStems.map((_, group) => group);
  const rootOf = (group: number): number => {
    let root = group;
    while (parent[root] !== root) root = parent[root]!;
    let walk = group;
    while (parent[walk] !== root) {
      const next = parent[walk]!;
      parent[walk] = root;
      walk = next;
    }
    return root;
  };
  const buckets = new Map<string, number[]>();
  groupStems.forEach((stems, group) => {
    const signature = minHashOf([...stems].map(hashText));
    for (let band = 0; band < bands; band++) {
      const key = `${band}:${signature.slice(band * rowsPerBand, (band + 1) * rowsPerBand).join(",")}`;
      const bucket = buckets.get(key);
      if (!bucket) {
        buckets.set(key, [group]);
        continue;
      }
      let compared = 0;
      for (const other of bucket) {
        if (compared >= settings.comparisonsPerBucket) break;
        if (rootOf(other) === rootOf(group)) continue;
        compared++;
        if (jaccard(stems, groupStems[other]!) >= settings.similarity) parent[rootOf(group)] = rootOf(other);
      }
      if (bucket.length < settings.comparisonsPerBucket) bucket.push(group);
    }
  });

  const clusters = new Map<number, number[]>();
  groupMembers.forEach((members, group) => {
    const root = rootOf(group);
    const cluster = clusters.get(root) ?? [];
    cluster.push(...members);
    clusters.set(root, cluster);
  });
  return [...clusters.values()]
    .filter((members) => members.length >= settings.minClusterSize)
    .map((members) => members.sort((a, b) => a - b))
    .sort((a, b) => b.length - a.length || a[0]! - b[0]!)
    .map((members) => members.map((index) => documents[index]!.id));
}

/** Whether two texts are near-identical by the clusters' rule (the Jaccard similarity of their stem sets). */
export function areNearDuplicates(
  a: string,
  b: string,
  options: Pick<NearDuplicateOptions, "similarity"> = {},
): boolean {
  const readTerms = createTermReader();
  const stemsOf = (text: string) => new Set(readTerms(text).map((term) => term.stem));
  const [first, second] = [stemsOf(a), stemsOf(b)];
  if (first.size === 0 || second.size === 0) return false;
  return jaccard(first, second) >= (options.similarity ?? nearDuplicateDefaults.similarity);
}
