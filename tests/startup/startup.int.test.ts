import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "@parley/db/embedded";
import { afterAll, describe, expect, it } from "vitest";
import { startServer } from "../support/server";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "parley-start-"));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function signIn(url: string, email: string, password: string): Promise<number> {
  const response = await fetch(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email, password }),
  });
  return response.status;
}

describe("npm start", () => {
  it("seeds once, reuses its data, and recovers after kill -9", { timeout: 180_000 }, async () => {
    const env = { DATA_DIR: dataDir, DEMO_PASSWORD: "demo-password-for-tests" };
    const first = await startServer({ port: await findFreePort(), env });
    expect(first.output()).toMatch(/Seeded the demo agencies/);
    expect(first.output()).toMatch(/owner@northwind\.test/);
    expect(await signIn(first.url, "owner@northwind.test", "demo-password-for-tests")).toBe(200);
    const demo = JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8"));
    expect(demo.channels).toHaveLength(8);
    await first.stop();
    // An orderly shutdown: the workers stop before the embedded server does, so no connection is cut under them.
    expect(first.output()).toMatch(/SIGTERM: shutting down/);
    expect(first.output()).not.toMatch(/triggerUncaughtException|CONNECTION_CLOSED/);

    const second = await startServer({ port: await findFreePort(), env });
    expect(second.output()).not.toMatch(/Seeded/);
    expect(JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8"))).toEqual(demo);
    expect(await signIn(second.url, "stakeholder@hexfall.test", "demo-password-for-tests")).toBe(200);
    await second.stop("SIGKILL"); // leaves the embedded postgres running with its postmaster.pid

    const third = await startServer({ port: await findFreePort(), env });
    const health = await fetch(`${third.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true, db: "up" });
    expect(await signIn(third.url, "mod1@northwind.test", "demo-password-for-tests")).toBe(200);
    await third.stop();
  });

  it("stops with one line naming a bad variable", { timeout: 60_000 }, async () => {
    await expect(
      startServer({ port: await findFreePort(), env: { PORT: "99999", APP_SECRET: "short" } }),
    ).rejects.toThrow(/Invalid environment: PORT .*; APP_SECRET must be at least 32 characters/);
  });
});
