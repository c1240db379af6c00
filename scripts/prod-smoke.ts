// The checks of scripts/prod-smoke.sh, against the PostgreSQL cluster it started (URLs in PROD_SMOKE_*):
// two production processes started together on the empty database, the demo seeded, `npm run simulate` against
// each, moderators claiming on both while consoles listen on both, then the figures and the checks:
// no item lost, every live event on both consoles, one migration run, metrics moved, logs are JSON (and carry
// no message text and no secret). Exits non-zero when a check fails.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/prod-smoke.sh`);
  return value;
};
const work = env("PROD_SMOKE_WORK");
const ownerUrl = env("PROD_SMOKE_OWNER_URL");
const appUrl = env("PROD_SMOKE_APP_URL");
const superuserUrl = env("PROD_SMOKE_SUPERUSER_URL");
const { values: flags } = parseArgs({ options: { seconds: { type: "string" }, rate: { type: "string" } } });
const seconds = Number(flags.seconds ?? 20);
const rate = Number(flags.rate ?? 20);

const appSecret = randomBytes(32).toString("hex");
const metricsToken = randomBytes(16).toString("hex");
const demoPassword = `demo-${randomBytes(6).toString("hex")}`;
const shipped = (JSON.parse(readFileSync("drizzle/meta/_journal.json", "utf8")) as { entries: unknown[] }).entries
  .length;

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const seconds1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Parley {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  startedAt: number;
  exited: Promise<number | null>;
  lines(): Array<Record<string, unknown>>;
}

/** `npm start`'s script with NODE_ENV=production; stdout and stderr into its log file. */
async function startParley(name: string): Promise<Parley> {
  const port = await freePort();
  const dataDir = path.join(work, name);
  mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(work, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: String(port),
      DATA_DIR: dataDir,
      APP_SECRET: appSecret,
      DATABASE_URL: ownerUrl,
      DATABASE_APP_URL: appUrl,
      METRICS_TOKEN: metricsToken,
      SEED_DEMO: "0",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines = () =>
    readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return { notJson: line };
        }
      });
  const parley = { name, url: `http://127.0.0.1:${port}`, child, logFile, startedAt: Date.now(), exited, lines };
  started.push(parley);
  return parley;
}

async function waitHealthy(parley: Parley): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (parley.child.exitCode !== null)
      throw new Error(`${parley.name} exited:\n${readFileSync(parley.logFile, "utf8")}`);
    try {
      if ((await fetch(`${parley.url}/healthz`)).status === 200) return Date.now() - parley.startedAt;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${parley.name} did not become healthy`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function run(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...extraEnv },
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

async function signIn(parley: Parley, email: string): Promise<string> {
  const response = await fetch(`${parley.url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: parley.url },
    body: JSON.stringify({ email, password: demoPassword }),
  });
  if (response.status !== 200) throw new Error(`sign-in as ${email} on ${parley.name}: ${response.status}`);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

async function claimNext(parley: Parley, cookie: string): Promise<string | null> {
  const response = await fetch(`${parley.url}/trpc/queue.claimNext`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: parley.url, cookie },
    body: JSON.stringify({ json: {} }),
  });
  const body = (await response.json()) as { result?: { data: { json: { id: string } | null } } };
  if (response.status !== 200) throw new Error(`claimNext on ${parley.name}: ${response.status}`);
  return body.result?.data.json?.id ?? null;
}

/** A console's `GET /events`: every data event, with when it arrived. */
async function listen(parley: Parley, cookie: string) {
  const abort = new AbortController();
  const response = await fetch(`${parley.url}/events`, { headers: { cookie }, signal: abort.signal });
  if (response.status !== 200 || !response.body) throw new Error(`GET /events on ${parley.name}: ${response.status}`);
  const events: Array<{ subjectId?: string; type: string; at: number }> = [];
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith("data: ")) events.push({ ...JSON.parse(block.slice(6)), at: Date.now() });
        }
      }
    } catch {
      // closed
    }
  })();
  return { events, close: () => abort.abort() };
}

/** `/metrics` as name{labels} → value. */
async function scrape(parley: Parley): Promise<Map<string, number>> {
  const response = await fetch(`${parley.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  if (response.status !== 200) throw new Error(`/metrics on ${parley.name}: ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = /^([^#\s][^\s]*) ([-+\d.eE]+|NaN)$/.exec(line);
    if (match?.[1] && match[2]) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

const sum = (samples: Map<string, number>, prefix: string) =>
  [...samples].filter(([key]) => key.startsWith(prefix)).reduce((total, [, value]) => total + value, 0);

async function main(): Promise<void> {
  const db = postgres(superuserUrl, { max: 2, onnotice: () => {} });
  const [version] = await db<Array<{ version: string }>>`select version()`;
  console.log(
    `PostgreSQL: ${version?.version.split(",")[0]}; roles parley_owner (owner, no superuser, no BYPASSRLS), parley_app`,
  );

  // 1. Two processes at once on the empty database.
  const parleys = [await startParley("a"), await startParley("b")];
  const healthyAfter = await Promise.all(parleys.map(waitHealthy));
  const migrations = parleys.map((parley) => parley.lines().find((line) => typeof line.applied === "number"));
  console.log(
    `start, both at once on an empty database: ${parleys
      .map((p, n) => `${p.name} healthy after ${seconds1(healthyAfter[n] ?? 0)} (applied ${migrations[n]?.applied})`)
      .join(", ")}`,
  );

  // 2. The demo, seeded as the superuser (the demo seed writes through FORCE'd row-level security).
  const seedDir = path.join(work, "seed");
  const seeded = await run(["--import", "tsx", "apps/api/src/seed.cli.ts"], {
    DATABASE_URL: superuserUrl,
    DATABASE_APP_URL: appUrl,
    APP_SECRET: appSecret,
    DATA_DIR: seedDir,
    DEMO_PASSWORD: demoPassword,
  });
  if (seeded.code !== 0) throw new Error(`seeding failed:\n${seeded.output}`);

  // 3. Consoles on both, metrics before, then traffic and claims on both.
  const [a, b] = parleys as [Parley, Parley];
  const owner = await signIn(a, "owner@northwind.test");
  const consoles = await Promise.all(parleys.map((parley) => listen(parley, owner)));
  const before = await Promise.all(parleys.map(scrape));
  const moderators = [await signIn(a, "mod1@northwind.test"), await signIn(b, "mod2@northwind.test")];
  const demoFile = path.join(seedDir, "demo.json");
  let simulating = true;
  const claimed: Array<{ on: string; id: string; at: number }> = [];
  const claims = (async () => {
    while (simulating) {
      for (const [n, parley] of parleys.entries()) {
        const id = await claimNext(parley, moderators[n] ?? "");
        if (id) claimed.push({ on: parley.name, id, at: Date.now() });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const simulations = await Promise.all(
    parleys.map((parley, n) =>
      run(
        [
          "--import",
          "tsx",
          "scripts/simulate.ts",
          "--base",
          parley.url,
          "--seconds",
          String(seconds),
          "--rate",
          String(rate),
          "--data",
          demoFile,
          "--via",
          "ingest",
          ...(n === 1 ? ["--spike", "--spike-rate", String(rate * 3)] : []),
        ],
        {},
      ),
    ),
  );
  simulating = false;
  await claims;
  const figures = simulations.map((simulation) => ({
    code: simulation.code,
    sent: Number(/Sent (\d+) items/.exec(simulation.output)?.[1]),
    created: Number(/created (\d+)/.exec(simulation.output)?.[1]),
    duplicates: Number(/duplicates (\d+)/.exec(simulation.output)?.[1]),
    latency: /batch latency (p50 \d+ ms, p99 \d+ ms)/.exec(simulation.output)?.[1],
    failed: /failed requests: (.*)/.exec(simulation.output)?.[1],
  }));
  for (const [n, figure] of figures.entries()) {
    console.log(
      `simulate → ${parleys[n]?.name}: sent ${figure.sent}, created ${figure.created}, duplicates ${figure.duplicates}, ` +
        `${figure.latency}, failed requests: ${figure.failed}`,
    );
  }

  // 4. Every claim's event on both consoles.
  const deadline = Date.now() + 20_000;
  const heard = (n: number, id: string) => consoles[n]?.events.find((event) => event.subjectId === id);
  while (Date.now() < deadline && !claimed.every(({ id }) => heard(0, id) && heard(1, id))) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const delays = claimed.flatMap(({ id, at }) => [0, 1].map((n) => (heard(n, id)?.at ?? Number.NaN) - at));
  for (const stream of consoles) stream.close();
  const after = await Promise.all(parleys.map(scrape));

  // 5. Stop both.
  const stopped = await Promise.all(
    parleys.map(async (parley) => {
      const began = Date.now();
      parley.child.kill("SIGTERM");
      return { code: await parley.exited, ms: Date.now() - began };
    }),
  );

  console.log("\nchecks");
  check(
    migrations
      .map((line) => line?.applied)
      .sort()
      .join() === [0, shipped].sort().join(),
    `one migration run: one process applied ${shipped}, the other found the schema current`,
  );
  const [recorded] = await db<
    Array<{ count: number }>
  >`select count(*)::int as count from drizzle.__drizzle_migrations`;
  check(
    recorded?.count === shipped,
    `the database records ${recorded?.count} migrations, once each (${shipped} shipped)`,
  );

  const created = figures.reduce((total, figure) => total + figure.created, 0);
  const [stored] = await db<Array<{ count: number; distinct: number }>>`
    select count(*)::int as count, count(distinct (channel_id, external_id))::int as distinct
    from items where external_id like 'sim-%'`;
  check(
    figures.every((figure) => figure.code === 0 && figure.failed === "none"),
    "simulate: every request answered 200 on both processes",
  );
  check(
    stored?.count === created && stored?.distinct === created,
    `no item lost: ${stored?.count} simulated items stored, ${created} reported created, none twice`,
  );
  const claimedIds = claimed.map(({ id }) => id);
  check(
    new Set(claimedIds).size === claimedIds.length && claimedIds.length > 0,
    `claims: ${claimed.filter((c) => c.on === "a").length} on a, ${claimed.filter((c) => c.on === "b").length} on b, each item to one moderator`,
  );
  const maxDelay = Math.max(...delays);
  check(
    delays.every((delay) => Number.isFinite(delay)),
    `live events cross processes: each claim reached the consoles on both (slowest ${maxDelay} ms); ` +
      `events received: a ${consoles[0]?.events.length}, b ${consoles[1]?.events.length}`,
  );

  for (const [n, parley] of parleys.entries()) {
    const moved = (prefix: string) => sum(after[n] ?? new Map(), prefix) - sum(before[n] ?? new Map(), prefix);
    const ingested = moved('parley_ingested_items_total{outcome="created"}');
    check(
      ingested === figures[n]?.created && moved("parley_http_request_duration_seconds_count") > 0,
      `${parley.name}: /metrics moved: items created +${ingested}, requests +${moved("parley_http_request_duration_seconds_count")}, ` +
        `claims +${moved("parley_claim_duration_seconds_count")}, deliveries +${moved("parley_deliveries_total")}, ` +
        `wake-ups +${moved("parley_workflow_wakeup_lag_seconds_count")}`,
    );
  }

  const secrets = [appSecret, metricsToken, demoPassword, new URL(ownerUrl).password, new URL(appUrl).password];
  const texts = ["Tracking hasn't moved", "Servers are down AGAIN", "Someone hacked my account", "I want a refund"];
  for (const [n, parley] of parleys.entries()) {
    const lines = parley.lines();
    const raw = readFileSync(parley.logFile, "utf8");
    const requests = lines.filter((line) => "route" in line);
    const deliveryProblems = lines.filter((line) => /^delivery (failed|will be retried)/.test(String(line.msg)));
    check(
      lines.every((line) => !("notJson" in line)) && lines.length > 0,
      `${parley.name}: log is JSON, ${lines.length} lines: ${requests.length} requests, ` +
        `${deliveryProblems.length} delivery failures, ${lines.filter((l) => l.level === 50).length} at error level`,
    );
    check(
      requests.some((line) => line.route === "/v1/channels/:channelId/items" && typeof line.agencyId === "string"),
      `${parley.name}: ingest requests logged with route and agency`,
    );
    check(
      !secrets.some((secret) => raw.includes(secret)) && !texts.some((text) => raw.includes(text)),
      `${parley.name}: no secret and no message text in the log`,
    );
    check(
      stopped[n]?.code === 0 && lines.some((line) => line.msg === "Stopped"),
      `${parley.name}: SIGTERM → stopped in ${stopped[n]?.ms} ms, exit 0`,
    );
  }
  await db.end();
  console.log(failures.length === 0 ? "\nall checks passed" : `\n${failures.length} check(s) failed`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

const started: Parley[] = [];
try {
  await main();
} finally {
  // A check that threw leaves no server behind.
  for (const parley of started) if (parley.child.exitCode === null) parley.child.kill("SIGKILL");
}
