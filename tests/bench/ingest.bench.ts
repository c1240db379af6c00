// Ingest throughput through the real app over HTTP (signed, classified, idempotent), against baselines on the
// same PostgreSQL server in the same run:
//   1. batches of 100 items: POST /v1/channels/{id}/items vs a raw multi-row INSERT … ON CONFLICT DO NOTHING
//      of the same rows (items/s, target ratio >= 0.5);

//   2. one item per request: the signed endpoint vs a bare Hono endpoint doing one INSERT (req/s, p50/p99,
//      target ratio >= 0.6).
// Each also measures a floor, in turns with the other two: an endpoint doing only what the issue requires of any
// ingest before its own work (the signature check, the input's validation, a transaction under the agency's
// row-level security), then one INSERT of the items. Its ratio bounds what any design of ingest can reach here.
// Each also prints CPU per item (this process, which is also the load generator, and PostgreSQL's backends) and the
// subject's share of the floor by it: on a machine shared with other work, throughput ratios swing with the load;
// what each item costs the machine holds better.
// Run: node --import tsx tests/bench/ingest.bench.ts
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "@parley/api/app";
import { silentLogger } from "@parley/api/logger";
import { inboundItem, parseGenericBatch, signGenericPayload, verifyGenericSignature } from "@parley/connectors";
import { resolveScope } from "@parley/core/agencies";
import { tenantOf } from "@parley/core/kernel";
import { createProtocolVersion } from "@parley/core/protocols";
import { closeDatabase, createDatabase, runPrepared, withTenant } from "@parley/db";
import { Hono } from "hono";
import postgres from "postgres";
import { gamesProtocol } from "../ingest/fixtures";
import {
  type BenchClient,
  describeMachine,
  percentile,
  runFor,
  seedBenchAgency,
  startBenchDatabase,
  takeTurns,
} from "./bench-database";

const CONCURRENCY = 16;
const BATCH_SIZE = 100;
const MEASURE_MS = 5_000;
const WARM_UP_MS = 1_500;
const ROUNDS = 2;
const BATCH_TARGET_RATIO = 0.5;
const SINGLE_TARGET_RATIO = 0.6;

const bodies = [
  "My order still hasn't arrived after three weeks, this is ridiculous",
  "I want a refund, the game crashes every time I load the second level",
  "Someone hacked my account and changed the email, please help!",
  "Absolutely love the new season, amazing work team",
  "My lawyer will hear about this, expect legal action",
  "Buy cheap followers now at the link in my bio",
  "Quand est-ce que le serveur revient ? Impossible de jouer depuis hier",
  "Wann kommt das nächste Update? Ich kann mich nicht einloggen",
  "¿Cuándo llega el reembolso? Ya pasaron dos semanas",
  "Is there a patch for the controller issue on PC?",
];

let sequence = 0;
function wireItem(prefix: string) {
  sequence += 1;
  return {
    externalId: `${prefix}-${sequence}`,
    kind: "comment" as const,
    author: { externalId: `author-${sequence % 5_000}`, handle: `player${sequence % 5_000}` },
    body: bodies[sequence % bodies.length] ?? "",
    createdAt: new Date().toISOString(),
  };
}

/** The items row a minimal ingest would write for one item. */
function itemRow(
  agencyId: string,
  client: BenchClient,
  item: {
    externalId: string;
    kind: string;
    author: { externalId: string; handle: string };
    body: string;
    createdAt: string | Date;
  },
) {
  return {
    agency_id: agencyId,
    client_id: client.id,
    channel_id: client.channelId,
    external_id: item.externalId,
    kind: item.kind,
    author_external_id: item.author.externalId,
    author_handle: item.author.handle,
    body: item.body,
    created_at: item.createdAt,
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<{ url: string; close(): void }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
    );
  });
}

async function postSigned(url: string, client: BenchClient, body: unknown): Promise<void> {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-parley-timestamp": String(timestamp),
      "x-parley-signature": signGenericPayload({ secret: client.ingestSecret, timestamp, rawBody: raw }),
    },
    body: raw,
  });
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
  /** This process's CPU per request: load generator and server together. */
  cpuMs: number;
  /** PostgreSQL's time (planning and execution) per item. */
  postgresUs: number;
  /** CPU per item, this process and PostgreSQL's backends together: what the machine spent, whatever else runs on it. */
  cpuUsPerItem: number;
}

interface Compared {
  subject: Measured;
  floor: Measured;
  baseline: Measured;
}

/**
 * Warms up, then runs the subject, the floor and the baseline in turns for ROUNDS rounds, so none gets the emptier
 * table or the quieter machine; PostgreSQL's time is taken after each run and counted to the operation that ran.
 */
async function compare(
  operations: Record<keyof Compared, (loop: number) => Promise<void>>,
  unitsPerOperation: number,
): Promise<Compared> {
  const ordered = [operations.subject, operations.floor, operations.baseline];
  for (const operation of ordered) await runFor({ concurrency: CONCURRENCY, durationMs: WARM_UP_MS, operation });
  await bench.takePostgresTime();
  const postgresMs = ordered.map(() => 0);
  const postgresCpuSeconds = ordered.map(() => 0);
  let cpuMark = bench.postgresCpuSeconds();
  const runs = await takeTurns({
    concurrency: CONCURRENCY,
    durationMs: MEASURE_MS,
    rounds: ROUNDS,
    operations: ordered,
    afterRun: async (index) => {
      const cpu = bench.postgresCpuSeconds();
      postgresCpuSeconds[index] = (postgresCpuSeconds[index] ?? 0) + cpu - cpuMark;
      postgresMs[index] = (postgresMs[index] ?? 0) + (await bench.takePostgresTime());
      cpuMark = bench.postgresCpuSeconds();
    },
  });
  const [subject, floor, baseline] = runs.map((run, index) => ({
    perSecond: (run.operations * unitsPerOperation) / run.seconds,
    p50: percentile(run.latenciesMs, 50),
    p99: percentile(run.latenciesMs, 99),
    cpuMs: run.cpuMsPerOperation,
    postgresUs: ((postgresMs[index] ?? 0) * 1000) / Math.max(1, run.operations * unitsPerOperation),
    cpuUsPerItem:
      (run.cpuMsPerOperation * 1000) / unitsPerOperation +
      ((postgresCpuSeconds[index] ?? 0) * 1e6) / Math.max(1, run.operations * unitsPerOperation),
  }));
  if (!subject || !floor || !baseline) throw new Error("nothing measured");
  return { subject, floor, baseline };
}

const format = (value: number) => Math.round(value).toLocaleString("en");
const ms = (value: number) => `${value.toFixed(1)} ms`;
const figures = (m: Measured) =>
  `p50 ${ms(m.p50)}, p99 ${ms(m.p99)}, process CPU ${ms(m.cpuMs)}/request, PostgreSQL ${Math.round(m.postgresUs)} µs/item, ` +
  `CPU ${Math.round(m.cpuUsPerItem)} µs/item with PostgreSQL's`;
/** The floor's one statement: the items of a delivery, as one JSON parameter (like ingest's own statements). */
const floorInsertStatement = `insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id,
  author_handle, body, created_at)
select agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body, created_at
from jsonb_populate_recordset(null::items, $1::jsonb)
on conflict (agency_id, channel_id, external_id) do nothing`;

/** Prints one comparison; true when the subject's ratio to the baseline meets the target. */
function report(subjectName: string, baselineName: string, unit: string, compared: Compared, target: number) {
  const { subject, floor, baseline } = compared;
  const ratio = subject.perSecond / baseline.perSecond;
  const floorRatio = floor.perSecond / baseline.perSecond;
  const passed = ratio >= target;
  console.log(
    `${subjectName} ${format(subject.perSecond)} ${unit} (${figures(subject)}) vs ${baselineName} ` +
      `${format(baseline.perSecond)} ${unit} (${figures(baseline)}); ratio ${ratio.toFixed(2)}, target >= ${target}: ` +
      `${passed ? "PASS" : "FAIL"}\n` +
      `  floor (signature, validation, row-level security, the items INSERT alone): ${format(floor.perSecond)} ${unit} ` +
      `(${figures(floor)}), ratio ${floorRatio.toFixed(2)}; the subject does ${(ratio / floorRatio).toFixed(2)} of the floor ` +
      `(by CPU per item, ${(floor.cpuUsPerItem / subject.cpuUsPerItem).toFixed(2)})\n` +
      // About what the subject would reach if nothing outside the server cost anything.
      `  PostgreSQL time per item alone gives a ratio of ${(baseline.postgresUs / subject.postgresUs).toFixed(2)}`,
  );
  return passed;
}

const bench = await startBenchDatabase();
let failed = false;
try {
  const agency = await seedBenchAgency(bench, { clients: 2 });
  const appDb = createDatabase({ url: bench.appUrl, max: CONCURRENCY + 4 });
  const raw = postgres(bench.ownerUrl, { max: CONCURRENCY, onnotice: () => {} });
  const scope = await resolveScope(appDb, { userId: agency.ownerUserId, agencyId: agency.agencyId });
  if (!scope) throw new Error("no owner scope");
  for (const client of agency.clients) {
    await withTenant(appDb, tenantOf(scope), (tx) =>
      createProtocolVersion(scope, tx, { clientId: client.id, document: gamesProtocol }),
    );
  }
  const app = createApp({ services: { db: appDb, secretBox: bench.secretBox }, logger: silentLogger });
  const parley = await listen(app.fetch);

  // The least an endpoint can do: parse, validate, one INSERT (no signature, no tenant, no classification).
  const bareApp = new Hono();
  const [firstClient, secondClient] = agency.clients;
  if (!firstClient || !secondClient) throw new Error("clients not seeded");
  bareApp.post("/items", async (c) => {
    const item = inboundItem.parse(await c.req.json());
    await raw`insert into items ${raw(itemRow(agency.agencyId, firstClient, item))}
      on conflict (agency_id, channel_id, external_id) do nothing`;
    return c.json({ ok: true });
  });
  const bare = await listen(bareApp.fetch);

  // The floor: what the issue requires of any ingest before its own work (signature, validation, the agency's
  // row-level security), then one INSERT of the items: no classification, customers, SLA clocks, audit or answer.
  const floorApp = new Hono();
  floorApp.post("/channels/:channelId/items", async (c) => {
    const client = agency.clients.find((candidate) => candidate.channelId === c.req.param("channelId"));
    if (!client) return c.json({ error: "unknown channel" }, 404);
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    const checked = verifyGenericSignature({
      secret: client.ingestSecret,
      timestamp: c.req.header("x-parley-timestamp"),
      signature: c.req.header("x-parley-signature"),
      rawBody,
      now: new Date(),
    });
    if (!checked.ok) return c.json({ error: checked.reason }, 401);
    const rows = parseGenericBatch(new TextDecoder().decode(rawBody), { now: new Date() }).map(({ item }) =>
      itemRow(agency.agencyId, client, item),
    );
    await withTenant(appDb, { agencyId: agency.agencyId, clientIds: [client.id] }, (tx) =>
      runPrepared(tx, floorInsertStatement, [JSON.stringify(rows)]),
    );
    return c.json({ received: rows.length });
  });
  const floor = await listen(floorApp.fetch);

  console.log(`machine: ${describeMachine()}`);
  const clientOf = (loop: number) => (loop % 2 === 0 ? firstClient : secondClient);
  const signedTo = (url: string, body: () => unknown) => (loop: number) => {
    const client = clientOf(loop);
    return postSigned(`${url}/channels/${client.channelId}/items`, client, body());
  };
  const batchOf100 = () => ({ items: Array.from({ length: BATCH_SIZE }, () => wireItem("http")) });
  const batches = await compare(
    {
      subject: signedTo(`${parley.url}/v1`, batchOf100),
      floor: signedTo(floor.url, batchOf100),
      baseline: async (loop) => {
        const client = clientOf(loop);
        const rows = Array.from({ length: BATCH_SIZE }, () => itemRow(agency.agencyId, client, wireItem("raw")));
        await raw`insert into items ${raw(rows)} on conflict (agency_id, channel_id, external_id) do nothing`;
      },
    },
    BATCH_SIZE,
  );
  const batchPassed = report(
    `ingest batches of ${BATCH_SIZE}, ${CONCURRENCY} concurrent: HTTP signed+classified`,
    `raw INSERT … ON CONFLICT`,
    "items/s",
    batches,
    BATCH_TARGET_RATIO,
  );

  const singles = await compare(
    {
      subject: signedTo(`${parley.url}/v1`, () => wireItem("one")),
      floor: signedTo(floor.url, () => wireItem("floor")),
      baseline: async () => {
        const response = await fetch(`${bare.url}/items`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(wireItem("bare")),
        });
        if (response.status !== 200) throw new Error(`bare endpoint answered ${response.status}`);
        await response.arrayBuffer();
      },
    },
    1,
  );
  const singlePassed = report(
    `ingest one item per request, ${CONCURRENCY} concurrent: signed endpoint`,
    "bare Hono + one INSERT",
    "req/s",
    singles,
    SINGLE_TARGET_RATIO,
  );
  failed = !batchPassed || !singlePassed;
  parley.close();
  floor.close();
  bare.close();
  await raw.end();
  await closeDatabase(appDb);
} finally {
  await bench.stop();
}
process.exit(failed ? 1 : 0);
