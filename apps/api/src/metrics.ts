import { readOperationalCounts } from "@parley/core/moderation";
import type { Database } from "@parley/db";
import { sql } from "drizzle-orm";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's Prometheus metrics (`GET /metrics`). Counters and histograms are this process's own — sum them
 * across processes; the gauges read from the database at scrape time (queue depth, outbox) are the database's,
 * the same on every process — take one, not the sum.
 */
export interface Metrics {
  registry: Registry;
  /** One observation per answered request; `route` is the registered pattern or the tRPC procedure. */
  httpRequests: Histogram<"method" | "route" | "status">;
  /** Items stored by ingest (`created`) or recognised as already stored (`duplicate`); rate() is items/s. */
  ingestedItems: Counter<"outcome">;
  /** Claim next, from the call to its answer (the claim batcher's wait included). */
  claims: Histogram<"outcome">;
  /** Every recorded delivery attempt, by verdict. */
  deliveries: Counter<"verdict">;
  /** How late a workflow wake-up was claimed after it fell due. */
  wakeupLag: Histogram<"flow">;
  /** Open `GET /events` streams of this process. */
  liveStreams: Gauge;
}

export interface MetricsOptions {
  db: Database;
  /** The pool's `application_name` in pg_stat_activity (one per process), for the pool usage gauges. */
  applicationName?: string;
  poolMax?: number;
  /** Node's own metrics (event-loop lag, heap, GC, CPU): once per process, so the server's metrics only. */
  processMetrics?: boolean;
  /** A failed database read at scrape time (the gauges then show nothing for that scrape). */
  onCollectError?: (error: unknown) => void;
}

/** Reads at most once per second however many gauges (and scrapers) ask. */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > 1000) last = { at: now, value: read() };
    return last.value;
  };
}

export function createMetrics(options: MetricsOptions): Metrics {
  const { db } = options;
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const failed = (error: unknown) => options.onCollectError?.(error);

  const operationalCounts = sharedRead(() => readOperationalCounts(db));
  new Gauge({
    name: "parley_queue_depth",
    help: "Queued items per client (read from the database at scrape time)",
    labelNames: ["agency_id", "client_id"],
    registers,
    async collect() {
      this.reset();
      try {
        for (const row of (await operationalCounts()).queued) {
          this.set({ agency_id: row.agencyId, client_id: row.clientId }, row.count);
        }
      } catch (error) {
        failed(error);
      }
    },
  });
  new Gauge({
    name: "parley_outbox_deliveries",
    help: "Outbox deliveries: pending (not attempted yet), retrying, failed (last 24 h)",
    labelNames: ["state"],
    registers,
    async collect() {
      this.reset();
      try {
        const { outbox } = await operationalCounts();
        for (const state of ["pending", "retrying", "failed"] as const) this.set({ state }, outbox[state]);
      } catch (error) {
        failed(error);
      }
    },
  });
  if (options.applicationName) {
    const applicationName = options.applicationName;
    new Gauge({
      name: "parley_db_pool_connections",
      help: "This process's pooled database connections by state (pg_stat_activity)",
      labelNames: ["state"],
      registers,
      async collect() {
        this.reset();
        try {
          const rows = await db.execute<{ state: string | null; count: number }>(sql`
            select state, count(*)::int as count from pg_stat_activity
            where application_name = ${applicationName} and pid <> pg_backend_pid() group by state`);
          for (const row of rows) this.set({ state: row.state ?? "unknown" }, row.count);
        } catch (error) {
          failed(error);
        }
      },
    });
    new Gauge({
      name: "parley_db_pool_max",
      help: "Size limit of this process's pools (main and ingest)",
      registers,
    }).set(options.poolMax ?? 0);
  }

  return {
    registry,
    httpRequests: new Histogram({
      name: "parley_http_request_duration_seconds",
      help: "HTTP requests by method, route and status: time to the response's headers",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    ingestedItems: new Counter({
      name: "parley_ingested_items_total",
      help: "Items received by ingest: created, or duplicate (already stored)",
      labelNames: ["outcome"],
      registers,
    }),
    claims: new Histogram({
      name: "parley_claim_duration_seconds",
      help: "Claim next: time to the answer, by outcome (claimed, empty, error)",
      labelNames: ["outcome"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    deliveries: new Counter({
      name: "parley_deliveries_total",
      help: "Outbox delivery attempts recorded by this process, by verdict (sent, retrying, failed)",
      labelNames: ["verdict"],
      registers,
    }),
    wakeupLag: new Histogram({
      name: "parley_workflow_wakeup_lag_seconds",
      help: "Time from a workflow wake-up's due time to its claim, by flow",
      labelNames: ["flow"],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    liveStreams: new Gauge({ name: "parley_live_streams", help: "Open GET /events streams", registers }),
  };
}
