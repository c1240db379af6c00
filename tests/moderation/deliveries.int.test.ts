import { silentLogger } from "@parley/api/logger";
import { verifyGenericSignature } from "@parley/connectors";
import { maxDeliveryAttempts } from "@parley/core/deliveries";
import { schema } from "@parley/db";
import { type TestAgency, type TestDatabase, testOutboundAllowlist, testSecretBox } from "@parley/testing";
import { and, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDeliveryWorker } from "../../apps/api/src/delivery-worker";
import type { TestApp } from "../support/http";
import {
  addChannel,
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
let facebook: Awaited<ReturnType<typeof addChannel>>;

beforeAll(async () => {
  suite = await openModerationSuite();
  ({ db, app, platform, agency: a, moderator } = suite);
  facebook = await addChannel(db, a, {
    clientId: a.client.id,
    platform: "facebook",
    credentials: { pageAccessToken: "page-token-hexfall", appSecret: "x" },
  });
});
afterAll(() => suite.close());

let okCounter = 0;
beforeEach(() => {
  platform.requests.length = 0;
  platform.respond = () => {
    okCounter += 1;
    return { status: 200, body: { id: `fb-reply-${okCounter}` } };
  };
});

async function sendReply(itemId: string, text: string) {
  const sent = await mutate(app, moderator, "replies.send", { itemId, text });
  if (!sent.data) throw new Error(`reply refused: ${JSON.stringify(sent.error)}`);
  return sent.data as { id: string };
}

/** Polls a real condition (a lock wait, a statistic) until it holds; fails naming it after ten seconds. */
async function waitUntil(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function replyRow(id: string) {
  const [row] = await db.owner.select().from(schema.replies).where(eq(schema.replies.id, id));
  return row;
}

describe("outbound delivery", () => {
  it("publishes a reply through Meta Graph with the page token, and hides and deletes there", async () => {
    const item = await ingestItem(db, facebook, { body: "Love the new trailer", externalId: "1234_5678" });
    const reply = await sendReply(item.id, "Thanks Alex, more soon!");
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(platform.requests).toHaveLength(1);
    const [request] = platform.requests;
    expect(request).toMatchObject({ method: "POST", path: "/graph/1234_5678/comments" });
    expect(request?.headers.authorization).toBe("Bearer page-token-hexfall");
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({ message: "Thanks Alex, more soon!" });
    const row = await replyRow(reply.id);
    expect(row).toMatchObject({ status: "sent", externalId: `fb-reply-${okCounter}`, failureReason: null });
    const clocks = await db.owner.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, item.id));
    expect(clocks.find((clock) => clock.metric === "first_response")).toMatchObject({
      stoppedAt: row?.sentAt,
      met: true,
    });
    expect(clocks.find((clock) => clock.metric === "resolution")?.stoppedAt).toBeNull();

    await mutate(app, moderator, "items.hide", { itemId: item.id });
    await mutate(app, moderator, "items.unhide", { itemId: item.id });
    await deliverFor(db, a, deliveryDeps(platform));
    await mutate(app, moderator, "items.delete", { itemId: item.id });
    await deliverFor(db, a, deliveryDeps(platform));
    expect(platform.requests.slice(1).map((r) => [r.method, r.path, r.body, r.headers.authorization])).toEqual([
      ["POST", "/graph/1234_5678", "is_hidden=true", "Bearer page-token-hexfall"],
      ["POST", "/graph/1234_5678", "is_hidden=false", "Bearer page-token-hexfall"],
      ["DELETE", "/graph/1234_5678", "", "Bearer page-token-hexfall"],
    ]);
    expect((await deliveriesOf(db, item.id)).map((d) => [d.action, d.status, d.attempts])).toEqual([
      ["reply", "sent", 1],
      ["hide", "sent", 1],
      ["unhide", "sent", 1],
      ["delete", "sent", 1],
    ]);
  });

  it("retries a failing platform with exponential backoff, then fails with the reason visible on the reply", async () => {
    platform.respond = () => ({ status: 500, body: { error: { message: "An unexpected error has occurred" } } });
    const item = await ingestItem(db, facebook, { body: "Hello?" });
    const reply = await sendReply(item.id, "Hi there, how can we help?");
    let now = new Date(Date.now() + 1000);
    const deps = deliveryDeps(platform, { now: () => now });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= maxDeliveryAttempts; attempt += 1) {
      const run = await deliverFor(db, a, deps);
      expect(run).toEqual(
        attempt < maxDeliveryAttempts ? { sent: 0, retrying: 1, failed: 0 } : { sent: 0, retrying: 0, failed: 1 },
      );
      // Not due again before its backoff ends.
      expect(await deliverFor(db, a, deps)).toEqual({ sent: 0, retrying: 0, failed: 0 });
      const [delivery] = await deliveriesOf(db, item.id);
      if (!delivery) throw new Error("no delivery");
      if (attempt < maxDeliveryAttempts) {
        delays.push((delivery.nextAttemptAt.getTime() - now.getTime()) / 1000);
        expect((await replyRow(reply.id))?.status).toBe("approved");
        now = delivery.nextAttemptAt;
      }
    }
    expect(delays).toEqual([30, 60, 120, 240, 480]);
    expect(platform.requests).toHaveLength(maxDeliveryAttempts);
    expect(await replyRow(reply.id)).toMatchObject({
      status: "failed",
      failureReason: expect.stringContaining("Meta Graph answered 500"),
      sentAt: null,
    });
    const detail = await query(app, moderator, "items.get", { itemId: item.id });
    expect(detail.data).toMatchObject({
      replies: [{ id: reply.id, status: "failed", failureReason: expect.stringContaining("500") }],
      deliveries: [{ action: "reply", status: "failed", attempts: 6, lastError: expect.stringContaining("500") }],
    });
    expect(await deliverFor(db, a, deliveryDeps(platform, { now: () => new Date(Date.now() + 86_400_000) }))).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
    });
  });

  it("fails at once, without retrying, when a retry cannot help (a 4xx refusal, missing credentials)", async () => {
    platform.respond = () => ({ status: 400, body: { error: { message: "Invalid OAuth access token" } } });
    const item = await ingestItem(db, facebook, { body: "Anyone there?" });
    const reply = await sendReply(item.id, "Yes, we are here!");
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect((await replyRow(reply.id))?.failureReason).toBe("Meta Graph answered 400: refused the request");

    const bare = await addChannel(db, a, { clientId: a.client.id, platform: "facebook" });
    const other = await ingestItem(db, bare, { body: "Hello from a page without a token" });
    await mutate(app, moderator, "items.hide", { itemId: other.id });
    const requestsBefore = platform.requests.length;
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect(platform.requests).toHaveLength(requestsBefore);
    expect((await deliveriesOf(db, other.id))[0]).toMatchObject({
      status: "failed",
      lastError: "The channel has no pageAccessToken credential",
    });
  });

  it("lists each channel's delivery problems of the last week: failed, retrying, and the latest error", async () => {
    const page = await addChannel(db, a, {
      clientId: a.client.id,
      platform: "facebook",
      credentials: { pageAccessToken: "page-token-health", appSecret: "x" },
      name: "Health page",
    });
    const quiet = await addChannel(db, a, { clientId: a.client.id, platform: "facebook", name: "Quiet page" });
    const healthOf = async (channelId: string) => {
      const listed = await query(app, moderator, "channels.list", { clientId: a.client.id });
      const channels = listed.data as Array<{ id: string; delivery: unknown }>;
      return channels.find((channel) => channel.id === channelId)?.delivery;
    };
    const first = await ingestItem(db, page, { body: "Is the shop open on Sunday?" });
    const second = await ingestItem(db, page, { body: "Do you deliver to Cork?" });
    await sendReply(first.id, "Yes, from ten to four.");
    await sendReply(second.id, "We do, in two to three days.");

    platform.respond = () => ({ status: 503, body: { error: { message: "Service temporarily unavailable" } } });
    await deliverFor(db, a, deliveryDeps(platform));
    expect(await healthOf(page.id)).toEqual({
      failed: 0,
      retrying: 2,
      lastError: { message: expect.stringContaining("503"), at: expect.any(Date) },
    });

    platform.respond = () => ({ status: 400, body: { error: { message: "Invalid OAuth access token" } } });
    await deliverFor(db, a, deliveryDeps(platform, { now: () => new Date(Date.now() + 3_600_000) }));
    expect(await healthOf(page.id)).toMatchObject({
      failed: 2,
      retrying: 0,
      // The status and a fixed reason, never the platform's answer (it could be an internal service's).
      lastError: { message: "Meta Graph answered 400: refused the request" },
    });
    // A failure older than a week no longer counts; a channel with none shows none.
    const [old] = await deliveriesOf(db, first.id);
    await db.owner
      .update(schema.outboundDeliveries)
      .set({ updatedAt: new Date(Date.now() - 8 * 86_400_000) })
      .where(eq(schema.outboundDeliveries.id, old?.id ?? ""));
    expect(await healthOf(page.id)).toMatchObject({ failed: 1, retrying: 0 });
    expect(await healthOf(quiet.id)).toEqual({ failed: 0, retrying: 0, lastError: null });
  });

  it("records an outcome whose transaction PostgreSQL aborts for a deadlock: once, and the delivery is not left leased", async () => {
    const page = await addChannel(db, a, {
      clientId: a.client.id,
      platform: "facebook",
      credentials: { pageAccessToken: "page-token-deadlock", appSecret: "x" },
    });
    const item = await ingestItem(db, page, { body: "Where is my parcel?" });
    const reply = await sendReply(item.id, "On its way, arriving tomorrow.");
    const [delivery] = await deliveriesOf(db, item.id);
    if (!delivery) throw new Error("no delivery");
    // A failure before it: the success clears the streak, so its recording locks the channel row (channel health).
    await db.owner.update(schema.channels).set({ deliveryFailureStreak: 1 }).where(eq(schema.channels.id, page.id));
    // A second session holds the channel row, which the recording locks after the delivery row.
    const other = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
    const session = await other.reserve();
    try {
      await session`begin`;
      // This session waits longer before checking for a deadlock, so PostgreSQL aborts the recording, not it.
      await session`set local deadlock_timeout = '30s'`;
      await session`select id from channels where id = ${page.id} for update`;
      const run = deliverFor(db, a, deliveryDeps(platform));
      await waitUntil("the recording waits for the channel row", async () => {
        const [row] = await db.owner.execute<{ waiting: number }>(sql`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query ilike '%channels%'`);
        return (row?.waiting ?? 0) > 0;
      });
      // Now wait for the delivery row the recording has updated: a cycle. PostgreSQL aborts the recording with
      // 40P01, which releases the delivery row to this session — it gets it while still holding the channel.
      await session`select id from outbound_deliveries where id = ${delivery.id} for update`;
      await session`rollback`;
      expect(await run).toEqual({ sent: 1, retrying: 0, failed: 0 });
    } finally {
      session.release();
      await other.end();
    }
    // PostgreSQL counts it (its statistics reach the view within about a second of the session going idle).
    await waitUntil("PostgreSQL counts the deadlock", async () => {
      const [row] = await db.owner.execute<{ deadlocks: number }>(
        sql`select deadlocks::int as deadlocks from pg_stat_database where datname = current_database()`,
      );
      return (row?.deadlocks ?? 0) >= 1;
    });
    expect(platform.requests).toHaveLength(1);
    expect((await deliveriesOf(db, item.id)).map((d) => [d.status, d.attempts])).toEqual([["sent", 1]]);
    expect(await replyRow(reply.id)).toMatchObject({ status: "sent", externalId: `fb-reply-${okCounter}` });
    const audits = await db.owner
      .select({ action: schema.auditEvents.action })
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.subjectType, "delivery"), eq(schema.auditEvents.subjectId, delivery.id)));
    expect(audits).toEqual([{ action: "delivery.sent" }]);
    // Recorded, not leased: nothing is due for it again, even after the lease would have run out.
    const later = deliveryDeps(platform, { now: () => new Date(Date.now() + 600_000) });
    expect(await deliverFor(db, a, later)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(platform.requests).toHaveLength(1);
  });

  it("fills its batch past the deliveries another process is leasing, rather than stopping short", async () => {
    const channel = genericChannelOf(a, a.client.id);
    const items = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ingestItem(db, channel, { body: `Is the store open on day ${i}?` })),
    );
    for (const [i, item] of items.entries()) await sendReply(item.id, `Yes, open on day ${i} from nine.`);
    const due = () =>
      db.owner.execute<{ id: string }>(sql`select id from outbound_deliveries
        where agency_id = ${a.agency.id} and status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at, id`);
    const before = await due();
    // Another process holds the first three in line, as while it leases them.
    const other = postgres(db.ownerUrl, { max: 1, onnotice: () => {} });
    const session = await other.reserve();
    const held = before.slice(0, 3).map((row) => row.id);
    try {
      await session`begin`;
      await session`select id from outbound_deliveries where id = any(${held}::uuid[]) for update`;
      // A batch of three: the three held are passed over and the next three taken, then nothing is left to take.
      const run = await deliverFor(db, a, deliveryDeps(platform, { batchSize: 3 }));
      expect(run).toEqual({ sent: before.length - 3, retrying: 0, failed: 0 });
      await session`rollback`;
    } finally {
      session.release();
      await other.end();
    }
    expect((await due()).map((row) => row.id)).toEqual(held);
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 3, retrying: 0, failed: 0 });
  });

  it("sends each delivery once when two processes run deliverDue at the same time", async () => {
    platform.respond = () => {
      okCounter += 1;
      return { status: 200, body: { id: `generic-${okCounter}` }, delayMs: 150 };
    };
    const channel = genericChannelOf(a, a.client.id);
    const items = await Promise.all(
      Array.from({ length: 30 }, (_, i) => ingestItem(db, channel, { body: `Question number ${i} about the patch` })),
    );
    for (const [i, item] of items.entries()) await sendReply(item.id, `Answer ${i}: the patch lands on Thursday.`);
    const deps = deliveryDeps(platform, { batchSize: 7 });
    const runs = await Promise.all([deliverFor(db, a, deps), deliverFor(db, a, deps), deliverFor(db, a, deps)]);
    expect(runs.reduce((sum, run) => sum + run.sent, 0)).toBe(30);
    const deliveryIds = platform.requests.map((r) => (JSON.parse(r.body) as { deliveryId: string }).deliveryId);
    expect(deliveryIds).toHaveLength(30);
    expect(new Set(deliveryIds).size).toBe(30);
    // Signed like ingest, with the channel's ingest secret.
    const secret = testSecretBox.decrypt(channel.ingestSecretEnc);
    const [first] = platform.requests;
    expect(first?.path).toBe("/callback");
    expect(
      verifyGenericSignature({
        secret,
        timestamp: first?.headers["x-parley-timestamp"] as string,
        signature: first?.headers["x-parley-signature"] as string,
        rawBody: first?.body ?? "",
        now: new Date(),
      }),
    ).toEqual({ ok: true });
    expect(JSON.parse(first?.body ?? "{}")).toMatchObject({
      action: "reply",
      reply: { text: expect.stringMatching(/^Answer/) },
    });
  });

  it("sweeps what was queued before it started, delivers as soon as a reply commits, and stops cleanly", async () => {
    const waiting = await ingestItem(db, facebook, { body: "buy followers at spam.example" });
    await mutate(app, moderator, "items.hide", { itemId: waiting.id });
    const worker = await startDeliveryWorker({
      db: db.app,
      secretBox: testSecretBox,
      metaGraphBaseUrl: `${platform.url}/graph`,
      allowlist: testOutboundAllowlist,
      intervalMs: 60_000,
      logger: silentLogger,
    });
    try {
      const swept = Date.now() + 5000;
      while ((await deliveriesOf(db, waiting.id))[0]?.status !== "sent" && Date.now() < swept) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await deliveriesOf(db, waiting.id))[0]?.status).toBe("sent");
      // The start-up sweep is over; from now on only the commit's notification can trigger a delivery.
      const item = await ingestItem(db, facebook, { body: "Is the shop open?" });
      const reply = await sendReply(item.id, "It is, until midnight!");
      const deadline = Date.now() + 5000;
      while ((await replyRow(reply.id))?.status !== "sent" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await replyRow(reply.id))?.status).toBe("sent");
    } finally {
      await worker.stop();
    }
  });
});
