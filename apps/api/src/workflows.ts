import { createNotifier } from "@parley/connectors/notify";
import { createMonthlyInvoiceDrafts, findDueMonthlyInvoiceRuns } from "@parley/core/billing";
import { createTriageStore } from "@parley/core/escalations";
import { createWakeupQueue, type DatabaseWakeupQueue, findFlowEvents, reconcileWakeups } from "@parley/core/flows";
import { type Clock, systemClock } from "@parley/core/kernel";
import { findDueTopicDigests, sendMonthlyClientReports, sendTopicDigest } from "@parley/core/reports";
import { createClockStore } from "@parley/core/sla";
import type { Database } from "@parley/db";
import { renderMonthlyReportPdf } from "@parley/documents";
import {
  createEmbeddedDriver,
  createInngestClient,
  createInngestHandler,
  createMonthlyInvoicesFunction,
  createPoller,
  createSlaWatchFunction,
  createTopicDigestsFunction,
  createTriageFunction,
  retryWakeupLater,
} from "@parley/workflows";
import type { Hono, Env as HonoEnv } from "hono";
import type { Env } from "./env";
import { fallbackLogger, type Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { WorkerStatus } from "./readiness";

export type WorkflowEnv = Pick<
  Env,
  | "SMTP_URL"
  | "SMTP_FROM"
  | "INNGEST_SIGNING_KEY"
  | "INNGEST_EVENT_KEY"
  | "INNGEST_DEV"
  | "INNGEST_BASE_URL"
  | "WORKFLOW_POLL_MS"
  | "OUTBOUND_ALLOWLIST"
  | "PUBLIC_URL"
>;

export interface WorkflowsOptions {
  env: WorkflowEnv;
  db: Database;
  appSecret: string;
  /** What time it is for the flows; the tests drive it. */
  now?: Clock;
  logger?: Logger;
  metrics?: Pick<Metrics, "wakeupLag">;
}

export interface Workflows {
  mode: "inngest" | "embedded";
  /** Mounts `/api/inngest` (Inngest mode only). */
  mount<E extends HonoEnv>(app: Hono<E>): void;
  start(): void;
  /** The wake-up poller (the embedded driver, or the relay to Inngest): running, and when it last polled. */
  status(): WorkerStatus;
  stop(): Promise<void>;
}

const reconcileEveryMs = 60_000;
const leaseMs = 5 * 60_000;

/**
 * The triage and SLA-watch flows, driven by Inngest when `INNGEST_SIGNING_KEY` or `INNGEST_DEV` is set
 * (functions served at /api/inngest; the wake-up table relayed as events), otherwise by the embedded
 * driver polling the wake-ups every `WORKFLOW_POLL_MS`, with a reconciliation sweep every minute.
 * In Inngest mode the monthly invoice drafts and the weekly topic digests are hourly Inngest crons as well; without
 * Inngest they are the embedded schedulers' (invoice-scheduler.ts, topic-digest-scheduler.ts). Both take core's
 * decisions.
 */
export function createWorkflows({
  env,
  db,
  appSecret,
  now = systemClock,
  logger = fallbackLogger,
  metrics,
}: WorkflowsOptions): Workflows {
  const notifier = createNotifier({
    smtpUrl: env.SMTP_URL,
    from: env.SMTP_FROM,
    appSecret,
    allowlist: env.OUTBOUND_ALLOWLIST,
  });
  const store = createTriageStore({
    db,
    notifier,
    onNoticeError: (error, notice) => logger.error({ err: error, notice: notice.kind }, "escalation notice failed"),
  });
  const clockStore = createClockStore({ db });
  // Every poll claims: its time is the poller's heartbeat, and each claim's delay past its due time is the lag.
  let running = false;
  let lastPollAt: Date | null = null;
  const queue = createWakeupQueue(db);
  const wakeups: DatabaseWakeupQueue = {
    ...queue,
    async claimDue(at, limit, leaseMs) {
      const claimed = await queue.claimDue(at, limit, leaseMs);
      lastPollAt = new Date();
      for (const wakeup of claimed) {
        metrics?.wakeupLag.observe({ flow: wakeup.flow }, Math.max(0, at.getTime() - wakeup.dueAt.getTime()) / 1000);
      }
      return claimed;
    },
  };
  const pollFailed = (error: unknown) => logger.error({ err: error }, "workflow poll failed");
  const status = (): WorkerStatus => ({
    running,
    lastRunAt: lastPollAt,
    staleAfterMs: Math.max(5 * env.WORKFLOW_POLL_MS, 60_000),
  });

  if (env.INNGEST_SIGNING_KEY || env.INNGEST_DEV) {
    const inngest = createInngestClient({
      isDev: env.INNGEST_DEV,
      signingKey: env.INNGEST_SIGNING_KEY,
      eventKey: env.INNGEST_EVENT_KEY,
      baseUrl: env.INNGEST_BASE_URL,
    });
    const functions = [
      createTriageFunction({ inngest, store, now }),
      createSlaWatchFunction({ inngest, store: clockStore, now }),
      createMonthlyInvoicesFunction({
        inngest,
        runs: {
          findDueMonthlyInvoiceRuns: (input) => findDueMonthlyInvoiceRuns(db, input),
          createMonthlyInvoiceDrafts: (input) => createMonthlyInvoiceDrafts(db, input),
          sendMonthlyClientReports: ({ now: at }) =>
            sendMonthlyClientReports(db, {
              now: at,
              renderPdf: renderMonthlyReportPdf,
              notifier,
              publicUrl: env.PUBLIC_URL,
              onEmailError: (error, notice) =>
                logger.error({ err: error, notice: notice.kind }, "monthly report e-mail failed"),
            }),
        },
        now,
      }),
      createTopicDigestsFunction({
        inngest,
        runs: {
          findDueTopicDigests: (input) => findDueTopicDigests(db, input),
          sendTopicDigest: (input) =>
            sendTopicDigest(db, input, {
              notifier,
              onNoticeError: (error, notice) =>
                logger.error({ err: error, notice: notice.kind }, "topic digest e-mail failed"),
            }),
        },
        now,
      }),
    ];
    const handler = createInngestHandler({ inngest, functions });
    const relay = createPoller({
      everyMs: env.WORKFLOW_POLL_MS,
      firstAfterMs: env.WORKFLOW_POLL_MS,
      onError: pollFailed,
      run: async () => {
        for (const wakeup of await wakeups.claimDue(now(), 50, leaseMs)) {
          try {
            const events = await findFlowEvents(db, wakeup);
            if (events.length > 0) await inngest.send(events);
            await wakeups.complete(wakeup.id);
          } catch (error) {
            logger.error({ err: error, flow: wakeup.flow, itemId: wakeup.itemId }, "inngest relay failed");
            await retryWakeupLater(wakeups, wakeup, now());
          }
        }
      },
    });
    return {
      mode: "inngest",
      mount(app) {
        app.on(["GET", "PUT", "POST"], "/api/inngest", (c) => handler(c));
      },
      start() {
        running = true;
        relay.start();
      },
      status,
      stop: async () => {
        running = false;
        await relay.stop();
        notifier.close();
      },
    };
  }

  const driver = createEmbeddedDriver({
    store,
    clockStore,
    wakeups,
    now,
    pollMs: env.WORKFLOW_POLL_MS,
    leaseMs,
    onError: (error, wakeup) =>
      wakeup
        ? logger.error(
            {
              err: error,
              flow: wakeup.flow,
              itemId: wakeup.itemId,
              agencyId: wakeup.agencyId,
              attempts: wakeup.attempts,
            },
            "workflow step failed",
          )
        : logger.error({ err: error }, "workflow poll failed"),
  });
  const sweep = createPoller({
    everyMs: reconcileEveryMs,
    firstAfterMs: reconcileEveryMs,
    onError: pollFailed,
    run: async () => {
      const created = await reconcileWakeups(db, { now: now() });
      if (created > 0) logger.warn({ created }, "reconciliation re-armed missing workflow wake-ups");
    },
  });
  return {
    mode: "embedded",
    mount() {},
    start() {
      running = true;
      driver.start();
      sweep.start();
    },
    status,
    async stop() {
      running = false;
      await Promise.all([driver.stop(), sweep.stop()]);
      notifier.close();
    },
  };
}
