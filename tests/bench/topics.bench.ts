// One client's recurring topics over a month of 30,000 items (plus 20,000 in the four weeks before, for the trend,
// and 20,000 earlier ones for word weights), on the embedded PostgreSQL: `getClientTopics` end to end against a bare
// read of the same rows, and the clustering alone (CPU) against reading the words of the same texts.
// Run: node --import tsx tests/bench/topics.bench.ts

import { discoverTopics, getClientTopics, topicTermsOf } from "@parley/core/reports";
import { type PlantedTopic, plantedMessages } from "@parley/core/reports/planted-topics.fixture";
import { closeDatabase, createDatabase, schema, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";
import { describeMachine, percentile, seedBenchAgency, startBenchDatabase } from "./bench-database";

const MONTH = { from: "2026-11-01", to: "2026-11-30" };
/** Items per week: the month's (≈30,000 in 30 days), the four weeks before, and eight weeks of history. */
const PER_WEEK = 7_000;
const WEEKS_BEFORE = 4 + 8;
const ROUNDS = 3;
/**
 * A month's topics should take at most this much CPU in the process (judged on CPU, which the load of the machine's
 * other work does not inflate; the wall time is printed beside it).
 */
const TARGET_CPU_MS = 10_000;

const counts: Record<PlantedTopic, number> = {
  parcel_not_delivered: Math.round(PER_WEEK * 0.08),
  refund_missing: Math.round(PER_WEEK * 0.05),
  app_crash_login: Math.round(PER_WEEK * 0.03),
};

const medianOf = async (run: () => Promise<unknown> | unknown) => {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await run();
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wallMs: percentile(wall, 50), cpuMs: percentile(cpu, 50) };
};

const bench = await startBenchDatabase();
try {
  const agency = await seedBenchAgency(bench, { clients: 1, name: "Bench Topics" });
  const client = agency.clients[0];
  if (!client) throw new Error("no client");
  const owner = createDatabase({ url: bench.ownerUrl, max: 2 });
  const app = createDatabase({ url: bench.appUrl, max: 2 });

  // ——— Load: whole weeks from 12 weeks before the month to its end, each week's messages spread over its days ———
  const loadStarted = performance.now();
  const firstWeek = Date.parse(`${MONTH.from}T00:00:00Z`) - WEEKS_BEFORE * 7 * 864e5;
  const weeks = WEEKS_BEFORE + Math.ceil(30 / 7);
  let loaded = 0;
  for (let week = 0; week < weeks; week++) {
    const start = firstWeek + week * 7 * 864e5;
    const messages = plantedMessages(counts, PER_WEEK - Object.values(counts).reduce((a, b) => a + b, 0), 100 + week);
    const rows = messages
      .map((message, index) => ({ message, at: new Date(start + Math.floor((index / messages.length) * 7 * 864e5)) }))
      .filter((row) => row.at.toISOString().slice(0, 10) <= MONTH.to);
    for (let offset = 0; offset < rows.length; offset += 2_000) {
      await owner.insert(schema.items).values(
        rows.slice(offset, offset + 2_000).map(({ message, at }, index) => ({
          agencyId: agency.agencyId,
          clientId: client.id,
          channelId: client.channelId,
          externalId: `w${week}-${offset + index}`,
          kind: "comment" as const,
          authorExternalId: `author-${offset + index}`,
          authorHandle: `@customer${offset + index}`,
          body: message.text,
          createdAt: at,
          receivedAt: at,
        })),
      );
    }
    loaded += rows.length;
  }
  await owner.execute(sql`analyze items`);
  console.log(
    `loaded ${loaded} items in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s; ${describeMachine()}`,
  );

  const reader = { agencyId: agency.agencyId, clientIds: null };
  const input = { clientId: client.id, ...MONTH };
  let view: Awaited<ReturnType<typeof getClientTopics>> | undefined;
  const topics = await medianOf(async () => {
    view = await withTenant(app, reader, (tx) => getClientTopics(reader, tx, input));
  });
  let texts: string[] = [];
  const bare = await medianOf(async () => {
    const rows = await withTenant(app, reader, (tx) =>
      tx.execute<{ id: string; body: string; received_at: string }>(sql`
        select id, body, received_at from items
        where agency_id = ${agency.agencyId} and client_id = ${client.id} and not by_brand
          and received_at >= ${"2026-08-09"}::timestamptz and received_at < ${"2026-12-01"}::timestamptz`),
    );
    texts = rows.map((row) => row.body);
  });
  const window = texts.slice(-(30 + 28) * (PER_WEEK / 7));
  const history = texts.slice(0, texts.length - window.length).slice(-20_000);
  const clustering = await medianOf(() =>
    discoverTopics(
      window.map((text, index) => ({ id: String(index), text })),
      { history },
    ),
  );
  const words = await medianOf(() => {
    let count = 0;
    for (const text of [...history, ...window]) count += topicTermsOf(text).length;
    return count;
  });

  console.log(
    `items in the month: ${view?.itemsInPeriod}; discovered topics: ${view?.topics.length}; top: ${view?.topics
      .slice(0, 3)
      .map((topic) => `${topic.label} (${topic.volume})`)
      .join(", ")}`,
  );
  console.log(
    `getClientTopics, one client's month: median ${topics.wallMs.toFixed(0)} ms wall, ${topics.cpuMs.toFixed(0)} ms CPU ` +
      `(this process) — ${(topics.wallMs / bare.wallMs).toFixed(1)}× a bare read of the same rows ` +
      `(${bare.wallMs.toFixed(0)} ms, ${texts.length} rows)`,
  );
  console.log(
    `clustering alone over ${window.length} items (${history.length} history texts): median ` +
      `${clustering.cpuMs.toFixed(0)} ms CPU — ${(clustering.cpuMs / words.cpuMs).toFixed(1)}× reading their words ` +
      `(${words.cpuMs.toFixed(0)} ms CPU)`,
  );
  const ok = topics.cpuMs <= TARGET_CPU_MS;
  console.log(`${ok ? "ok" : "SLOW"}: target ≤ ${TARGET_CPU_MS} ms of CPU for a month's topics`);
  await closeDatabase(owner);
  await closeDatabase(app);
  process.exitCode = ok ? 0 : 1;
} finally {
  await bench.stop();
}
