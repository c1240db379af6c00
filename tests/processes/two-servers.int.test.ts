// Two real server processes, built as `npm run build` builds them and started as `NODE_ENV=production npm start`
// starts them, at the same moment on one empty database: what an operator gets with N processes behind a proxy.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrationsFolder } from "@parley/db";
import { createEmptyDatabase } from "@parley/testing";
import { appRolePassword } from "@parley/testing/global-setup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimNext } from "../queue/queue-support";
import { remoteApp, signInAs } from "../support/http";
import { openLiveStream } from "../support/live-stream";
import { type RunningServer, startServer } from "../support/server";

const demoPassword = "demo-password-for-tests";
const metricsToken = "metrics-token-for-the-tests";
const shipped = (
  JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  }
).entries.length;

let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let servers: RunningServer[] = [];
const dataDirs: string[] = [];

beforeAll(async () => {
  database = await createEmptyDatabase();
  const appUrl = new URL(database.ownerUrl);
  appUrl.username = "parley_app";
  appUrl.password = appRolePassword;
  const start = async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "parley-process-"));
    chmodSync(dataDir, 0o755);
    dataDirs.push(dataDir);
    return startServer({
      viaStartScript: true,
      timeoutMs: 150_000,
      env: {
        NODE_ENV: "production",
        APP_SECRET: "an-app-secret-of-the-two-process-test-0123456789",
        DATABASE_URL: database.ownerUrl,
        DATABASE_APP_URL: appUrl.toString(),
        DATA_DIR: dataDir,
        DEMO_PASSWORD: demoPassword,
        METRICS_TOKEN: metricsToken,
        WORKFLOW_POLL_MS: "200",
      },
    });
  };
  servers = await Promise.all([start(), start()]);
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await database?.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** The server's log: one JSON object per line (a line that is not JSON fails the parse). */
function logOf(server: RunningServer): Array<Record<string, unknown>> {
  return server
    .output()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("two production processes on one database", () => {
  it("migrate once and seed once, log JSON, and are ready with their workers running", async () => {
    const logs = servers.map(logOf);
    const migrations = logs.map((log) => log.find((line) => typeof line.applied === "number"));
    expect(migrations.map((line) => line?.applied).sort()).toEqual([0, shipped]);
    expect(migrations.map((line) => line?.total)).toEqual([shipped, shipped]);
    expect(logs.map((log) => log.some((line) => line.msg === "Seeded the demo agencies.")).sort()).toEqual([
      false,
      true,
    ]);
    for (const log of logs) {
      expect(log.find((line) => line.port !== undefined)).toMatchObject({ level: 30, workflows: "embedded" });
      // No demo password in a production log.
      expect(JSON.stringify(log)).not.toContain(demoPassword);
    }
    for (const server of servers) {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        ok: true,
        db: "up",
        stopping: false,
        migrations: { applied: shipped, expected: shipped, ok: true },
        workers: {
          deliveries: { running: true, ok: true },
          workflows: { running: true, ok: true },
          invoiceScheduler: { running: true, ok: true },
          spikeWatcher: { running: true, ok: true },
          itemFacts: { running: true, ok: true },
          topicDigests: { running: true, ok: true },
        },
      });
    }
  });

  it("fan live events out to both: a claim made on one process reaches a console connected to the other", async () => {
    const [first, second] = servers.map((server) => ({ server, app: remoteApp(server.url) }));
    if (!first || !second) throw new Error("two servers");
    const owner = await signInAs(first.app, "owner@northwind.test", demoPassword);
    const consoles = await Promise.all([
      openLiveStream(first.server.url, owner),
      openLiveStream(second.server.url, owner),
    ]);
    for (const stream of consoles) expect(await stream.nextComment("connected")).not.toBeNull();
    const moderator = await signInAs(second.app, "mod1@northwind.test", demoPassword);
    for (const { app } of [first, second]) {
      const claimed = await claimNext(app, { cookie: moderator });
      if (!claimed) throw new Error("the demo queue is empty");
      for (const stream of consoles) {
        expect(await stream.nextEventAbout("queue.changed", claimed.id, 10_000)).toMatchObject({
          type: "queue.changed",
          subjectId: claimed.id,
        });
      }
    }
    for (const stream of consoles) stream.close();
    // Each claim is one request line: the procedure, the status, the agency — and nothing the moderator read.
    // (Written as the answer leaves; it reaches this process through the server's stdout a moment later.)
    for (const server of servers) {
      await expect
        .poll(() => logOf(server).find((line) => line.route === "/trpc/queue.claimNext"))
        .toMatchObject({
          method: "POST",
          status: 200,
          agencyId: expect.any(String),
          requestId: expect.any(String),
          durationMs: expect.any(Number),
        });
    }
  });

  it("serve /metrics to the token only, with the counters of what each process did", async () => {
    for (const server of servers) {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect(
        (await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer not-the-metrics-token" } })).status,
      ).toBe(401);
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toMatch(/^parley_http_request_duration_seconds_count\{.*route="\/trpc\/queue\.claimNext".*\} 1$/m);
      expect(text).toMatch(/^parley_claim_duration_seconds_count\{outcome="claimed"\} 1$/m);
      expect(text).toMatch(/^parley_queue_depth\{agency_id="[^"]+",client_id="[^"]+"\} \d+$/m);
      expect(text).toMatch(/^parley_outbox_deliveries\{state="failed"\} \d+$/m);
      expect(text).toMatch(/^parley_db_pool_connections\{state="[a-z ]+"\} \d+$/m);
      expect(text).toMatch(/^parley_db_pool_max 26$/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect(text).toMatch(/^parley_live_streams \d+$/m);
    }
  });
});
