import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo } from "../support/browser";

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
});
