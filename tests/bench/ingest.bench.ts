// Ingest throughput through the real app over HTTP (signed, classified, idempotent), against baselines on the
// same PostgreSQL server in the same run:
//   1. batches of 100 items: POST /v1/channels/{id}/items vs a raw multi-row INSERT … ON CONFLICT DO NOTHING
//      of the same rows (items/s, target ratio >= 0.5);
//   2. one item per request: the signed endpoint vs a bare Hono endpoint doing one INSERT (req/s, p50/p99,
//      target ratio >= 0.6).
// Run: node --import tsx tests/bench/ingest.bench.ts
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "@parley/api/app";
import { hashPassword } from "@parley/auth";
import { inboundItem, signGenericPayload } from "@parley/connectors";
import { resolveScope, tenantOf } from "@parley/core/agencies";
import { createProtocolVersion } from "@parley/core/protocols-store";
import { closeDatabase, createDatabase, withTenant } from "@parley/db";
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

/** The items row a minimal ingest would write for one wire item. */
function itemRow(agencyId: string, client: BenchClient, item: ReturnType<typeof wireItem>) {
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
}

/** Warms up, then alternates the subject and its baseline for ROUNDS rounds, so neither gets the emptier table. */
async function compare(
  subject: (loop: number) => Promise<void>,
  baseline: (loop: number) => Promise<void>,
  unitsPerOperation: number,
): Promise<{ subject: Measured; baseline: Measured }> {
  for (const operation of [subject, baseline])
    await runFor({ concurrency: CONCURRENCY, durationMs: WARM_UP_MS, operation });
  await bench.takePostgresTime();
  const runs = await takeTurns({
    concurrency: CONCURRENCY,
    durationMs: MEASURE_MS,
    rounds: ROUNDS,
    operations: [subject, baseline],
  });
  // The subject runs as the app role, the baselines as the owner.
  const serverTime = await bench.takePostgresTime();
  const [s, b] = runs.map((run, index) => ({
    perSecond: (run.operations * unitsPerOperation) / run.seconds,
    p50: percentile(run.latenciesMs, 50),
    p99: percentile(run.latenciesMs, 99),
    cpuMs: run.cpuMsPerOperation,
    postgresUs:
      ((index === 0 ? serverTime.appMs : serverTime.ownerMs) * 1000) / Math.max(1, run.operations * unitsPerOperation),
  }));
  if (!s || !b) throw new Error("nothing measured");
  return { subject: s, baseline: b };
}

const format = (value: number) => Math.round(value).toLocaleString("en");
const ms = (value: number) => `${value.toFixed(1)} ms`;
const figures = (m: Measured) =>
  `p50 ${ms(m.p50)}, p99 ${ms(m.p99)}, process CPU ${ms(m.cpuMs)}/request, PostgreSQL ${Math.round(m.postgresUs)} µs/item`;
/**
 * The ratio of PostgreSQL's time per item alone: about what the subject would reach if nothing outside the server
 * cost anything (both sides' times are measured under the same concurrency).
 */
const postgresBound = (compared: { subject: Measured; baseline: Measured }) =>
  `PostgreSQL time per item alone gives a ratio of ${(compared.baseline.postgresUs / compared.subject.postgresUs).toFixed(2)}`;

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
  const app = createApp({ services: { db: appDb, secretBox: bench.secretBox, hashPassword }, log: () => {} });
  const parley = await listen(app.fetch);

  // The least an endpoint can do: parse, validate, one INSERT (no signature, no tenant, no classification).
  const bareApp = new Hono();
  const [firstClient, secondClient] = agency.clients;
  if (!firstClient || !secondClient) throw new Error("clients not seeded");
  bareApp.post("/items", async (c) => {
    const item = inboundItem.parse(await c.req.json());
    const row = itemRow(agency.agencyId, firstClient, { ...item, createdAt: item.createdAt.toISOString() } as never);
    await raw`insert into items ${raw(row)} on conflict (agency_id, channel_id, external_id) do nothing`;
    return c.json({ ok: true });
  });
  const bare = await listen(bareApp.fetch);

  console.log(`machine: ${describeMachine()}`);
  const clientOf = (loop: number) => (loop % 2 === 0 ? firstClient : secondClient);
  const batches = await compare(
    (loop) => {
      const client = clientOf(loop);
      return postSigned(`${parley.url}/v1/channels/${client.channelId}/items`, client, {
        items: Array.from({ length: BATCH_SIZE }, () => wireItem("http")),
      });
    },
    async (loop) => {
      const client = clientOf(loop);
      const rows = Array.from({ length: BATCH_SIZE }, () => itemRow(agency.agencyId, client, wireItem("raw")));
      await raw`insert into items ${raw(rows)} on conflict (agency_id, channel_id, external_id) do nothing`;
    },
    BATCH_SIZE,
  );
  const batchRatio = batches.subject.perSecond / batches.baseline.perSecond;
  const batchPassed = batchRatio >= BATCH_TARGET_RATIO;
  console.log(
    `ingest batches of ${BATCH_SIZE}, ${CONCURRENCY} concurrent: HTTP signed+classified ${format(batches.subject.perSecond)} items/s ` +
      `(${figures(batches.subject)}) vs raw INSERT … ON CONFLICT ` +
      `${format(batches.baseline.perSecond)} items/s (${figures(batches.baseline)}); ` +
      `ratio ${batchRatio.toFixed(2)}, target >= ${BATCH_TARGET_RATIO}: ${batchPassed ? "PASS" : "FAIL"} ` +
      `(${postgresBound(batches)})`,
  );

  const singles = await compare(
    (loop) => {
      const client = clientOf(loop);
      return postSigned(`${parley.url}/v1/channels/${client.channelId}/items`, client, wireItem("one"));
    },
    async () => {
      const response = await fetch(`${bare.url}/items`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(wireItem("bare")),
      });
      if (response.status !== 200) throw new Error(`bare endpoint answered ${response.status}`);
      await response.arrayBuffer();
    },
    1,
  );
  const singleRatio = singles.subject.perSecond / singles.baseline.perSecond;
  const singlePassed = singleRatio >= SINGLE_TARGET_RATIO;
  console.log(
    `ingest one item per request, ${CONCURRENCY} concurrent: signed endpoint ${format(singles.subject.perSecond)} req/s ` +
      `(${figures(singles.subject)}) vs bare Hono + one INSERT ` +
      `${format(singles.baseline.perSecond)} req/s (${figures(singles.baseline)}); ` +
      `ratio ${singleRatio.toFixed(2)}, target >= ${SINGLE_TARGET_RATIO}: ${singlePassed ? "PASS" : "FAIL"} ` +
      `(${postgresBound(singles)})`,
  );
  failed = !batchPassed || !singlePassed;
  parley.close();
  bare.close();
  await raw.end();
  await closeDatabase(appDb);
} finally {
  await bench.stop();
}
process.exit(failed ? 1 : 0);
