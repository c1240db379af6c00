import { randomUUID } from "node:crypto";
import { signGenericPayload } from "@parley/connectors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, demoPassword, startDemo } from "../support/browser";
import { callProcedure, remoteApp, signInAs } from "../support/http";

let demo: Demo;

beforeAll(async () => {
  // A fresh start with the demo's defaults: its sandbox channels deliver to the server itself.
  demo = await startDemo();
}, 120_000);
afterAll(() => demo?.stop());

/** A customer's comment on a client's sandbox page, through the sandbox's customer side (signed). */
async function comment(clientName: string, author: string, text: string): Promise<{ itemId: string }> {
  const channel = demo.channel(clientName, "sandbox");
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
async function setSandbox(clientName: string, credentials: Record<string, string>) {
  const api = remoteApp(demo.server.url);
  const cookie = await signInAs(api, "owner@northwind.test", demoPassword);
  const updated = await callProcedure(api, {
    cookie,
    path: "channels.update",
    type: "mutation",
    input: { channelId: demo.channel(clientName, "sandbox").id, credentials },
  });
  expect(updated.error).toBeUndefined();
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

  it("shows a forced failure as failed — reason on the item and the portal, and Retry sends it", {
    timeout: 180_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    await setSandbox("Cobalt Bank", { failureRate: "1", failWith: "revoked" });
    const reason = "The sandbox answered 401: refused: check the channel's credentials";
    // A fee question: Cobalt's protocol sends the answer to its stakeholder for approval first.
    const { itemId } = await comment("Cobalt Bank", "Dana", `What overdraft fee do you charge now? ${run}`);
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

    // (The queue row's badge is checked in tests/moderation/delivery-status.int.test.ts: among the demo's
    // thousands of answered items this one is not on the first page of the "responded" list.)

    // The channel works again: Retry sends it.
    await setSandbox("Cobalt Bank", { failureRate: "0" });
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
});
