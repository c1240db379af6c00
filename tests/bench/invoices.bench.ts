// Invoice drafts over a month of ITEMS items (default 2M) across 50 clients, loaded with COPY into a
// throwaway embedded PostgreSQL: one client's draft (target < 150 ms) and all 50 clients' drafts
// (target < 3 s), each also as a ratio to a bare SQL aggregate over the same rows on the same server.
// Run: node --import tsx tests/bench/invoices.bench.ts   (ITEMS=500000 for a quicker run)
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createInvoiceDrafts } from "@parley/core/billing";
import type { Scope } from "@parley/core/kernel";
import { ALWAYS_OPEN, monthlyPeriod } from "@parley/core/sla";
import { closeDatabase, createDatabase, schema, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describeMachine, percentile, seedBenchAgency, startBenchDatabase } from "./bench-database";
import { createRandom } from "./seeded-random";

const ITEMS = Number(process.env.ITEMS ?? 2_000_000);
const CLIENTS = 50;
const PERIOD = "2026-03"; // a DST month in Europe/London
const RUNS = 7;
const ONE_CLIENT_TARGET_MS = 150;
const ALL_CLIENTS_TARGET_MS = 3_000;

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
  const agency = await seedBenchAgency(bench, { clients: CLIENTS, name: "Bench Billing" });
  const owner = postgres(bench.ownerUrl, { max: 2, onnotice: () => {} });
  const period = monthlyPeriod(PERIOD, "Europe/London");
  const span = period.to.getTime() - period.from.getTime();
  const calendar = JSON.stringify(ALWAYS_OPEN).replaceAll('"', '""');

  // ——— Load with COPY ———
  const loadStarted = performance.now();
  const random = createRandom(2026);
  const itemIds: string[] = new Array(ITEMS);
  const receivedAt: number[] = new Array(ITEMS);
  const priorityOf: string[] = new Array(ITEMS);
  const priorities = ["P1", "P2", "P3", "P4"];
  // Items arrive in time order, as in production (`received_at` is when they came in), so the tables' rows
  // follow the month the way a real month's do.
  const arrivals = Float64Array.from(
    { length: ITEMS },
    () => period.from.getTime() + Math.floor(random() * span),
  ).sort();
  async function copy(statement: string, rows: (index: number) => string) {
    const writable = await owner.unsafe(statement).writable();
    await pipeline(
      Readable.from(
        (function* () {
          const batch: string[] = [];
          for (let i = 0; i < ITEMS; i++) {
            batch.push(rows(i));
            if (batch.length === 5_000) yield `${batch.splice(0).join("")}`;
          }
          if (batch.length > 0) yield batch.join("");
        })(),
      ),
      writable,
    );
  }
  await copy(
    "copy items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body, created_at, received_at, status, priority) from stdin with (format csv)",
    (i) => {
      const client = agency.clients[i % CLIENTS]!;
      const id = randomUUID();
      const at = arrivals[i]!;
      itemIds[i] = id;
      receivedAt[i] = at;
      const iso = new Date(at).toISOString();
      const priority = priorities[Math.floor(random() * 4)]!;
      priorityOf[i] = priority;
      return `${id},${agency.agencyId},${client.id},${client.channelId},ext-${i},comment,a${i % 997},@a${i % 997},Bench item,${iso},${iso},responded,${priority}\n`;
    },
  );
  await copy(
    "copy sla_clocks (agency_id, client_id, item_id, metric, priority, target_minutes, calendar, started_at, due_at, at_risk_at, stopped_at, client_side_ms, met) from stdin with (format csv)",
    (i) => {
      const client = agency.clients[i % CLIENTS]!;
      const at = receivedAt[i]!;
      const clientSide = random() < 0.05 ? Math.floor(random() * 30) * 60_000 : 0;
      const due = at + 60 * 60_000 + clientSide;
      const stopped = at + Math.floor((10 + random() * 70) * 60_000) + clientSide;
      const iso = (ms: number) => new Date(ms).toISOString();
      return `${agency.agencyId},${client.id},${itemIds[i]},first_response,${priorityOf[i]},60,"${calendar}",${iso(at)},${iso(due)},${iso(at + 48 * 60_000)},${iso(stopped)},${clientSide},${stopped <= due}\n`;
    },
  );
  await owner.unsafe(`
    insert into escalations (agency_id, client_id, item_id, packet, status, created_at)
    select agency_id, client_id, id, '{}'::jsonb, 'resolved', received_at from items where external_id like 'ext-%7'`);
  const terms = {
    currency: "EUR",
    validFrom: "2026-01-01",
    retainerMinor: 450_000,
    includedItems: 30_000,
    overageTiers: [
      { upTo: 5_000, unitPriceMinor: 40 },
      { upTo: null, unitPriceMinor: 30 },
    ],
    escalationFeeMinor: 1_500,
    outOfHoursSurchargeMinor: 25,
    slaTargets: priorities.map((priority) => ({
      priority,
      metric: "first_response",
      minutes: 60,
      calendar: "24x7",
      complianceTargetPercent: 95,
    })),
    creditTiers: [
      { fromPercent: 90, toPercent: 95, creditPercent: 5 },
      { fromPercent: 0, toPercent: 90, creditPercent: 10 },
    ],
    creditCapPercent: 15,
    excludeClientSideTime: true,
  };
  const weekdays: [string, string][] = [["09:00", "18:00"]];
  for (const client of agency.clients) {
    await owner`insert into contracts (agency_id, client_id, valid_from, currency, terms)
      values (${agency.agencyId}, ${client.id}, '2026-01-01', 'EUR', ${owner.json(terms)})`;
    await owner`update clients set business_calendar = ${owner.json({
      timeZone: "Europe/London",
      weekly: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
    })} where id = ${client.id}`;
  }
  await owner.unsafe("vacuum analyze");
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  console.log(
    `loaded ${ITEMS.toLocaleString("en")} items + clocks over ${CLIENTS} clients with COPY in ${loadSeconds.toFixed(1)} s (${describeMachine()})`,
  );

  // ——— Measure ———
  const db = createDatabase({ url: bench.appUrl, max: 2 });
  const scope: Scope = {
    agencyId: agency.agencyId,
    actorId: agency.ownerUserId,
    membershipId: agency.ownerUserId,
    role: "owner",
    clientIds: null,
    clientAdminOf: [],
  };
  const tenant = { agencyId: agency.agencyId, clientIds: null };
  const oneClient = agency.clients[0]!.id;
  const asOf = new Date("2026-04-02T00:00:00Z");
  const from = period.from.toISOString();
  const to = period.to.toISOString();

  /**
   * The bare aggregate: the least work that reads the same rows — the month's items counted per client,
   * and its clocks counted (all, and stopped by their due time) per client, clock priority and metric,
   * each from its client-month index alone. No calendar, escalations, pauses, breached ids, tiers or
   * stored lines.
   */
  const bareAggregate = (clientId: string | null) =>
    withTenant(db, tenant, async (tx) => {
      const clients = sql`${`{${(clientId ? [clientId] : agency.clients.map((client) => client.id)).join(",")}}`}::uuid[]`;
      await tx.execute(sql`select client_id, count(*) from items
        where agency_id = ${agency.agencyId} and client_id = any(${clients}) and received_at >= ${from} and received_at < ${to}
        group by client_id`);
      await tx.execute(sql`select client_id, priority, metric, count(*), count(*) filter (where stopped_at <= due_at)
        from sla_clocks
        where agency_id = ${agency.agencyId} and client_id = any(${clients}) and started_at >= ${from} and started_at < ${to}
        group by 1, 2, 3`);
    });

  const one = await median(() =>
    withTenant(db, tenant, (tx) =>
      createInvoiceDrafts(scope, tx, { period: PERIOD, clientIds: [oneClient] }, { now: () => asOf }),
    ),
  );
  const oneBare = await median(() => bareAggregate(oneClient));
  const all = await median(
    () => withTenant(db, tenant, (tx) => createInvoiceDrafts(scope, tx, { period: PERIOD }, { now: () => asOf })),
    3,
  );
  const allBare = await median(() => bareAggregate(null), 3);
  const verdict = (ms: number, target: number) => (ms < target ? "PASS" : "FAIL");
  console.log(`\nwith the migrated indexes (${describeMachine()} after measuring)`);
  console.log(
    `  one client's draft: ${one.toFixed(1)} ms (median of ${RUNS}); bare SQL aggregate ${oneBare.toFixed(1)} ms; ratio ${(one / oneBare).toFixed(2)}×`,
  );
  console.log(
    `  all ${CLIENTS} clients' drafts: ${all.toFixed(0)} ms (median of 3); bare SQL aggregate ${allBare.toFixed(0)} ms; ratio ${(all / allBare).toFixed(2)}×`,
  );
  console.log(`${verdict(one, ONE_CLIENT_TARGET_MS)} one client's draft < ${ONE_CLIENT_TARGET_MS} ms`);
  console.log(`${verdict(all, ALL_CLIENTS_TARGET_MS)} all ${CLIENTS} clients' drafts < ${ALL_CLIENTS_TARGET_MS} ms`);
  const [invoice] = await withTenant(db, tenant, (tx) =>
    tx.select().from(schema.invoices).where(sql`client_id = ${oneClient}`),
  );
  console.log(`  (client 1's draft: total ${invoice?.totalMinor} minor units, credits ${invoice?.creditsMinor})`);
  await closeDatabase(db);
  await owner.end();
} finally {
  await bench.stop();
}
