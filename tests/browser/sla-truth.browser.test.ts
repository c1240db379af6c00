import { randomUUID } from "node:crypto";
import { formatZonedTime } from "@parley/contracts";
import { postSandboxComment } from "@parley/core/sandbox";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, demoPassword, startDemo } from "../support/browser";
import { callProcedure, remoteApp, signInAs } from "../support/http";

/**
 * SLA truth end to end, in a real browser on the demo: business hours an owner sets (with a holiday) pause a
 * business-hours clock until the next opening in the client's zone; a Cobalt Bank P1 comment (10 minutes, 24x7)
 * answered 12 minutes after it arrived is breached in the console, the portal and the month's draft, with its credit.
 *
 * The demo's server runs on a test database (`demo.database`), so the test can post a customer's comment at an earlier instant
 * through the same core use case the sandbox's route calls (`postSandboxComment` with `now`), as the integration
 * tests inject time; everything after it happens in real time in the server and the browser.
 */
let demo: Demo;

beforeAll(async () => {
  demo = await startDemo();
}, 180_000);
afterAll(async () => {
  await demo?.stop();
});

function clientOf(name: string) {
  for (const agency of demo.data().agencies) {
    const client = agency.clients.find((candidate) => candidate.name === name);
    if (client) return { ...client, agencyId: agency.id };
  }
  throw new Error(`demo.json has no client ${name}`);
}

/** "YYYY-MM-DD" of `at` in `timeZone`. */
function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The first weekday after the local date `date` (a holiday), as a weekday name: Mon–Fri open at 09:00. */
function nextWeekdayAfter(date: string): string {
  const day = new Date(`${date}T12:00:00Z`);
  do day.setUTCDate(day.getUTCDate() + 1);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6);
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", timeZone: "UTC" }).format(day);
}

/** Reloads `page` until `locator()` finds something: a page that is not live for this change still shows it. */
async function reloadUntilVisible(page: Page, locator: () => ReturnType<Page["getByText"]>, timeout = 60_000) {
  await expect
    .poll(
      async () => {
        if ((await locator().count()) > 0) return true;
        await page.reload();
        await page.getByRole("button", { name: "Sign out" }).waitFor();
        return (await locator().count()) > 0;
      },
      { timeout },
    )
    .toBe(true);
}

describe("SLA truth in a real browser", () => {
  it("an owner's hours and holiday for Brightmart pause a P2 clock until the next opening, in Brightmart's zone", {
    timeout: 180_000,
  }, async () => {
    const brightmart = clientOf("Brightmart");
    const zone = brightmart.timeZone;
    const today = localDate(new Date(), zone);

    // The demo's P2 first response counts every minute; this contract's counts Brightmart's business hours.
    const api = remoteApp(demo.server.url);
    const cookie = await signInAs(api, "owner@northwind.test", demoPassword);
    const listed = await callProcedure(api, {
      cookie,
      path: "contracts.list",
      type: "query",
      input: { clientId: brightmart.id },
    });
    const [contract] = listed.data as Array<{ id: string; terms: { slaTargets: Array<Record<string, unknown>> } }>;
    if (!contract) throw new Error("Brightmart has no contract");
    const saved = await callProcedure(api, {
      cookie,
      path: "contracts.save",
      type: "mutation",
      input: {
        clientId: brightmart.id,
        contractId: contract.id,
        terms: {
          ...contract.terms,
          slaTargets: contract.terms.slaTargets.map((target) =>
            target.priority === "P2" ? { ...target, calendar: "business_hours" } : target,
          ),
        },
      },
    });
    expect(saved.error).toBeUndefined();

    // Admin → Brightmart → Business hours: Monday to Friday 09:00–17:00 from today, and today a holiday.
    const owner = await demo.signedInPage("owner@northwind.test");
    await owner.goto(`${demo.server.url}/admin/clients/${brightmart.id}/business-hours`);
    await owner.getByRole("heading", { name: "Business hours — Brightmart" }).waitFor();
    const form = owner.getByRole("form", { name: "Business hours" });
    await form.getByLabel("Applies from").fill(today);
    for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]) {
      await form.getByLabel(day, { exact: true }).fill("09:00–17:00");
    }
    for (const day of ["Saturday", "Sunday"]) await form.getByLabel(day, { exact: true }).fill("");
    await form.getByLabel("Add a holiday").fill(today);
    await form.getByRole("button", { name: "Add holiday" }).click();
    await expect.poll(() => form.getByRole("textbox", { name: /^Holidays/ }).inputValue()).toContain(today);
    await form.getByRole("button", { name: "Save business hours" }).click();
    await owner.getByText(new RegExp(`Business hours saved: version \\d+, from ${today}\\.`)).waitFor();
    const preview = owner.getByRole("table", { name: "Next 14 days" });
    await preview.getByRole("row").filter({ hasText: today }).getByText("Closed (holiday)").waitFor();

    // A delivery question arrives today, on the holiday: its P2 clock waits for the next opening.
    const run = randomUUID().slice(0, 8);
    const channel = demo.channel("Brightmart", "sandbox");
    const { itemId } = await postSandboxComment(
      demo.database.app,
      { id: channel.id, agencyId: brightmart.agencyId, clientId: brightmart.id },
      { author: "Robin", text: `Where is my parcel? Tracking says nothing ${run}` },
    );
    if (!itemId) throw new Error("the comment was not ingested");
    await owner.goto(`${demo.server.url}/console/items/${itemId}`);
    const sla = owner.getByRole("region", { name: "Open item" }).getByRole("region", { name: "SLA" });
    const opens = `opens ${nextWeekdayAfter(today)} 09:00 ${zone}`;
    await sla
      .getByRole("listitem")
      .filter({ hasText: "First response 120 min (business hours, Brightmart's contract) · Paused" })
      .filter({ hasText: `paused — outside Brightmart's hours, ${opens}` })
      .waitFor({ timeout: 30_000 });
    await owner.close();
  });

  it("a Cobalt Bank P1 answered after 12 minutes is breached in the console, the portal and the month's draft", {
    timeout: 240_000,
  }, async () => {
    const cobalt = clientOf("Cobalt Bank");
    const zone = cobalt.timeZone;
    const run = randomUUID().slice(0, 8);
    // The customer's comment reached Parley 12 minutes ago; the P1 target is 10 minutes, 24x7.
    const arrived = new Date(Date.now() - 12 * 60_000);
    const due = new Date(arrived.getTime() + 10 * 60_000);
    const channel = demo.channel("Cobalt Bank", "sandbox");
    const { itemId } = await postSandboxComment(
      demo.database.app,
      { id: channel.id, agencyId: cobalt.agencyId, clientId: cobalt.id },
      { author: "Dana", text: `Someone used my card, I did not make this payment ${run}` },
      { now: () => arrived },
    );
    if (!itemId) throw new Error("the comment was not ingested");

    // Console: its triage acknowledges it now (a triage category), 12 minutes after arrival — late.
    const owner = await demo.signedInPage("owner@northwind.test");
    await owner.goto(`${demo.server.url}/console/items/${itemId}`);
    const sla = () => owner.getByRole("region", { name: "Open item" }).getByRole("region", { name: "SLA" });
    const breachedLine = () =>
      sla()
        .getByRole("listitem")
        .filter({ hasText: "First response 10 min (24x7, Cobalt Bank's contract) · Breached" })
        .filter({ hasText: `due ${formatZonedTime(due, zone)}` })
        .filter({ hasText: new RegExp(`answered .+ ${zone.replace("/", "\\/")}`) });
    await reloadUntilVisible(owner, breachedLine);
    await owner.close();

    // Portal: Cobalt Bank's stakeholder sees the breach today, due at its time in Berlin, named.
    const stakeholder = await demo.signedInPage("stakeholder@cobalt.test");
    await stakeholder.goto(`${demo.server.url}/portal`);
    const board = stakeholder.getByRole("region", { name: "SLA board" });
    await board.getByText(/^Breaches today/).waitFor({ timeout: 30_000 });
    await board.getByText(/^Breaches today/).click();
    await board
      .getByRole("listitem")
      .filter({ hasText: `due ${formatZonedTime(due, zone)}` })
      .first()
      .waitFor();
    await stakeholder.close();

    // The month's draft: the P1 first-response line counts it, with a service credit, and the drill-down lists it
    // with its times in Berlin.
    const am = await demo.signedInPage("am@northwind.test");
    const period = localDate(new Date(), zone).slice(0, 7);
    await am.goto(`${demo.server.url}/accounts/invoices?period=${period}`);
    const review = am.getByRole("link", { name: "Review the invoice of Cobalt Bank" });
    await Promise.race([
      am.getByRole("table", { name: "Invoices" }).waitFor(),
      am.getByText(/No invoices for/).waitFor(),
    ]);
    if ((await review.count()) === 0) {
      await am.getByRole("button", { name: "Create drafts" }).click();
      await am.getByText(/clients done/).waitFor({ timeout: 60_000 });
    }
    await review.click();
    const lines = am.getByRole("table", { name: "Invoice lines" });
    await lines.waitFor();
    await expect.poll(() => lines.getByText("Service credit", { exact: true }).count()).toBeGreaterThan(0);
    await lines.getByRole("button", { name: /breached items? for P1 first response/i }).click();
    const dialog = am.getByRole("dialog", { name: /Breached items: P1 first response/i });
    const row = dialog.getByRole("row").filter({ hasText: run });
    await row.waitFor();
    await row.getByText(formatZonedTime(due, zone)).waitFor();
    await am.close();
  });
});
