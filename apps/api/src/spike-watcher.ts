import type { createNotifier } from "@parley/connectors/notify";
import { detectSpikes, rememberUsualArrivals } from "@parley/core/floor";
import { type Clock, systemClock } from "@parley/core/kernel";
import type { Database } from "@parley/db";
import { createPoller } from "@parley/workflows";
import { fallbackLogger, type Logger } from "./logger";
import { startWorker } from "./readiness";

export interface SpikeWatcherOptions {
  db: Database;
  notifier: ReturnType<typeof createNotifier>;
  /** How often to look at every client's incoming rate (default every 5 seconds). */
  intervalMs?: number;
  now?: Clock;
  logger?: Logger;
}

/**
 * Spike detection (core's `detectSpikes`) every `intervalMs`, in every API process and whichever workflow mode: the
 * look is idempotent with several processes (an agency's looks take turns, an open spike is unique per client), so
 * each spike is raised and ended once however many processes run it. Looking every few seconds raises the alert
 * within seconds of the surge, before the incident's automatic escalations have gone out one by one (they roll up
 * only into an open spike's); each agency's usual arrivals are fitted once every few minutes
 * (`rememberUsualArrivals`), so a look only counts the window. An agency that fails is logged and the others still
 * run.
 */
export function startSpikeWatcher({
  db,
  notifier,
  intervalMs = 5_000,
  now = systemClock,
  logger = fallbackLogger,
}: SpikeWatcherOptions) {
  const usualArrivals = rememberUsualArrivals();
  const poller = createPoller({
    everyMs: intervalMs,
    firstAfterMs: intervalMs,
    run: async () => {
      const changes = await detectSpikes(db, {
        now: now(),
        notifier,
        usualArrivals,
        onError: (error, agencyId) => logger.error({ err: error, agencyId }, "spike detection failed"),
        onNoticeError: (error, notice) => logger.error({ err: error, notice: notice.kind }, "spike notice failed"),
      });
      for (const change of changes) {
        logger.info(
          { agencyId: change.agencyId, clientId: change.clientId, ratePerHour: Math.round(change.ratePerHour) },
          change.kind === "client.spike_started" ? "volume spike started" : "volume spike ended",
        );
      }
    },
    onError: (error) => logger.error({ err: error }, "spike detection failed"),
  });
  return startWorker(poller, 5 * intervalMs);
}
