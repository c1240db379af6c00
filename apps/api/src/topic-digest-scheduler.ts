import { type Clock, type Notifier, systemClock } from "@parley/core/kernel";
import { runTopicDigests } from "@parley/core/reports";
import type { Database } from "@parley/db";
import { createPoller } from "@parley/workflows";
import { fallbackLogger, type Logger } from "./logger";
import { startWorker } from "./readiness";

export interface TopicDigestSchedulerOptions {
  db: Database;
  /** E-mail to the stakeholders (SMTP); without one, the digests are in-app notices only. */
  notifier?: Notifier;
  /** How often to look whether a client's week is due (default hourly, like the Inngest cron). */
  intervalMs?: number;
  now?: Clock;
  logger?: Logger;
}

/**
 * The embedded driver of the weekly topic digests, for when no Inngest server runs: looks at start-up and then every
 * `intervalMs`, and runs core's `runTopicDigests` — the same decision (`findDueTopicDigests`: Monday 06:00 in each
 * client's zone) and the same once-per-week digests as the Inngest cron (@parley/workflows
 * `createTopicDigestsFunction`). Several processes may each run it: the digest row's unique key lets one send.
 */
export function startTopicDigestScheduler({
  db,
  notifier,
  intervalMs = 3_600_000,
  now = systemClock,
  logger = fallbackLogger,
}: TopicDigestSchedulerOptions) {
  const poller = createPoller({
    everyMs: intervalMs,
    run: async () => {
      const outcomes = await runTopicDigests(
        db,
        {
          now: now(),
          onError: (error, digest) =>
            logger.error({ err: error, clientId: digest.clientId, weekStart: digest.weekStart }, "topic digest failed"),
        },
        {
          notifier,
          onNoticeError: (error, notice) =>
            logger.error({ err: error, notice: notice.kind }, "topic digest e-mail failed"),
        },
      );
      const sent = outcomes.filter((outcome) => outcome.status === "sent" && outcome.recipients > 0).length;
      if (sent > 0) logger.info({ sent }, `Sent ${sent} weekly topic digest(s).`);
    },
    onError: (error) => logger.error({ err: error }, "topic digests failed"),
  });
  return startWorker(poller, 3 * intervalMs);
}
