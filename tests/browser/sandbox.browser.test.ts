import { randomUUID } from "node:crypto";
import { signGenericPayload } from "@parley/connectors";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, demoPassword, startDemo } from "../support/browser";
import { callProcedure, remoteApp, signInAs } from "../support/http";

let demo: Demo;

beforeAll(async () => {
  // A fresh start with the demo's defaults: its sandbox channels deliver to the server itself.
  demo = await startDemo();
}, 120_000);
afterAll(() => demo?.stop());

type SandboxChannel = { id: string; ingestSecret: string };

/** A customer's comment on a sandbox page (the client's demo page by default), through its customer side (signed). */
async function comment(
  clientName: string,
  author: string,
  text: string,
  channel: SandboxChannel = demo.channel(clientName, "sandbox"),
): Promise<{ itemId: string }> {
  const rawBody = JSON.stringify({ author, text });
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${demo.server.url}/sandbox/channels/${channel.id}/comments`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-parley-timestamp": String(timestamp),
      "x-parley-signature": signGenericPayload({ secret: channel.ingestSecret, timestamp, rawBody }),
    },
    body: rawBody,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { itemId: string };
}

/** The owner sets a sandbox channel's failure settings, as Admin → Channels does. */
async function setSandbox(channelId: string, credentials: Record<string, string>) {
  const api = remoteApp(demo.server.url);
  const cookie = await signInAs(api, "owner@northwind.test", demoPassword);
  const updated = await callProcedure(api, {
    cookie,
    path: "channels.update",
    type: "mutation",
    input: { channelId, credentials },
  });
  expect(updated.error).toBeUndefined();
}

/**
 * A new sandbox page of the client, made by the owner as Admin → Channels does: only this test's items are on it, so
 * the queue filtered to it lists them whatever the demo's history holds.
 */
async function addSandboxChannel(clientName: string, name: string, credentials?: Record<string, string>) {
  const api = remoteApp(demo.server.url);
  const cookie = await signInAs(api, "owner@northwind.test", demoPassword);
  const clientId = demo.channel(clientName, "sandbox").clientId;
  const created = await callProcedure(api, {
    cookie,
    path: "channels.create",
    type: "mutation",
    input: { clientId, platform: "sandbox", externalAccountId: name, displayName: name, credentials },
  });
  expect(created.error).toBeUndefined();
  const { channel, ingestSecret } = created.data as { channel: { id: string }; ingestSecret: string };
  return { id: channel.id, clientId, ingestSecret };
}

/** The rows of the console's queue table whose text holds `marker`. */
function queueRows(page: Page, marker: string) {
  return page.getByRole("table", { name: "Queue" }).getByRole("row").filter({ hasText: marker });
}

describe("the sandbox platform in a real browser", () => {
  it("on a fresh start, mod1's reply to a Brightmart comment is sent, on the sandbox page, with the clock stopped", {
    timeout: 150_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const { itemId } = await comment("Brightmart", "Riley", `My parcel still hasn't arrived, tracking is stuck ${run}`);
    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console/items/${itemId}`);
    const openItem = moderator.getByRole("region", { name: "Open item" });
    await openItem.getByText("Sandbox", { exact: true }).first().waitFor({ timeout: 30_000 });
    await openItem.getByText(/First-response clock still running: no public reply has been sent yet/).waitFor({
      timeout: 30_000,
    });

    const answer = `Sorry Riley! Please send us your order number by DM and we'll chase it today ${run}.`;
    await openItem.getByLabel("Reply", { exact: true }).fill(answer);
    await openItem.getByText("Passes the protocol check.").waitFor({ timeout: 15_000 });
    await openItem.getByRole("button", { name: /^Send/ }).click();

    // Sent within seconds, and the first-response clock no longer runs.
    await expect
      .poll(() => openItem.getByRole("listitem", { name: "Reply, Sent" }).count(), { timeout: 20_000 })
      .toBe(1);
    await expect
      .poll(() => openItem.getByText(/First-response clock still running/).count(), { timeout: 20_000 })
      .toBe(0);

    // The brand's reply is on the sandbox's public page, under the comment.
    await openItem.getByRole("link", { name: "View the sandbox page" }).click();
    await moderator.getByRole("heading", { name: "Brightmart page (Sandbox)", level: 1 }).waitFor();
    const page = moderator.getByRole("list", { name: "Public page" });
    const brandReply = page.getByRole("listitem", { name: /^Brand reply by Brightmart page \(Sandbox\)/ }).filter({
      hasText: answer,
    });
    await brandReply.waitFor({ timeout: 15_000 });
    const texts = await page.getByRole("listitem").allTextContents();
    const commentAt = texts.findIndex((text) => text.includes(`tracking is stuck ${run}`));
    const replyAt = texts.findIndex((text) => text.includes(answer));
    expect(commentAt).toBeGreaterThanOrEqual(0);
    expect(replyAt).toBeGreaterThan(commentAt);
    await moderator.close();
  });

  it("shows a forced failure as failed — reason on the item, the queue and the portal, and Retry sends it", {
    timeout: 180_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const failing = await addSandboxChannel("Cobalt Bank", `Cobalt failing page ${run}`, {
      failureRate: "1",
      failWith: "revoked",
    });
    const reason = "The sandbox answered 401: refused: check the channel's credentials";
    // A fee question: Cobalt's protocol sends the answer to its stakeholder for approval first.
    const { itemId } = await comment("Cobalt Bank", "Dana", `What overdraft fee do you charge now? ${run}`, failing);
    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console/items/${itemId}`);
    const openItem = moderator.getByRole("region", { name: "Open item" });
    const answer = `Hi Dana, our current overdraft fees are listed at cobalt.example/fees ${run}.`;
    await openItem.getByLabel("Reply", { exact: true }).fill(answer);
    await openItem.getByRole("button", { name: /^Send/ }).click();
    await openItem.getByRole("listitem", { name: "Reply, Pending approval" }).waitFor({ timeout: 20_000 });

    const stakeholder = await demo.signedInPage("stakeholder@cobalt.test");
    await stakeholder.getByRole("heading", { name: "Portal", level: 1 }).waitFor();
    const card = stakeholder.getByRole("article", { name: /^Reply to / }).filter({ hasText: run });
    await card.waitFor({ timeout: 30_000 });
    await card.getByRole("button", { name: "Approve" }).click();

    // The portal: what the stakeholder approved failed, and says why.
    const decisions = stakeholder.getByRole("region", { name: "Your recent decisions" });
    await expect.poll(() => decisions.getByText(`failed — ${reason}`).count(), { timeout: 30_000 }).toBeGreaterThan(0);

    // The item: failed — reason, on its reply and its header.
    await moderator.reload();
    await expect.poll(() => openItem.getByText(`failed — ${reason}`).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await openItem.getByText("Reply failed", { exact: true }).waitFor();

    // The queue: its row, among the answered items of its page, says the reply failed and why.
    await moderator.goto(
      `${demo.server.url}/console?client=${failing.clientId}&channel=${failing.id}&status=responded`,
    );
    const row = queueRows(moderator, run);
    await row.waitFor({ timeout: 30_000 });
    await row.getByText("Reply failed", { exact: true }).waitFor();
    expect(await row.locator('[data-delivery-state="failed"]').textContent()).toContain(`failed — ${reason}`);

    // The channel works again: Retry sends it.
    await setSandbox(failing.id, { failureRate: "0" });
    await moderator.goto(`${demo.server.url}/console/items/${itemId}`);
    await openItem.getByText(`failed — ${reason}`).first().waitFor({ timeout: 30_000 });
    const retries = openItem.getByRole("button", { name: "Retry", exact: true });
    // The console's side column overlaps the lower part of the item at this window size: press it by keyboard.
    await retries.focus();
    await moderator.keyboard.press("Enter");
    await expect
      .poll(() => openItem.getByRole("listitem", { name: "Reply, Sent" }).count(), { timeout: 30_000 })
      .toBe(1);
    await expect.poll(() => decisions.getByText(/^sent$/).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await moderator.close();
    await stakeholder.close();
  });

  it("hides selected items after a confirmation naming the count, and Undo shows them again", {
    timeout: 150_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const page = await addSandboxChannel("Brightmart", `Brightmart bulk page ${run}`);
    for (const author of ["Ash", "Bo"]) {
      await comment("Brightmart", author, `Follow my page for free gift cards ${run}`, page);
    }
    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console?client=${page.clientId}&channel=${page.id}`);
    await expect.poll(() => queueRows(moderator, run).count(), { timeout: 30_000 }).toBe(2);

    await moderator.getByRole("checkbox", { name: "Select all listed items" }).check();
    await moderator.getByText("2 items selected").waitFor();
    await moderator.getByRole("button", { name: "Hide selected" }).click();
    // Nothing is hidden before the moderator confirms, and the dialog says how many.
    const dialog = moderator.getByRole("dialog", { name: "Hide 2 items?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("2 items will be hidden on the platform");
    expect(await queueRows(moderator, run).count()).toBe(2);
    await dialog.getByRole("button", { name: "Hide 2 items" }).click();

    const notice = moderator.getByRole("status").filter({ hasText: "2 items: hiding…" });
    await notice.waitFor({ timeout: 20_000 });
    await expect.poll(() => queueRows(moderator, run).count(), { timeout: 20_000 }).toBe(0);
    await notice.getByRole("button", { name: "Undo" }).click();
    await moderator.getByRole("status").filter({ hasText: "Undone: 2 items shown again" }).waitFor({ timeout: 20_000 });
    await expect.poll(() => queueRows(moderator, run).count(), { timeout: 20_000 }).toBe(2);
    await moderator.close();
  });

  it("gives a triage-only moderator a read-only composer that says why, and an Acknowledge that is sent", {
    timeout: 150_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const { itemId } = await comment("Hexfall Games", "Jo", `When does the next season start? ${run}`);
    // mod2's authority on Hexfall Games is triage: acknowledge and escalate, never answer.
    const moderator = await demo.signedInPage("mod2@northwind.test");
    await moderator.goto(`${demo.server.url}/console/items/${itemId}`);
    const openItem = moderator.getByRole("region", { name: "Open item" });
    const composer = openItem.getByLabel("Reply", { exact: true });
    await composer.waitFor({ timeout: 30_000 });
    await openItem.getByText(/^Read-only: Your authority on this client is triage/).waitFor();
    expect(await composer.isEditable()).toBe(false);
    expect(await composer.getAttribute("readonly")).not.toBeNull();
    expect(await openItem.getByRole("button", { name: /^Send/ }).isDisabled()).toBe(true);

    await openItem.getByRole("button", { name: "Acknowledge", exact: true }).click();
    await moderator.getByRole("status").filter({ hasText: "Acknowledgement queued" }).waitFor({ timeout: 20_000 });
    // The acknowledgement is delivered on the sandbox page, addressed to the customer.
    await expect
      .poll(() => openItem.getByRole("listitem", { name: "Reply, Sent" }).count(), { timeout: 30_000 })
      .toBe(1);
    expect(await openItem.getByRole("listitem", { name: "Reply, Sent" }).textContent()).toMatch(/Jo/);
    await moderator.close();
  });
});
