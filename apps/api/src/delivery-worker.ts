import { createOutboundSender } from "@parley/connectors";
import type { OutboundAllowlist } from "@parley/contracts";
import type { SecretBox } from "@parley/core/crypto";
import { deliverDue, deliverDueForEveryAgency, outboxChannel } from "@parley/core/moderation";
import type { Database } from "@parley/db";

export interface DeliveryWorkerOptions {
  db: Database;
  secretBox: SecretBox;
  metaGraphBaseUrl: string;
  /** Hosts deliveries may reach over plain http or at a private address (`OUTBOUND_ALLOWLIST`). */
  allowlist: OutboundAllowlist;
  /** How often every agency's outbox is swept (the safety net: commits also kick the worker at once). */
  intervalMs?: number;
  log?: (line: string, extra?: unknown) => void;
}

export interface DeliveryWorker {
  stop(): Promise<void>;
}

/**
 * Carries out the outbox in this API process: a sweep of every agency every 2 s, and an immediate run for an
 * agency as soon as a transaction that queued a delivery for it commits (PostgreSQL NOTIFY on the outbox
 * channel, sent at commit). Several API processes may run it side by side: claims skip each other's rows.
 */
export async function startDeliveryWorker(options: DeliveryWorkerOptions): Promise<DeliveryWorker> {
  const { db } = options;
  const log = options.log ?? ((line, extra) => console.error(line, extra ?? ""));
  const deps = {
    secretBox: options.secretBox,
    send: createOutboundSender({ metaGraphBaseUrl: options.metaGraphBaseUrl, allowlist: options.allowlist }),
  };
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  /** Runs one job after the previous one, so a process never sweeps the same agency twice at once. */
  const enqueue = (job: () => Promise<unknown>) => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await job();
      } catch (error) {
        log("delivery worker: run failed", error);
      }
    });
    return running;
  };
  const kicked = new Set<string>();
  const subscription = await db.$client.listen(outboxChannel, (agencyId) => {
    if (stopped || kicked.has(agencyId)) return;
    kicked.add(agencyId);
    void enqueue(() => {
      kicked.delete(agencyId);
      return deliverDue(db, { agencyId }, deps);
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    void enqueue(() => deliverDueForEveryAgency(db, deps)).then(() => {
      if (!stopped) timer = setTimeout(sweep, options.intervalMs ?? 2000);
    });
  };
  sweep();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await subscription.unlisten();
      await running;
    },
  };
}
