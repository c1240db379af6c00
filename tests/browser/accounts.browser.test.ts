import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pdfText } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo } from "../support/browser";

let demo: Awaited<ReturnType<typeof startDemo>>;
const downloads = mkdtempSync(path.join(os.tmpdir(), "parley-accounts-"));

beforeAll(async () => {
  demo = await startDemo();
}, 120_000);
afterAll(async () => {
  await demo?.stop();
  rmSync(downloads, { recursive: true, force: true });
});

/** "YYYY-MM" of the month before the current one (the browser and the server share this clock). */
function lastMonth(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getFullYear(), now.getMonth() - 1, 1)).toISOString().slice(0, 7);
}

/** "2026-11" → "November 2026", as the screens name months. */
function formatMonthName(month: string): string {
  const [year, number] = month.split("-").map(Number) as [number, number];
  return new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, number - 1, 1)),
  );
}

describe("accounts in a real browser", () => {
  it("shows the account manager's clients and validates the contract editor field by field", {
    timeout: 90_000,
  }, async () => {
    const page = await demo.signedInPage("am@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();

    const clients = page.getByRole("table", { name: "Clients and contracts" });
    await clients.getByRole("rowheader", { name: /Hexfall Games/ }).waitFor();

    // The month's SLA of any of their clients, against its contract, as the invoice will count it.
    const sla = page.getByRole("region", { name: "SLA this month" });
    await sla.getByLabel("Client", { exact: true }).selectOption({ label: "Hexfall Games" });
    await sla.getByLabel("Month", { exact: true }).selectOption(lastMonth());
    await sla.getByText(`Hexfall Games · ${formatMonthName(lastMonth())} · as the invoice will count it`).waitFor();
    await sla.getByRole("meter", { name: /^P1 First response: [\d.]+ % met, target [\d.]+ %$/ }).waitFor();

    await page.getByRole("link", { name: "Contract of Hexfall Games" }).click();
    await page.getByRole("heading", { name: "Contract of Hexfall Games" }).waitFor();
    await page.getByRole("button", { name: "Save contract" }).waitFor();

    // Two credit tiers whose ranges overlap: [90 %, 95 %) and [0 %, 92 %).
    const tiers = page.getByRole("table", { name: "Service-credit tiers" });
    while ((await tiers.getByRole("textbox", { name: /^From %, credit tier/ }).count()) < 2) {
      await page.getByRole("button", { name: "Add credit tier" }).click();
    }
    await page.getByLabel("From %, credit tier 1", { exact: true }).fill("90");
    await page.getByLabel("To %, credit tier 1", { exact: true }).fill("95");
    await page.getByLabel("Credit %, credit tier 1", { exact: true }).fill("5");
    await page.getByLabel("From %, credit tier 2", { exact: true }).fill("0");
    await page.getByLabel("To %, credit tier 2", { exact: true }).fill("92");
    await page.getByLabel("Credit %, credit tier 2", { exact: true }).fill("10");
    await page.getByLabel("Credit %, credit tier 2", { exact: true }).press("Tab");

    const from2 = page.getByLabel("From %, credit tier 2", { exact: true });
    await expect.poll(() => from2.getAttribute("aria-invalid")).toBe("true");
    const message = page.locator(`#${await from2.getAttribute("aria-describedby")}`);
    await expect.poll(() => message.textContent()).toMatch(/From % overlaps credit tier 1 \[90 %, 95 %\)/);

    // A bad money value is named on its own input, and saving is refused before any request.
    await page.getByLabel("Monthly retainer").fill("12.345");
    await page.getByLabel("Monthly retainer").press("Tab");
    await expect.poll(() => page.getByText(/Monthly retainer must have at most 2 decimals in/).count()).toBe(1);
    await page.getByRole("button", { name: "Save contract" }).click();
    await expect
      .poll(() =>
        page
          .getByRole("alert")
          .getByText(/correct the highlighted fields/)
          .count(),
      )
      .toBe(1);
    await page.close();
  });

  it("reviews last month's Hexfall Games draft, finalizes it and downloads the PDF", {
    timeout: 120_000,
  }, async () => {
    const page = await demo.signedInPage("am@northwind.test");
    await page.goto(`${demo.server.url}/accounts/invoices?period=${lastMonth()}`);
    const invoices = page.getByRole("table", { name: "Invoices" });
    const review = page.getByRole("link", { name: "Review the invoice of Hexfall Games" });
    await Promise.race([invoices.waitFor(), page.getByText(/No invoices for/).waitFor()]);
    if ((await review.count()) === 0) {
      await page.getByRole("button", { name: "Create drafts" }).click();
      await page.getByText(/clients done/).waitFor({ timeout: 60_000 });
      await review.waitFor();
    }
    await review.click();

    const lines = page.getByRole("table", { name: "Invoice lines" });
    await lines.waitFor();
    await expect.poll(() => lines.getByText("Service credit", { exact: true }).count()).toBeGreaterThan(0);
    await expect.poll(() => lines.getByRole("button", { name: /breached items? for/ }).count()).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Finalize", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: /Finalize the invoice of Hexfall Games/ });
    await expect.poll(() => confirm.getByText(/can no longer change/).count()).toBe(1);
    await confirm.getByRole("button", { name: "Finalize invoice" }).click();
    await page.getByRole("heading", { level: 1, name: /^Invoice (?!draft).+ · Hexfall Games$/ }).waitFor();
    const heading = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
    const number = /^Invoice (.+) · Hexfall Games$/.exec(heading)?.[1] ?? "";
    expect(number).not.toBe("");
    expect(await page.getByRole("button", { name: "Finalize", exact: true }).count()).toBe(0);
    // The demo has no STRIPE_SECRET_KEY: no Push to Stripe, and the account manager is told whom to ask.
    await page
      .getByTestId("stripe-not-configured")
      .getByText(/Ask the agency's owner/)
      .waitFor();
    expect(await page.getByRole("button", { name: "Push to Stripe" }).count()).toBe(0);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download PDF" }).click(),
    ]);
    const file = path.join(downloads, "invoice.pdf");
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 4).toString("latin1")).toBe("%PDF");
    const text = pdfText(readFileSync(file));
    expect(text).toContain(number);
    expect(text).toContain("Total due");
    await page.close();
  });

  it("lets the account manager keep a client's billing details, with messages naming the field", {
    timeout: 60_000,
  }, async () => {
    const page = await demo.signedInPage("am@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("button", { name: "Billing details of Hexfall Games" }).click();
    const dialog = page.getByRole("dialog", { name: "Billing details of Hexfall Games" });
    expect(await dialog.getByLabel("Tax ID").inputValue()).toBe("GB 987 6543 21");
    await dialog.getByLabel("Billing e-mail").fill("not-an-address");
    await dialog.getByLabel("Billing e-mail").press("Tab");
    await expect.poll(() => dialog.getByText("Billing e-mail must be an e-mail address").count()).toBe(1);
    await dialog.getByLabel("Billing e-mail").fill("Invoices@Hexfall.test");
    await dialog.getByRole("button", { name: "Save billing details" }).click();
    await expect
      .poll(() => page.getByText("Billing details of Hexfall Games saved.", { exact: false }).count())
      .toBe(1);
    // Opened again, it shows what was stored (e-mail addresses are kept in lower case).
    await page.getByRole("button", { name: "Billing details of Hexfall Games" }).click();
    expect(await page.getByRole("dialog").getByLabel("Billing e-mail").inputValue()).toBe("invoices@hexfall.test");
    await page.close();
  });

  it("renews an open-ended contract: New contract offers to end the current one the day before, and saves", {
    timeout: 90_000,
  }, async () => {
    // Dates as the contracts table shows them (and the server's refusal names them).
    const tableDate = (date: string) =>
      new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
    const dayBefore = (date: string) => {
      const day = new Date(`${date}T00:00:00Z`);
      day.setUTCDate(day.getUTCDate() - 1);
      return day.toISOString().slice(0, 10);
    };
    const page = await demo.signedInPage("am@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("link", { name: "Contract of Brightmart" }).click();
    await page.getByRole("heading", { name: "Contract of Brightmart" }).waitFor();
    const contracts = page.getByRole("table", { name: "Contracts" });
    await contracts.getByRole("row").filter({ hasText: "Jan 1, 2025" }).filter({ hasText: "Open-ended" }).waitFor();

    // "New contract" starts from the current terms, from the first of next month.
    await page.getByRole("button", { name: "New contract" }).click();
    const form = page.getByRole("form", { name: "Contract" });
    const validFrom = await form.getByLabel("Valid from", { exact: true }).inputValue();
    expect(validFrom).toMatch(/^\d{4}-\d{2}-01$/);
    await form.getByRole("button", { name: "Save contract" }).click();

    // Refused, naming periods as the table does: on Valid from, the contract it overlaps; beside the offer to end
    // that one, both periods and the day it would end.
    await form.getByText(/overlaps the contract Jan 1, 2025 – open-ended/).waitFor();
    const refusal = form.getByRole("region", { name: "Renewal" });
    await refusal.waitFor();
    const message = (await refusal.textContent()) ?? "";
    expect(message).toContain(`(${tableDate(validFrom)} – open-ended)`);
    expect(message).toContain("(Jan 1, 2025 – open-ended)");
    expect(message).toContain(`end the current one on ${tableDate(dayBefore(validFrom))}`);
    await form.getByRole("button", { name: "End the current contract the day before and save this one" }).click();

    // Both saved in one go: the current contract now ends where the new one starts (exclusive), the new one runs on.
    await page.getByText(`Contract saved: valid from ${tableDate(validFrom)}, open-ended.`).waitFor();
    await contracts
      .getByRole("row")
      .filter({ hasText: "Jan 1, 2025" })
      .filter({ hasText: tableDate(validFrom) })
      .waitFor();
    await contracts
      .getByRole("row")
      .filter({ hasText: tableDate(validFrom) })
      .filter({ hasText: "Open-ended" })
      .waitFor();
    await page.close();
  });
});
