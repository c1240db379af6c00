// A throwaway embedded PostgreSQL for one benchmark run, migrated, with the app role able to sign in, and
// helpers to seed an agency the way the benchmarks need it (many clients, generic channels, members).
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Authority, Role } from "@parley/contracts";
import { createSecretBox, generateSecret, type SecretBox } from "@parley/core/kernel";
import { closeDatabase, createDatabase, type Database, enableAppRoleLogin, migrateDatabase, schema } from "@parley/db";
import { findFreePort, startEmbeddedPostgres } from "@parley/db/embedded";
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
    port: await findFreePort(),
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
    return {
      ownerUrl,
      appUrl,
      secretBox: createSecretBox(generateSecret(48)),
      takePostgresTime,
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
