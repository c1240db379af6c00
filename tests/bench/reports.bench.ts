// Reports over a month of ITEMS items (default 2M) across 50 clients, generated set-based in a throwaway embedded
// PostgreSQL (generate_series: items, replies with their outbound deliveries, first-response and resolution
// clocks, escalations, and the moderators' audit trail: a claim and a handling action per handled item, which the
// report's handling time and moderator work read), so the report's joins read what production's do; then the API's
// item facts sweep (`sweepItemFacts`) writes every settled client-day's facts and report cells, as it would by the next
// day:
// - one client's month report (`getReport`; target < 300 ms), and as a ratio to a bare SQL aggregate over the same
//   rows (the month's items, clocks and replies counted from their client-month indexes);
// - its one-row-per-item CSV streamed the way `GET /v1/reports/items.csv` does it (`streamReportItemsCsv`: one
//   statement in one tenant transaction, its rows written as CSV by PostgreSQL's COPY from `reportItemsCsvColumns`'
//   cells; target ≥ 50k rows/s), and as a ratio to a bare `COPY (select …) to stdout` of the same items' own columns.
// Run: npm run bench -- reports   (ITEMS=500000 for a quicker run; EXPLAIN=1 prints the report's statements' plans)

import { finished } from "node:stream/promises";
import type { ReportReader } from "@parley/core/reports";
import { getReport, streamReportItemsCsv, sweepItemFacts } from "@parley/core/reports";
import { ALWAYS_OPEN, monthlyPeriod } from "@parley/core/sla";
import { closeDatabase, createDatabase, withTenant } from "@parley/db";
import { reportItemsCsvColumns, reportItemsCsvHead } from "@parley/documents";
import { type SQL, sql } from "drizzle-orm";
import postgres from "postgres";
import { addBenchMember, describeMachine, percentile, seedBenchAgency, startBenchDatabase } from "./bench-database";

const ITEMS = Number(process.env.ITEMS ?? 2_000_000);
const CLIENTS = 50;
const MONTH = "2026-03"; // a DST month in Europe/London
const RUNS = 7;
const REPORT_TARGET_MS = 300;
const CSV_TARGET_ROWS_PER_SECOND = 50_000;

async function median(run: () => Promise<unknown>, times = RUNS): Promise<number> {
  await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const began = performance.now();
    await run();
    samples.push(performance.now() - began);
  }
  return percentile(samples, 50);
}

const bench = await startBenchDatabase();
try {
  const agency = await seedBenchAgency(bench, { clients: CLIENTS, name: "Bench Reports" });
  const owner = postgres(bench.ownerUrl, { max: 1, onnotice: () => {} });
  const ownerDb = createDatabase({ url: bench.ownerUrl, max: 1 });
  const moderator = await addBenchMember(ownerDb, {
    agencyId: agency.agencyId,
    role: "moderator",
    assignments: agency.clients.map((client) => ({ clientId: client.id, authority: "respond" as const })),
  });
  await closeDatabase(ownerDb);
  const period = monthlyPeriod(MONTH, "Europe/London");
  const spanMs = period.to.getTime() - period.from.getTime();

  // ——— Generate, set-based ———
  // Foreign keys are not checked while loading (replica mode skips their triggers): the rows are made from the
  // rows they reference, and per-row checks tripled the load's time on this machine.
  await owner`set session_replication_role = replica`;
  await owner`set maintenance_work_mem = '512MB'`;
  const loadStarted = performance.now();
  const step = async (name: string, statement: string) => {
    const began = performance.now();
    const result = await owner.unsafe(statement);
    console.log(
      `  ${name}: ${result.count.toLocaleString("en")} rows in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
  };
  // The loaded tables' indexes are dropped and built again after the load (one sort each instead of millions of
  // insertions into every index: the load took 1,057 s with them in place); those behind constraints stay.
  const loaded = ["items", "replies", "outbound_deliveries", "sla_clocks", "escalations", "audit_events"];
  const indexes = await owner<Array<{ name: string; definition: string }>>`
    select x.indexrelid::regclass::text as name, pg_get_indexdef(x.indexrelid) as definition
    from pg_index x join pg_class t on t.oid = x.indrelid
    where t.relnamespace = 'public'::regnamespace and t.relname = any(${loaded})
      and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)`;
  for (const index of indexes) await owner.unsafe(`drop index ${index.name}`);
  await owner`create temporary table bench_clients as
    select row_number() over (order by c.id)::int - 1 as k, c.id as client_id, ch.id as channel_id
    from clients c join channels ch on ch.client_id = c.id where c.agency_id = ${agency.agencyId}`;
  // Items arrive in time order across the month (as `received_at` does in production), clients round-robin,
  // priorities spread, a few hidden, deleted or left alone. `h` is a per-item pseudo-random number.
  await step(
    "items",
    `insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
       created_at, received_at, status, priority, moderation_action)
     select '${agency.agencyId}', c.client_id, c.channel_id, 'ext-' || n, 'comment', 'a' || (n % 997), '@a' || (n % 997),
       'Where is my parcel? Order ' || n, t - interval '1 minute', t,
       (case when h % 50 = 0 then 'hidden' when h % 50 = 1 then 'deleted' when h % 50 = 2 then 'no_action'
             else 'responded' end)::item_status,
       (array['P1','P2','P3','P4'])[1 + (n / ${CLIENTS}) % 4]::priority,
       (case when h % 50 = 0 then 'hide' when h % 50 = 1 then 'delete' end)::moderation_action
     from generate_series(0, ${ITEMS - 1}) n
     join bench_clients c on c.k = n % ${CLIENTS}
     cross join lateral (select timestamptz '${period.from.toISOString()}'
       + (n * (${spanMs}::float8 / ${ITEMS})) * interval '1 millisecond' as t, abs(hashint4(n)) as h) at`,
  );
  // Every answered item gets a reply 5–84 minutes after it was written; two in five get an acknowledgement first.
  await step(
    "replies",
    `insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status, sent_at, author_user_id,
       created_at, updated_at)
     select i.agency_id, i.client_id, i.id, i.channel_id, r.kind::reply_kind, 'Thanks for writing', 'sent',
       i.created_at + r.after, '${moderator}', i.created_at + r.after, i.created_at + r.after
     from items i
     cross join lateral (select abs(hashtext(i.external_id)) as h) hh
     cross join lateral (values ('reply', (5 + hh.h % 80) * interval '1 minute'),
       ('acknowledgement', (1 + hh.h % 4) * interval '1 minute')) r(kind, after)
     where i.agency_id = '${agency.agencyId}' and i.status = 'responded' and (r.kind = 'reply' or hh.h % 5 < 2)`,
  );
  await step(
    "outbound deliveries",
    `insert into outbound_deliveries (agency_id, client_id, channel_id, item_id, reply_id, action, status, attempts,
       next_attempt_at, created_at, updated_at)
     select agency_id, client_id, channel_id, item_id, id, 'reply', 'sent', 1, sent_at, sent_at, sent_at from replies
     where agency_id = '${agency.agencyId}'`,
  );
  const calendar = JSON.stringify(ALWAYS_OPEN).replaceAll("'", "''");
  await step(
    "clocks",
    `insert into sla_clocks (agency_id, client_id, item_id, metric, priority, target_minutes, calendar, started_at,
       due_at, at_risk_at, stopped_at, client_side_ms, met)
     select i.agency_id, i.client_id, i.id, m.metric::clock_metric, i.priority, m.target, '${calendar}'::jsonb,
       i.received_at, i.received_at + m.target * interval '1 minute', i.received_at + m.target * 0.8 * interval '1 minute',
       i.received_at + m.took * interval '1 minute', 0, m.took <= m.target
     from items i
     cross join lateral (select abs(hashtext(i.external_id)) as h) hh
     cross join lateral (values ('first_response', 60, 5 + hh.h % 80), ('resolution', 480, 30 + hh.h % 600))
       m(metric, target, took)
     where i.agency_id = '${agency.agencyId}'`,
  );
  await step(
    "escalations",
    `insert into escalations (agency_id, client_id, item_id, packet, status, level_started_at, answer, answered_at,
       resolved_at, created_at, updated_at)
     select agency_id, client_id, id, '{}'::jsonb, 'resolved', received_at + interval '10 minutes', 'Answered',
       received_at + (30 + abs(hashtext(external_id)) % 120) * interval '1 minute',
       received_at + interval '4 hours', received_at + interval '10 minutes', received_at + interval '4 hours'
     from items where agency_id = '${agency.agencyId}' and external_id like '%37'`,
  );
  // Every item is handled by a moderator: claimed 1–3 minutes after it arrived, then replied to (a queued reply,
  // audited on the reply), hidden, deleted or left alone 3 minutes later — the measured claims of staffing.
  await step(
    "audit events",
    `insert into audit_events (agency_id, client_id, actor_user_id, action, subject_type, subject_id, after, created_at)
     select i.agency_id, i.client_id, '${moderator}', e.action, e.subject_type, e.subject_id, e.after,
       i.received_at + e.after_arrival
     from items i
     cross join lateral (select (1 + abs(hashtext(i.external_id)) % 3) * interval '1 minute' as claimed) hh
     cross join lateral (values
       ('item.claimed', 'item', i.id::text, null::jsonb, hh.claimed),
       (case i.status when 'responded' then 'reply.queued' when 'hidden' then 'item.hidden'
          when 'deleted' then 'item.deleted' else 'item.no_action' end,
        case when i.status = 'responded' then 'reply' else 'item' end,
        case when i.status = 'responded' then null else i.id::text end,
        case when i.status = 'responded' then jsonb_build_object('itemId', i.id) end,
        hh.claimed + interval '3 minutes')) e(action, subject_type, subject_id, after, after_arrival)
     where i.agency_id = '${agency.agencyId}'`,
  );
  const indexing = performance.now();
  for (const index of indexes) await owner.unsafe(index.definition);
  console.log(`  ${indexes.length} indexes built in ${((performance.now() - indexing) / 1000).toFixed(1)} s`);
  await owner`set session_replication_role = origin`;
  await owner.unsafe("vacuum analyze");
  console.log(
    `generated ${ITEMS.toLocaleString("en")} items over ${CLIENTS} clients (replies, deliveries, clocks, escalations, audit events) in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (${describeMachine()})`,
  );

  // ——— Item facts: the API's sweep writes every settled client-day's facts (all of the month's, here) ———
  const db = createDatabase({ url: bench.appUrl, max: 2 });
  const sweepStarted = performance.now();
  let factDays = 0;
  for (;;) {
    const written = await sweepItemFacts(db, { now: new Date() });
    if (written === 0) break;
    factDays += written;
  }
  await owner.unsafe(
    "vacuum analyze item_facts, item_fact_days, report_cells, report_moderator_cells, report_backlog_cells",
  );
  console.log(
    `  item facts and report cells: ${factDays.toLocaleString("en")} client-days in ${((performance.now() - sweepStarted) / 1000).toFixed(1)} s (${describeMachine()})`,
  );

  // ——— Measure ———
  const client = agency.clients[0]!.id;
  const reader: ReportReader = { agencyId: agency.agencyId, clientIds: null };
  const tenant = { agencyId: agency.agencyId, clientIds: null };
  const now = () => new Date("2026-04-02T00:00:00Z");
  const filters = { from: `${MONTH}-01`, to: `${MONTH}-31`, clientIds: [client] };
  const from = period.from.toISOString();
  const to = period.to.toISOString();

  if (process.env.EXPLAIN) {
    // Each of the report's statements explained as it runs: its transaction's `execute` explains first.
    await withTenant(db, tenant, async (tx) => {
      const explaining = new Proxy(tx, {
        get: (target, property, receiver) =>
          property === "execute"
            ? async (query: SQL) => {
                const plan = await target.execute<{ "QUERY PLAN": string }>(sql`explain (analyze, buffers) ${query}`);
                console.log(plan.map((row) => row["QUERY PLAN"]).join("\n"));
                return target.execute(query);
              }
            : Reflect.get(target, property, receiver),
      });
      await getReport(reader, explaining, filters, { now });
    });
  }

  const report = () => withTenant(db, tenant, (tx) => getReport(reader, tx, filters, { now }));
  /**
   * The bare aggregate: the least work reading the same rows — the client's month of items counted by priority,
   * its clocks counted (all and met) by metric, and its sent replies counted, each from its client-month index.
   * No joins, percentiles, lateral reads or groupings by day, hour and channel.
   */
  const bareAggregate = () =>
    withTenant(db, tenant, async (tx) => {
      await tx.execute(sql`select priority, count(*) from items
        where agency_id = ${agency.agencyId} and client_id = ${client} and received_at >= ${from} and received_at < ${to}
          and not by_brand group by priority`);
      await tx.execute(sql`select metric, count(*), count(*) filter (where stopped_at <= due_at) from sla_clocks
        where agency_id = ${agency.agencyId} and client_id = ${client} and started_at >= ${from} and started_at < ${to}
        group by metric`);
      await tx.execute(sql`select count(*) from replies
        where agency_id = ${agency.agencyId} and client_id = ${client} and status = 'sent'
          and sent_at >= ${from} and sent_at < ${to}`);
    });

  const columns = reportItemsCsvColumns("https://parley.example/console/items/");
  /** The export route's loop, to a sink: one cursor in one tenant transaction. Returns the rows written. */
  const exportCsv = () =>
    withTenant(db, tenant, async (tx) => {
      let bytes = reportItemsCsvHead().length;
      let rows = 0;
      for await (const chunk of await streamReportItemsCsv(reader, tx, { ...filters, figure: "items_in" }, columns, {
        now,
      })) {
        bytes += chunk.length;
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows++;
      }
      return { rows, bytes };
    });
  /** The bare COPY: the same items' own columns, as CSV, straight out of the server (no joins). */
  // The tenant is the connection's own setting: a COPY streamed inside \`begin\` stopped after its first chunks once the
  // client's month was more than a few thousand rows (the bench then waited forever, connections idle); the export's
  // COPY, read through `copyCsvRows`, runs in its tenant transaction.
  const app = postgres(bench.appUrl, { max: 1, onnotice: () => {}, connection: { "app.agency_id": agency.agencyId } });
  const bareCopy = async () => {
    let bytes = 0;
    const readable = await app
      .unsafe(`copy (select i.id, i.client_id, i.channel_id, i.customer_id, i.author_handle, i.category_key, i.tags,
            i.priority, i.status, i.moderation_action, i.created_at, i.received_at from items i
          where i.agency_id = '${agency.agencyId}' and i.client_id = '${client}'
            and i.received_at >= '${from}' and i.received_at < '${to}' and not i.by_brand
          order by i.received_at desc, i.id desc) to stdout with (format csv)`)
      .readable();
    readable.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    await finished(readable);
    return bytes;
  };

  // Each phase says when it is done: a run that stops making progress shows where.
  const phase = async <T>(name: string, work: () => Promise<T>) => {
    const began = performance.now();
    const result = await work();
    console.log(`  ${name}: done in ${((performance.now() - began) / 1000).toFixed(1)} s (${describeMachine()})`);
    return result;
  };
  const reportMs = await phase("reports", () => median(report));
  const bareMs = await phase("bare aggregates", () => median(bareAggregate));
  const { rows: exportedRows, bytes: exportedBytes } = await phase("first export", exportCsv);
  const exportMs = await phase("exports", () => median(exportCsv, 3));
  const copyMs = await phase("bare COPYs", () => median(bareCopy, 3));
  const rowsPerSecond = exportedRows / (exportMs / 1000);
  const copyRowsPerSecond = exportedRows / (copyMs / 1000);
  const totals = (await report()).totals;
  const verdict = (pass: boolean) => (pass ? "PASS" : "FAIL");
  console.log(`\nwith the migrated indexes (${describeMachine()} after measuring)`);
  console.log(
    `  one client's month report (${totals.itemsIn.toLocaleString("en")} items): ${reportMs.toFixed(1)} ms (median of ${RUNS}); bare SQL aggregate ${bareMs.toFixed(1)} ms; ratio ${(reportMs / bareMs).toFixed(2)}×`,
  );
  console.log(
    `  its per-item CSV: ${exportedRows.toLocaleString("en")} rows (${(exportedBytes / 1e6).toFixed(1)} MB) in ${exportMs.toFixed(0)} ms = ${Math.round(rowsPerSecond).toLocaleString("en")} rows/s (median of 3); bare COPY ${copyMs.toFixed(0)} ms = ${Math.round(copyRowsPerSecond).toLocaleString("en")} rows/s; ratio ${(rowsPerSecond / copyRowsPerSecond).toFixed(2)}× COPY's rate`,
  );
  console.log(`${verdict(reportMs < REPORT_TARGET_MS)} one client's month report < ${REPORT_TARGET_MS} ms`);
  console.log(
    `${verdict(rowsPerSecond >= CSV_TARGET_ROWS_PER_SECOND)} its CSV streamed at >= ${CSV_TARGET_ROWS_PER_SECOND.toLocaleString("en")} rows/s`,
  );
  await app.end();
  await closeDatabase(db);
  await owner.end();
} finally {
  await bench.stop();
}
