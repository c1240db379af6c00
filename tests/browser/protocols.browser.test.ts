import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimItem, startDemo } from "../support/browser";

let demo: Awaited<ReturnType<typeof startDemo>>;

beforeAll(async () => {
  demo = await startDemo();
}, 120_000);
afterAll(() => demo?.stop());

const versionPath = /^\/(admin\/protocols|portal\/protocol)\/versions\/[0-9a-f-]{36}$/;

describe("brand protocols in a real browser", () => {
  it("edits a protocol into a new version, shows the diff, refuses a no-op save and rolls back", {
    timeout: 120_000,
  }, async () => {
    const cobalt = demo
      .data()
      .agencies.flatMap((agency) => agency.clients)
      .find((client) => client.name === "Cobalt Bank");
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/protocols?client=${cobalt?.id}`);
    const editor = page.getByRole("form", { name: "Edit the protocol" });
    const save = editor.getByRole("button", { name: /^Save as version \d+$/ });
    await save.waitFor();
    const firstLabel = (await save.textContent()) ?? "";
    const nextVersion = Number(/\d+/.exec(firstLabel)?.[0]);

    // Saving what is already active makes no version.
    await save.click();
    await expect.poll(() => editor.getByRole("alert").textContent()).toMatch(/^Nothing changed/);

    // A forbidden phrase shows what it matches while it is typed.
    await editor.getByRole("button", { name: "Add forbidden phrase" }).click();
    await editor.getByLabel("Test sentence").fill("We waive the fees for every new customer");
    const phrases = editor.getByLabel("Phrase", { exact: true });
    await phrases.last().fill("waived fee");
    await editor.getByText("Blocks the test sentence.").waitFor();
    // Without a reason the server names the field, on the field.
    await save.click();
    await expect.poll(() => editor.getByText("Reason is required").count()).toBe(1);
    await editor.getByLabel("Reason", { exact: true }).last().fill("Fee waivers are decided by Cobalt only");
    await editor.getByLabel("Voice guidelines").fill("Calm, precise, never flippant.");
    await save.click();

    // The new version has its own address and says what changed.
    await expect.poll(() => new URL(page.url()).pathname).toMatch(versionPath);
    await page.getByRole("heading", { name: `Protocol version ${nextVersion}`, level: 1 }).waitFor();
    const changes = page.getByRole("list", { name: "Changes" });
    await changes.getByText("Forbidden phrase “waived fee”").waitFor();
    await changes.getByText("Voice", { exact: true }).waitFor();
    expect(await changes.getByRole("listitem").count()).toBe(2);
    const newVersionPath = new URL(page.url()).pathname;

    // The version before it: no rollback offered on the active one; roll back to the earlier one.
    await page.getByRole("link", { name: /All versions/ }).click();
    const history = page.getByRole("table", { name: "Protocol versions" });
    await history.getByRole("link", { name: `Version ${nextVersion - 1}`, exact: true }).click();
    await page.getByRole("heading", { name: `Protocol version ${nextVersion - 1}`, level: 1 }).waitFor();
    await page.getByRole("button", { name: `Roll back to version ${nextVersion - 1}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("heading", { name: `Protocol version ${nextVersion + 1}`, level: 1 }).waitFor();
    await page.getByText("This version (active)").waitFor();
    // Rolled back against the version it replaced: both changes undone.
    await page.getByLabel("Compared with").selectOption({ label: `Version ${nextVersion}` });
    await changes.getByText("Forbidden phrase “waived fee”").waitFor();
    await changes.getByText("Removed").first().waitFor();

    // Back returns to the earlier address; the version page reloads from its own URL.
    await page.goto(`${demo.server.url}${newVersionPath}`);
    await page.getByRole("heading", { name: `Protocol version ${nextVersion}`, level: 1 }).waitFor();
    await expect.poll(() => page.getByRole("button", { name: /Roll back to version/ }).count()).toBe(1);
    await page.close();

    // The client's admin was told of each change; the notice opens the version in the portal.
    const portal = await demo.signedInPage("stakeholder@cobalt.test");
    await portal.goto(`${demo.server.url}/notices`);
    const notice = portal
      .getByRole("list", { name: "Notices" })
      .locator('a[href^="/portal/protocol/versions/"]')
      .filter({ hasText: `version ${nextVersion + 1}` });
    await notice.first().click();
    await expect.poll(() => new URL(portal.url()).pathname).toMatch(versionPath);
    await portal.getByRole("heading", { name: `Protocol version ${nextVersion + 1}`, level: 1 }).waitFor();
    await portal.close();
  });

  it("sets a platform's maximum reply length: named errors, a new version with that change, the composer's limit", {
    timeout: 150_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const hexfallGeneric = demo.channel("Hexfall Games", "generic");
    const page = await demo.signedInPage("owner@northwind.test");
    await page.goto(`${demo.server.url}/admin/protocols?client=${hexfallGeneric.clientId}`);
    const editor = page.getByRole("form", { name: "Edit the protocol" });
    const save = editor.getByRole("button", { name: /^Save as version \d+$/ });
    await save.waitFor();
    const nextVersion = Number(/\d+/.exec((await save.textContent()) ?? "")?.[0]);
    const lengths = editor.getByRole("group", { name: "Maximum reply length per platform" });
    const generic = lengths.getByLabel("Generic (signed REST)");
    // Empty: the platform's default, shown as the placeholder.
    expect(await generic.inputValue()).toBe("");
    expect(await generic.getAttribute("placeholder")).toBe("2000");
    expect(await lengths.getByRole("textbox", { name: /^X\b/ }).getAttribute("placeholder")).toBe("280");

    // The server's rule lands on that platform's field.
    await generic.fill("-5");
    await save.click();
    await expect.poll(() => generic.getAttribute("aria-invalid")).toBe("true");
    await lengths.getByText("Max reply length must be positive").waitFor();
    await generic.fill("300");
    await save.click();

    await expect.poll(() => new URL(page.url()).pathname).toMatch(versionPath);
    await page.getByRole("heading", { name: `Protocol version ${nextVersion}`, level: 1 }).waitFor();
    const changes = page.getByRole("list", { name: "Changes" });
    const change = changes.getByRole("listitem").filter({ hasText: "Maximum reply length · Generic (signed REST)" });
    await change.waitFor();
    expect(await change.textContent()).toContain("300");
    expect(await changes.getByRole("listitem").count()).toBe(1);
    await page.close();

    // A Hexfall item on the generic channel: the composer counts down to 300 now.
    const marker = `[${run}]`;
    await demo.ingestGeneric(hexfallGeneric.id, [
      {
        externalId: `length-${run}`,
        kind: "comment",
        author: { externalId: `player-${run}`, handle: `counter_${run}` },
        body: `When does the winter season start? ${marker}`,
        createdAt: new Date().toISOString(),
      },
    ]);
    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console?client=${hexfallGeneric.clientId}`);
    await moderator.getByRole("heading", { name: "Console", level: 1 }).waitFor();
    await moderator.getByText(marker).first().waitFor({ timeout: 15_000 });
    await claimItem(moderator, marker);
    const openItem = moderator.getByRole("region", { name: "Open item" });
    await moderator.keyboard.press("r");
    await openItem.getByLabel("Reply", { exact: true }).fill("x".repeat(301));
    await openItem.getByText("Too long: 301 characters, the limit here is 300.").waitFor();
    expect(await openItem.locator(".composer__head .counter").textContent()).toContain("/ 300");
    await moderator.close();
  });
});
