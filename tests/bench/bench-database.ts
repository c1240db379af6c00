// A throwaway embedded PostgreSQL for one benchmark run, migrated, with the app role able to sign in, and
// helpers to seed an agency the way the benchmarks need it (many clients, generic channels, members).
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Authority, Role } from "@parley/contracts";
import { createSecretBox, generateSecret, type SecretBox } from "@parley/core/crypto";
import { closeDatabase, createDatabase, type Database, enableAppRoleLogin, migrateDatabase, schema } from "@parley/db";
import { findFreePort, startEmbeddedPostgres } from "@parley/db/embedded";
import postgres from "postgres";

export interface BenchDatabase {
  /** Superuser: setup, baselines that need no tenant, pg-boss. */
  ownerUrl: string;
  /** `parley_app`: what the application serves with (row-level security applies). */
  appUrl: string;
  secretBox: SecretBox;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL in a fresh temp folder (fsync and synchronous_commit off, like the test cluster: the
 * figures are about CPU and query plans, and every baseline runs on the same server with the same settings).
 * Shared buffers are sized like a server for this data (1 GB, not the 128 MB default): the invoice bench's
 * month of 2M items keeps about 650 MB of client-month indexes, which a production server would hold in memory.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const root = mkdtempSync(path.join(os.tmpdir(), "parley-bench-"));
  chmodSync(root, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(root, "pg"),
    port: await findFreePort(),
    durable: false,
    sharedBuffers: "1GB",
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
    return { ownerUrl, appUrl, secretBox: createSecretBox(generateSecret(48)), stop };
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
  },
): Promise<string> {
  const [user] = await db
    .insert(schema.users)
    .values({ email: `${options.role}-${unique()}@bench.test`, name: options.role, passwordHash: "unused" })
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

/**
 * Runs `operation` on `concurrency` loops until `durationMs` has passed; returns how many ran, their latencies,
 * and this process's CPU time per operation (client and, where it runs here, server).
 */
export async function runFor(options: {
  concurrency: number;
  durationMs: number;
  operation: (loop: number) => Promise<void>;
}): Promise<{ operations: number; seconds: number; latenciesMs: number[]; cpuMsPerOperation: number }> {
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
