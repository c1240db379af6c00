import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "@parley/db/embedded";
import { type Browser, chromium } from "playwright-core";
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

/** The real server (`npm start`'s entry) on a fresh data folder with the demo seed, plus a browser. */
export async function startDemo(): Promise<{ server: RunningServer; browser: Browser; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "parley-browser-"));
  chmodSync(dataDir, 0o755);
  const server = await startServer({
    port: await findFreePort(),
    env: { DATA_DIR: dataDir, DEMO_PASSWORD: demoPassword },
  });
  const browser = await launchChromium();
  return {
    server,
    browser,
    async stop() {
      await browser.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
