// Realistic signed traffic for a running Parley: a steady stream of comments across Northwind's clients and,
// with --spike, a Hexfall Games game-launch spike. Reads the channels and ingest secrets from demo.json. Traffic goes
// to the demo's sandbox channels only (their deliveries succeed; the Facebook pages and community feeds are not
// connected to anything, so a reply there could only fail). By default (--via sandbox) customers comment on the
// sandbox pages through the sandbox's customer side (POST /sandbox/channels/{id}/comments, one comment a request);
// --via ingest sends batches of 1–20 items through POST /v1/channels/{id}/items (the load path), which the sandbox
// also puts on its page. Either way every item can be answered and its reply lands on the sandbox page. Stops after
// --seconds and prints a summary. With --moderators N, N of the demo's moderators work the queue meanwhile over the
// web app's API (claim next, read for --think-ms, mark no action) and the summary gives their claims' latency: what
// a moderator feels while the traffic runs.
//
//   npm run simulate -- [--base http://localhost:3000] [--seconds 60] [--rate 5] [--spike] [--spike-rate 150]
//                       [--spike-seconds 60] [--moderators 0] [--think-ms 2000]
//                       [--via sandbox|ingest] [--data .data/demo.json] [--allow-remote]
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { signGenericPayload } from "@parley/connectors";
import type { DemoData } from "@parley/core/seed";

const usage =
  "usage: npm run simulate -- [--base http://localhost:3000] [--seconds 60] [--rate 5] [--spike] [--spike-rate 150] " +
  "[--spike-seconds 60] [--moderators 0] [--think-ms 2000] " +
  "[--via sandbox|ingest] [--data .data/demo.json] [--allow-remote]";

interface Options {
  base: URL;
  seconds: number;
  rate: number;
  spike: boolean;
  spikeRate: number;
  /** How long the spike lasts from the start (at most --seconds). */
  spikeSeconds: number;
  /** Demo moderators working the queue meanwhile, and how long each reads a claimed item before acting. */
  moderators: number;
  thinkMs: number;
  dataFile: string;
  /** `sandbox`: the sandbox's customer side of the demo's sandbox channels; `ingest`: signed REST ingest into them. */
  via: "sandbox" | "ingest";
}

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function boundedNumber(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) fail(`--${name} must be a number from ${min} to ${max}`);
  return value;
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

function parseFlags() {
  try {
    return parseArgs({
      options: {
        base: { type: "string" },
        seconds: { type: "string" },
        rate: { type: "string" },
        spike: { type: "boolean" },
        "spike-rate": { type: "string" },
        "spike-seconds": { type: "string" },
        moderators: { type: "string" },
        "think-ms": { type: "string" },
        data: { type: "string" },
        via: { type: "string" },
        "allow-remote": { type: "boolean" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

function readOptions(): Options {
  const values = parseFlags();
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  let base: URL;
  try {
    // By default the server `npm start` runs in this environment (same PORT).
    base = new URL(String(values.base ?? `http://localhost:${process.env.PORT ?? "3000"}`));
  } catch {
    fail(
      values.base === undefined
        ? `PORT must be a port number (it is "${process.env.PORT}"), or pass --base`
        : "--base must be a URL such as http://localhost:3000",
    );
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") fail("--base must be an http or https URL");
  // A load generator pointed at someone else's server by a typo is an attack; make it a deliberate choice.
  if (!loopbackHosts.has(base.hostname) && !values["allow-remote"]) {
    fail(`--base ${base.origin} is not this machine; add --allow-remote if you really mean to load it`);
  }
  return {
    base,
    seconds: boundedNumber("seconds", String(values.seconds ?? "60"), 1, 3600),
    rate: boundedNumber("rate", String(values.rate ?? "5"), 0.1, 500),
    spike: values.spike === true,
    spikeRate: boundedNumber("spike-rate", String(values["spike-rate"] ?? "150"), 1, 2000),
    spikeSeconds: boundedNumber("spike-seconds", String(values["spike-seconds"] ?? "60"), 1, 3600),
    moderators: boundedNumber("moderators", String(values.moderators ?? "0"), 0, 50),
    thinkMs: boundedNumber("think-ms", String(values["think-ms"] ?? "2000"), 0, 60_000),
    dataFile: String(values.data ?? path.join(process.env.DATA_DIR ?? ".data", "demo.json")),
    via:
      values.via === undefined || values.via === "sandbox"
        ? "sandbox"
        : values.via === "ingest"
          ? "ingest"
          : fail("--via must be sandbox or ingest"),
  };
}

type Theme = "complaint" | "refund" | "praise" | "account_hacked" | "legal_threat" | "spam" | "question";

/** What people write, by theme: a few per language, so the protocols' matching and language detection get work. */
const comments: Record<Theme, readonly string[]> = {
  complaint: [
    "Three weeks and my order still hasn't arrived. Tracking hasn't moved since Monday.",
    "Your app logged me out again and now it won't accept my password. Fix it please.",
    "Waited 40 minutes on hold and then got disconnected. Not impressed.",
    "La livraison est encore en retard, c'est la troisième fois ce mois-ci.",
    "Die App stürzt seit dem Update ständig ab. Bitte beheben!",
    "El pedido llegó roto y nadie responde a mis correos.",
  ],
  refund: [
    "I want a refund. The item was damaged when it arrived.",
    "Charged twice for the same order, I want my money back.",
    "How do I get a refund for a pre-order I cancelled last week?",
    "Je veux être remboursé, le produit ne fonctionne pas.",
    "Ich möchte mein Geld zurück, die Bestellung kam nie an.",
    "Quero o reembolso da minha compra, por favor.",
  ],
  praise: [
    "Love the new update, great work team!",
    "Amazing customer service today, Sam sorted everything in five minutes.",
    "Best purchase I've made this year, thank you!",
    "Merci pour votre aide rapide, service impeccable !",
    "Vielen Dank, super schneller Support!",
    "¡Me encanta! Gracias por la ayuda.",
  ],
  account_hacked: [
    "Someone hacked my account and changed the email address. Please help, I can't get in.",
    "My account was compromised overnight and there are purchases I didn't make.",
    "I think I've been hacked, I got a login alert from another country.",
    "Mon compte a été piraté, quelqu'un a changé mon mot de passe.",
    "Mein Konto wurde gehackt, bitte sperren Sie es sofort.",
  ],
  legal_threat: [
    "This is unacceptable. My lawyer will be in touch about this.",
    "If this isn't resolved by Friday I'm taking legal action.",
    "I'm filing a complaint with the ombudsman and considering a lawsuit.",
    "Je vais contacter mon avocat si rien n'est fait.",
  ],
  spam: [
    "Earn $500 a day from home!!! DM me for details 💰💰",
    "Free followers at the link in my bio, 100% real",
    "Crypto giveaway!!! Send 0.1 and get 1 back, hurry",
    "Check out my channel for the best deals, click click click",
  ],
  question: [
    "What are your opening hours on bank holidays?",
    "Is there a student discount?",
    "When does the next season start?",
    "Do you ship to Ireland?",
    "¿Tienen tienda en Madrid?",
    "Gibt es die Jacke auch in Größe L?",
  ],
};

const steadyMix: ReadonlyArray<[Theme, number]> = [
  ["complaint", 30],
  ["question", 22],
  ["praise", 18],
  ["refund", 12],
  ["spam", 8],
  ["account_hacked", 6],
  ["legal_threat", 4],
];

/** A launch: servers buckle, players can't log in, and the fans are loud either way. */
const launchComments: readonly string[] = [
  "Servers are down AGAIN on launch day, can't even log in",
  "Stuck in the queue for two hours, 40,000th in line 🙃",
  "Pre-order bonus skins are missing from my inventory",
  "Game crashes on the loading screen, PS5",
  "This launch is a disaster, I want a refund",
  "Absolutely love it, best game of the year!!!",
  "Amazing trailer, the new map looks incredible",
  "Error code 0x80070005 when I try to start the campaign",
  "Les serveurs sont morts, impossible de jouer",
  "Server down, ich will mein Geld zurück",
  "Alguien más no puede entrar? Error de conexión",
  "Someone hacked my account during the launch chaos, my skins are gone",
];

const firstNames = ["Dana", "Luis", "Priya", "Tom", "Aiko", "Marta", "Sven", "Chloé", "Kwame", "Olga", "Ben", "Ana"];

function pick<T>(list: readonly T[]): T {
  const value = list[randomInt(list.length)];
  if (value === undefined) throw new Error("pick from an empty list");
  return value;
}

function pickTheme(): Theme {
  const total = steadyMix.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = randomInt(total);
  for (const [theme, weight] of steadyMix) {
    roll -= weight;
    if (roll < 0) return theme;
  }
  return "complaint";
}

interface Target {
  channelId: string;
  clientName: string;
  secret: string;
  /** Recent external ids on this channel, so some items reply to earlier ones (threads). */
  recent: string[];
}

interface Tally {
  batches: number;
  itemsSent: number;
  created: number;
  duplicates: number;
  failures: Map<string, number>;
  latenciesMs: number[];
  byClient: Map<string, number>;
  byTheme: Map<string, number>;
}

const runId = Date.now().toString(36);
let sequence = 0;

function composeItem(target: Target, body: string) {
  sequence += 1;
  const externalId = `sim-${runId}-${sequence}`;
  // A few regulars per client, so the same customer shows up across items.
  const author = randomInt(100) < 30 ? randomInt(20) : 20 + randomInt(5000);
  const name = firstNames[author % firstNames.length] ?? "Sam";
  const parent = target.recent.length > 0 && randomInt(100) < 20 ? pick(target.recent) : undefined;
  target.recent.push(externalId);
  if (target.recent.length > 50) target.recent.shift();
  return {
    externalId,
    kind: parent ? "reply" : "comment",
    ...(parent ? { parentExternalId: parent } : {}),
    author: { externalId: `sim-author-${author}`, handle: `${name.toLowerCase()}${author}`, displayName: name },
    body,
    createdAt: new Date().toISOString(),
  };
}

type ComposedItem = ReturnType<typeof composeItem>;

/** Signed like every call on a channel: `X-Parley-Timestamp` and the HMAC of `timestamp.body` with its secret. */
function signedHeaders(target: Target, rawBody: string) {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    "x-parley-timestamp": String(timestamp),
    "x-parley-signature": signGenericPayload({ secret: target.secret, timestamp, rawBody }),
  };
}

/** Each item as a customer's comment on the sandbox page (answering an earlier sandbox post when it has one). */
async function sendSandboxComments(options: Options, target: Target, items: ComposedItem[], tally: Tally) {
  const began = performance.now();
  tally.batches += 1;
  tally.itemsSent += items.length;
  for (const item of items) {
    const replyTo = item.parentExternalId?.startsWith("sandbox-") ? item.parentExternalId : undefined;
    // The sandbox knows a commenter by the name they post under: a customer's own handle, as on most platforms (a
    // first name alone would make every Dana one customer, and a launch's thousands of players a dozen).
    const rawBody = JSON.stringify({
      author: item.author.handle,
      text: item.body,
      ...(replyTo ? { replyTo } : {}),
    });
    try {
      const response = await fetch(new URL(`/sandbox/channels/${target.channelId}/comments`, options.base), {
        method: "POST",
        headers: signedHeaders(target, rawBody),
        body: rawBody,
        signal: AbortSignal.timeout(30_000),
      });
      const answer = (await response.json().catch(() => null)) as { externalId?: string } | null;
      if (response.status !== 200 || !answer?.externalId) {
        const key = `HTTP ${response.status}`;
        tally.failures.set(key, (tally.failures.get(key) ?? 0) + 1);
        continue;
      }
      tally.created += 1;
      target.recent.push(answer.externalId);
    } catch (error) {
      const key = (error as Error).name === "TimeoutError" ? "timeout" : `network: ${(error as Error).message}`;
      tally.failures.set(key, (tally.failures.get(key) ?? 0) + 1);
    }
  }
  tally.latenciesMs.push(performance.now() - began);
}

async function sendBatch(options: Options, target: Target, items: ComposedItem[], tally: Tally): Promise<void> {
  if (options.via === "sandbox") return sendSandboxComments(options, target, items, tally);
  const rawBody = JSON.stringify({ items });
  const timestamp = Math.floor(Date.now() / 1000);
  const began = performance.now();
  tally.batches += 1;
  tally.itemsSent += items.length;
  // One in fifty deliveries is repeated, as webhook senders do on a timeout: it must change nothing.
  const deliveries = randomInt(50) === 0 ? 2 : 1;
  for (let delivery = 0; delivery < deliveries; delivery++) {
    try {
      const response = await fetch(new URL(`/v1/channels/${target.channelId}/items`, options.base), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-parley-timestamp": String(timestamp),
          "x-parley-signature": signGenericPayload({ secret: target.secret, timestamp, rawBody }),
        },
        body: rawBody,
        signal: AbortSignal.timeout(30_000),
      });
      const answer = (await response.json().catch(() => null)) as { created?: number; duplicates?: number } | null;
      if (response.status !== 200) {
        const key = `HTTP ${response.status}`;
        tally.failures.set(key, (tally.failures.get(key) ?? 0) + 1);
        continue;
      }
      tally.created += answer?.created ?? 0;
      tally.duplicates += answer?.duplicates ?? 0;
    } catch (error) {
      const key = (error as Error).name === "TimeoutError" ? "timeout" : `network: ${(error as Error).message}`;
      tally.failures.set(key, (tally.failures.get(key) ?? 0) + 1);
    }
  }
  tally.latenciesMs.push(performance.now() - began);
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Sends `rate` items per second, in batches of 1–20 (via ingest; via the sandbox each comment is a request, so a
 * batch of one), until `until`; at most `maxInFlight` requests at once.
 */
async function stream(options: {
  simulation: Options;
  targets: readonly Target[];
  rate: number;
  until: number;
  stopped: () => boolean;
  compose: (target: Target) => { body: string; theme: string };
  tally: Tally;
}): Promise<void> {
  const { simulation, targets, rate, until, tally } = options;
  const maxInFlight = 16;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let queued = 0;
  while (Date.now() < until && !options.stopped()) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate) - queued;
    if (due <= 0 || inFlight.size >= maxInFlight) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    const size = simulation.via === "sandbox" ? 1 : Math.min(due, 1 + randomInt(20));
    const target = pick(targets);
    const items = Array.from({ length: size }, () => {
      const { body, theme } = options.compose(target);
      tally.byTheme.set(theme, (tally.byTheme.get(theme) ?? 0) + 1);
      return composeItem(target, body);
    });
    tally.byClient.set(target.clientName, (tally.byClient.get(target.clientName) ?? 0) + size);
    queued += size;
    const request = sendBatch(simulation, target, items, tally).finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
}

function readDemoData(dataFile: string): DemoData {
  try {
    return JSON.parse(readFileSync(dataFile, "utf8")) as DemoData;
  } catch (error) {
    fail(`cannot read ${dataFile} (start Parley once with npm start to seed it): ${(error as Error).message}`);
  }
}

function loadTargets(data: DemoData, dataFile: string): { steady: Target[]; hexfall: Target[] } {
  const northwind = data.agencies.find((agency) => agency.name === "Northwind Social");
  if (!northwind) fail(`${dataFile} has no Northwind Social agency`);
  const clientNames = new Map(northwind.clients.map((client) => [client.id, client.name]));
  const steady = data.channels
    .filter((channel) => clientNames.has(channel.clientId) && channel.platform === "sandbox")
    .map((channel) => ({
      channelId: channel.id,
      clientName: clientNames.get(channel.clientId) ?? "?",
      secret: channel.ingestSecret,
      recent: [],
    }));
  if (steady.length === 0) fail(`${dataFile} lists no sandbox channels of Northwind's clients`);
  return { steady, hexfall: steady.filter((target) => target.clientName === "Hexfall Games") };
}

interface ModeratorTally {
  claimsMs: number[];
  claimed: number;
  empty: number;
  /** Actions the server refused with a 4xx: the item changed under the moderator (triage escalated it meanwhile). */
  refused: number;
  failures: Map<string, number>;
}

/** One tRPC mutation as the web app sends it, signed in by `cookie`: its status, and its data when it succeeded. */
async function mutate<T>(base: URL, cookie: string, procedure: string, input: unknown) {
  const response = await fetch(new URL(`/trpc/${procedure}`, base), {
    method: "POST",
    headers: { "content-type": "application/json", origin: base.origin, cookie },
    body: JSON.stringify({ json: input }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json().catch(() => null)) as { result?: { data: { json: T } } } | null;
  return { status: response.status, data: body?.result?.data.json };
}

/** A demo moderator working the queue until `until`: claim next, read for `thinkMs`, mark no action. */
async function workQueue(options: Options, email: string, password: string, until: number, tally: ModeratorTally) {
  const login = await fetch(new URL("/auth/login", options.base), {
    method: "POST",
    headers: { "content-type": "application/json", origin: options.base.origin },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) fail(`${email} could not sign in (HTTP ${login.status})`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, until - Date.now())));
  while (Date.now() < until) {
    const failed = (key: string) => tally.failures.set(key, (tally.failures.get(key) ?? 0) + 1);
    try {
      const began = performance.now();
      const claim = await mutate<{ id: string } | null>(options.base, cookie, "queue.claimNext", {});
      if (claim.status !== 200) {
        failed(`claim next: HTTP ${claim.status}`);
        await pause(1_000);
        continue;
      }
      tally.claimsMs.push(performance.now() - began);
      if (!claim.data) {
        tally.empty += 1;
        await pause(1_000);
        continue;
      }
      tally.claimed += 1;
      await pause(options.thinkMs);
      const acted = await mutate(options.base, cookie, "items.noAction", { itemId: claim.data.id });
      if (acted.status >= 400 && acted.status < 500) tally.refused += 1;
      else if (acted.status !== 200) failed(`no action: HTTP ${acted.status}`);
    } catch (error) {
      failed((error as Error).name === "TimeoutError" ? "timeout" : `network: ${(error as Error).message}`);
      await pause(1_000);
    }
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const data = readDemoData(options.dataFile);
  const { steady, hexfall } = loadTargets(data, options.dataFile);
  const moderatorEmails = data.logins
    .filter((login) => login.role === "moderator" && login.agency === "Northwind Social")
    .map((login) => login.email);
  if (options.moderators > moderatorEmails.length) {
    fail(`--moderators: the demo has ${moderatorEmails.length} Northwind moderators`);
  }
  if (options.spike && hexfall.length === 0) fail("no Hexfall Games channel in demo.json for --spike");
  let stopped = false;
  process.once("SIGINT", () => {
    stopped = true;
    console.log("\nSIGINT: finishing the requests in flight…");
  });
  const tally: Tally = {
    batches: 0,
    itemsSent: 0,
    created: 0,
    duplicates: 0,
    failures: new Map(),
    latenciesMs: [],
    byClient: new Map(),
    byTheme: new Map(),
  };
  const moderators: ModeratorTally = { claimsMs: [], claimed: 0, empty: 0, refused: 0, failures: new Map() };
  const started = Date.now();
  const until = started + options.seconds * 1000;
  const spikeSeconds = Math.min(options.spikeSeconds, options.seconds);
  console.log(
    `Simulating ${options.seconds} s of traffic to ${options.base.origin}: ${options.rate} items/s across ` +
      `${steady.length} Northwind sandbox channels` +
      (options.spike
        ? `, plus a Hexfall Games launch spike of ${options.spikeRate} items/s for ${spikeSeconds} s`
        : "") +
      (options.moderators > 0 ? `; ${options.moderators} moderators work the queue` : ""),
  );
  const progress = setInterval(() => {
    const elapsed = (Date.now() - started) / 1000;
    console.log(
      `  ${elapsed.toFixed(0)} s: ${tally.itemsSent} items sent, ${tally.created} created, ` +
        `${[...tally.failures.values()].reduce((sum, n) => sum + n, 0)} failed requests`,
    );
  }, 10_000);
  await Promise.all([
    stream({
      simulation: options,
      targets: steady,
      rate: options.rate,
      until,
      stopped: () => stopped,
      compose: () => {
        const theme = pickTheme();
        return { theme, body: pick(comments[theme]) };
      },
      tally,
    }),
    options.spike
      ? stream({
          simulation: options,
          targets: hexfall,
          rate: options.spikeRate,
          until: started + spikeSeconds * 1000,
          stopped: () => stopped,
          compose: () => ({ theme: "launch spike", body: pick(launchComments) }),
          tally,
        })
      : Promise.resolve(),
    ...moderatorEmails
      .slice(0, options.moderators)
      .map((email) => workQueue(options, email, data.password, until, moderators)),
  ]);
  clearInterval(progress);
  const seconds = (Date.now() - started) / 1000;
  const failed = [...tally.failures.values()].reduce((sum, n) => sum + n, 0);
  const list = (counts: Map<string, number>) => [...counts].map(([key, n]) => `${key} ${n}`).join(", ");
  console.log(`\nSent ${tally.itemsSent} items in ${tally.batches} batches over ${seconds.toFixed(1)} s`);
  console.log(`  created ${tally.created}, duplicates ${tally.duplicates} (redelivered batches change nothing)`);
  console.log(`  by client: ${list(tally.byClient)}`);
  console.log(`  by theme: ${list(tally.byTheme)}`);
  if (tally.latenciesMs.length > 0) {
    console.log(
      `  batch latency p50 ${percentile(tally.latenciesMs, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(tally.latenciesMs, 99).toFixed(0)} ms`,
    );
  }
  console.log(`  failed requests: ${failed === 0 ? "none" : list(tally.failures)}`);
  const moderatorFailures = [...moderators.failures.values()].reduce((sum, n) => sum + n, 0);
  if (options.moderators > 0) {
    console.log(
      `Moderators (${options.moderators}, reading ${options.thinkMs} ms an item): ${moderators.claimed} items claimed ` +
        `and marked no action (${moderators.refused} refused: changed meanwhile), ${moderators.empty} claims found ` +
        "the queue empty",
    );
    if (moderators.claimsMs.length > 0) {
      console.log(
        `  claim next, request to answer: p50 ${percentile(moderators.claimsMs, 50).toFixed(0)} ms, ` +
          `p95 ${percentile(moderators.claimsMs, 95).toFixed(0)} ms, p99 ${percentile(moderators.claimsMs, 99).toFixed(0)} ms`,
      );
    }
    console.log(`  failed calls: ${moderatorFailures === 0 ? "none" : list(moderators.failures)}`);
  }
  process.exitCode = failed + moderatorFailures > 0 ? 1 : 0;
}

await main();
