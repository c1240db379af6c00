import { createNotifier, deriveWebhookSecret, verifyWebhookSignature } from "@parley/connectors/notify";
import { channelIncidentThreshold, type DeliveryDeps } from "@parley/core/deliveries";
import { savePlaybook } from "@parley/core/escalations";
import { schema, withTenant } from "@parley/db";
import { type TestAgency, type TestDatabase, testAppSecret, testOutboundAllowlist } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hackedAccountPlaybook, ownerScopeOf } from "../sla/support";
import { signInAs, type TestApp } from "../support/http";
import { startSmtpServer, startWebhookReceiver } from "../support/notice-receivers";
import {
  deliverFor,
  deliveriesOf,
  deliveryDeps,
  type FakePlatform,
  genericChannelOf,
  ingestItem,
  type ModerationSuite,
  mutate,
  openModerationSuite,
  query,
} from "./moderation-support";

let suite: ModerationSuite;
let db: TestDatabase;
let app: TestApp;
let platform: FakePlatform;
let a: TestAgency;
let moderator: string;
let answer: number;

beforeAll(async () => {
  suite = await openModerationSuite();
  ({ db, app, platform, agency: a, moderator } = suite);
  platform.respond = () =>
    answer === 200 ? { status: 200, body: { id: `pub-${Math.random()}` } } : { status: answer };
});
afterAll(() => suite.close());

const channel = () => genericChannelOf(a, a.client.id);

type ChannelEntry = { id: string; incident: { openedAt: Date; reason: string | null } | null };

async function channelsListed(cookie: string) {
  const read = await query(app, cookie, "channels.list", {});
  return read.data as ChannelEntry[];
}

async function noticesOf(userId: string) {
  return db.owner
    .select()
    .from(schema.notifications)
    .where(and(eq(schema.notifications.recipientUserId, userId), eq(schema.notifications.subjectId, channel().id)));
}

/** One hide per attempt, due at once: each run of the outbox is one more attempt on the channel. */
async function attempt(extra: Partial<DeliveryDeps> = {}) {
  const item = await ingestItem(db, channel(), { body: "spam" });
  await mutate(app, moderator, "items.hide", { itemId: item.id });
  await deliverFor(db, a, deliveryDeps(platform, extra));
  return (await deliveriesOf(db, item.id))[0];
}

describe("a channel's delivery incident", () => {
  it(`opens after ${channelIncidentThreshold} failures in a row, is listed first and notified, and clears on success`, async () => {
    answer = 503;
    for (let n = 1; n < channelIncidentThreshold; n += 1) await attempt();
    expect((await channelsListed(moderator)).find((entry) => entry.id === channel().id)?.incident).toBeNull();
    await attempt();
    const listed = await channelsListed(moderator);
    expect(listed[0]).toMatchObject({
      id: channel().id,
      incident: { reason: "The channel's callback answered 503: a server error" },
    });
    // The agency's owner and the client's account manager hear of it; the moderator sees the banner, not a notice.
    expect((await noticesOf(a.users.owner.id)).map((notice) => notice.kind)).toEqual(["channel.incident_opened"]);
    expect((await noticesOf(a.users.accountManager.id)).map((notice) => notice.kind)).toEqual([
      "channel.incident_opened",
    ]);
    expect(await noticesOf(a.users.moderator.id)).toEqual([]);
    // Further failures do not open it again.
    await attempt();
    expect(await noticesOf(a.users.owner.id)).toHaveLength(1);

    answer = 200;
    const delivered = await attempt();
    expect(delivered?.status).toBe("sent");
    expect((await channelsListed(moderator)).find((entry) => entry.id === channel().id)?.incident).toBeNull();
    expect((await noticesOf(a.users.owner.id)).map((notice) => notice.kind)).toEqual([
      "channel.incident_opened",
      "channel.incident_cleared",
    ]);
    const audit = await db.owner
      .select({ action: schema.auditEvents.action })
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.subjectId, channel().id));
    expect(audit.map((event) => event.action)).toEqual(["channel.incident_opened", "channel.incident_cleared"]);
  });

  it("opens at once on a permanent refusal (a revoked token)", async () => {
    answer = 401;
    await attempt();
    const [entry] = await channelsListed(await signInAs(app, a.users.owner.email));
    expect(entry).toMatchObject({
      id: channel().id,
      incident: { reason: "The channel's callback answered 401: refused: check the channel's credentials" },
    });
    answer = 200;
    await attempt();
    expect((await channelsListed(moderator)).every((listedEntry) => listedEntry.incident === null)).toBe(true);
  });

  it("records a success on a healthy channel while another delivery holds the channel's health", async () => {
    answer = 200;
    await attempt();
    const item = await ingestItem(db, channel(), { body: "spam" });
    await mutate(app, moderator, "items.hide", { itemId: item.id });
    // Another delivery's transaction, still open, that is recording its outcome on the channel.
    let release = () => {};
    const releasing = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = () => {};
    const holding = new Promise<void>((resolve) => {
      held = resolve;
    });
    const other = db.owner.transaction(async (tx) => {
      await tx
        .select({ id: schema.channels.id })
        .from(schema.channels)
        .where(eq(schema.channels.id, channel().id))
        .for("no key update");
      held();
      await releasing;
    });
    await holding;
    try {
      const outcome = await Promise.race([
        deliverFor(db, a, deliveryDeps(platform)).then(() => "recorded"),
        new Promise((resolve) => setTimeout(() => resolve("still waiting for the other delivery"), 10_000)),
      ]);
      expect(outcome).toBe("recorded");
      expect((await deliveriesOf(db, item.id))[0]?.status).toBe("sent");
    } finally {
      release();
      await other;
    }
    // A failure still waits its turn and counts.
    answer = 503;
    await attempt();
    const [health] = await db.owner
      .select({ streak: schema.channels.deliveryFailureStreak })
      .from(schema.channels)
      .where(eq(schema.channels.id, channel().id));
    expect(health?.streak).toBe(1);
    answer = 200;
    await attempt();
  });

  it("e-mails the client's playbook contacts and posts a signed webhook when it opens and clears", async () => {
    const smtp = await startSmtpServer();
    const webhook = await startWebhookReceiver();
    const notifier = createNotifier({
      smtpUrl: smtp.url,
      from: "Parley <alerts@parley.test>",
      appSecret: testAppSecret,
      allowlist: testOutboundAllowlist,
    });
    try {
      const scope = await ownerScopeOf(db.app, a);
      const playbook = hackedAccountPlaybook();
      playbook.levels[0] = {
        ...playbook.levels[0]!,
        contacts: { ...playbook.levels[0]!.contacts, webhookUrl: webhook.url },
      };
      await withTenant(db.app, { agencyId: a.agency.id, clientIds: null, userId: scope.actorId }, (tx) =>
        savePlaybook(
          scope,
          tx,
          { clientId: a.client.id, name: "Hacked accounts", document: playbook },
          { outboundAllowlist: testOutboundAllowlist },
        ),
      );
      answer = 401;
      await attempt({ notifier });
      // Opened: one e-mail to level 1's address, one signed post to its webhook, both after the outcome committed.
      expect(smtp.messages.map((message) => message.to)).toEqual([["duty-manager@brand.test"]]);
      expect(smtp.messages[0]?.raw).toContain("Subject: Deliveries are failing on");
      expect(webhook.received).toHaveLength(1);
      const secret = deriveWebhookSecret({ appSecret: testAppSecret, clientId: a.client.id });
      const [opened] = webhook.received;
      expect(verifyWebhookSignature({ secret, body: opened?.body ?? "", header: opened?.signature })).toBe(true);
      expect(JSON.parse(opened?.body ?? "{}")).toMatchObject({
        type: "channel.incident_opened",
        channelId: channel().id,
        clientId: a.client.id,
        reason: "The channel's callback answered 401: refused: check the channel's credentials",
      });
      // Failing on: no second notice while the incident stays open.
      await attempt({ notifier });
      expect(webhook.received).toHaveLength(1);

      answer = 200;
      await attempt({ notifier });
      expect(webhook.received).toHaveLength(2);
      const cleared = webhook.received[1];
      expect(verifyWebhookSignature({ secret, body: cleared?.body ?? "", header: cleared?.signature })).toBe(true);
      expect(JSON.parse(cleared?.body ?? "{}")).toMatchObject({
        type: "channel.incident_cleared",
        channelId: channel().id,
        reason: null,
      });
      expect(smtp.messages).toHaveLength(2);
      expect(smtp.messages[1]?.raw).toContain("Subject: Deliveries work again on");
    } finally {
      notifier.close();
      await webhook.close();
      await smtp.close();
    }
  });
});
