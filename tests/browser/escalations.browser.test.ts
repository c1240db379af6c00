import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimItem, type Demo, demoPassword, startDemo } from "../support/browser";
import { callProcedure, remoteApp, signInAs } from "../support/http";

let demo: Demo;

beforeAll(async () => {
  demo = await startDemo();
}, 120_000);
afterAll(async () => {
  await demo?.stop();
});

describe("escalating from the console, in a real browser", () => {
  it("shows the item's SLA clock, previews the hand-over packet on e and escalates with a note", {
    timeout: 120_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const marker = `[${run}]`;
    const hexfallGeneric = demo.channel("Hexfall Games", "generic");
    await demo.ingestGeneric(hexfallGeneric.id, [
      {
        externalId: `hacked-${run}`,
        kind: "comment",
        author: { externalId: `player-${run}`, handle: `curious_${run}` },
        body: `When does the winter season start? ${marker}`,
        createdAt: new Date().toISOString(),
      },
    ]);

    const page = await demo.signedInPage("mod1@northwind.test");
    await page.goto(`${demo.server.url}/console?client=${hexfallGeneric.clientId}`);
    await page.getByRole("heading", { name: "Console", level: 1 }).waitFor();
    await page.getByText(marker).first().waitFor({ timeout: 15_000 });
    await claimItem(page, marker);
    const openItem = page.getByRole("region", { name: "Open item" });
    await openItem.locator(".item-head .sla-clock").waitFor({ timeout: 15_000 });

    await page.keyboard.press("e");
    const dialog = page.getByRole("dialog", { name: "Escalate to the client" });
    await dialog.getByRole("region", { name: "Hand-over packet preview" }).getByText(marker).first().waitFor();
    await dialog.getByLabel("Note for the client").fill(`Please confirm the season date ${run}`);
    await dialog
      .getByRole("region", { name: "Note from the agency" })
      .getByText(`Please confirm the season date ${run}`)
      .waitFor();
    await dialog.getByRole("button", { name: "Escalate", exact: true }).click();
    await page.getByText("Escalated: the client's contacts have the hand-over packet.").waitFor();
    await expect.poll(() => dialog.count()).toBe(0);
    await page.close();
  });
});

describe("playbooks in admin, in a real browser", () => {
  it("lists the client's playbook and shows the server's error next to a level's field", {
    timeout: 60_000,
  }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/playbooks`);
    await page.getByRole("heading", { name: "Playbooks", level: 1 }).waitFor();
    await page.getByLabel("Client").selectOption({ label: "Hexfall Games" });
    const row = page.getByRole("row").filter({ hasText: "Hacked accounts and legal threats" });
    await row.getByRole("button", { name: "Edit" }).click();
    const respond = page.getByLabel("Respond within (minutes)").first();
    await respond.fill("0");
    await page.getByRole("button", { name: "Save playbook" }).click();
    await page.getByText("respond within must be positive").waitFor();
    await expect.poll(() => respond.getAttribute("aria-invalid")).toBe("true");
    await respond.fill("30");

    // Categories and contacts are picked from the protocol and the client's stakeholders, never typed as ids.
    const categories = page.getByRole("group", { name: "Categories" });
    await categories.getByRole("checkbox").first().waitFor();
    const portalContacts = page.getByRole("group", { name: "Portal contacts" }).first();
    await portalContacts.getByLabel(/stakeholder@hexfall\.test/).check();
    const emails = page.getByLabel("E-mail contacts").first();
    await emails.fill("ops@hexfall.test, ops at hexfall");
    await page.getByRole("button", { name: "Save playbook" }).click();
    await page.getByText("“ops at hexfall” is not an e-mail address").waitFor();
    await emails.fill("ops@hexfall.test");
    await page.getByRole("button", { name: "Save playbook" }).click();
    await page.getByRole("button", { name: "Save playbook" }).waitFor({ state: "detached" });
    await page.close();
  });
});

describe("escalations in the portal, in a real browser", () => {
  it("shows Hexfall's stakeholder the seeded open escalation with its packet, and resolves it with an answer", {
    timeout: 120_000,
  }, async () => {
    const page = await demo.signedInPage("stakeholder@hexfall.test");
    await page.goto(`${demo.server.url}/portal`);
    await page.getByRole("heading", { name: "Portal", level: 1 }).waitFor();
    // The page's actions stand apart: the protocol's link does not touch the live indicator.
    const protocolLink = await page.getByRole("link", { name: "Brand protocol" }).boundingBox();
    const live = await page.getByRole("status").filter({ hasText: "Live" }).boundingBox();
    if (!protocolLink || !live) throw new Error("the portal's actions are not laid out");
    expect(live.x - (protocolLink.x + protocolLink.width)).toBeGreaterThanOrEqual(8);

    const open = page.getByRole("list", { name: "Open escalations" });
    const row = open.getByRole("button").filter({ hasText: "nightowl_gamer" });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    // The open escalation has its own address.
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/portal\/escalations\/[0-9a-f-]{36}$/);

    // The hand-over packet, rendered as text.
    await page.getByText("My account was hacked last night", { exact: false }).first().waitFor();
    await expect.poll(() => page.getByRole("region", { name: "Clocks" }).count()).toBeGreaterThan(0);

    // An empty answer is refused (the server's rule, checked before anything is sent); its message sits next to the field.
    await page.getByRole("button", { name: "Send answer" }).click();
    await page.locator("#escalation-answer-error").waitFor();
    await expect.poll(() => page.getByLabel("Your answer for the customer").getAttribute("aria-invalid")).toBe("true");

    await page
      .getByLabel("Your answer for the customer")
      .fill("We restored the account and the skins; the player will get an e-mail to set a new password.");
    await page.getByRole("button", { name: "Send answer" }).click();
    await page.getByText("Answered: the agency passes it on to the customer.").waitFor();
    await page.locator(".escalation-detail__meta").getByText("Resolved").waitFor();

    await page.getByRole("button", { name: "← All escalations" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/portal");
    await expect.poll(() => open.getByRole("button").filter({ hasText: "nightowl_gamer" }).count()).toBe(0);
    await page.getByText(/Answered and resolved \(\d+\)/).click();
    const closed = page.getByRole("list", { name: "Closed escalations" });
    await closed.getByRole("button").filter({ hasText: "nightowl_gamer" }).getByText("Resolved").waitFor();
    await page.close();
  });
});

describe("notices and their links, in a real browser", () => {
  it("counts a stakeholder's unread notices in the bell, opens an escalation from a notice after signing in, and marks read", {
    timeout: 120_000,
  }, async () => {
    const page = await demo.signedInPage("stakeholder@cobalt.test");
    const count = page.getByTestId("notices-unread");
    await count.waitFor({ timeout: 15_000 });
    const unread = Number(await count.textContent());
    expect(unread).toBeGreaterThan(0);

    await page.getByRole("link", { name: /Notices/ }).click();
    await page.getByRole("heading", { name: "Notices", level: 1 }).waitFor();
    const link = page.getByRole("list", { name: "Notices" }).locator('a[href^="/portal/escalations/"]').first();
    await link.waitFor();
    const href = await link.getAttribute("href");
    expect(href).toMatch(/^\/portal\/escalations\/[0-9a-f-]{36}$/);

    // The same link, opened by someone signed out (from an e-mail, a colleague): sign in, then straight there.
    const context = await demo.browser.newContext();
    const fresh = await context.newPage();
    await fresh.goto(`${demo.server.url}${href}`);
    await expect.poll(() => new URL(fresh.url()).pathname).toBe("/sign-in");
    await fresh.getByLabel("E-mail").fill("stakeholder@cobalt.test");
    await fresh.getByLabel("Password").fill(demoPassword);
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => new URL(fresh.url()).pathname).toBe(href);
    await fresh.getByRole("button", { name: "← All escalations" }).waitFor();
    await context.close();

    // Opening a notice marks it read and goes to its screen; Back returns to the list.
    await link.click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(href);
    await page.getByRole("button", { name: "← All escalations" }).waitFor();
    await expect.poll(async () => Number((await count.textContent()) ?? 0)).toBe(unread - 1);
    await page.goBack();
    await page.getByRole("heading", { name: "Notices", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Mark all read" }).click();
    await expect.poll(() => count.count()).toBe(0);

    // A new escalation for Cobalt reaches the open bell over the live event stream, without a reload.
    const run = randomUUID().slice(0, 8);
    const marker = `[${run}]`;
    const cobaltGeneric = demo.channel("Cobalt Bank", "generic");
    await demo.ingestGeneric(cobaltGeneric.id, [
      {
        externalId: `question-${run}`,
        kind: "comment",
        author: { externalId: `customer-${run}`, handle: `customer_${run}` },
        body: `Is the branch on Main Street open on Saturday? ${marker}`,
        createdAt: new Date().toISOString(),
      },
    ]);
    const moderator = await demo.signedInPage("owner@northwind.test");
    await moderator.goto(`${demo.server.url}/console?client=${cobaltGeneric.clientId}`);
    await moderator.getByText(marker).first().waitFor({ timeout: 15_000 });
    await claimItem(moderator, marker);
    await moderator.keyboard.press("e");
    const dialog = moderator.getByRole("dialog", { name: "Escalate to the client" });
    await dialog.getByLabel("Note for the client").fill(`Opening hours ${run}`);
    await dialog.getByRole("button", { name: "Escalate", exact: true }).click();
    await moderator.getByText("Escalated: the client's contacts have the hand-over packet.").waitFor();
    await moderator.close();
    await expect
      .poll(async () => Number((await count.textContent({ timeout: 1_000 }).catch(() => "0")) ?? 0), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    await page.close();
  });
});

describe("the portal's first screen, on a 390 px phone", () => {
  it("shows the summary strip with the server's figures and the first approval first, without sideways scrolling", {
    timeout: 90_000,
  }, async () => {
    const cobalt = demo
      .data()
      .agencies.flatMap((agency) => agency.clients)
      .find((client) => client.name === "Cobalt Bank");
    const context = await demo.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${demo.server.url}/sign-in`);
    await page.getByLabel("E-mail").fill("stakeholder@cobalt.test");
    await page.getByLabel("Password").fill(demoPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    const strip = page.getByRole("region", { name: "Summary for Cobalt Bank" });
    await strip.waitFor();
    const api = remoteApp(demo.server.url);
    const cookie = await signInAs(api, "stakeholder@cobalt.test", demoPassword);
    const figures = async () => {
      const answer = await callProcedure(api, {
        cookie,
        path: "sla.summary",
        type: "query",
        input: { clientId: cobalt?.id },
      });
      const summary = answer.data as { openEscalations: number; awaitingApproval: number; receivedToday: number };
      return [summary.openEscalations, summary.awaitingApproval, summary.receivedToday].join();
    };
    const shown = async () =>
      (
        await Promise.all(
          ["summary-open-escalations", "summary-awaiting-approval", "summary-received-today"].map((id) =>
            page.getByTestId(id).textContent(),
          ),
        )
      ).join();
    await expect.poll(async () => (await shown()) === (await figures())).toBe(true);
    expect(
      await strip.getByRole("list", { name: "Compliance this month by priority" }).getByRole("listitem").count(),
    ).toBeGreaterThan(0);
    // The strip is on the first screen; nothing is wider than the phone.
    const box = await strip.boundingBox();
    expect((box?.y ?? 1000) + (box?.height ?? 1000)).toBeLessThan(844);
    // Nothing sticks out past the phone's edge (named, when something does: its tag and classes).
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((element) => element.getBoundingClientRect().right > 391 && !element.closest(".table-wrap, pre"))
        .slice(0, 8)
        .map(
          (element) =>
            `${element.tagName.toLowerCase()}.${[...element.classList].join(".")} ${Math.round(element.getBoundingClientRect().right)}`,
        ),
    );
    expect(overflowing).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // What needs the stakeholder comes next, on the first screen: the first draft to approve, by its heading.
    const firstApproval = page.getByRole("list", { name: "Pending approvals" }).getByRole("article").first();
    const approvalHeading = await firstApproval.getByRole("heading").boundingBox();
    expect((approvalHeading?.y ?? 1000) + (approvalHeading?.height ?? 1000)).toBeLessThanOrEqual(844);
    await page.getByRole("list", { name: "Open escalations" }).getByRole("button").first().waitFor();
    // The SLA month, the topics, the board, the invoices and the monthly reports are folded until opened.
    const folded = page.getByRole("button", { expanded: false });
    await expect.poll(() => folded.count()).toBe(5);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    for (const name of ["SLA this month", "SLA board", "Invoices"]) {
      await page.getByRole("button", { name, expanded: false }).click();
    }
    await page.getByRole("list", { name: "Open items by time left" }).getByRole("listitem").first().waitFor();
    const openedHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`portal home at 390×844: ${height} px tall as first shown; ${openedHeight} px with every section open`);
    expect(height).toBeLessThan(2000);
    // Opened, the board's rows still fit the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  });
});

describe("an escalation's address for agency staff", () => {
  it("opens the escalated item in the console, from a signed-out link too", { timeout: 60_000 }, async () => {
    const api = remoteApp(demo.server.url);
    const owner = await signInAs(api, "owner@northwind.test", demoPassword);
    const listed = await callProcedure(api, { cookie: owner, path: "escalations.list", type: "query", input: {} });
    const [escalation] = listed.data as Array<{ id: string; itemId: string }>;
    if (!escalation) throw new Error("the demo has open escalations");
    const context = await demo.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.server.url}/console/escalations/${escalation.id}`);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    await page.getByLabel("E-mail").fill("owner@northwind.test");
    await page.getByLabel("Password").fill(demoPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/console/items/${escalation.itemId}`);
    await context.close();
  });
});
