import { type Clock, systemClock } from "@parley/core/kernel";
import { sweepItemFacts } from "@parley/core/reports";
import type { Database } from "@parley/db";
import { createPoller } from "@parley/workflows";
import { fallbackLogger, type Logger } from "./logger";
import { startWorker } from "./readiness";

export interface ItemFactsSweeperOptions {
  db: Database;
  /** How often to look for settled or stale client-days without facts (default every minute). */
  intervalMs?: number;
  now?: Clock;
  logger?: Logger;
}

/**
 * The item facts sweep (core's `sweepItemFacts`) every `intervalMs`, in every API process and whichever workflow mode:
 * each client's days are written under its advisory lock, so processes share the work, and a day a write marked stale
 * is written again within a minute (reports build its rows live meanwhile). An agency that fails is logged and the
 * others still run.
 */
export function startItemFactsSweeper({
  db,
  intervalMs = 60_000,
  now = systemClock,
  logger = fallbackLogger,
}: ItemFactsSweeperOptions) {
  const poller = createPoller({
    everyMs: intervalMs,
    firstAfterMs: intervalMs,
    run: async () => {
      const days = await sweepItemFacts(db, {
        now: now(),
        onError: (error, agencyId) => logger.error({ err: error, agencyId }, "item facts sweep failed"),
      });
      if (days > 0) logger.info({ days }, "item facts written");
    },
    onError: (error) => logger.error({ err: error }, "item facts sweep failed"),
  });
  return startWorker(poller, 5 * intervalMs);
}
