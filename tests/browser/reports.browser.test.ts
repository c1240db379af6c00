import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo } from "../support/browser";

let demo: Awaited<ReturnType<typeof startDemo>>;

beforeAll(async () => {
  demo = await startDemo();
}, 120_000);
afterAll(async () => {
  await demo?.stop();
});

/** The rows of a CSV without quoted line breaks, header first. */
const csvLines = (text: string) => text.split(/\r?\n/).filter((line) => line.length > 0);

describe("reports in a real browser", () => {
  it("Cobalt's stakeholder opens last month's report, clicks the chart's breached bar and sees those items", {
    timeout: 120_000,
  }, async () => {
    const page = await demo.signedInPage("stakeholder@cobalt.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { level: 1, name: "Reports" }).waitFor();
    await page.getByLabel("Period").selectOption("last_month");
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toMatch(/^\d{4}-\d{2}-01$/);
    const period = new URL(page.url()).searchParams;
    const from = period.get("from") ?? "";
    const to = period.get("to") ?? "";

    // The figures: items in, and acknowledgement beside the useful answer, each with its median and p90.
    const itemsIn = page.getByRole("region", { name: "Items in" });
    await itemsIn.waitFor();
    expect(Number(await itemsIn.locator(".report-tile__value").textContent())).toBeGreaterThan(0);
    for (const tile of ["Acknowledgement", "Useful answer"]) {
      const figures = page.getByRole("region", { name: tile });
      expect(await figures.getByText("Median").count()).toBe(1);
      expect(await figures.getByText("p90").count()).toBe(1);
    }
    // A stakeholder sees only their client: no client picker.
    expect(await page.getByLabel("Client", { exact: true }).count()).toBe(0);

    // The P1 bar of first responses breached, or the first priority that had breaches if P1 had none.
    const table = page.getByRole("table", { name: "First response per priority" });
    await table.waitFor();
    const breachedOf = async (priority: string) => {
      const row = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: priority }) });
      if ((await row.count()) === 0) return 0;
      return Number(await row.getByRole("button", { name: /First response breached/ }).textContent());
    };
    let priority = "P1";
    for (const candidate of ["P1", "P2", "P3", "P4"]) {
      if ((await breachedOf(candidate)) > 0) {
        priority = candidate;
        break;
      }
    }
    const breached = await breachedOf(priority);
    expect(breached, "the demo's last month has first-response breaches for Cobalt").toBeGreaterThan(0);
    console.info(`reports.browser: clicking ${priority}'s breached bar (${breached} items)`);

    // Click the bar on the canvas itself, where Chart.js drew it (dataset 1 = breached).
    const canvas = page.getByRole("img", { name: /^First response met and breached per priority/ });
    const point = await canvas.evaluate((element, label) => {
      const chart = (element as HTMLCanvasElement & { chart?: import("chart.js").Chart<"bar"> }).chart;
      if (!chart) throw new Error("the canvas carries no chart");
      const index = (chart.data.labels ?? []).indexOf(label);
      const bar = chart.getDatasetMeta(1).data[index];
      if (!bar) throw new Error(`no breached bar for ${label}`);
      // A bar spans from its value (y) down to its base: click its middle.
      const { x, y, base } = bar.getProps(["x", "y", "base"], true) as { x: number; y: number; base: number };
      return { x, y: (y + base) / 2 };
    }, priority);
    await canvas.click({ position: point });

    await expect.poll(() => new URL(page.url()).searchParams.get("figure")).toBe("first_response_breached");
    expect(new URL(page.url()).searchParams.get("priority")).toBe(priority);
    const list = page.getByRole("table", { name: `Items: First response breached · ${priority}` });
    await list.waitFor();
    await expect.poll(() => page.getByTestId("drill-down-count").textContent()).toMatch(`${breached} item`);
    while ((await page.getByRole("button", { name: "Load more" }).count()) > 0) {
      await page.getByRole("button", { name: "Load more" }).click();
      await page.getByRole("button", { name: "Loading…" }).waitFor({ state: "detached" });
    }
    await expect.poll(() => list.locator("tbody tr").count()).toBe(breached);
    // Every row is a breached first response of that priority, and a stakeholder gets no console links.
    expect(await list.locator("tbody tr").filter({ hasNotText: "Breached" }).count()).toBe(0);
    expect(await list.locator("tbody tr").filter({ hasNotText: priority }).count()).toBe(0);
    expect(await list.locator('a[href^="/console/"]').count()).toBe(0);

    // The export link carries the filters and the figure; the same session downloads exactly those items.
    const exportHref = (await page.getByRole("link", { name: "Export CSV" }).getAttribute("href")) ?? "";
    const exported = new URL(exportHref, demo.server.url).searchParams;
    expect(Object.fromEntries(exported)).toEqual({ from, to, figure: "first_response_breached", priority });
    const csv = await page.request.get(new URL(exportHref, demo.server.url).toString());
    expect(csv.status()).toBe(200);
    const lines = csvLines(await csv.text());
    expect(lines.length - 1).toBe(breached);
    expect(lines.slice(1).every((line) => line.includes("Cobalt"))).toBe(true);

    // Back closes the drill-down and keeps the period.
    await page.goBack();
    await list.waitFor({ state: "detached" });
    expect(new URL(page.url()).searchParams.get("from")).toBe(from);
    await page.close();
  });

  it("an owner picks a client, lists a figure's items from its tile and opens one in the console", {
    timeout: 90_000,
  }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByLabel("Period").selectOption("last_month");
    await page.getByLabel("Client", { exact: true }).selectOption({ label: "Cobalt Bank" });
    await expect.poll(() => new URL(page.url()).searchParams.get("client")).toMatch(/^[0-9a-f-]{36}$/);

    const tile = page.getByRole("region", { name: "Escalations" });
    const escalated = Number(await tile.locator(".report-tile__value").textContent());
    expect(escalated).toBeGreaterThan(0);
    await tile.getByRole("button", { name: /^List the \d+ items?: Escalated$/ }).click();
    const list = page.getByRole("table", { name: "Items: Escalated" });
    await expect.poll(() => list.locator("tbody tr").count()).toBe(Math.min(escalated, 50));
    expect(await list.locator("tbody tr").filter({ hasNotText: "Cobalt" }).count()).toBe(0);

    // Staff open an item in the console from the list.
    await list.locator('a[href^="/console/items/"]').first().click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/console\/items\/[0-9a-f-]{36}$/);
    await page.close();
  });
});
