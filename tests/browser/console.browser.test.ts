import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimItem, demoPassword, type MetaGraphDemo, startMetaGraphDemo } from "../support/browser";
import { metaFeedComment } from "../support/fake-platform";

let demo: MetaGraphDemo;

beforeAll(async () => {
  demo = await startMetaGraphDemo();
}, 120_000);
afterAll(() => demo?.stop());

/** Reads "<client>, N queued, …" off the client's count button in the console's left column. */
async function queuedCount(page: Page, clientName: string): Promise<number> {
  const label = await page
    .getByRole("list", { name: "Queue counts per client" })
    .getByRole("button", { name: new RegExp(`^${clientName}, \\d+ queued`) })
    .getAttribute("aria-label");
  const match = /, (\d+) queued/.exec(label ?? "");
  if (!match) throw new Error(`no count for ${clientName} in "${label}"`);
  return Number(match[1]);
}

describe("moderator console in a real browser", () => {
  it("claims with c, blocks a forbidden phrase, sends a proper reply to the fake Graph API, and updates counts live", {
    timeout: 150_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const hexfallFacebook = demo.channel("Hexfall Games", "facebook");
    const hexfallGeneric = demo.channel("Hexfall Games", "generic");
    const commentId = `hexfall-post-1_${run}`;
    const marker = `[${run}]`;

    // A launch-outage comment (Hexfall: P2, may respond) arrives through the signed Meta webhook.
    const delivered = await demo.postMetaWebhook(
      hexfallFacebook.id,
      metaFeedComment({
        postId: "hexfall-post-1",
        commentId,
        from: "Riley Raider",
        message: `Can't connect to the servers since the patch, error code 1020 every time ${marker}`,
      }),
    );
    expect(delivered.items).toHaveLength(1);

    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console?client=${hexfallFacebook.clientId}`);
    await moderator.getByRole("heading", { name: "Console", level: 1 }).waitFor();

    const watcher = await demo.signedInPage("mod1@northwind.test");
    await watcher.goto(`${demo.server.url}/console`);
    await expect.poll(() => watcher.getByText("Live", { exact: true }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => queuedCount(watcher, "Hexfall Games"), { timeout: 15_000 }).toBeGreaterThan(0);
    const before = await queuedCount(watcher, "Hexfall Games");
    // Marks this document: a reload would lose it.
    await watcher.evaluate(() => {
      (window as unknown as { parleyNoReload: boolean }).parleyNoReload = true;
    });

    // A second item arrives through the signed generic ingest: the other page's count moves on its own.
    await demo.ingestGeneric(hexfallGeneric.id, [
      {
        externalId: `praise-${run}`,
        kind: "comment",
        author: { externalId: `fan-${run}`, handle: "happy_fan" },
        body: `Best game of the year, thank you! ${marker}`,
        createdAt: new Date().toISOString(),
      },
    ]);
    await expect.poll(() => queuedCount(watcher, "Hexfall Games"), { timeout: 15_000 }).toBe(before + 1);
    expect(await watcher.evaluate(() => (window as unknown as { parleyNoReload?: boolean }).parleyNoReload)).toBe(true);

    // The shortcut list opens with ? and closes with Escape.
    await moderator.keyboard.press("?");
    await moderator.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await moderator.keyboard.press("Escape");
    await expect.poll(() => moderator.getByRole("dialog", { name: "Keyboard shortcuts" }).count()).toBe(0);

    // c claims the outage comment (P2 comes before the P4 praise).
    await claimItem(moderator, marker);
    const openItem = moderator.getByRole("region", { name: "Open item" });
    await expect.poll(() => openItem.locator(".quote--item").textContent()).toContain("error code 1020");
    await openItem.getByText("Never say").waitFor();

    // r focuses the composer; letters typed there are text, not shortcuts (c, h, n, s would act).
    await moderator.keyboard.press("r");
    const reply = openItem.getByLabel("Reply", { exact: true });
    await expect.poll(() => reply.evaluate((el) => el === document.activeElement)).toBe(true);
    await moderator.keyboard.type("We guarantee the servers are back tonight, so hang on!");
    const send = openItem.getByRole("button", { name: /^Send/ });
    const block = openItem.locator(".check--block", { hasText: "Legal: never promise an outcome" });
    await block.waitFor({ timeout: 10_000 });
    expect(await block.textContent()).toContain("we guarantee");
    expect(await send.isDisabled()).toBe(true);
    expect(await openItem.getByText("Claimed by you").count()).toBe(1);

    const answer = `Sorry about the disconnects ${run}! We're seeing heavy traffic after launch: live server status is at status.hexfall.example and we'll update this thread as queues clear.`;
    await reply.fill(answer);
    await openItem.getByText("Passes the protocol check.").waitFor({ timeout: 10_000 });
    expect(await openItem.locator(".check--block").count()).toBe(0);
    expect(await send.isDisabled()).toBe(false);
    await send.click();

    // The reply reaches the (fake) Graph API as a comment on the customer's comment, with the page token.
    const posted = await demo.postedReply(commentId, answer);
    expect(posted.params?.message).toBe(answer);
    expect(posted.headers.authorization).toBe("Bearer demo-hexfall-page-token");

    // And the console shows it posted, without a reload.
    await expect
      .poll(() => openItem.getByRole("listitem", { name: "Reply, Sent" }).count(), { timeout: 20_000 })
      .toBe(1);
    await moderator.close();
    await watcher.close();
  });

  it("opens an item of the demo's morning queue and shows the returning customer's other message", {
    timeout: 60_000,
  }, async () => {
    const hexfall = demo.channel("Hexfall Games", "facebook");
    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console?client=${hexfall.clientId}`);
    await moderator.getByText("Still can't play after two days").click();
    const openItem = moderator.getByRole("region", { name: "Open item" });
    await expect.poll(() => openItem.locator(".quote--item").textContent()).toContain("Still can't play");
    const history = openItem.locator("details", { hasText: "Other messages from this customer (1)" });
    await history.getByText("Servers down again since the patch").waitFor();

    // An internal note: an empty one is refused on the field, a written one joins the item's notes.
    const notes = openItem.getByRole("form", { name: "Add a note" });
    await notes.getByRole("button", { name: "Add note" }).click();
    await notes.getByText("Note is required").waitFor();
    const note = `Asked the studio about the login servers (${Date.now()})`;
    await notes.getByLabel("Note", { exact: true }).fill(note);
    await notes.getByRole("button", { name: "Add note" }).click();
    await openItem.getByRole("list", { name: "Notes" }).getByText(note).waitFor();
    expect(await notes.getByLabel("Note", { exact: true }).inputValue()).toBe("");
    await moderator.close();
  });

  it("gives an open item its own address: Back closes it, a deep link survives signing in, old #/ links move", {
    timeout: 90_000,
  }, async () => {
    const hexfall = demo.channel("Hexfall Games", "facebook");
    const queue = `${demo.server.url}/console?client=${hexfall.clientId}`;
    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(queue);
    await moderator.getByText("Still can't play after two days").click();
    const openItem = moderator.locator('section[aria-label="Open item"][data-item-id]');
    await openItem.locator(".quote--item").getByText("Still can't play").waitFor();
    const itemId = (await openItem.getAttribute("data-item-id")) ?? "";
    const itemUrl = `${demo.server.url}/console/items/${itemId}?client=${hexfall.clientId}`;
    expect(moderator.url()).toBe(itemUrl);

    // Back closes the item and keeps the queue's filter; Forward opens it again.
    await moderator.goBack();
    await expect.poll(() => moderator.url()).toBe(queue);
    await expect.poll(() => openItem.count()).toBe(0);
    await moderator.goForward();
    await openItem.locator(".quote--item").getByText("Still can't play").waitFor();

    // The same address opened signed out: sign in first, then the item, not the start page.
    const visitor = await demo.browser.newPage();
    await visitor.goto(itemUrl);
    await visitor.getByRole("button", { name: "Sign in" }).waitFor();
    expect(new URL(visitor.url()).pathname).toBe("/sign-in");
    await visitor.getByLabel("E-mail").fill("mod1@northwind.test");
    await visitor.getByLabel("Password").fill(demoPassword);
    await visitor.getByRole("button", { name: "Sign in" }).click();
    await visitor.locator(`section[aria-label="Open item"][data-item-id="${itemId}"] .quote--item`).waitFor();
    expect(visitor.url()).toBe(itemUrl);

    // A link of the earlier hash router lands on the same item.
    await visitor.goto(`${demo.server.url}/#/console?client=${hexfall.clientId}&item=${itemId}`);
    await expect.poll(() => visitor.url()).toBe(itemUrl);
    await visitor.locator(`section[aria-label="Open item"][data-item-id="${itemId}"] .quote--item`).waitFor();
    await moderator.close();
    await visitor.close();
  });

  it("shows a card number masked and customer text isolated, without the bidi controls that would reorder it", {
    timeout: 60_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const hexfallGeneric = demo.channel("Hexfall Games", "generic");
    await demo.ingestGeneric(hexfallGeneric.id, [
      {
        externalId: `card-${run}`,
        kind: "comment",
        author: { externalId: `payer-${run}`, handle: `\u202Epayer_${run}` },
        body: `[${run}] charged twice on 4111 1111 1111 1111, \u202Ederaef si yenom ruoy\u202C thanks`,
        createdAt: new Date().toISOString(),
      },
    ]);
    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console?client=${hexfallGeneric.clientId}`);
    const body = moderator.locator(".queue-row__body bdi[dir=auto]", { hasText: `[${run}]` });
    await body.waitFor({ timeout: 15_000 });
    expect(await body.textContent()).toBe(`[${run}] charged twice on •••• •••• •••• 1111, deraef si yenom ruoy thanks`);
    const author = moderator.locator(".queue-row__author bdi[dir=auto]", { hasText: `payer_${run}` });
    expect(await author.textContent()).toBe(`payer_${run}`);
    await body.click();
    const openItem = moderator.getByRole("region", { name: "Open item" });
    const quote = openItem.locator(".quote--item bdi[dir=auto]", { hasText: `[${run}]` });
    await quote.waitFor({ timeout: 15_000 });
    expect(await quote.textContent()).not.toMatch(/4111|\u202E/);
    await openItem.locator(".tag", { hasText: "pii:card" }).waitFor();
    expect(await moderator.locator("body").textContent()).not.toContain("4111 1111");
    await moderator.close();
  });

  it("stops a moderator with triage authority at the composer, before they send, and at hide and delete", {
    timeout: 60_000,
  }, async () => {
    const moderator = await demo.signedInPage("mod2@northwind.test");
    await moderator.goto(`${demo.server.url}/console`);
    await moderator.getByRole("heading", { name: "Console", level: 1 }).waitFor();
    await moderator.keyboard.press("c");
    const openItem = moderator.getByRole("region", { name: "Open item" });
    await openItem.getByText("Claimed by you").waitFor({ timeout: 15_000 });
    // Whatever the category allows, the item reads triage for them.
    await openItem.locator(".tags").getByText("Triage only: acknowledge and escalate").waitFor();
    // The composer is read-only for them and says why; Send stays disabled.
    await openItem.getByText(/^Read-only: Your authority on this client is triage/).waitFor({ timeout: 10_000 });
    expect(await openItem.locator("textarea.composer__input").getAttribute("readonly")).not.toBeNull();
    expect(await openItem.getByRole("button", { name: /^Send/ }).isDisabled()).toBe(true);
    // Hiding and deleting are public acts too: the console offers them disabled, saying why.
    expect(await openItem.getByRole("button", { name: /^Hide/ }).isDisabled()).toBe(true);
    expect(await openItem.getByRole("button", { name: /^Delete/ }).isDisabled()).toBe(true);
    await openItem.getByText("hiding and deleting are for a lead or a moderator who responds").first().waitFor();
    await moderator.close();
  });
});
