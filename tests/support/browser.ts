import { createHmac } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { signGenericPayload } from "@parley/connectors";
import type { DemoData } from "@parley/core/seed";
import { type TestDatabase, testAppSecret } from "@parley/testing";
import { type Browser, chromium, type Page, type Response } from "playwright-core";
import { createDemoDatabase } from "./demo-database";
import { type FakePlatform, type RecordedRequest, startFakePlatform } from "./fake-platform";
import { type RunningServer, startServer } from "./server";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's Chromium, headless, with the flags this sandbox needs (see STACK.md). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const demoPassword = "demo-password-for-browser";

export interface Demo {
  server: RunningServer;
  browser: Browser;
  /** The demo's own database: the demo as `npm start` seeds it, cloned from the run's seeded demo and re-dated to now. */
  database: TestDatabase;
  /** The demo's DATA_DIR (demo.json). */
  dataDir: string;
  /** `DATA_DIR/demo.json`: logins, agencies, clients, and each channel's ingest secret (and Meta app secret). */
  data(): DemoData;
  /** The seeded channel of a client on a platform, e.g. `channel("Hexfall Games", "facebook")`. */
  channel(clientName: string, platform: "generic" | "facebook" | "sandbox"): DemoData["channels"][number];
  /** POSTs items to the signed generic ingest (`/v1/channels/{id}/items`) and returns the response's JSON. */
  ingestGeneric(channelId: string, items: unknown[]): Promise<{ items: Array<{ id: string; externalId: string }> }>;
  /** POSTs a Meta webhook delivery signed with the channel's app secret (`X-Hub-Signature-256`). */
  postMetaWebhook(channelId: string, payload: unknown): Promise<{ items: Array<{ id: string; externalId: string }> }>;
  /** A new page of the browser, signed in as `email` on the sign-in page, showing the signed-in shell. */
  signedInPage(email: string): Promise<Page>;
  stop(): Promise<void>;
}

/** A demo whose server calls Meta Graph at a fake platform (`graph`), which records what the replies post there. */
export interface MetaGraphDemo extends Demo {
  graph: FakePlatform;
  /** The request that posts `message` to Graph as a reply to the comment `commentId`, once it arrives (20 s at most). */
  postedReply(commentId: string, message: string): Promise<RecordedRequest>;
}

/**
 * The real server (`npm start`'s entry) on the demo, plus a browser. The server runs on a database of its own on the
 * suite's one PostgreSQL (`DATABASE_URL`, as production runs) that already holds the demo as `npm start` seeds it
 * (`createDemoDatabase`: the run seeds it once per hour and clones it re-dated to now; a seed per file cost each
 * browser file most of a minute on a loaded machine), so the server finds data and seeds nothing; `tests/startup/`
 * proves the embedded start and tests/billing's and tests/sla's demo-seed files the seed itself. `env` adds to the
 * server's environment (e.g. `META_GRAPH_BASE_URL` pointing at a fake platform).
 */
export async function startDemo(options: { env?: Record<string, string> } = {}): Promise<Demo> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "parley-browser-"));
  chmodSync(dataDir, 0o755);
  const database = await createDemoDatabase(dataDir, demoPassword);
  let server: RunningServer;
  try {
    server = await startServer({
      env: {
        DATABASE_URL: database.ownerUrl,
        DATABASE_APP_URL: database.appUrl,
        APP_SECRET: testAppSecret,
        DATA_DIR: dataDir,
        DEMO_PASSWORD: demoPassword,
        ...options.env,
      },
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  const browser = await launchChromium();
  let cached: DemoData | undefined;
  const data = (): DemoData => {
    cached ??= JSON.parse(readFileSync(path.join(dataDir, "demo.json"), "utf8")) as DemoData;
    return cached;
  };
  const channel = (clientName: string, platform: "generic" | "facebook" | "sandbox") => {
    const client = data()
      .agencies.flatMap((agency) => agency.clients)
      .find((c) => c.name === clientName);
    const found = data().channels.find((c) => c.clientId === client?.id && c.platform === platform);
    if (!found) throw new Error(`demo.json has no ${platform} channel for ${clientName}`);
    return found;
  };
  const post = async (url: string, body: string, headers: Record<string, string>) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
    return JSON.parse(text) as { items: Array<{ id: string; externalId: string }> };
  };
  return {
    server,
    browser,
    database,
    dataDir,
    data,
    channel,
    ingestGeneric(channelId, items) {
      const found = data().channels.find((c) => c.id === channelId);
      if (!found) throw new Error(`unknown demo channel ${channelId}`);
      const body = JSON.stringify({ items });
      const timestamp = Math.floor(Date.now() / 1000);
      return post(`${server.url}/v1/channels/${channelId}/items`, body, {
        "x-parley-timestamp": String(timestamp),
        "x-parley-signature": signGenericPayload({ secret: found.ingestSecret, timestamp, rawBody: body }),
      });
    },
    postMetaWebhook(channelId, payload) {
      const found = data().channels.find((c) => c.id === channelId);
      if (!found?.appSecret) throw new Error(`demo channel ${channelId} has no Meta app secret`);
      const body = JSON.stringify(payload);
      const signature = createHmac("sha256", found.appSecret).update(body).digest("hex");
      return post(`${server.url}/webhooks/meta/${channelId}`, body, { "x-hub-signature-256": `sha256=${signature}` });
    },
    async signedInPage(email) {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill(demoPassword);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      return page;
    },
    async stop() {
      await browser.close();
      await server.stop();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `startDemo` with Meta Graph answered by a fake platform; `stop` stops the demo, then the platform. */
export async function startMetaGraphDemo(): Promise<MetaGraphDemo> {
  const graph = await startFakePlatform();
  let demo: Demo;
  try {
    // The fake listens on loopback over plain http: allowed for this server only.
    demo = await startDemo({ env: { META_GRAPH_BASE_URL: `${graph.url}/v21.0`, OUTBOUND_ALLOWLIST: "127.0.0.1" } });
  } catch (error) {
    await graph.close();
    throw error;
  }
  return {
    ...demo,
    graph,
    postedReply: (commentId, message) =>
      graph.waitFor(
        (request) =>
          request.method === "POST" &&
          request.path === `/v21.0/${encodeURIComponent(commentId)}/comments` &&
          request.params?.message === message,
        { timeoutMs: 20_000 },
      ),
    async stop() {
      await demo.stop();
      await graph.close();
    },
  };
}

/** The item id `queue.claimNext` answered in a tRPC batch response (superjson), or null for an empty queue. */
async function claimedItemId(response: Response): Promise<string | null> {
  const body = (await response.json()) as Array<{ result?: { data?: { json?: { id?: string } | null } } }>;
  return body[0]?.result?.data?.json?.id ?? null;
}

/**
 * A key that sent no claim: what the console showed then (what holds the focus, an open dialog, the notice), so a
 * failure says why the key was not taken rather than only that nothing came.
 */
async function explainNoClaim(page: Page, key: string, error: unknown): Promise<never> {
  const shown = await page.evaluate(() => ({
    url: location.href,
    focus: document.activeElement?.outerHTML.slice(0, 160) ?? null,
    dialogs: [...document.querySelectorAll("dialog[open]")].map((dialog) => dialog.textContent?.slice(0, 160)),
    notice: document.querySelector(".console__notice")?.textContent ?? null,
    openItem: document.querySelector('section[aria-label="Open item"]')?.textContent?.slice(0, 160) ?? null,
  }));
  throw new Error(`pressing ${key} sent no queue.claimNext: ${JSON.stringify(shown)}`, { cause: error });
}

/**
 * Presses c, then s (or c again) until the open item's text contains `marker` (other items may be queued). Each step waits for
 * the real signals: the claim's own answer from the server, then that item rendered in the console as claimed —
 * never a fixed time, so a loaded machine only makes it slower.
 */
export async function claimItem(page: Page, marker: string): Promise<void> {
  let heldId: string | null = null;
  const stillHolding = async () =>
    heldId !== null &&
    (await page
      .locator(`section[aria-label="Open item"][data-item-id="${heldId}"]`)
      .getByText("Claimed by you")
      .count()) > 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    // s passes on the item held; c claims when none is held any more — a triage-only item's flow may escalate it
    // while it is held (skip then says there is nothing to pass on, and sends nothing).
    const key = (await stillHolding()) ? "s" : "c";
    const claimed = page.waitForResponse(
      (response) => response.url().includes("/trpc/queue.claimNext") && response.request().method() === "POST",
      { timeout: 30_000 },
    );
    await page.keyboard.press(key);
    const answer = await claimed.catch(async (error: unknown) => {
      // Triage escalated the held item between the look and the key: nothing to pass on, so claim with c.
      if (key === "s" && !(await stillHolding())) return null;
      return explainNoClaim(page, key, error);
    });
    if (answer === null) {
      heldId = null;
      continue;
    }
    const itemId = await claimedItemId(answer);
    if (!itemId) throw new Error(`the queue ran dry before the item marked ${marker} was claimed`);
    const openItem = page.locator(`section[aria-label="Open item"][data-item-id="${itemId}"]`);
    await openItem.getByText("Claimed by you").waitFor({ timeout: 30_000 });
    const body = await openItem.locator(".quote--item").textContent();
    if (body?.includes(marker)) return;
    heldId = itemId;
  }
  throw new Error(`never claimed the item marked ${marker}`);
}
