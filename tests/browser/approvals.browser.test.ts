import { randomUUID } from "node:crypto";
import type { Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimItem, demoPassword, type MetaGraphDemo, startMetaGraphDemo } from "../support/browser";
import { metaFeedComment } from "../support/fake-platform";
import { callProcedure, remoteApp, signInAs } from "../support/http";

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

/**
 * Clicks, and checks the confirmation `text` shows while the page's reads of `refetched` (tRPC GETs, batched or not)
 * are held: the confirmation did not wait for a list refetch. Returns the times measured in the page from the click:
 * to the confirmation, and to the answer of the change's own request (`procedure`).
 */
async function confirmsBeforeRefetch(
  page: Page,
  options: { procedure: string; refetched: string[]; text: string; click: () => Promise<void> },
) {
  const held: Route[] = [];
  let holding = true;
  let onHeld: () => void = () => {};
  const refetchHeld = new Promise<void>((resolve) => {
    onHeld = resolve;
  });
  const hold = (route: Route) => {
    const path = new URL(route.request().url()).pathname.slice("/trpc/".length);
    const read = route.request().method() === "GET" && path.split(",").some((name) => options.refetched.includes(name));
    if (!read || !holding) return route.continue();
    held.push(route);
    onHeld();
  };
  const trpcPaths = (url: URL) => url.pathname.startsWith("/trpc/");
  await page.evaluate((text) => {
    // A portal page makes hundreds of requests: a full resource-timing buffer would drop the change's own entry.
    performance.clearResourceTimings();
    const probe = { click: 0, confirmed: 0 };
    (window as unknown as { confirmProbe: typeof probe }).confirmProbe = probe;
    document.addEventListener(
      "click",
      () => {
        probe.click ||= performance.now();
      },
      { capture: true, once: true },
    );
    const observer = new MutationObserver(() => {
      if (!document.body.textContent?.includes(text)) return;
      probe.confirmed = performance.now();
      observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, options.text);
  await page.route(trpcPaths, hold);
  const answered = page.waitForResponse((response) => response.url().includes(`/trpc/${options.procedure}`));
  await options.click();
  await page.getByText(options.text).waitFor({ timeout: 15_000 });
  // The refetch was asked for and has not returned, and the confirmation is on screen.
  await refetchHeld;
  expect(await page.getByText(options.text).isVisible()).toBe(true);
  // The change's own answer may still be on its way (the confirmation came first): the time is read once it is in.
  await (await answered).finished();
  const answerTimed = (procedure: string) =>
    page.evaluate(
      (name) => performance.getEntriesByType("resource").some((entry) => entry.name.includes(`/trpc/${name}`)),
      procedure,
    );
  await expect.poll(() => answerTimed(options.procedure)).toBe(true);
  const times = await page.evaluate((procedure) => {
    const probe = (window as unknown as { confirmProbe: { click: number; confirmed: number } }).confirmProbe;
    const request = performance
      .getEntriesByType("resource")
      .filter((entry) => entry.name.includes(`/trpc/${procedure}`))
      .at(-1) as PerformanceResourceTiming | undefined;
    return {
      confirmationMs: Math.round(probe.confirmed - probe.click),
      answeredMs: Math.round((request?.responseEnd ?? Number.NaN) - probe.click),
    };
  }, options.procedure);
  return {
    ...times,
    /** Lets the held reads go, and stops holding. */
    async release() {
      holding = false;
      await Promise.all(held.map((route) => route.continue()));
      await page.unroute(trpcPaths, hold);
    },
  };
}

/** The confirmation came on the click, before the server's answer; the figures go to the test's output. */
function reportTimes(what: string, times: { confirmationMs: number; answeredMs: number }) {
  console.log(
    `${what}: click → confirmation ${times.confirmationMs} ms; click → the server's answer ${times.answeredMs} ms; ` +
      "the list refetch still pending at the confirmation",
  );
  expect(times.confirmationMs).toBeLessThan(times.answeredMs);
}

describe("confirmations that do not wait for the list", () => {
  it("confirms approve, reject and answer in the portal while the lists' refetch is still pending", {
    timeout: 180_000,
  }, async () => {
    const run = randomUUID().slice(0, 8);
    const api = remoteApp(demo.server.url);
    const cobaltFacebook = demo.channel("Cobalt Bank", "facebook");

    // Two fee questions answered by the moderator: both drafts wait for Cobalt's approver.
    const moderator = await signInAs(api, "mod1@northwind.test", demoPassword);
    const authors = { approve: `Amir Approve ${run}`, reject: `Rita Reject ${run}`, refused: `Rolf Refused ${run}` };
    const replyIds: Record<string, string> = {};
    for (const [decision, author] of Object.entries(authors)) {
      const [posted] = (
        await demo.postMetaWebhook(
          cobaltFacebook.id,
          metaFeedComment({
            postId: "cobalt-post-9",
            commentId: `cobalt-post-9_${decision}-${run}`,
            from: author,
            message: `What overdraft fee do you charge on the current account? [${run}-${decision}]`,
          }),
        )
      ).items;
      const skipped: string[] = [];
      for (;;) {
        const claim = await callProcedure(api, {
          cookie: moderator,
          path: "queue.claimNext",
          type: "mutation",
          input: { clientId: cobaltFacebook.clientId, skip: skipped, releaseHeld: true },
        });
        const claimed = (claim.data as { id: string } | null)?.id;
        if (!claimed) throw new Error(`the queue ran dry before ${posted?.id} was claimed: ${JSON.stringify(claim)}`);
        if (claimed === posted?.id) break;
        skipped.push(claimed);
      }
      const sent = await callProcedure(api, {
        cookie: moderator,
        path: "replies.send",
        type: "mutation",
        input: { itemId: posted?.id, text: `Thanks ${author}, our current fees are listed at cobalt.example/fees.` },
      });
      expect(sent.data).toMatchObject({ status: "pending_approval" });
      replyIds[decision] = (sent.data as { id: string }).id;
    }

    const stakeholder = await demo.signedInPage("stakeholder@cobalt.test");
    const decide = async (decision: "approve" | "reject", text: string) => {
      const card = stakeholder.getByRole("article", { name: `Reply to ${authors[decision]}` });
      await card.waitFor({ timeout: 15_000 });
      if (decision === "reject") await card.getByLabel("Comment").fill("Please link the tariff page instead.");
      const times = await confirmsBeforeRefetch(stakeholder, {
        procedure: `replies.${decision}`,
        refetched: ["replies.approvals", "replies.decided"],
        text,
        click: () => card.getByRole("button", { name: decision === "approve" ? "Approve" : "Reject" }).click(),
      });
      // The decided draft left the list on the server's answer, not on the refetch.
      expect(await card.count()).toBe(0);
      await times.release();
      reportTimes(decision, times);
    };
    await decide("approve", `Reply to ${authors.approve} approved: sending…`);
    await decide("reject", `Reply to ${authors.reject} rejected; the moderator sees your comment.`);
    // A draft decided in another session while this page still shows it (its list not yet refetched): the click
    // confirms, the server refuses, and the draft comes back with the reason.
    const stale = stakeholder.getByRole("article", { name: `Reply to ${authors.refused}` });
    await stale.waitFor();
    const heldReads: Route[] = [];
    let holdingReads = true;
    const holdApprovals = (route: Route) => {
      const read = route.request().method() === "GET" && route.request().url().includes("replies.approvals");
      if (holdingReads && read) {
        heldReads.push(route);
        return;
      }
      return route.continue();
    };
    await stakeholder.route((url) => url.pathname.startsWith("/trpc/"), holdApprovals);
    const elsewhere = await signInAs(api, "stakeholder@cobalt.test", demoPassword);
    const rejected = await callProcedure(api, {
      cookie: elsewhere,
      path: "replies.reject",
      type: "mutation",
      input: { replyId: replyIds.refused, comment: "Decided in another tab." },
    });
    expect(rejected.status).toBe(200);
    await stale.getByRole("button", { name: "Approve" }).click();
    const refusal = stakeholder
      .getByRole("alert")
      .filter({ hasText: `Approving the reply to ${authors.refused} failed:` });
    await refusal.waitFor({ timeout: 15_000 });
    expect(await refusal.textContent()).toContain("not awaiting approval");
    expect(await stale.count()).toBe(1);
    expect(await stakeholder.getByText(`Reply to ${authors.refused} approved`).count()).toBe(0);
    holdingReads = false;
    await Promise.all(heldReads.map((route) => route.continue()));
    await stakeholder.unroute((url) => url.pathname.startsWith("/trpc/"), holdApprovals);
    await expect.poll(() => stale.count(), { timeout: 15_000 }).toBe(0);

    // Once the refetches land, the server agrees: none of the drafts waits any longer.
    await stakeholder.getByRole("listitem", { name: `Decision on the reply to @${authors.reject}` }).waitFor();
    expect(await stakeholder.getByRole("article", { name: new RegExp(run) }).count()).toBe(0);
    await stakeholder.close();

    // An account-hacked report on Hexfall's forum is escalated to its stakeholder by the triage flow.
    const hexfallGeneric = demo.channel("Hexfall Games", "generic");
    await demo.ingestGeneric(hexfallGeneric.id, [
      {
        externalId: `hacked-${run}`,
        kind: "comment",
        author: { externalId: `victim-${run}`, handle: `victim_${run}` },
        body: `My account was hacked and someone changed my password [${run}]`,
        createdAt: new Date().toISOString(),
      },
    ]);
    const hexfall = await signInAs(api, "stakeholder@hexfall.test", demoPassword);
    let escalationId: string | undefined;
    await expect
      .poll(
        async () => {
          const list = await callProcedure(api, {
            cookie: hexfall,
            path: "escalations.list",
            type: "query",
            input: {},
          });
          const escalations = (list.data ?? []) as Array<{ id: string; packet: unknown }>;
          escalationId = escalations.find((escalation) => JSON.stringify(escalation.packet).includes(run))?.id;
          return escalationId !== undefined;
        },
        { timeout: 60_000 },
      )
      .toBe(true);

    const page = await demo.signedInPage("stakeholder@hexfall.test");
    await page.goto(`${demo.server.url}/portal/escalations/${escalationId}`);
    await page.getByText(`My account was hacked and someone changed my password [${run}]`).first().waitFor();
    await page.getByLabel("Your answer for the customer").fill("We locked the account; support will e-mail you.");
    const times = await confirmsBeforeRefetch(page, {
      procedure: "escalations.answer",
      refetched: ["escalations.get", "escalations.list"],
      text: "Answered: the agency passes it on to the customer.",
      click: () => page.getByRole("button", { name: "Send answer" }).click(),
    });
    // The escalation shows its new state from the answer itself, before the refetch returns.
    expect(await page.locator(".escalation-detail__meta").getByText("Resolved").count()).toBe(1);
    await times.release();
    reportTimes("answer", times);
    await page.close();
  });
});
