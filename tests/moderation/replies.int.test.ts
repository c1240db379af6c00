import { makeContractTerms } from "@parley/contracts/billing/contract-terms.fixture";
import { schema } from "@parley/db";
import { makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signInAs, type TestApp } from "../support/http";
import {
  addChannel,
  auditOf,
  deliverFor,
  deliveriesOf,
  deliveryDeps,
  type FakePlatform,
  genericChannelOf,
  ingestItem,
  itemRow,
  type ModerationSuite,
  mutate,
  openModerationSuite,
  query,
} from "./moderation-support";

let suite: ModerationSuite;
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let platform: FakePlatform;
let moderator: string;
let channel: ReturnType<typeof genericChannelOf>;

beforeAll(async () => {
  suite = await openModerationSuite({ clients: "both" });
  ({ db, app, platform, agency: a, moderator } = suite);
  channel = genericChannelOf(a, a.client.id);
});
afterAll(() => suite.close());
afterEach(() => {
  platform.requests.length = 0;
});

async function repliesOf(itemId: string) {
  return db.owner.select().from(schema.replies).where(eq(schema.replies.itemId, itemId));
}

describe("replies.check and replies.send", () => {
  it("checks a draft longer than a URL could carry, in the request body", async () => {
    const item = await ingestItem(db, channel, { body: "Tell me everything about season two." });
    const text = `${"Season two is coming and we are excited to share more soon. ".repeat(300)}We guarantee it ships in May!`;
    const check = await mutate(app, moderator, "replies.check", { itemId: item.id, text });
    expect(check.status).toBe(200);
    expect(check.data).toMatchObject({
      ok: false,
      results: expect.arrayContaining([
        expect.objectContaining({ check: "forbidden_phrase", severity: "block" }),
        expect.objectContaining({ check: "length", severity: "block" }),
      ]),
    });
  });

  it("blocks a forbidden phrase with its reason, and stores nothing", async () => {
    const item = await ingestItem(db, channel, { body: "When does season two start?" });
    const text = "We guarantee season two ships in May!";
    const check = await mutate(app, moderator, "replies.check", { itemId: item.id, text });
    expect(check.data).toMatchObject({
      ok: false,
      results: [
        {
          check: "forbidden_phrase",
          severity: "block",
          details: { phrase: "we guarantee", reason: "Legal: never promise an outcome" },
        },
      ],
    });
    const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text });
    expect(sent).toMatchObject({
      status: 400,
      error: {
        code: "BAD_INPUT",
        details: {
          reason: "reply_blocked",
          fields: { text: expect.stringContaining("Legal: never promise an outcome") },
          results: [{ check: "forbidden_phrase", details: { reason: "Legal: never promise an outcome" } }],
        },
      },
    });
    expect(await repliesOf(item.id)).toEqual([]);
    expect(await deliveriesOf(db, item.id)).toEqual([]);
    expect((await itemRow(db, item.id)).status).toBe("queued");
  });

  it("blocks a reply longer than the protocol allows on the platform", async () => {
    const item = await ingestItem(db, channel, { body: "Tell me everything about the roadmap" });
    const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text: "word ".repeat(80) });
    expect(sent.error).toMatchObject({
      code: "BAD_INPUT",
      details: { reason: "reply_blocked", results: [{ check: "length", details: { limit: 280, length: 399 } }] },
    });
    expect(await repliesOf(item.id)).toEqual([]);
  });

  it("refuses to answer a triage-only category", async () => {
    const item = await ingestItem(db, channel, { body: "My account was hacked last night" });
    const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text: "Sorry, we are on it." });
    expect(sent.error).toMatchObject({
      code: "BAD_INPUT",
      details: { reason: "reply_blocked", results: [{ check: "authority", severity: "block" }] },
    });
    expect(await repliesOf(item.id)).toEqual([]);
  });

  it("lets a triage moderator acknowledge: a protocol template, addressed to the customer, varied, delivered", async () => {
    const triager = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "triage" }],
    });
    const cookie = await signInAs(app, triager.email);
    const first = await ingestItem(db, channel, { body: "My account was charged twice", author: "dana" });
    const second = await ingestItem(db, channel, { body: "Still waiting on my refund", author: "sam" });
    const one = await mutate(app, cookie, "replies.acknowledge", { itemId: first.id });
    const two = await mutate(app, cookie, "replies.acknowledge", { itemId: second.id });
    expect(one.error).toBeUndefined();
    expect(two.error).toBeUndefined();
    const bodies = [one.data, two.data].map((reply) => reply as { kind: string; body: string; status: string });
    expect(bodies.map((reply) => [reply.kind, reply.status])).toEqual([
      ["acknowledgement", "approved"],
      ["acknowledgement", "approved"],
    ]);
    expect(bodies[0]?.body).toMatch(/^Hi dana, /);
    expect(bodies[1]?.body).toMatch(/^Hi sam, /);
    // Never the same template twice in a row on the channel.
    expect(bodies[0]?.body.slice("Hi dana, ".length)).not.toBe(bodies[1]?.body.slice("Hi sam, ".length));
    expect(await deliverFor(db, a, deliveryDeps(platform))).toMatchObject({ sent: 2 });
    expect((await auditOf(db, (one.data as { id: string }).id)).map((event) => event.action)).toContain(
      "reply.acknowledged",
    );
  });

  it("refuses a moderator whose authority on the client is triage", async () => {
    const triager = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "triage" }],
    });
    const cookie = await signInAs(app, triager.email);
    const item = await ingestItem(db, channel, { body: "Any news on the update?" });
    // The live check says so while they type, so the console can stop them before they send.
    const checked = await mutate(app, cookie, "replies.check", { itemId: item.id, text: "Soon, watch this space." });
    expect(checked.data).toMatchObject({
      ok: false,
      results: [{ check: "authority", severity: "block", details: { reason: "triage_authority" } }],
    });
    const sent = await mutate(app, cookie, "replies.send", { itemId: item.id, text: "Soon, watch this space." });
    expect(sent.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "triage_authority" } });
    expect(await repliesOf(item.id)).toEqual([]);
  });

  it("sends an answer: approved, queued, delivered, the item responded and its claim ended", async () => {
    const item = await ingestItem(db, channel, { body: "I love the new map" });
    await db.owner
      .update(schema.items)
      .set({ status: "claimed", claimedBy: a.users.moderator.id, claimExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(schema.items.id, item.id));
    const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text: "So glad you like it, Sam!" });
    expect(sent.data).toMatchObject({
      itemId: item.id,
      kind: "reply",
      status: "approved",
      requiresApproval: "none",
      sentAt: null,
    });
    expect(await itemRow(db, item.id)).toMatchObject({ status: "responded", claimedBy: null, claimExpiresAt: null });
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const [reply] = await repliesOf(item.id);
    expect(reply).toMatchObject({
      status: "sent",
      externalId: expect.stringMatching(/^platform-/),
      sentAt: expect.any(Date),
    });
    const audit = await auditOf(db, reply?.id ?? "");
    expect(audit.find((e) => e.action === "reply.queued")).toMatchObject({
      actorUserId: a.users.moderator.id,
      before: { itemStatus: "claimed" },
      after: { itemStatus: "responded", status: "approved" },
      protocolVersionId: item.protocolVersionId,
    });
  });

  it("warns when a reply reads like one already sent, and blocks the same text on the channel within 24 h", async () => {
    const first = await ingestItem(db, channel, { body: "Is the event on Saturday?" });
    const text = "Yes, the community event starts Saturday at noon in the main plaza, see you there";
    expect((await mutate(app, moderator, "replies.send", { itemId: first.id, text })).data).toMatchObject({
      status: "approved",
    });
    await deliverFor(db, a, deliveryDeps(platform));

    const second = await ingestItem(db, channel, { body: "Saturday event?" });
    const similar = await mutate(app, moderator, "replies.check", {
      itemId: second.id,
      text: "Yes, the community event starts Saturday at noon in the main plaza, see you there soon",
    });
    expect(similar.data).toMatchObject({ ok: true, results: [{ check: "authenticity", severity: "warn" }] });
    const similarity = (similar.data as { results: Array<{ details: { similarity: number } }> }).results[0]?.details
      .similarity;
    expect(similarity).toBeGreaterThanOrEqual(0.8);

    const duplicate = await mutate(app, moderator, "replies.send", { itemId: second.id, text });
    expect(duplicate.error).toMatchObject({
      code: "BAD_INPUT",
      details: {
        reason: "reply_blocked",
        results: expect.arrayContaining([expect.objectContaining({ check: "duplicate" })]),
      },
    });
    expect(await repliesOf(second.id)).toEqual([]);
  });
});

describe("approvals", () => {
  it("holds a reply in an approval category for the client's approver, who approves it; then it is delivered", async () => {
    const item = await ingestItem(db, channel, { body: "I want a refund for the season pass" });
    expect(item.authority).toBe("approval");
    const sent = await mutate(app, moderator, "replies.send", {
      itemId: item.id,
      text: "Sorry about that: refunds go through the store you bought from.",
    });
    expect(sent.data).toMatchObject({ status: "pending_approval", requiresApproval: "client" });
    expect((await itemRow(db, item.id)).status).toBe("responded");
    expect(await deliveriesOf(db, item.id)).toEqual([]);
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 0, retrying: 0, failed: 0 });

    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    const pending = await query(app, stakeholder, "replies.approvals");
    const replyId = (sent.data as { id: string }).id;
    expect(pending.data).toEqual([
      expect.objectContaining({ id: replyId, item: expect.objectContaining({ id: item.id, body: item.body }) }),
    ]);
    const owner = await signInAs(app, a.users.owner.email);
    expect((await query(app, owner, "replies.approvals")).data).toEqual([]);
    const byOwner = await mutate(app, owner, "replies.approve", { replyId });
    expect(byOwner.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "not_approver" } });

    const approved = await mutate(app, stakeholder, "replies.approve", { replyId, comment: "Fine by legal" });
    expect(approved.data).toMatchObject({
      status: "approved",
      decidedBy: a.users.stakeholder.id,
      decidedAt: expect.any(Date),
      decisionComment: "Fine by legal",
    });
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(platform.requests).toHaveLength(1);
    const [reply] = await repliesOf(item.id);
    expect(reply?.status).toBe("sent");
    expect((await auditOf(db, replyId)).map((e) => e.action)).toEqual(
      expect.arrayContaining(["reply.submitted_for_approval", "reply.approved"]),
    );
  });

  it("rejects with a required comment; the item goes back to the queue and nothing is sent", async () => {
    const item = await ingestItem(db, channel, { body: "Chargeback incoming unless you refund me" });
    const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text: "Please contact support." });
    const replyId = (sent.data as { id: string }).id;
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    const noComment = await mutate(app, stakeholder, "replies.reject", { replyId });
    expect(noComment).toMatchObject({ status: 400, error: { details: { fields: { comment: "is required" } } } });
    const blank = await mutate(app, stakeholder, "replies.reject", { replyId, comment: "  " });
    expect(blank.error?.details).toMatchObject({ fields: { comment: expect.stringContaining("required") } });
    const rejected = await mutate(app, stakeholder, "replies.reject", { replyId, comment: "Offer a voucher instead" });
    expect(rejected.data).toMatchObject({ status: "rejected", decisionComment: "Offer a voucher instead" });
    expect((await itemRow(db, item.id)).status).toBe("queued");
    expect(await deliveriesOf(db, item.id)).toEqual([]);
    // The draft's author gets a notice with the comment and the way back to the item.
    const notices = await db.owner
      .select()
      .from(schema.notifications)
      .where(eq(schema.notifications.recipientUserId, a.users.moderator.id));
    expect(notices.filter((notice) => notice.kind === "reply.rejected")).toEqual([
      expect.objectContaining({
        subjectType: "item",
        subjectId: item.id,
        body: `“Offer a voucher instead” — open the item to write another: /console/items/${item.id}`,
      }),
    ]);
    const again = await mutate(app, stakeholder, "replies.approve", { replyId });
    expect(again.error).toMatchObject({ code: "INVALID_STATE", details: { reason: "not_pending_approval" } });
  });

  it("sends approvals to the agency's leads when the client has no approver", async () => {
    const other = genericChannelOf(a, a.otherClient.id);
    const item = await ingestItem(db, other, { body: "I need a refund" });
    const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text: "We'll look into it today." });
    expect(sent.data).toMatchObject({ status: "pending_approval", requiresApproval: "agency_lead" });
    const replyId = (sent.data as { id: string }).id;
    const admin = await signInAs(app, a.users.admin.email);
    expect((await query(app, admin, "replies.approvals")).data).toEqual([expect.objectContaining({ id: replyId })]);
    expect((await mutate(app, admin, "replies.approve", { replyId })).data).toMatchObject({ status: "approved" });
    expect((await deliveriesOf(db, item.id)).map((d) => d.action)).toEqual(["reply"]);
  });
  it("answers NOT_FOUND to another client's stakeholder, and changes nothing", async () => {
    const item = await ingestItem(db, channel, { body: "refund please" });
    const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text: "Let me check that for you." });
    const replyId = (sent.data as { id: string }).id;
    const outsider = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "client_stakeholder",
      assignments: [{ clientId: a.otherClient.id, authority: "approve" }],
    });
    const cookie = await signInAs(app, outsider.email);
    expect((await mutate(app, cookie, "replies.approve", { replyId })).error?.code).toBe("NOT_FOUND");
    expect((await mutate(app, cookie, "replies.reject", { replyId, comment: "no" })).error?.code).toBe("NOT_FOUND");
    expect(JSON.stringify((await query(app, cookie, "replies.approvals")).data)).not.toContain(replyId);
    const [reply] = await repliesOf(item.id);
    expect(reply?.status).toBe("pending_approval");
  });
});

describe("items.get", () => {
  it("shows the approved answers for the category and platform in items.get", async () => {
    const facebook = await addChannel(db, a, {
      clientId: a.client.id,
      platform: "facebook",
      credentials: { pageAccessToken: "token" },
    });
    const item = await ingestItem(db, facebook, { body: "I love this game" });
    const detail = await query(app, moderator, "items.get", { itemId: item.id });
    expect(detail.data).toMatchObject({
      channel: { id: facebook.id, platform: "facebook" },
      protocol: {
        versionId: item.protocolVersionId,
        voiceGuidelines: "Warm, brief, first names.",
        approvedAnswers: [{ id: "praise-thanks" }],
        forbiddenPhrases: [{ phrase: "we guarantee" }],
        maxReplyLength: 500,
      },
    });
  });
});

// Last: it leaves a reply waiting for approval, which the approvals inbox above would list.
describe("replies on their way count as said", () => {
  it("blocks the same text while the first is queued, retrying or waiting for approval", async () => {
    const respond = platform.respond;
    platform.respond = () => ({ status: 503, body: { error: "unavailable" } });
    try {
      const first = await ingestItem(db, channel, { body: "Are the servers down?" });
      const text = "The login servers are being restarted, give it ten minutes and try again please";
      expect((await mutate(app, moderator, "replies.send", { itemId: first.id, text })).data).toMatchObject({
        status: "approved",
      });
      const blockedWhile = async (status: string) => {
        const next = await ingestItem(db, channel, { body: "Servers down again?" });
        const again = await mutate(app, moderator, "replies.send", { itemId: next.id, text });
        expect(again.error).toMatchObject({
          code: "BAD_INPUT",
          details: {
            results: expect.arrayContaining([
              expect.objectContaining({ check: "duplicate", details: expect.objectContaining({ status }) }),
            ]),
          },
        });
        expect(await repliesOf(next.id)).toEqual([]);
      };
      // Queued: not yet attempted.
      await blockedWhile("queued");
      // Retrying: the platform failed once, the delivery waits for its next attempt.
      await deliverFor(db, a, deliveryDeps(platform));
      const [delivery] = await deliveriesOf(db, first.id);
      expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
      await blockedWhile("queued");
    } finally {
      platform.respond = respond;
    }

    const refund = await ingestItem(db, channel, { body: "I want a refund for the battle pass" });
    const answer = "Refunds for the battle pass go through the store you bought it from, sorry for the hassle";
    expect((await mutate(app, moderator, "replies.send", { itemId: refund.id, text: answer })).data).toMatchObject({
      status: "pending_approval",
    });
    const another = await ingestItem(db, channel, { body: "refund for my battle pass please" });
    const check = await mutate(app, moderator, "replies.check", { itemId: another.id, text: answer });
    expect(check.data).toMatchObject({
      ok: false,
      results: expect.arrayContaining([
        expect.objectContaining({
          check: "duplicate",
          details: expect.objectContaining({ status: "pending_approval" }),
        }),
      ]),
    });
  });
});

describe("an acknowledgement as the first response", () => {
  /** Every priority gets a first-response clock under the contract, so whatever the protocol classifies is timed. */
  const firstResponseTargets = (["P1", "P2", "P3", "P4"] as const).map((priority) => ({
    priority,
    metric: "first_response" as const,
    minutes: 60,
    calendar: "24x7" as const,
    complianceTargetPercent: 90,
  }));

  async function firstResponseClockOf(itemId: string) {
    const [clock] = await db.owner
      .select()
      .from(schema.slaClocks)
      .where(and(eq(schema.slaClocks.itemId, itemId), eq(schema.slaClocks.metric, "first_response")));
    if (!clock) throw new Error(`no first-response clock on ${itemId}`);
    return clock;
  }

  it("stops the clock only when the contract says acknowledgements count; a delivered reply always stops it", async () => {
    const owner = await signInAs(app, a.users.owner.email);
    // Client A's contract says an acknowledgement is not a first response; client B's leaves the term out.
    const strict = await mutate(app, owner, "contracts.save", {
      clientId: a.client.id,
      terms: makeContractTerms({
        validFrom: "2026-01-01",
        slaTargets: firstResponseTargets,
        acknowledgementCountsAsFirstResponse: false,
      }),
    });
    expect(strict.error).toBeUndefined();
    expect(strict.data).toMatchObject({ terms: { acknowledgementCountsAsFirstResponse: false } });
    const lenient = await mutate(app, owner, "contracts.save", {
      clientId: a.otherClient.id,
      terms: makeContractTerms({ validFrom: "2026-01-01", slaTargets: firstResponseTargets }),
    });
    expect(lenient.data).toMatchObject({ terms: { acknowledgementCountsAsFirstResponse: true } });
    const bad = await mutate(app, owner, "contracts.save", {
      clientId: a.client.id,
      terms: { ...makeContractTerms({ validFrom: "2030-01-01" }), acknowledgementCountsAsFirstResponse: "no" },
    });
    expect(bad.error).toMatchObject({
      code: "BAD_INPUT",
      details: { fields: { acknowledgementCountsAsFirstResponse: "must be true or false" } },
    });

    const triager = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [
        { clientId: a.client.id, authority: "triage" },
        { clientId: a.otherClient.id, authority: "triage" },
      ],
    });
    const cookie = await signInAs(app, triager.email);
    const onStrict = await ingestItem(db, channel, { body: "I love the new map", author: "lee" });
    const onLenient = await ingestItem(db, genericChannelOf(a, a.otherClient.id), {
      body: "I love the new map",
      author: "kim",
    });
    expect((await firstResponseClockOf(onStrict.id)).contractId).toBe((strict.data as { id: string }).id);
    for (const item of [onStrict, onLenient]) {
      expect((await mutate(app, cookie, "replies.acknowledge", { itemId: item.id })).error).toBeUndefined();
    }
    expect(await deliverFor(db, a, deliveryDeps(platform))).toMatchObject({ sent: 2, failed: 0 });
    const [strictAck] = await repliesOf(onStrict.id);
    expect(strictAck).toMatchObject({ kind: "acknowledgement", status: "sent" });
    // Delivered, yet the strict contract's clock runs on; the other's stopped at the acknowledgement.
    expect(await firstResponseClockOf(onStrict.id)).toMatchObject({ stoppedAt: null, met: null });
    expect(await firstResponseClockOf(onLenient.id)).toMatchObject({ stoppedAt: expect.any(Date), met: true });

    // The answer stops it, whatever the contract says about acknowledgements.
    const answered = await mutate(app, moderator, "replies.send", { itemId: onStrict.id, text: "Thanks Lee, glad!" });
    expect(answered.error).toBeUndefined();
    expect(await deliverFor(db, a, deliveryDeps(platform))).toMatchObject({ sent: 1 });
    const stopped = await firstResponseClockOf(onStrict.id);
    expect(stopped).toMatchObject({ stoppedAt: expect.any(Date), met: true });
    const answer = (await repliesOf(onStrict.id)).find((reply) => reply.kind === "reply");
    expect(stopped.stoppedAt).toEqual(answer?.sentAt);
  });
});
