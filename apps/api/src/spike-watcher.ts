import type { createNotifier } from "@parley/connectors/notify";
import { detectSpikes } from "@parley/core/floor";
import { type Clock, systemClock } from "@parley/core/kernel";
import type { Database } from "@parley/db";
import { createPoller } from "@parley/workflows";
import { fallbackLogger, type Logger } from "./logger";
import { startWorker } from "./readiness";

export interface SpikeWatcherOptions {
  db: Database;
  notifier: ReturnType<typeof createNotifier>;
  /** How often to look at every client's incoming rate (default every minute). */
  intervalMs?: number;
  now?: Clock;
  logger?: Logger;
}

/**
 * Spike detection (core's `detectSpikes`) every `intervalMs`, in every API process and whichever workflow mode: the
 * look is idempotent with several processes (an agency's looks take turns, an open spike is unique per client), so
 * each spike is raised and ended once however many processes run it; a minute's look keeps an alert within a
 * minute of the surge. An agency that fails is logged and the others still run.
 */
export function startSpikeWatcher({
  db,
  notifier,
  intervalMs = 60_000,
  now = systemClock,
  logger = fallbackLogger,
}: SpikeWatcherOptions) {
  const poller = createPoller({
    everyMs: intervalMs,
    firstAfterMs: intervalMs,
    run: async () => {
      const changes = await detectSpikes(db, {
        now: now(),
        notifier,
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
