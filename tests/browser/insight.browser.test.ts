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
