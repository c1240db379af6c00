import type { Database } from "@parley/db";
import type { Poller } from "@parley/workflows";
import { sql } from "drizzle-orm";

/** A background loop of the process, as `/readyz` sees it. */
export interface WorkerStatus {
  running: boolean;
  /** When its loop last completed a pass; null before the first. */
  lastRunAt: Date | null;
  /** A running worker whose last pass is older than this is stuck: not ready. */
  staleAfterMs: number;
}

/**
 * Starts a background loop of the process and gives what its owner and `/readyz` need of it: one more look now, its
 * status (stuck once its last pass is older than `staleAfterMs`) and its stop.
 */
export function startWorker(poller: Poller, staleAfterMs: number) {
  poller.start();
  return {
    /** Looks now (or waits for the look under way). */
    runNow: (): Promise<void> => poller.runNow(),
    status: (): WorkerStatus => ({ running: poller.running, lastRunAt: poller.lastRunAt, staleAfterMs }),
    stop: (): Promise<void> => poller.stop(),
  };
}

export interface ReadinessSource {
  /** Checked once at start-up, under the migration lock: what the database has against what this build ships. */
  migrations: { applied: number; expected: number };
  workers(): Record<string, WorkerStatus>;
  /** True from the first shutdown signal: the load balancer stops sending new requests. */
  stopping(): boolean;
}

export interface ReadinessReport {
  ok: boolean;
  db: "up" | "down";
  stopping?: boolean;
  migrations?: { applied: number; expected: number; ok: boolean };
  workers?: Record<string, { running: boolean; lastRunSecondsAgo: number | null; ok: boolean }>;
}

/** `/readyz`: the database answers; with a source, the migrations are in, every worker runs, and no shutdown began. */
export async function checkReadiness(
  db: Database,
  source: ReadinessSource | undefined,
  now = new Date(),
): Promise<ReadinessReport> {
  let dbUp = true;
  try {
    await db.execute(sql`select 1`);
  } catch {
    dbUp = false;
  }
  if (!source) return { ok: dbUp, db: dbUp ? "up" : "down" };
  const migrations = { ...source.migrations, ok: source.migrations.applied >= source.migrations.expected };
  const workers = Object.fromEntries(
    Object.entries(source.workers()).map(([name, status]) => {
      const ageMs = status.lastRunAt ? now.getTime() - status.lastRunAt.getTime() : null;
      // Before its first pass a worker counts as running (the first pass may wait for its interval).
      const ok = status.running && (ageMs === null || ageMs <= status.staleAfterMs);
      return [name, { running: status.running, lastRunSecondsAgo: ageMs === null ? null : ageMs / 1000, ok }];
    }),
  );
  const stopping = source.stopping();
  const ok = dbUp && !stopping && migrations.ok && Object.values(workers).every((worker) => worker.ok);
  return { ok, db: dbUp ? "up" : "down", stopping, migrations, workers };
}
