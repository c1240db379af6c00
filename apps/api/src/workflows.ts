import { createNotifier } from "@parley/connectors/notify";
import { createMonthlyInvoiceDrafts, findDueMonthlyInvoiceRuns } from "@parley/core/billing";
import {
  createClockStore,
  createTriageStore,
  createWakeupQueue,
  findFlowEvents,
  reconcileWakeups,
} from "@parley/core/escalations";
import type { Database } from "@parley/db";
import {
  createEmbeddedDriver,
  createInngestClient,
  createInngestHandler,
  createMonthlyInvoicesFunction,
  createSlaWatchFunction,
  createTriageFunction,
} from "@parley/workflows";
import type { Hono, Env as HonoEnv } from "hono";
import type { Env } from "./env";

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
>;

export interface WorkflowsOptions {
  env: WorkflowEnv;
  db: Database;
  appSecret: string;
  /** What time it is for the flows; the tests drive it. */
  clock?: { now(): Date };
  log?: (line: string, extra?: unknown) => void;
}

export interface Workflows {
  mode: "inngest" | "embedded";
  /** Mounts `/api/inngest` (Inngest mode only). */
  mount<E extends HonoEnv>(app: Hono<E>): void;
  start(): void;
  stop(): Promise<void>;
}

const reconcileEveryMs = 60_000;
const leaseMs = 5 * 60_000;

/**
 * The triage and SLA-watch flows, driven by Inngest when `INNGEST_SIGNING_KEY` or `INNGEST_DEV` is set
 * (functions served at /api/inngest; the wake-up table relayed as events), otherwise by the embedded
 * driver polling the wake-ups every `WORKFLOW_POLL_MS`, with a reconciliation sweep every minute.
 * In Inngest mode the monthly invoice drafts are an hourly Inngest cron as well; without Inngest they
 * are the embedded invoice scheduler's (invoice-scheduler.ts). Both take core's decisions.
 */
export function createWorkflows({
  env,
  db,
  appSecret,
  clock = { now: () => new Date() },
  log = (line, extra) => console.error(line, extra ?? ""),
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
    onNoticeError: (error, notice) => log(`escalation ${notice.kind} notice failed`, error),
  });
  const clockStore = createClockStore({ db });
  const wakeups = createWakeupQueue(db);
  const now = () => clock.now();

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
        },
        now,
      }),
    ];
    const handler = createInngestHandler({ inngest, functions });
    const relay = createPoller(env.WORKFLOW_POLL_MS, async () => {
      for (const wakeup of await wakeups.claimDue(now(), 50, leaseMs)) {
        try {
          const events = await findFlowEvents(db, wakeup);
          if (events.length > 0) await inngest.send(events);
          await wakeups.complete(wakeup.id);
        } catch (error) {
          log("inngest relay failed", error);
          const attempts = wakeup.attempts + 1;
          await wakeups.reschedule(wakeup.id, {
            dueAt: new Date(now().getTime() + Math.min(60_000 * attempts, 3_600_000)),
            waitingFor: wakeup.waitingFor,
            attempts,
          });
        }
      }
    });
    return {
      mode: "inngest",
      mount(app) {
        app.on(["GET", "PUT", "POST"], "/api/inngest", (c) => handler(c));
      },
      start: relay.start,
      stop: async () => {
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
    onError: (error, wakeup) => log(`workflow ${wakeup ? `${wakeup.flow} ${wakeup.itemId}` : "poll"} failed`, error),
  });
  const sweep = createPoller(reconcileEveryMs, async () => {
    await reconcileWakeups(db, { now: now() });
  });
  return {
    mode: "embedded",
    mount() {},
    start() {
      driver.start();
      sweep.start();
    },
    async stop() {
      await Promise.all([driver.stop(), sweep.stop()]);
      notifier.close();
    },
  };
}

/** Runs `work` every `everyMs` (never overlapping) until stopped. */
function createPoller(everyMs: number, work: () => Promise<void>) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let inFlight: Promise<void> | null = null;
  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => {
      inFlight = work()
        .catch((error: unknown) => console.error("workflow poll failed", error))
        .finally(() => {
          inFlight = null;
          schedule();
        });
    }, everyMs);
  };
  return {
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

/** Creates the workflows from the environment, mounts /api/inngest when it applies, and starts them. */
export function startWorkflows<E extends HonoEnv>({ app, ...options }: WorkflowsOptions & { app: Hono<E> }): Workflows {
  const workflows = createWorkflows(options);
  workflows.mount(app);
  workflows.start();
  return workflows;
}
