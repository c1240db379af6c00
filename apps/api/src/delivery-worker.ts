import { createOutboundSender } from "@parley/connectors";
import type { OutboundAllowlist } from "@parley/contracts";
import { type DeliveryOutcome, deliverDueForEveryAgency, outboxChannel } from "@parley/core/deliveries";
import type { Notifier, SecretBox } from "@parley/core/kernel";
import type { Database } from "@parley/db";
import { createPoller } from "@parley/workflows";
import { fallbackLogger, type Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { WorkerStatus } from "./readiness";

export interface DeliveryWorkerOptions {
  db: Database;
  secretBox: SecretBox;
  metaGraphBaseUrl: string;
  /** Where the sandbox platform answers (`SANDBOX_BASE_URL`, by default this process itself). */
  sandboxBaseUrl?: string;
  /** Hosts deliveries may reach over plain http or at a private address (`OUTBOUND_ALLOWLIST`). */
  allowlist: OutboundAllowlist;
  /** How often every agency's outbox is swept (the safety net: commits also kick the worker at once). */
  intervalMs?: number;
  logger?: Logger;
  metrics?: Pick<Metrics, "deliveries">;
  /** Sends channel incidents to the client's playbook contacts (e-mail, signed webhook), as escalations are. */
  notifier?: Notifier;
}

export interface DeliveryWorker {
  status(): WorkerStatus;
  stop(): Promise<void>;
}

/** A failed attempt as a log line: which delivery, where, why — the platform's reason, never the reply's text. */
function logOutcome(logger: Logger, outcome: DeliveryOutcome): void {
  if (outcome.verdict === "sent") return;
  const { verdict, error, ...fields } = outcome;
  const line = { ...fields, reason: error };
  if (verdict === "failed") logger.error(line, "delivery failed");
  else logger.warn(line, "delivery will be retried");
}

/**
 * Carries out the outbox in this API process: a sweep of every agency every 2 s, and an immediate one as soon as a
 * transaction that queued a delivery commits (PostgreSQL NOTIFY on the outbox
 * channel, sent at commit). Several API processes may run it side by side: claims skip each other's rows.
 */
export async function startDeliveryWorker(options: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const { db } = options;
  const logger = options.logger ?? fallbackLogger;
  const intervalMs = options.intervalMs ?? 2000;
  // Stopping ends the sweep under way after its batch in flight: after a spike, draining a backlog of thousands
  // before exiting kept a SIGTERM waiting for minutes.
  const stopping = new AbortController();
  const deps = {
    secretBox: options.secretBox,
    send: createOutboundSender({
      metaGraphBaseUrl: options.metaGraphBaseUrl,
      sandboxBaseUrl: options.sandboxBaseUrl,
      allowlist: options.allowlist,
    }),
    onOutcome: (outcome: DeliveryOutcome) => {
      options.metrics?.deliveries.inc({ verdict: outcome.verdict });
      logOutcome(logger, outcome);
    },
    notifier: options.notifier,
    onNoticeError: (error: unknown, notice: { kind: string }) =>
      logger.error({ err: error, notice: notice.kind }, "channel incident notice failed"),
    stopping: stopping.signal,
  };
  let running: Promise<unknown> = Promise.resolve();
  /** Runs one job after the previous one, so a process never sweeps the same agency twice at once. */
  const inTurn = <T>(job: () => Promise<T>): Promise<T | undefined> => {
    const result = running.then(() => (stopping.signal.aborted ? undefined : job()));
    running = result.catch(() => {});
    return result;
  };
  const runFailed = (error: unknown) => logger.error({ err: error }, "delivery worker: run failed");
  // A commit that queued work kicks one fair run over every agency (see deliverDueForEveryAgency): an agency's
  // backlog is served beside the others', never before them. Kicks while a run waits to start join it.
  let kickPending = false;
  const subscription = await db.$client.listen(outboxChannel, () => {
    if (stopping.signal.aborted || kickPending) return;
    kickPending = true;
    inTurn(() => {
      kickPending = false;
      return deliverDueForEveryAgency(db, deps);
    }).catch(runFailed);
  });
  const sweep = createPoller({
    everyMs: intervalMs,
    run: async () => {
      await inTurn(() => deliverDueForEveryAgency(db, deps));
    },
    onError: runFailed,
  });
  sweep.start();
  return {
    status: () => ({
      running: sweep.running,
      lastRunAt: sweep.lastRunAt,
      staleAfterMs: Math.max(5 * intervalMs, 60_000),
    }),
    async stop() {
      stopping.abort();
      await sweep.stop();
      await subscription.unlisten();
      await running;
    },
  };
}
