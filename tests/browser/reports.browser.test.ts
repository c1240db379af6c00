import { randomUUID } from "node:crypto";
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
    await page.getByLabel("Period", { exact: true }).selectOption("last_month");
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toMatch(/^\d{4}-\d{2}-01$/);
    // The previous period's figures stay on screen, marked busy, until last month's arrive.
    await page.locator('.report-charts[aria-busy="false"]').waitFor();
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
    // Every table of the report shows all its columns without a sideways scroll, on a laptop too.
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 1366, height: 768 },
    ]) {
      await page.setViewportSize(viewport);
      const wraps = await page.locator(".report-charts .table-wrap").evaluateAll((elements) =>
        elements.map((element) => ({
          table: element.querySelector("table")?.getAttribute("aria-label") ?? element.closest("section")?.id ?? "",
          scrollWidth: element.scrollWidth,
          clientWidth: element.clientWidth,
        })),
      );
      expect(wraps.length).toBeGreaterThanOrEqual(6);
      for (const wrap of wraps) {
        expect.soft(wrap.scrollWidth, `${wrap.table} at ${viewport.width} px`).toBeLessThanOrEqual(wrap.clientWidth);
      }
    }

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

    // The same month against the contract: a bar per target, and the target's breaches as the table counts them.
    const bars = page.getByRole("list", { name: "Compliance per priority against the contract" });
    await bars.waitFor();
    expect(
      await bars.getByRole("meter", { name: new RegExp(`^${priority} First response: .* met, target `) }).count(),
    ).toBe(1);
    const targets = page.getByRole("table", { name: "Breaches per target" });
    const target = targets
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: `${priority} First response` }) });
    expect(Number(await target.getByRole("button").textContent())).toBe(breached);

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

    // An address may name the period instead of its dates (a link to last month's report stays last month's).
    await page.goto(`${demo.server.url}/reports?period=last_month`);
    await page.locator('.report-charts[aria-busy="false"]').waitFor();
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe(from);
    expect(await page.getByLabel("To", { exact: true }).inputValue()).toBe(to);
    expect(await page.getByLabel("Period", { exact: true }).inputValue()).toBe("last_month");
    await page.close();
  });

  it("an owner picks a client, lists a figure's items from its tile and opens one in the console", {
    timeout: 90_000,
  }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByLabel("Period", { exact: true }).selectOption("last_month");
    await page.getByLabel("Client", { exact: true }).selectOption({ label: "Cobalt Bank" });
    await expect.poll(() => new URL(page.url()).searchParams.get("client")).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator('.report-charts[aria-busy="false"]').waitFor();

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

  it("an owner narrows to P1 in the address, clicks an hour's bar and gets exactly that hour's P1 items", {
    timeout: 120_000,
  }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByLabel("Period", { exact: true }).selectOption("last_month");
    await page.getByLabel("Client", { exact: true }).selectOption({ label: "Cobalt Bank" });
    await expect.poll(() => new URL(page.url()).searchParams.get("client")).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByLabel("Priority", { exact: true }).selectOption("P1");
    await expect.poll(() => new URL(page.url()).searchParams.get("priorities")).toBe("P1");
    await page.locator('.report-charts[aria-busy="false"]').waitFor();

    // The priority table now holds P1 alone, and the tiles count its items.
    const priorityTable = page.getByRole("table", { name: "First response per priority" });
    await expect.poll(() => priorityTable.locator("tbody tr").count()).toBe(1);
    const itemsIn = Number(
      await page.getByRole("region", { name: "Items in" }).locator(".report-tile__value").textContent(),
    );
    expect(itemsIn).toBeGreaterThan(0);
    // Last month's history was answered: acknowledgement and useful answer both have a median.
    for (const tile of ["Acknowledgement", "Useful answer"]) {
      const median = page.getByRole("region", { name: tile }).locator("dd").first();
      expect(await median.textContent(), tile).not.toBe("—");
    }

    // The busiest hour's bar on the hour-of-day chart, clicked on the canvas where Chart.js drew it.
    const canvas = page.getByRole("img", { name: /^Items per hour of the day/ });
    const bar = await canvas.evaluate((element) => {
      const chart = (element as HTMLCanvasElement & { chart?: import("chart.js").Chart<"bar"> }).chart;
      if (!chart) throw new Error("the canvas carries no chart");
      const values = chart.data.datasets[0]?.data as number[];
      const index = values.indexOf(Math.max(...values));
      const drawn = chart.getDatasetMeta(0).data[index];
      if (!drawn) throw new Error("no bar drawn");
      const { x, y, base } = drawn.getProps(["x", "y", "base"], true) as { x: number; y: number; base: number };
      return { x, y: (y + base) / 2, label: String(chart.data.labels?.[index]), count: values[index] ?? 0 };
    });
    await canvas.click({ position: { x: bar.x, y: bar.y } });
    const hour = Number(bar.label.slice(0, 2));
    await expect.poll(() => new URL(page.url()).searchParams.get("hour")).toBe(String(hour));
    expect(new URL(page.url()).searchParams.get("figure")).toBe("items_in");
    expect(new URL(page.url()).searchParams.get("priorities")).toBe("P1");
    const list = page.getByRole("table", { name: `Items: Items in · ${bar.label}` });
    await list.waitFor();
    await expect.poll(() => page.getByTestId("drill-down-count").textContent()).toMatch(`${bar.count} item`);
    await expect.poll(() => list.locator("tbody tr").count()).toBe(Math.min(bar.count, 50));
    expect(await list.locator("tbody tr").filter({ hasNotText: "P1" }).count()).toBe(0);

    // The export carries the filter and the bar; the summary export the filter alone.
    const exportHref = (await page.getByRole("link", { name: "Export CSV" }).getAttribute("href")) ?? "";
    const exported = new URL(exportHref, demo.server.url).searchParams;
    expect([exported.get("priority"), exported.get("hour"), exported.get("figure")]).toEqual([
      "P1",
      String(hour),
      "items_in",
    ]);
    const csv = await page.request.get(new URL(exportHref, demo.server.url).toString());
    expect(csvLines(await csv.text()).length - 1).toBe(bar.count);
    const summaryHref = (await page.getByRole("link", { name: "Export summary" }).getAttribute("href")) ?? "";
    const summary = await page.request.get(new URL(summaryHref, demo.server.url).toString());
    expect(summary.status()).toBe(200);
    const total = csvLines(await summary.text()).find((line) => line.startsWith("total,"));
    expect(total?.split(",")[2]).toBe(String(itemsIn));
    await page.close();
  });
});

describe("recurring topics in a real browser", () => {
  it("Cobalt's stakeholder sees last month's topics and lists the items behind one", { timeout: 120_000 }, async () => {
    const page = await demo.signedInPage("stakeholder@cobalt.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByLabel("Period", { exact: true }).selectOption("last_month");
    const panel = page.getByRole("region", { name: "Recurring topics" });
    await panel.getByTestId("topics-analysed").waitFor();
    expect(await panel.getByTestId("topics-analysed").textContent()).toMatch(/^Cobalt Bank: \d+ items? from /);

    // The first topic found in the text (else the first category): its count lists exactly its items.
    const found = panel.getByRole("table", { name: "Topics found in the text" });
    const table = (await found.count()) > 0 ? found : panel.getByRole("table", { name: "The protocol's categories" });
    const first = table.locator("tbody tr").first();
    const label = ((await first.getByRole("rowheader").textContent()) ?? "").replace("new this week", "").trim();
    const count = Number(await first.getByRole("button", { name: /^List the \d+ items?:/ }).textContent());
    expect(count).toBeGreaterThan(0);
    console.info(`topics.browser: opening "${label}" (${count} items)`);
    await first.getByRole("button", { name: /^List the \d+ items?:/ }).click();
    const list = page.getByRole("table", { name: `Items: ${label}` });
    await list.waitFor();
    await expect.poll(() => page.getByTestId("topic-items-count").textContent()).toMatch(`${count} item`);
    await expect.poll(() => list.locator("tbody tr").count()).toBe(Math.min(count, 500));
    // A stakeholder gets no console links.
    expect(await list.locator('a[href^="/console/"]').count()).toBe(0);

    // The portal shows the same panel for the last seven days.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Portal" }).click();
    await page.getByRole("region", { name: "Recurring topics" }).getByTestId("topics-analysed").waitFor();
    await page.close();
  });
});

describe("insight in a real browser", () => {
  it("Cobalt's stakeholder sees the gratitude index and lists the purchase-intent items with their phrase", {
    timeout: 120_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    await demo.ingestGeneric(demo.channel("Cobalt Bank", "generic").id, [
      {
        externalId: `intent-${run}`,
        kind: "comment",
        author: { externalId: `customer-${run}`, handle: `customer-${run}` },
        body: `Where can I buy the metal card? ${run}`,
        createdAt: new Date().toISOString(),
      },
    ]);
    const page = await demo.signedInPage("stakeholder@cobalt.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { level: 1, name: "Reports" }).waitFor();

    await page.getByRole("region", { name: "Gratitude index" }).waitFor();
    expect(await page.getByTestId("gratitude-index").textContent()).toMatch(/%|—/);

    const counts = page.getByRole("table", { name: "Insight counts" });
    const intent = counts.getByRole("button", { name: /^List the \d+ items?: Purchase intent$/ });
    await intent.waitFor();
    const counted = Number(await intent.textContent());
    expect(counted).toBeGreaterThan(0);
    await intent.click();

    const list = page.getByRole("table", { name: "Items: Purchase intent" });
    await list.waitFor();
    await expect.poll(() => page.getByTestId("insight-drill-down-count").textContent()).toMatch(`${counted} item`);
    const row = list.getByRole("row").filter({ hasText: run });
    await row.waitFor();
    expect(await row.textContent()).toContain("where can i buy");
  });
});
