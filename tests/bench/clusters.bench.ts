// Clusters of near-identical items during a launch spike: `findNearDuplicates` over 10,000 open items of one client
// (8,700 rewordings of one "servers down" incident, 1,300 varied messages), against reading the words of the same
// texts (the floor: clustering cannot be cheaper than reading the text). CPU in this process, medians of 5 runs.
// Run: node --import tsx tests/bench/clusters.bench.ts

import { createTermReader, findNearDuplicates } from "@parley/core/protocols";

const ITEMS = 10_000;
const INCIDENT = 8_700;
const ROUNDS = 5;
/** Clustering a spike's queue must stay well inside a console refresh. */
const TARGET_MS = 1_000;

/** mulberry32: a seeded generator, so every run times the same texts. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = createRandom(18);
const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
const openings = ["", "@GameCo ", "wtf ", "seriously ", "lol "];
const complaints = [
  "servers down again",
  "servers are down",
  "SERVERS DOWN",
  "servers down, can't login",
  "servers crashed can't login",
];
const endings = ["", "!!", " 😡", " fix it", " https://status.example", " day one launch"];
const vocabulary =
  "order refund parcel delivery account password trailer skin bundle price region voice chat lag crash update patch".split(
    " ",
  );
const texts = Array.from({ length: ITEMS }, (_, index) =>
  index < INCIDENT
    ? `${pick(openings)}${pick(complaints)}${pick(endings)}`
    : Array.from(
        { length: 4 + Math.floor(random() * 8) },
        () => `${pick(vocabulary)}${Math.floor(random() * 50)}`,
      ).join(" "),
);
const documents = texts.map((text, index) => ({ id: `item-${index}`, text }));

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

medianMs(() => findNearDuplicates(documents));
const clusteringMs = medianMs(() => findNearDuplicates(documents));
const readingMs = medianMs(() => {
  const read = createTermReader();
  for (const text of texts) read(text);
});
const clusters = findNearDuplicates(documents);
const largest = clusters[0]?.length ?? 0;
console.log(`clustering ${ITEMS} items: ${clusteringMs.toFixed(0)} ms CPU (target < ${TARGET_MS} ms)`);
console.log(
  `reading their words alone: ${readingMs.toFixed(0)} ms CPU; ratio ${(clusteringMs / readingMs).toFixed(2)}×`,
);
console.log(`clusters: ${clusters.length}; largest ${largest} of the ${INCIDENT} incident items`);
if (clusteringMs > TARGET_MS || largest < INCIDENT * 0.95) process.exit(1);
