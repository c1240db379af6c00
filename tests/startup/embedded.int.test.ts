import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@parley/db/embedded";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";

const root = mkdtempSync(path.join(os.tmpdir(), "parley-embedded-"));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return (await sql`select 1 as one`)[0]?.one === 1;
  } finally {
    await sql.end();
  }
}

describe("the embedded PostgreSQL", () => {
  it("refuses a second start on a data directory a live Parley process serves, leaving the first running", {
    timeout: 60_000,
  }, async () => {
    const dataDir = path.join(root, "live");
    const first = await startEmbeddedPostgres({ dataDir, durable: false });
    try {
      await expect(startEmbeddedPostgres({ dataDir, durable: false })).rejects.toThrow(
        new RegExp(`^The database in ${dataDir} is in use by Parley process ${process.pid}: stop it`),
      );
      expect(await answers(first.adminUrl)).toBe(true);
    } finally {
      await first.stop();
    }
  });

  it("cleans up a server whose Parley process is gone, and starts", { timeout: 60_000 }, async () => {
    const dataDir = path.join(root, "orphaned");
    const orphan = await startEmbeddedPostgres({ dataDir, durable: false });
    // As after `kill -9` of the API: the postmaster runs on, its owner does not.
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid;
    writeFileSync(path.join(dataDir, "parley-owner.json"), JSON.stringify({ pid: gone, startedAt: null }));
    const next = await startEmbeddedPostgres({ dataDir, durable: false });
    try {
      expect(await answers(next.adminUrl)).toBe(true);
      await expect(answers(orphan.adminUrl)).rejects.toThrow();
    } finally {
      await next.stop();
    }
  });

  it("generates the superuser's password into the data directory, readable by its owner only", {
    timeout: 60_000,
  }, async () => {
    const dataDir = path.join(root, "password");
    const server = await startEmbeddedPostgres({ dataDir, durable: false });
    try {
      const file = path.join(dataDir, "parley-superuser-password");
      const password = readFileSync(file, "utf8").trim();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(new URL(server.adminUrl).password).toBe(password);
      const guessed = new URL(server.adminUrl);
      guessed.password = "postgres";
      await expect(answers(guessed.toString())).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  });
});
