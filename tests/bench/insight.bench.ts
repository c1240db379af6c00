// The insight report read at request time: one client's month of PER_CLIENT items (default 40,000: the 2M
// items for 50 clients) and the month before, 60 % answered, a fifth of those thanked, texts drawn from the labelled
// sample (each made unique by a number, as real comments are). Measures getInsight (labels computed while reading) against the bare statement that reads the same rows on
// the same server (the first read, then with the labels kept in the process), and the classifier's cost per text next to the protocol classification ingest already runs — the
// figures that decide between labelling at read time and storing labels at ingest.
// Run: node --import tsx tests/bench/insight.bench.ts   (PER_CLIENT=10000 for a quicker run)
import { tenantOf } from "@parley/core/kernel";
import { classifyItem, parseProtocolDocument } from "@parley/core/protocols";
import { classifyInsight, getInsight } from "@parley/core/reports";
import { closeDatabase, createDatabase, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { insightHeldOutSample, insightSample } from "../../packages/core/src/reports/insight-sample.fixture";
import { gamesProtocol } from "../ingest/fixtures";
import { describeMachine, percentile, seedBenchAgency, startBenchDatabase } from "./bench-database";

const PER_CLIENT = Number(process.env.PER_CLIENT ?? 40_000);
const CLIENTS = 5;
const RUNS = 5;
const texts = [...insightSample, ...insightHeldOutSample].map((entry) => entry[1]);

async function median(run: () => Promise<unknown>): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const began = performance.now();
    await run();
    samples.push(performance.now() - began);
  }
  return percentile(samples, 50);
}

function microsecondsPerText(label: (text: string) => unknown): number {
  const count = 200_000;
  for (let i = 0; i < 5_000; i++) label(texts[i % texts.length] ?? "");
  const began = performance.now();
  for (let i = 0; i < count; i++) label(texts[i % texts.length] ?? "");
  return ((performance.now() - began) * 1000) / count;
}

console.log(`machine: ${describeMachine()}; ${PER_CLIENT} items per client-month, ${CLIENTS} clients, 2 months`);
const insightUs = microsecondsPerText((text) => classifyInsight(text));
const protocol = parseProtocolDocument(gamesProtocol);
const protocolUs = microsecondsPerText((body) => classifyItem({ protocol, body }));
console.log(
  `classifyInsight: ${insightUs.toFixed(1)} µs per text; ingest's protocol classifyItem: ${protocolUs.toFixed(1)} µs`,
);

const bench = await startBenchDatabase();
try {
  const agency = await seedBenchAgency(bench, { clients: CLIENTS, name: "Bench Insight" });
  const owner = postgres(bench.ownerUrl, { max: 1, onnotice: () => {} });
  const loadStarted = performance.now();
  for (const client of agency.clients) {
    // Customer messages across October and November (London), one thread each; 60 % answered 20 minutes later,
    // and a fifth of the answered get a thanks from the same customer 40 minutes after that.
    await owner`
      insert into items (agency_id, client_id, channel_id, external_id, thread_external_id, kind, author_external_id,
        author_handle, body, created_at, received_at)
      select ${agency.agencyId}, ${client.id}, ${client.channelId}, 'm-' || n, 't-' || n, 'comment', 'a-' || n,
        '@a' || n, (${texts}::text[])[1 + (n * 7919) % ${texts.length}] || ' #' || n, at, at
      from generate_series(1, ${PER_CLIENT * 2}) n,
        lateral (select timestamptz '2026-10-01 00:00:00+00' + (n * (61.0 * 86400 / ${PER_CLIENT * 2})) * interval '1 second' as at) t`;
    await owner`
      insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status, sent_at)
      select agency_id, client_id, id, channel_id, 'reply', 'On it', 'sent', created_at + interval '20 minutes'
      from items where client_id = ${client.id} and (hashtext(external_id) & 1023) < 614`;
    await owner`
      insert into items (agency_id, client_id, channel_id, external_id, thread_external_id, kind, author_external_id,
        author_handle, body, created_at, received_at)
      select i.agency_id, i.client_id, i.channel_id, i.external_id || '-thanks', i.thread_external_id, 'comment',
        i.author_external_id, i.author_handle, 'Thank you so much!', r.sent_at + interval '40 minutes',
        r.sent_at + interval '40 minutes'
      from items i join replies r on r.item_id = i.id
      where i.client_id = ${client.id} and (hashtext(i.external_id) & 1023) < 123`;
  }
  await owner`analyze`;
  const [{ count } = { count: 0 }] = await owner<Array<{ count: number }>>`select count(*)::int as count from items`;
  console.log(`loaded ${count} items in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

  const app = createDatabase({ url: bench.appUrl, max: 2 });
  const client = agency.clients[0];
  if (!client) throw new Error("no client");
  const reader = { agencyId: agency.agencyId, clientIds: [client.id] };
  const scope = { ...reader, actorId: agency.ownerUserId, role: "owner" as const };
  const filters = { from: "2026-11-01", to: "2026-11-30" };
  let figures: unknown;
  const read = () => withTenant(app, tenantOf(scope as never), (tx) => getInsight(reader, tx, filters));
  const coldStarted = performance.now();
  await read();
  const coldMs = performance.now() - coldStarted;
  const insightMs = await median(async () => {
    figures = await read();
  });
  // The bare statement: the same rows (October, November and the week after) with their first confirmed reply.
  const bareMs = await median(() =>
    withTenant(app, tenantOf(scope as never), (tx) =>
      tx.execute(sql`
        select i.id, i.body, i.created_at, i.thread_external_id, i.author_external_id, a.first_reply_at
        from items i left join lateral (
          select min(p.sent_at) as first_reply_at from replies p
          where p.agency_id = i.agency_id and p.item_id = i.id and p.status = 'sent'
        ) a on true
        where i.agency_id = ${agency.agencyId} and i.client_id = ${client.id} and not i.by_brand
          and i.received_at >= '2026-10-01' and i.received_at < '2026-12-09'`),
    ),
  );
  console.log(JSON.stringify(figures));
  console.log(
    `one client's month of insight (labels at read time): first read ${coldMs.toFixed(0)} ms, then (labels kept ` +
      `in the process) median ${insightMs.toFixed(0)} ms; ` +
      `bare read of the same rows ${bareMs.toFixed(0)} ms (ratio ${(insightMs / bareMs).toFixed(2)})`,
  );
  await closeDatabase(app);
  await owner.end();
} finally {
  await bench.stop();
}
