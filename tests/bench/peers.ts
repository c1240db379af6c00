// The systems the benchmarks compare Parley with. They live in `tests/bench/peers` (own package.json and lock),
// installed here on first use rather than by `npm install`: pg-boss 12 declares Node >= 22.12 (it runs on this
// machine's Node 20), and a user installing Parley should neither download it nor be warned about it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const peersDir = new URL("./peers/", import.meta.url);

/** What the claim bench uses of pg-boss 12's API. */
export interface PgBoss {
  on(event: "error", listener: (error: Error) => void): void;
  start(): Promise<unknown>;
  createQueue(name: string): Promise<void>;
  insert(name: string, jobs: Array<{ data: object }>): Promise<unknown>;
  fetch(name: string): Promise<Array<{ id: string }>>;
  complete(name: string, id: string): Promise<unknown>;
  stop(options: { graceful: boolean; close: boolean }): Promise<void>;
}

export interface PgBossOptions {
  connectionString: string;
  max: number;
  schedule: boolean;
  supervise: boolean;
}

/** Installs the peers from their lock file once, then loads pg-boss. */
export async function loadPgBoss(): Promise<new (options: PgBossOptions) => PgBoss> {
  const entry = new URL("node_modules/pg-boss/dist/index.js", peersDir);
  if (!existsSync(entry)) {
    console.log("Installing the benchmark peers (tests/bench/peers) …");
    const install = spawnSync("npm", ["ci", "--engine-strict=false", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: peersDir,
      stdio: "inherit",
    });
    if (install.status !== 0) throw new Error("npm ci in tests/bench/peers failed");
  }
  const module = (await import(entry.href)) as {
    PgBoss: new (options: PgBossOptions) => PgBoss;
  };
  return module.PgBoss;
}
