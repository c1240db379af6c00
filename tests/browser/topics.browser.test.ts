import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo } from "../support/browser";

let demo: Awaited<ReturnType<typeof startDemo>>;

beforeAll(async () => {
  demo = await startDemo();
}, 120_000);
afterAll(async () => {
  await demo?.stop();
});

describe("recurring topics in a real browser", () => {
  it("Cobalt's stakeholder sees last month's topics and lists the items behind one", { timeout: 120_000 }, async () => {
    const page = await demo.signedInPage("stakeholder@cobalt.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.getByLabel("Period").selectOption("last_month");
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
