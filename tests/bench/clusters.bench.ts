// Clusters of near-identical items during a launch spike: `findNearDuplicates` over 10,000 open items of one client
// (8,700 rewordings of one "servers down" incident, 1,300 varied messages), against reading the words of the same
// texts (the floor: clustering cannot be cheaper than reading the text). CPU in this process, medians of 5 runs.
// Then the console's whole read, `queue.clusters` for that client (`listItemClusters`, under row-level security) on
// PostgreSQL, where the same 10,000 open items sit among HISTORY resolved items of the client: wall time, medians
// of 5, against reading the 10,000 open rows alone by primary key (the floor of any read of them), and PostgreSQL's
// own time for one call (without `items_client_open_idx` the read scanned the client's whole history).
// Run: node --import tsx tests/bench/clusters.bench.ts

import { tenantOf } from "@parley/core/kernel";
import { listItemClusters } from "@parley/core/moderation";
import { createTermReader, findNearDuplicates } from "@parley/core/protocols";
import { closeDatabase, createDatabase, uuidArray, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";
import { addBenchModerator, describeMachine, seedBenchAgency, startBenchDatabase } from "./bench-database";
import { createRandom } from "./seeded-random";

const ITEMS = 10_000;
const INCIDENT = 8_700;
const ROUNDS = 5;
/** The client's resolved items from before the spike, which the read of its open items must not wade through. */
const HISTORY = Number(process.env.HISTORY ?? 200_000);
/** Clustering a spike's queue must stay well inside a console refresh. */
const TARGET_MS = 1_000;

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

const median = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    times.push((used.user + used.system) / 1000);
  }
  return median(times);
}

async function medianWallMs(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
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

const bench = await startBenchDatabase();
let readFailed = false;
try {
  const agency = await seedBenchAgency(bench, { clients: 1 });
  const client = agency.clients[0]!;
  const owner = createDatabase({ url: bench.ownerUrl, max: 2 });
  const appDb = createDatabase({ url: bench.appUrl, max: 2 });
  try {
    await owner.execute(sql`
      insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
        created_at, received_at, status)
      select ${agency.agencyId}, ${client.id}, ${client.channelId}, 'old-' || n, 'comment', 'author-' || (n % 20000),
        'someone', 'Earlier comment ' || n, now() - interval '30 days' + (n || ' seconds')::interval,
        now() - interval '30 days' + (n || ' seconds')::interval, 'resolved'
      from generate_series(1, ${HISTORY}) n`);
    await owner.execute(sql`
      insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
        created_at, received_at, status)
      select ${agency.agencyId}, ${client.id}, ${client.channelId}, 'open-' || n, 'comment', 'fan-' || n, 'fan',
        t.text, now() - interval '1 hour' + (n || ' milliseconds')::interval,
        now() - interval '1 hour' + (n || ' milliseconds')::interval, 'queued'
      from jsonb_array_elements_text(${JSON.stringify(texts)}::jsonb) with ordinality as t(text, n)`);
    await owner.execute(sql`analyze items`);
    const scope = await addBenchModerator(owner, appDb, {
      agencyId: agency.agencyId,
      assignments: [{ clientId: client.id, authority: "respond" }],
    });
    const openIds = (
      await owner.execute<{ id: string }>(
        sql`select id from items where client_id = ${client.id} and status = 'queued'`,
      )
    ).map((row) => row.id);
    const clustersMs = await medianWallMs(() =>
      withTenant(appDb, tenantOf(scope), (tx) => listItemClusters(scope, tx, { clientId: client.id })),
    );
    const floorMs = await medianWallMs(() =>
      withTenant(appDb, tenantOf(scope), (tx) =>
        tx.execute(sql`select id, title, body, author_handle, author_display_name, received_at from items
          where id = any(${uuidArray(openIds)})`),
      ),
    );
    await bench.takePostgresTime();
    const view = await withTenant(appDb, tenantOf(scope), (tx) => listItemClusters(scope, tx, { clientId: client.id }));
    const postgresMs = await bench.takePostgresTime();
    console.log(
      `queue.clusters over ${ITEMS} open items among ${HISTORY.toLocaleString("en")} resolved (${describeMachine()}): ` +
        `${clustersMs.toFixed(0)} ms wall, of which ${postgresMs.toFixed(0)} ms in PostgreSQL; reading the open rows alone by primary key ${floorMs.toFixed(0)} ms; ` +
        `the clustering above ${clusteringMs.toFixed(0)} ms CPU; ratio ${(clustersMs / (floorMs + clusteringMs)).toFixed(2)}× ` +
        `of both; largest cluster ${view.clusters[0]?.count ?? 0} (target < ${TARGET_MS} ms)`,
    );
    readFailed = clustersMs > TARGET_MS || (view.clusters[0]?.count ?? 0) < INCIDENT * 0.95;
  } finally {
    await closeDatabase(owner);
    await closeDatabase(appDb);
  }
} finally {
  await bench.stop();
}
if (clusteringMs > TARGET_MS || largest < INCIDENT * 0.95 || readFailed) process.exit(1);
