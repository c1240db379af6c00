// A throwaway embedded PostgreSQL for one benchmark run, migrated, with the app role able to sign in, and
// helpers to seed an agency the way the benchmarks need it (many clients, generic channels, members).
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Authority, Role } from "@parley/contracts";
import { resolveScope } from "@parley/core/agencies";
import { createSecretBox, generateSecret, type Scope, type SecretBox } from "@parley/core/kernel";
import { closeDatabase, createDatabase, type Database, enableAppRoleLogin, migrateDatabase, schema } from "@parley/db";
import { readPostmasterPid, startEmbeddedPostgres } from "@parley/db/embedded";
import postgres from "postgres";

export interface BenchDatabase {
  /** Superuser: setup, baselines that need no tenant, pg-boss. */
  ownerUrl: string;
  /** `parley_app`: what the application serves with (row-level security applies). */
  appUrl: string;
  secretBox: SecretBox;
  /**
   * PostgreSQL's own time (planning and execution, from `pg_stat_statements`) since the last call, in ms: how much of
   * a gap is the server's work, whatever the processes around it cost.
   */
  takePostgresTime(): Promise<number>;
  /**
   * The statements PostgreSQL spent most time on since `takePostgresTime` last reset the statistics, with the
   * shared buffers they touched (hit or read): work that CPU contention does not inflate.
   */
  busiestStatements(limit: number): Promise<Array<{ ms: number; calls: number; blocks: number; query: string }>>;
  /** CPU seconds the PostgreSQL server has used so far: the postmaster, its live backends and those that ended. */
  postgresCpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL in a fresh temp folder (fsync and synchronous_commit off, like the test cluster: the
 * figures are about CPU and query plans, and every baseline runs on the same server with the same settings).
 * Shared buffers are sized like a server for this data (1 GB, not the 128 MB default): the invoice bench's
 * month of 2M items keeps about 650 MB of client-month indexes, which a production server would hold in memory.
 * `pg_stat_statements` (with planning times) is loaded for `takePostgresTime`.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const root = mkdtempSync(path.join(os.tmpdir(), "parley-bench-"));
  chmodSync(root, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(root, "pg"),
    durable: false,
    settings: {
      shared_buffers: "1GB",
      shared_preload_libraries: "pg_stat_statements",
      "pg_stat_statements.track_planning": "on",
    },
  });
  const stop = async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe("create database parley_bench");
    await admin.end();
    const ownerUrl = server.urlFor("parley_bench");
    await migrateDatabase(ownerUrl);
    const appUrl = await enableAppRoleLogin(ownerUrl, "parley-bench");
    const statistics = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    await statistics`create extension pg_stat_statements`;
    const takePostgresTime = async () => {
      const [row] = await statistics<Array<{ ms: number }>>`
        select coalesce(sum(total_plan_time + total_exec_time), 0)::float8 as ms from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())`;
      await statistics`select pg_stat_statements_reset()`;
      return row?.ms ?? 0;
    };
    await takePostgresTime();
    const busiestStatements = (limit: number) =>
      statistics<Array<{ ms: number; calls: number; blocks: number; query: string }>>`
        select (total_plan_time + total_exec_time)::float8 as ms, calls::int as calls,
          (shared_blks_hit + shared_blks_read)::float8 as blocks, regexp_replace(query, '\\s+', ' ', 'g') as query
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_plan_time + total_exec_time desc limit ${limit}`.then((rows) => [...rows]);
    return {
      ownerUrl,
      appUrl,
      secretBox: createSecretBox(generateSecret(48)),
      takePostgresTime,
      busiestStatements,
      postgresCpuSeconds: () => {
        const postmaster = readPostmasterPid(path.join(root, "pg"));
        if (postmaster === null) return Number.NaN;
        const backends = processIds().filter((pid) => processStat(pid)?.parent === postmaster);
        return cpuSecondsOf(postmaster, { ended: true }) + backends.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
      },
      stop: async () => {
        await statistics.end();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface BenchClient {
  id: string;
  channelId: string;
  ingestSecret: string;
}

export interface BenchAgency {
  agencyId: string;
  ownerUserId: string;
  clients: BenchClient[];
}

const unique = () => randomBytes(4).toString("hex");

/** An agency with `clients` clients, each with one generic channel, and an owner. */
export async function seedBenchAgency(
  bench: BenchDatabase,
  options: { clients: number; name?: string },
): Promise<BenchAgency> {
  const db = createDatabase({ url: bench.ownerUrl, max: 2 });
  try {
    const [agency] = await db
      .insert(schema.agencies)
      .values({ name: options.name ?? `Bench ${unique()}` })
      .returning();
    if (!agency) throw new Error("agency not created");
    const clients = await db
      .insert(schema.clients)
      .values(
        Array.from({ length: options.clients }, (_, n) => ({
          agencyId: agency.id,
          name: `Client ${n + 1}`,
          timeZone: "Europe/London",
        })),
      )
      .returning();
    const secrets = clients.map(() => generateSecret());
    const channels = await db
      .insert(schema.channels)
      .values(
        clients.map((client, n) => ({
          agencyId: agency.id,
          clientId: client.id,
          platform: "generic" as const,
          externalAccountId: `bench-${n + 1}`,
          displayName: `${client.name} community`,
          ingestSecretEnc: bench.secretBox.encrypt(secrets[n] ?? ""),
        })),
      )
      .returning();
    const owner = await addBenchMember(db, { agencyId: agency.id, role: "owner", assignments: [] });
    return {
      agencyId: agency.id,
      ownerUserId: owner,
      clients: clients.map((client, n) => ({
        id: client.id,
        channelId: channels.find((channel) => channel.clientId === client.id)?.id ?? "",
        ingestSecret: secrets[n] ?? "",
      })),
    };
  } finally {
    await closeDatabase(db);
  }
}

/** A user and their membership (with client assignments); returns the user id. */
export async function addBenchMember(
  db: Database,
  options: {
    agencyId: string;
    role: Role;
    assignments: Array<{ clientId: string; authority: Authority }>;
    /** For a member who signs in over HTTP (the password's hash); others cannot sign in. */
    login?: { email: string; passwordHash: string };
  },
): Promise<string> {
  const [user] = await db
    .insert(schema.users)
    .values({
      email: options.login?.email ?? `${options.role}-${unique()}@bench.test`,
      name: options.role,
      passwordHash: options.login?.passwordHash ?? "unused",
    })
    .returning();
  const [membership] = await db
    .insert(schema.memberships)
    .values({ agencyId: options.agencyId, userId: user?.id ?? "", role: options.role })
    .returning();
  if (!user || !membership) throw new Error("member not created");
  if (options.assignments.length > 0) {
    await db
      .insert(schema.clientAssignments)
      .values(options.assignments.map((a) => ({ ...a, agencyId: options.agencyId, membershipId: membership.id })));
  }
  return user.id;
}

/** A moderator with these assignments: their scope as the app resolves it (through `appDb`, the app's role). */
export async function addBenchModerator(
  owner: Database,
  appDb: Database,
  options: { agencyId: string; assignments: Array<{ clientId: string; authority: Authority }> },
): Promise<Scope> {
  const userId = await addBenchMember(owner, { ...options, role: "moderator" });
  const scope = await resolveScope(appDb, { userId, agencyId: options.agencyId });
  if (!scope) throw new Error("no moderator scope");
  return scope;
}

/** The p-th percentile (0–100) of unsorted samples, in their unit. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** What a measured run did: how many operations, in how long, their latencies, this process's CPU per operation. */
export interface Run {
  operations: number;
  seconds: number;
  latenciesMs: number[];
  cpuMsPerOperation: number;
}

/**
 * Runs `operation` on `concurrency` loops until `durationMs` has passed; returns how many ran, their latencies,
 * and this process's CPU time per operation (client and, where it runs here, server).
 */
export async function runFor(options: {
  concurrency: number;
  durationMs: number;
  operation: (loop: number) => Promise<void>;
}): Promise<Run> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, loop) => {
      while (performance.now() < deadline) {
        const began = performance.now();
        await options.operation(loop);
        latenciesMs.push(performance.now() - began);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    operations: latenciesMs.length,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    cpuMsPerOperation: (cpu.user + cpu.system) / 1000 / Math.max(1, latenciesMs.length),
  };
}

/** The machine's load, printed with every figure: these benchmarks share two cores with whatever else runs. */
/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const ticksPerSecond = 100;

function processIds(): number[] {
  return readdirSync("/proc").flatMap((name) => (/^\d+$/.test(name) ? [Number(name)] : []));
}

/** A process's parent and CPU ticks from /proc/<pid>/stat (fields after the command name), or null once it ended. */
function processStat(pid: number | "self"): { parent: number; ownTicks: number; endedChildrenTicks: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = text
    .slice(text.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  // state, ppid, pgrp, session, tty, tpgid, flags, minflt, cminflt, majflt, cmajflt, utime, stime, cutime, cstime
  return {
    parent: fields[1] ?? 0,
    ownTicks: (fields[11] ?? 0) + (fields[12] ?? 0),
    endedChildrenTicks: (fields[13] ?? 0) + (fields[14] ?? 0),
  };
}

/**
 * CPU seconds (user and system) a process has used; with `ended`, plus those of its children that ended and were
 * waited for (a benchmark's finished `simulate`, a PostgreSQL backend that closed).
 */
export function cpuSecondsOf(pid: number | "self", options: { ended?: boolean } = {}): number {
  const stat = processStat(pid);
  if (!stat) return Number.NaN;
  return (stat.ownTicks + (options.ended ? stat.endedChildrenTicks : 0)) / ticksPerSecond;
}

/** CPU seconds every core of the machine has been busy since boot (all but idle and I/O wait, from /proc/stat). */
export function machineBusySeconds(): number {
  const [, ...ticks] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
}

export function describeMachine(): string {
  const [one, five] = os.loadavg();
  return `${os.cpus().length} cores, load average ${one?.toFixed(1)} (1 min) ${five?.toFixed(1)} (5 min)`;
}

/**
 * Runs the `operations` in turn, `rounds` times each for `durationMs` on `concurrency` loops, and adds up each
 * one's runs: a subject and its baseline see the machine (its load, the tables' size) as each other do, so their
 * ratio holds even when the machine's speed drifts during the bench.
 */
export async function takeTurns(options: {
  concurrency: number;
  durationMs: number;
  rounds: number;
  operations: ReadonlyArray<(loop: number) => Promise<void>>;
  /** Called after each run of an operation (outside its measured time), with the operation's index. */
  afterRun?: (index: number) => Promise<void>;
}): Promise<Run[]> {
  const totals = options.operations.map(() => ({ operations: 0, seconds: 0, cpuMs: 0, latenciesMs: [] as number[] }));
  for (let round = 0; round < options.rounds; round++) {
    for (const [index, operation] of options.operations.entries()) {
      const run = await runFor({ concurrency: options.concurrency, durationMs: options.durationMs, operation });
      await options.afterRun?.(index);
      const total = totals[index];
      if (!total) continue;
      total.operations += run.operations;
      total.seconds += run.seconds;
      total.cpuMs += run.cpuMsPerOperation * run.operations;
      total.latenciesMs.push(...run.latenciesMs);
    }
  }
  return totals.map((total) => ({
    operations: total.operations,
    seconds: total.seconds,
    latenciesMs: total.latenciesMs,
    cpuMsPerOperation: total.cpuMs / Math.max(1, total.operations),
  }));
}
