import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimItem, type MetaGraphDemo, startMetaGraphDemo } from "../support/browser";
import { metaFeedComment } from "../support/fake-platform";

let demo: MetaGraphDemo;

beforeAll(async () => {
  demo = await startMetaGraphDemo();
}, 120_000);
afterAll(() => demo?.stop());

describe("reply approvals in a real browser", () => {
  it("holds a Cobalt Bank reply for approval until the stakeholder approves it in the portal, live on both sides", {
    timeout: 150_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const marker = `[${run}]`;
    const cobaltFacebook = demo.channel("Cobalt Bank", "facebook");
    const commentId = `cobalt-post-7_${run}`;
    const author = `Dana Depositor ${run}`;

    // Fees and rates: Cobalt's protocol lets the agency answer only with the client's approval.
    await demo.postMetaWebhook(
      cobaltFacebook.id,
      metaFeedComment({
        postId: "cobalt-post-7",
        commentId,
        from: author,
        message: `What overdraft fee do you charge on the current account now? ${marker}`,
      }),
    );

    const moderator = await demo.signedInPage("mod1@northwind.test");
    await moderator.goto(`${demo.server.url}/console?client=${cobaltFacebook.clientId}`);
    await moderator.getByRole("heading", { name: "Console", level: 1 }).waitFor();
    await expect.poll(() => moderator.getByText("Live", { exact: true }).count(), { timeout: 15_000 }).toBe(1);
    await moderator.evaluate(() => {
      (window as unknown as { parleyNoReload: boolean }).parleyNoReload = true;
    });

    await claimItem(moderator, marker);
    const openItem = moderator.getByRole("region", { name: "Open item" });
    await openItem.getByText("Reply needs approval").waitFor();

    await moderator.keyboard.press("r");
    const answer = `Thanks for asking ${run}. Our current overdraft charges are listed at cobalt.example/fees, and we're happy to go through them with you by private message.`;
    await openItem.getByLabel("Reply", { exact: true }).fill(answer);
    await openItem.locator(".check--warn", { hasText: "needs the client's approval" }).waitFor({ timeout: 10_000 });
    const send = openItem.getByRole("button", { name: "Send for approval" });
    expect(await send.isDisabled()).toBe(false);
    await send.click();
    await expect
      .poll(() => openItem.getByRole("listitem", { name: "Reply, Pending approval" }).count(), { timeout: 15_000 })
      .toBe(1);
    // Nothing reached the platform yet.
    expect(demo.graph.requests.filter((request) => request.path.includes(encodeURIComponent(commentId)))).toHaveLength(
      0,
    );

    // The Cobalt stakeholder finds the draft, with the customer's message, in the portal's approvals.
    const stakeholder = await demo.signedInPage("stakeholder@cobalt.test");
    await stakeholder.getByRole("heading", { name: "Portal", level: 1 }).waitFor();
    const card = stakeholder.getByRole("article", { name: `Reply to ${author}` });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain("What overdraft fee do you charge");
    expect(await card.textContent()).toContain(answer);
    expect(await stakeholder.getByText("SLA board").count()).toBeGreaterThan(0);

    // The draft has its own address, which shows it alone.
    await card.getByRole("link", { name: `Reply to ${author}` }).click();
    await expect.poll(() => new URL(stakeholder.url()).pathname).toMatch(/^\/portal\/approvals\/[0-9a-f-]{36}$/);
    expect(await stakeholder.getByRole("list", { name: "Pending approvals" }).getByRole("article").count()).toBe(1);

    // Rejecting needs a comment: the message names the field, and nothing is decided.
    await card.getByRole("button", { name: "Reject" }).click();
    await card.getByText("Comment is required to reject a draft").waitFor();
    expect(await card.getByLabel("Comment").getAttribute("aria-invalid")).toBe("true");

    await card.getByLabel("Comment").fill("Fine to post as written.");
    await card.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(0);
    await stakeholder.getByText(/approved: sending…/).waitFor();

    // The approved reply goes out to the platform…
    const posted = await demo.postedReply(commentId, answer);
    expect(posted.params?.message).toBe(answer);

    // …and the moderator's open item shows the outcome live, without a reload.
    await expect
      .poll(() => openItem.getByRole("listitem", { name: "Reply, Sent" }).count(), { timeout: 20_000 })
      .toBe(1);
    expect(await moderator.evaluate(() => (window as unknown as { parleyNoReload?: boolean }).parleyNoReload)).toBe(
      true,
    );
    await moderator.close();
    await stakeholder.close();
  });
});

describe("the portal's month of SLA results in a real browser", () => {
  it("shows Cobalt Bank's last month against its contract as bars, and downloads it as CSV", async () => {
    const stakeholder = await demo.signedInPage("stakeholder@cobalt.test");
    const card = stakeholder.getByRole("region", { name: "SLA this month" });
    await card.getByRole("meter").first().waitFor({ timeout: 15_000 });
    const month = card.getByLabel("Month", { exact: true });
    const lastMonth = await month.locator("option").nth(1).getAttribute("value");
    await month.selectOption(lastMonth ?? "");
    await card.getByText(/Cobalt Bank · \w+ \d{4} · as the invoice will count it/).waitFor();
    // The demo's previous month has Cobalt's P1 first responses judged against the contract's 95 % target.
    const p1 = card.getByRole("meter", { name: /^P1 First response: [\d.]+ % met, target 95 %$/ });
    await p1.waitFor({ timeout: 15_000 });
    const [download] = await Promise.all([
      stakeholder.waitForEvent("download"),
      card.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`sla-cobalt-bank-${lastMonth}.csv`);
    const stream = await download.createReadStream();
    let csv = "";
    for await (const chunk of stream) csv += chunk;
    const [header, ...rows] = csv.trim().split("\r\n");
    expect(header).toBe("client,month,priority,metric,decided,met,attainment_percent,target_percent");
    const p1Row = rows.find((row) => row.startsWith(`Cobalt Bank,${lastMonth},P1,first_response,`));
    const [, , , , decided, met, attainment, target] = p1Row?.split(",") ?? [];
    expect(Number(decided)).toBeGreaterThan(0);
    expect(Number(attainment)).toBeCloseTo((Number(met) * 100) / Number(decided), 1);
    expect(target).toBe("95");
    expect(await p1.getAttribute("aria-label")).toContain(`${attainment} % met`);
    await stakeholder.close();
  });
});
