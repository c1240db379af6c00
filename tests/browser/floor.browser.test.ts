import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo } from "../support/browser";

let demo: Demo;

beforeAll(async () => {
  // Spike detection looks every second here (every minute by default).
  demo = await startDemo({ env: { SPIKE_WATCH_MS: "1000" } });
}, 120_000);
afterAll(async () => {
  await demo?.stop();
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
      /Spike on Hexfall Games: \d+ items an hour since .*, where \d+ an hour is usual/,
    );
    // A moderator is not offered the floor.
    expect(await banner.getByRole("link", { name: "Floor view" }).count()).toBe(0);

    // The owner's floor.
    const floor = await demo.signedInPage("owner@northwind.test");
    await floor.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Floor" }).click();
    await floor.getByRole("heading", { name: "Floor", level: 1 }).waitFor();
    await floor.locator(".floor__spike-alert", { hasText: "Spike on Hexfall Games" }).waitFor();
    const card = floor.getByRole("region", { name: "Hexfall Games" });
    const incoming = Number.parseInt((await card.locator('[data-figure="rate"]').textContent()) ?? "", 10);
    // 300 items within the last 15 minutes (plus whatever the demo's rhythm brought): at least 1,200 an hour.
    expect(incoming).toBeGreaterThanOrEqual(1_200);
    expect(await card.locator('[data-figure="usual"]').textContent()).toMatch(/^\d+\/h$/);
    expect(Number(await card.locator('[data-figure="queued"]').textContent())).toBeGreaterThanOrEqual(300);
    // Two charts per client, drawn by Chart.js.
    await expect.poll(() => card.locator("canvas").count()).toBe(2);
    await card.locator(".floor__spike", { hasText: /Spike since/ }).waitFor();
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
