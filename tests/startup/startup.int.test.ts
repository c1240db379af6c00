import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, startServer } from "../support/server";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "parley-start-"));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function signInResponse(url: string, email: string, password: string): Promise<Response> {
  return fetch(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email, password }),
  });
}

async function signIn(url: string, email: string, password: string): Promise<number> {
  return (await signInResponse(url, email, password)).status;
}

/** Runs `npm run simulate`'s script to its end; its exit code and everything it printed. */
function simulate(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/simulate.ts", ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("npm start", () => {
  it("seeds once, reuses its data, and recovers after kill -9", { timeout: 180_000 }, async () => {
    const env = { DATA_DIR: dataDir, DEMO_PASSWORD: "demo-password-for-tests" };
    const first = await startServer({ env, viaStartScript: true });
    expect(first.output()).toMatch(/Seeded the demo agencies/);
    expect(first.output()).toMatch(/owner@northwind\.test/);
    expect(await signIn(first.url, "owner@northwind.test", "demo-password-for-tests")).toBe(200);
    const demo = JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8"));
    // A sandbox page, a Facebook page and a community feed for each of the four demo clients.
    expect(demo.channels).toHaveLength(12);
    // A second start on the same data directory refuses in one line and leaves the first one serving.
    const refusal = await startServer({ env }).then(
      () => "started",
      (error: Error) => error.message,
    );
    expect(refusal.trim().split("\n")).toEqual([
      "server exited with 1:",
      // One line from the logger ("[time] FATAL: …" in development), no stack.
      expect.stringMatching(/FATAL: Start-up failed: The database in .* is in use by Parley process \d+: stop it/),
    ]);
    expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ ok: true, db: "up" });
    await first.stop();
    // An orderly shutdown: the workers stop before the embedded server does, so no connection is cut under them.
    expect(first.output()).toMatch(/SIGTERM: shutting down/);
    expect(first.output()).not.toMatch(/triggerUncaughtException|CONNECTION_CLOSED/);
    // The demo's first acknowledgements go to its sandbox in this process: none found it closed on the way out.
    expect(first.output()).not.toMatch(/The sandbox could not be reached/);

    const second = await startServer({ env, viaStartScript: true });
    expect(second.output()).not.toMatch(/Seeded/);
    expect(JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8"))).toEqual(demo);
    expect(await signIn(second.url, "stakeholder@hexfall.test", "demo-password-for-tests")).toBe(200);
    await second.stop("SIGKILL"); // leaves the embedded postgres running with its postmaster.pid

    const third = await startServer({ env, viaStartScript: true });
    const health = await fetch(`${third.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true, db: "up" });
    expect(await signIn(third.url, "mod1@northwind.test", "demo-password-for-tests")).toBe(200);
    await third.stop();
  });

  it("comes alive with npm run simulate: signed traffic into the demo channels, a spike, moderators claiming", {
    timeout: 120_000,
  }, async () => {
    // The data folder the first test seeded (seeded here when this test runs alone): a second initdb and seed
    // would add half a minute and prove nothing more.
    const server = await startServer({
      viaStartScript: true,
      env: { DATA_DIR: dataDir, DEMO_PASSWORD: "demo-password-for-tests" },
    });
    try {
      const startedAt = new Date();
      const dataFile = path.join(dataDir, "demo.json");
      // No --base: it sends to the server `npm start` runs with the same PORT.
      const run = await simulate(
        ["--seconds", "3", "--spike", "--moderators", "2", "--think-ms", "200", "--data", dataFile],
        { PORT: new URL(server.url).port },
      );
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/failed requests: none/);
      expect(Number(/created (\d+)/.exec(run.output)?.[1])).toBeGreaterThan(0);
      // Two demo moderators worked the queue meanwhile, and their claims' latency is reported.
      expect(
        Number(/Moderators \(2, reading 200 ms an item\): (\d+) items claimed/.exec(run.output)?.[1]),
      ).toBeGreaterThan(0);
      expect(run.output).toMatch(/claim next, request to answer: p50 \d+ ms, p95 \d+ ms, p99 \d+ ms/);
      expect(run.output).toMatch(/failed calls: none/);
      // The spike's items are in Hexfall Games' queue, read through the public API by the agency's owner.
      const demo = JSON.parse(readFileSync(dataFile, "utf8")) as {
        agencies: Array<{ clients: Array<{ id: string; name: string }> }>;
      };
      const hexfall = demo.agencies
        .flatMap((agency) => agency.clients)
        .find((client) => client.name === "Hexfall Games");
      const login = await signInResponse(server.url, "owner@northwind.test", "demo-password-for-tests");
      const cookie = login.headers
        .getSetCookie()
        .map((value) => value.split(";")[0])
        .join("; ");
      const page = await fetch(`${server.url}/v1/items?clientId=${hexfall?.id}&status=queued&limit=100`, {
        headers: { cookie },
      });
      expect(page.status).toBe(200);
      const { items } = (await page.json()) as { items: Array<{ receivedAt: string }> };
      expect(items.filter((item) => new Date(item.receivedAt) >= startedAt).length).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it("stops with one line naming a bad variable", { timeout: 60_000 }, async () => {
    await expect(startServer({ env: { PORT: "99999", APP_SECRET: "short" }, viaStartScript: true })).rejects.toThrow(
      /Invalid environment: PORT .*; APP_SECRET must be at least 32 characters/,
    );
  });
});
