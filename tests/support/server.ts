import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort } from "@parley/db/embedded";
import { afterAll } from "vitest";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface RunningServer {
  process: ChildProcess;
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/**
 * The embedded PostgreSQL a server killed before it was healthy had started (`DATA_DIR/pg`): it outlives its
 * parent, and a loaded machine only gets slower with each one left behind.
 */
function stopEmbeddedPostgres(dataDir: string | undefined): void {
  if (!dataDir) return;
  try {
    const pid = Number(readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    if (pid > 0) process.kill(pid, "SIGQUIT");
  } catch {
    // not started yet, or already gone
  }
}

/** Servers still running: a test that fails before its own `stop()` must not leave one (and its PostgreSQL) behind. */
const running = new Set<ChildProcess>();
afterAll(() => Promise.all([...running].map((child) => stopChild(child))));

/** The server could not listen: another process took the port found free before the server bound it. */
class PortTakenError extends Error {}

/** How many free ports a start without a given one tries. */
const portAttempts = 3;

/**
 * Spawns the real API as production runs it — the built bundle (apps/api/dist/main.js, which the suite's global
 * setup rebuilds when its sources changed) in plain Node — and waits for /healthz. `viaStartScript` starts it as
 * `npm start` does instead (scripts/start.mjs: checks the build is current first, and refuses in production when
 * it is not). Without `port`, on a free one, found again when another process binds it first.
 */
export async function startServer(options: {
  port?: number;
  env?: Record<string, string>;
  timeoutMs?: number;
  viaStartScript?: boolean;
}): Promise<RunningServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServerOn(options.port ?? (await findFreePort()), options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt === portAttempts) throw error;
    }
  }
}

async function startServerOn(
  port: number,
  options: { env?: Record<string, string>; timeoutMs?: number; viaStartScript?: boolean },
): Promise<RunningServer> {
  const args = options.viaStartScript ? ["scripts/start.mjs"] : ["--enable-source-maps", "apps/api/dist/main.js"];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), NODE_ENV: "development", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  // Generous: on a loaded 2-core machine a fresh demo (initdb, migrations, seed) has taken over a minute.
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) {
      const failure = `server exited with ${child.exitCode}:\n${output}`;
      throw output.includes("EADDRINUSE") ? new PortTakenError(failure) : new Error(failure);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      stopEmbeddedPostgres(options.env?.DATA_DIR);
      throw new Error(`server did not become healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    process: child,
    url,
    output: () => output,
    stop: (signal = "SIGTERM") => stopChild(child, signal),
  };
}
