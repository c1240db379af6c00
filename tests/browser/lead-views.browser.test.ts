import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo } from "../support/browser";

let demo: Demo;
const downloads = mkdtempSync(path.join(os.tmpdir(), "parley-staffing-"));

// One demo for the lead's two screens, staffing and the floor. Spike detection looks every second here (every
// minute by default); the floor's surge runs after the staffing cases, so their forecast reads the demo's history.
beforeAll(async () => {
  demo = await startDemo({ env: { SPIKE_WATCH_MS: "1000" } });
}, 120_000);
afterAll(async () => {
  await demo?.stop();
  rmSync(downloads, { recursive: true, force: true });
});

/** Next week's Friday in Northwind's zone (Europe/London), "YYYY-MM-DD". */
function nextFriday(): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" }).format(new Date());
  const date = new Date(`${today}T00:00:00Z`);
  const daysToMonday = 7 - ((date.getUTCDay() + 6) % 7);
  date.setUTCDate(date.getUTCDate() + daysToMonday + 4);
  return date.toISOString().slice(0, 10);
}

/** "2026-12-18" → "Fri 18 Dec", as the heatmap names days. */
function dayName(date: string): string {
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** The heatmap cell of Hexfall's pool at `hour` on `date`. */
function cell(page: Page, date: string, hour: number) {
  const heatmap = page.getByRole("table", { name: /^Required vs rostered moderators: .*Hexfall Games/ });
  return heatmap.getByRole("button", { name: new RegExp(`^${dayName(date)} ${String(hour).padStart(2, "0")}:00: `) });
}

describe("staffing in a real browser", () => {
  it("shows the gap a Hexfall launch next Friday ×5 for 6 hours opens, with the triage-only cover", {
    timeout: 120_000,
  }, async () => {
    const page = await demo.signedInPage("am@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staffing" }).click();
    await page.getByRole("heading", { name: "Staffing", level: 1 }).waitFor();
    const week = page.getByLabel("Week", { exact: true });
    await week.locator("option", { hasText: /^Next week/ }).waitFor({ state: "attached" });
    await week.selectOption({ index: 1 });
    const friday = nextFriday();
    const afternoon = [12, 13, 14, 15, 16, 17];
    // A normal Friday afternoon is staffed.
    for (const hour of afternoon) {
      await expect.poll(() => cell(page, friday, hour).getAttribute("data-state")).toBe("covered");
    }

    const form = page.getByRole("form", { name: "Plan an event" });
    await form.getByLabel("Client", { exact: true }).selectOption({ label: "Hexfall Games" });
    await form.getByLabel("Event", { exact: true }).fill("Hexfall launch");
    await form.getByLabel("Date", { exact: true }).fill(friday);
    await form.getByLabel("Starts at", { exact: true }).fill("12:00");
    await form.getByLabel("Duration (hours)", { exact: true }).fill("6");
    await form.getByLabel("Expected volume ×", { exact: true }).fill("5");
    await form.getByRole("button", { name: "Plan event" }).click();
    await page.getByText(/Hexfall launch planned for Hexfall Games: ×5/).waitFor();

    // The plan refetches: the six hours turn into gaps the triage-only mode can cover.
    for (const hour of afternoon) {
      await expect.poll(() => cell(page, friday, hour).getAttribute("data-state")).toBe("triage");
      expect(await cell(page, friday, hour).getAttribute("aria-label")).toMatch(/Hexfall launch$/);
    }
    await expect.poll(() => cell(page, friday, 18).getAttribute("aria-label")).not.toMatch(/Hexfall launch/);

    await cell(page, friday, 14).click();
    const detail = page.getByRole("region", { name: "Selected hour" });
    await detail.getByText(/^Short by \d/).waitFor();
    await detail.getByText(/Suggested cover: triage-only \(acknowledge, escalate, follow up\)/).waitFor();
    await detail.getByText(/SLAs at risk:.*Hexfall Games \(P1 first response 15 min, 95 %/).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    const file = path.join(downloads, "plan.csv");
    await download.saveAs(file);
    const csv = readFileSync(file, "utf8");
    const row = csv.split("\r\n").find((line) => line.includes(`${friday},14:00`) && line.includes("Hexfall Games"));
    expect(row).toMatch(/triage only \(acknowledge, escalate, follow up\)/);
    expect(row).toMatch(/Hexfall launch/);
  });

  it("keeps moderators out of Staffing", { timeout: 60_000 }, async () => {
    const page = await demo.signedInPage("mod1@northwind.test");
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staffing" }).count()).toBe(
      0,
    );
    await page.goto(`${demo.server.url}/staffing`);
    await page.getByRole("heading", { name: /not available/i }).waitFor();
  });
});

describe("the floor and the spike alert in a real browser", () => {
  it("raises a surge on Hexfall as a console banner and on the floor, with the moderator online", {
    timeout: 180_000,
  }, async () => {
    // Mia's console is open: her event stream makes her online on the floor.
    const console = await demo.signedInPage("mod1@northwind.test");
    await console.goto(`${demo.server.url}/console`);
    await console.getByRole("heading", { name: "Console", level: 1 }).waitFor();
    await console.getByText("Live", { exact: true }).waitFor();
    expect(await console.locator(".volume-spike").count()).toBe(0);

    // A launch: 300 comments on Hexfall's community within a minute, far above any hour of its nine weeks.
    const run = Date.now();
    const hexfall = demo.channel("Hexfall Games", "generic");
    await demo.ingestGeneric(
      hexfall.id,
      Array.from({ length: 300 }, (_, n) => ({
        externalId: `launch-${run}-${n}`,
        kind: "comment",
        author: { externalId: `player-${run}-${n}`, handle: `player_${n}` },
        body: `Servers down? Can't log in (${n})`,
        createdAt: new Date().toISOString(),
      })),
    );

    // The console's banner, from the live counts.
    const banner = console.locator(".volume-spike", { hasText: "Spike on Hexfall Games" });
    await banner.waitFor({ timeout: 60_000 });
    expect(await banner.textContent()).toMatch(
      /Spike on Hexfall Games: \d{1,3}(,\d{3})* items an hour since .*, where \d+ an hour is usual/,
    );
    // A moderator is not offered the floor.
    expect(await banner.getByRole("link", { name: "Floor view" }).count()).toBe(0);

    // The owner's floor.
    const floor = await demo.signedInPage("owner@northwind.test");
    await floor.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Floor" }).click();
    await floor.getByRole("heading", { name: "Floor", level: 1 }).waitFor();
    await floor.locator(".floor__spike-alert", { hasText: "Spike on Hexfall Games" }).waitFor();
    const card = floor.getByRole("region", { name: "Hexfall Games" });
    const incoming = (await card.locator('[data-figure="rate"]').textContent()) ?? "";
    // 300 items within the last 15 minutes (plus whatever the demo's rhythm brought): at least 1,200 an hour.
    expect(incoming).toMatch(/^\d{1,3}(,\d{3})+\/h$/);
    expect(Number(incoming.replace(/,|\/h/g, ""))).toBeGreaterThanOrEqual(1_200);
    expect(await card.locator('[data-figure="usual"]').textContent()).toMatch(/^\d+\/h$/);
    expect(Number(await card.locator('[data-figure="queued"]').textContent())).toBeGreaterThanOrEqual(300);
    // How far behind the automatic triage is (the figures are floor-view.int.test.ts's).
    expect(await card.locator('[data-figure="triage"]').textContent()).toMatch(
      /^(up to date|[\d,]+ steps? waiting, the oldest (due under a minute ago|\d.* late))$/,
    );
    // Two charts per client, drawn by Chart.js.
    await expect.poll(() => card.locator("canvas").count()).toBe(2);
    const spike = card.locator(".floor__spike", { hasText: /Spike since/ });
    await spike.waitFor();
    // Counted at the floor's read: the 300 at least, thousands separated.
    const soFar = /([\d,]+) items so far/.exec((await spike.textContent()) ?? "")?.[1] ?? "";
    expect(Number(soFar.replace(/,/g, ""))).toBeGreaterThanOrEqual(300);
    // Mia is on the floor: online (idle, or working if she holds an item).
    const mia = floor.getByRole("row", { name: /Mia Moderator/ });
    await expect.poll(() => mia.getAttribute("data-state")).toMatch(/^(idle|working)$/);

    // The owner has a notice linking to the floor.
    await floor.goto(`${demo.server.url}/notices`);
    const notice = floor.getByRole("link", { name: /Spike on Hexfall Games/ });
    await notice.first().waitFor();
    expect(await notice.first().getAttribute("href")).toBe("/floor");

    // The console's lead sees the banner with the way to the floor.
    await floor.goto(`${demo.server.url}/console`);
    await floor
      .locator(".volume-spike", { hasText: "Spike on Hexfall Games" })
      .getByRole("link", { name: "Floor view" })
      .waitFor();
  });
});
