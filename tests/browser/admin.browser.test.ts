import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPassword, startDemo } from "../support/browser";
import { callProcedure, remoteApp, signInAs } from "../support/http";

let demo: Awaited<ReturnType<typeof startDemo>>;

beforeAll(async () => {
  demo = await startDemo();
}, 120_000);
afterAll(() => demo?.stop());

describe("admin in a real browser", () => {
  it("lets the owner create a client and a channel and see them listed", { timeout: 90_000 }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();

    await page.getByRole("link", { name: "Clients" }).click();
    await page.getByLabel("Name").fill("Aurora Airlines");
    await page.getByLabel("Time zone").fill("Europe/Oslo");
    await page.getByRole("button", { name: "Create client" }).click();
    await expect
      .poll(() =>
        page
          .getByRole("table", { name: "Clients" })
          .getByRole("cell", { name: "Aurora Airlines", exact: true })
          .count(),
      )
      .toBe(1);

    await page.goto(`${demo.server.url}/admin/channels`);
    await page.getByLabel("Client", { exact: true }).selectOption({ label: "Aurora Airlines" });
    // Discourse sends no signature without a secret, which Parley refuses: the form says so for a forum.
    await page.getByLabel("Platform").selectOption("forum");
    await expect.poll(() => page.getByText(/The Discourse webhook must have a secret/).count()).toBe(1);
    await page.getByLabel("Platform").selectOption("generic");
    await page.getByLabel("Display name").fill("Aurora community");
    await page.getByLabel("External account ID").fill("aurora-community");
    await page.getByRole("button", { name: "Create channel" }).click();
    await expect.poll(() => page.getByText(/won.t see this again/i).count()).toBeGreaterThan(0);
    await expect
      .poll(() =>
        page
          .getByRole("table", { name: "Channels" })
          .getByRole("cell", { name: "Aurora community", exact: true })
          .count(),
      )
      .toBe(1);
    await page.close();
  });

  it("shows which channels fail to deliver, and why", { timeout: 60_000 }, async () => {
    // The demo's community channels have no callback URL: a reply sent there fails at once (the demo's own
    // traffic runs on its sandbox channels, which deliver).
    const community = demo.channel("Hexfall Games", "generic");
    const run = randomUUID().slice(0, 8);
    const ingested = await demo.ingestGeneric(community.id, [
      {
        externalId: `community-${run}`,
        kind: "comment",
        author: { externalId: `fan-${run}`, handle: "fan" },
        body: `Loving the new map ${run}`,
        createdAt: new Date().toISOString(),
      },
    ]);
    const api = remoteApp(demo.server.url);
    const owner = await signInAs(api, "owner@northwind.test", demoPassword);
    const sent = await callProcedure(api, {
      cookie: owner,
      path: "replies.send",
      type: "mutation",
      input: { itemId: ingested.items[0]?.id, text: `Thanks, glad you like it ${run}!` },
    });
    expect(sent.error).toBeUndefined();
    // The worker tries it within seconds; the page is opened once the try is recorded (reloading until then raced
    // each reload's data against the check on a loaded machine).
    await expect
      .poll(
        async () => {
          const listed = await callProcedure(api, { cookie: owner, path: "channels.list", type: "query", input: {} });
          const channels = (listed.data ?? []) as Array<{ id: string; delivery: { failed: number } }>;
          return channels.find((channel) => channel.id === community.id)?.delivery.failed ?? 0;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/channels`);
    const row = page.getByRole("table", { name: "Channels" }).getByRole("row", { name: /Hexfall Games community/ });
    await row.getByText(/\d+ failed/).waitFor();
    expect(await row.textContent()).toContain("The channel has no callbackUrl credential");
    await page.close();
  });

  it("connects a channel: the addresses to paste into Meta, write-only secrets, and Test connection in words", {
    timeout: 90_000,
  }, async () => {
    const facebook = demo.channel("Hexfall Games", "facebook");
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/channels`);
    await page.getByRole("button", { name: "Connect Hexfall Games on Facebook" }).click();
    const connect = page.getByRole("dialog", { name: "Connect Hexfall Games on Facebook" });
    await expect
      .poll(() => connect.getByLabel("Callback URL").inputValue())
      .toBe(`${demo.server.url}/webhooks/meta/${facebook.id}`);
    await expect.poll(async () => (await connect.getByLabel("Verify token").inputValue()).length).toBeGreaterThan(8);
    const verifyToken = await connect.getByLabel("Verify token").inputValue();
    await connect.getByRole("button", { name: "Close" }).click();

    // Secrets are write-only: stored, never shown; the verify token is shown to be pasted into Meta.
    await page.getByRole("button", { name: "Edit Hexfall Games on Facebook" }).click();
    const edit = page.getByRole("dialog", { name: "Edit Hexfall Games on Facebook" });
    const token = edit.getByLabel("Page access token");
    await token.waitFor();
    expect(await token.getAttribute("type")).toBe("password");
    expect(await token.inputValue()).toBe("");
    await edit
      .getByText(/^Stored: leave empty to keep it\./)
      .first()
      .waitFor();
    expect(await edit.getByLabel("Verify token").inputValue()).toBe(verifyToken);
    await edit.getByRole("button", { name: "Cancel" }).click();

    // A generic channel without a callback says what is missing, in words.
    await page.getByRole("button", { name: "Connect Hexfall Games community" }).click();
    const generic = page.getByRole("dialog", { name: "Connect Hexfall Games community" });
    await generic.getByRole("button", { name: "Test connection" }).click();
    await generic
      .getByRole("status")
      .getByText("Not tested: the channel has no callback URL. Add it and test again.")
      .waitFor();
    await page.close();
  });

  it("creates an API key whose secret is shown once, sees it used, and revokes it", { timeout: 90_000 }, async () => {
    const cobalt = demo
      .data()
      .agencies.flatMap((agency) => agency.clients)
      .find((client) => client.name === "Cobalt Bank");
    const name = `Warehouse ${randomUUID().slice(0, 8)}`;
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/api-keys`);
    const form = page.getByRole("form", { name: "New API key" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Client").selectOption({ label: "Cobalt Bank" });
    await form.getByRole("button", { name: "Create API key" }).click();
    const secretInput = page.getByLabel("API key", { exact: true });
    await expect.poll(async () => (await secretInput.inputValue()).startsWith("pk_live_")).toBe(true);
    const secret = await secretInput.inputValue();

    // The key reads its client's items, and the list counts the request.
    const read = (clientId: string | undefined) =>
      fetch(`${demo.server.url}/v1/items?clientId=${clientId}`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await read(cobalt?.id)).status).toBe(200);
    const row = page.getByRole("table", { name: "API keys" }).getByRole("row", { name: new RegExp(name) });
    await expect
      .poll(async () => {
        await page.reload();
        return row.getByRole("cell").nth(6).textContent();
      })
      .toBe("1");
    // Shown once: after a reload (or Dismiss) the secret is nowhere on the page.
    expect(await secretInput.count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    await row.getByRole("button", { name: `Revoke ${name}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await expect.poll(() => row.getByText(/^Revoked /).count()).toBe(1);
    expect((await read(cobalt?.id)).status).toBe(401);
    await page.close();
  });

  it("sets a client's business hours and a holiday from today, with field-named messages and a 14-day preview", {
    timeout: 90_000,
  }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/clients`);
    await page.getByRole("link", { name: "Business hours of Brightmart" }).click();
    await page.getByRole("heading", { name: "Business hours — Brightmart" }).waitFor();
    const monday = page.getByLabel("Monday", { exact: true });
    await monday.fill("08:00-12:00, 13:00-25:00");
    await page.getByRole("button", { name: "Save business hours" }).click();
    await page.getByText(/^Monday must be "HH:MM" between 00:00 and 24:00$/).waitFor();
    await monday.fill("08:00-12:00, 13:00-20:00");
    await page.getByLabel("Saturday", { exact: true }).fill("22:00-24:00");
    const holiday = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("Add a holiday").fill(holiday);
    await page.getByRole("button", { name: "Add holiday" }).click();
    await expect.poll(() => page.getByLabel("Holidays", { exact: false }).first().inputValue()).toContain(holiday);
    await page.getByRole("button", { name: "Save business hours" }).click();
    await page.getByText(/^Business hours saved: version 2, from \d{4}-\d{2}-\d{2}\.$/).waitFor();
    const preview = page.getByRole("table", { name: "Next 14 days" });
    await expect
      .poll(() => preview.getByRole("row", { name: new RegExp(holiday) }).textContent())
      .toContain("Closed (holiday)");
    expect(await preview.getByRole("row").count()).toBe(15);
    await page.close();
  });

  it("shows field-level validation messages", { timeout: 60_000 }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
    await page.getByRole("link", { name: "Clients" }).click();
    await page.getByLabel("Name").fill("Nowhere Inc");
    await page.getByLabel("Time zone").fill("Mars/Olympus");
    await page.getByRole("button", { name: "Create client" }).click();
    await expect.poll(() => page.getByText(/IANA time zone/).count()).toBeGreaterThan(0);
    await page.close();
  });

  it("edits the agency's and a client's billing details with live messages naming the field", {
    timeout: 90_000,
  }, async () => {
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/agency`);
    const legalName = page.getByLabel("Legal name");
    await expect.poll(() => legalName.inputValue()).toBe("Northwind Social Care Ltd");
    expect(await page.getByLabel("Billing address").inputValue()).toContain("Leeds LS1 5ES");
    await page.getByLabel("Tax ID").fill("VAT!");
    await page.getByLabel("Tax ID").press("Tab");
    await expect.poll(() => page.getByText(/^Tax ID must be 2–40 letters/).count()).toBe(1);
    await page.getByLabel("Tax ID").fill("GB 123 4567 89");
    await page.getByLabel("Billing e-mail").fill("accounts@northwind.test");
    await page.getByRole("button", { name: "Save billing details" }).click();
    await expect.poll(() => page.getByText("Billing details saved.", { exact: false }).count()).toBe(1);

    await page.goto(`${demo.server.url}/admin/clients`);
    await page.getByRole("button", { name: "Edit Hexfall Games" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByLabel("Tax ID").inputValue()).toBe("GB 987 6543 21");
    await dialog.getByLabel("Billing e-mail").fill("not-an-address");
    await dialog.getByLabel("Billing e-mail").press("Tab");
    await expect.poll(() => dialog.getByText("Billing e-mail must be an e-mail address").count()).toBe(1);
    await dialog.getByLabel("Billing e-mail").fill("ap@hexfall.test");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await page.close();
  });

  it("hands out invitation and reset links that open as addresses, signed out, and sign the person in", {
    timeout: 120_000,
  }, async () => {
    const owner = await demo.signedInPage("owner@northwind.test");
    await owner.goto(`${demo.server.url}/admin/members`);
    const invite = owner.getByRole("form", { name: "Invite a member" });
    await invite.getByLabel("E-mail").fill("nadia@newcomer.test");
    await invite.getByLabel("Name", { exact: true }).fill("Nadia Newcomer");
    await invite.getByLabel("Role").selectOption("moderator");
    await invite.getByRole("button", { name: "Invite member" }).click();
    // Without SMTP the link is shown once, to pass on: a path of the web app, not a hash route.
    const invitationLink = await owner.getByLabel("Invitation link").inputValue();
    expect(new URL(invitationLink).origin).toBe(demo.server.url);
    expect(new URL(invitationLink).pathname).toMatch(/^\/invitation\/[A-Za-z0-9_-]{43}$/);

    const invitee = await demo.browser.newPage();
    await invitee.goto(invitationLink);
    await invitee.getByRole("heading", { name: "Join an agency", level: 1 }).waitFor();
    await invitee.getByLabel("Your name").fill("Nadia Newcomer");
    await invitee.getByLabel("Choose a password").fill("nadia's own long passphrase");
    await invitee.getByRole("button", { name: "Create account and join" }).click();
    await invitee.getByRole("heading", { name: "Console", level: 1 }).waitFor();
    expect(new URL(invitee.url()).pathname).toBe("/console");
    await invitee.close();

    // Her clients: Hexfall Games with triage authority, ticked and chosen row by row in the dialog.
    await owner.reload();
    await owner.getByRole("button", { name: "Assign clients to Nadia Newcomer" }).click();
    const assign = owner.getByRole("dialog");
    await assign.getByLabel("Hexfall Games", { exact: true }).check();
    const authority = assign.getByLabel("Authority for Hexfall Games");
    // A moderator is offered what a moderator may hold, nothing else.
    expect(await authority.locator("option").allTextContents()).toEqual([
      "Respond (carte blanche)",
      "Triage (acknowledge and escalate)",
    ]);
    await authority.selectOption("triage");
    await assign.getByRole("button", { name: "Save assignments" }).click();
    await expect.poll(() => owner.getByRole("dialog").count()).toBe(0);
    const nadia = owner.getByRole("table", { name: "Members" }).getByRole("row", { name: /Nadia Newcomer/ });
    await expect.poll(() => nadia.textContent()).toContain("Hexfall Games · triage");

    // An owner's reset link for her, opened in the form links had before (/#/…): it moves to its path.
    await owner.getByRole("button", { name: "Reset link for Nadia Newcomer" }).click();
    const resetLink = await owner.getByLabel("Reset link").inputValue();
    const resetPath = new URL(resetLink).pathname;
    expect(resetPath).toMatch(/^\/reset-password\/[A-Za-z0-9_-]{43}$/);
    const person = await demo.browser.newPage();
    await person.goto(`${demo.server.url}/#${resetPath}`);
    await expect.poll(() => new URL(person.url()).pathname).toBe(resetPath);
    await person.getByRole("heading", { name: "Choose a new password", level: 1 }).waitFor();
    await person.getByLabel("New password", { exact: true }).fill("nadia's second passphrase");
    await person.getByRole("button", { name: "Set password" }).click();
    await person.getByRole("heading", { name: "Console", level: 1 }).waitFor();
    await person.close();
    await owner.close();
  });

  it("gives a stakeholder the portal and no Admin navigation", { timeout: 60_000 }, async () => {
    const page = await demo.signedInPage("stakeholder@hexfall.test");
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect.poll(() => nav.getByRole("link", { name: "Portal" }).count()).toBe(1);
    expect(await nav.getByRole("link", { name: "Admin" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Console" }).count()).toBe(0);
    await page.goto(`${demo.server.url}/admin/clients`);
    await expect.poll(() => page.getByText("Not available").count()).toBeGreaterThan(0);
    expect(await page.getByRole("table", { name: "Clients" }).count()).toBe(0);
    await page.close();
  });
});
