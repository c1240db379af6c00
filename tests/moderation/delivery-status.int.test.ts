import { confirmedItemStatus } from "@parley/contracts";
import { maxDeliveryAttempts } from "@parley/core/deliveries";
import { schema } from "@parley/db";
import type { TestAgency, TestDatabase } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestApp } from "../support/http";
import {
  auditOf,
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
let failing = false;
let refusing = false;

beforeAll(async () => {
  suite = await openModerationSuite();
  ({ db, app, platform, agency: a, moderator } = suite);
  // The generic channel's callback: a local platform that fails on demand (503 retried, 401 refused for good).
  platform.respond = () =>
    refusing ? { status: 401 } : failing ? { status: 503 } : { status: 200, body: { id: `pub-${Math.random()}` } };
});
afterAll(() => suite.close());
beforeEach(() => {
  failing = false;
  refusing = false;
});

const channel = () => genericChannelOf(a, a.client.id);

type ItemGet = {
  item: { status: string; delivery: { state: string; attempts: number; reason: string | null } | null };
  replies: Array<{
    id: string;
    status: string;
    delivery: { deliveryId: string; state: string; reason: string | null } | null;
  }>;
};

async function itemView(itemId: string) {
  const read = await query(app, moderator, "items.get", { itemId });
  if (!read.data) throw new Error(`items.get refused: ${JSON.stringify(read.error)}`);
  return read.data as ItemGet;
}

/** `/v1/items/{id}` with the moderator's session, as an integrator reads it. */
async function v1Item(itemId: string) {
  const response = await app.request(`http://parley.test/v1/items/${itemId}`, { headers: { cookie: moderator } });
  expect(response.status).toBe(200);
  return (await response.json()) as { delivery: { state: string; reason: string | null } | null; status: string };
}

async function queueRow(itemId: string, status: string) {
  const read = await query(app, moderator, "queue.list", { status, limit: 100 });
  const rows = (read.data as { items: Array<{ id: string; delivery: { state: string } | null }> }).items;
  return rows.find((row) => row.id === itemId);
}

describe("delivery status is what the platform confirmed", () => {
  it("shows a reply sending, then retrying with the attempt and its reason, then failed, everywhere", async () => {
    const item = await ingestItem(db, channel(), { body: "Where is my order?" });
    failing = true;
    await mutate(app, moderator, "replies.send", { itemId: item.id, text: "Checking that for you now." });
    let view = await itemView(item.id);
    expect(view.item.delivery).toMatchObject({ state: "sending", attempts: 0 });
    expect(confirmedItemStatus(view.item.status, view.item.delivery as never)?.label).toBe("Reply pending");
    expect(view.replies[0]?.delivery?.state).toBe("sending");

    let now = new Date(Date.now() + 1000);
    const deps = deliveryDeps(platform, { now: () => now });
    expect(await deliverFor(db, a, deps)).toEqual({ sent: 0, retrying: 1, failed: 0 });
    view = await itemView(item.id);
    expect(view.item.delivery).toMatchObject({
      state: "retrying",
      attempts: 1,
      reason: "The channel's callback answered 503: a server error",
    });
    expect((await v1Item(item.id)).delivery).toMatchObject({ state: "retrying" });
    expect((await queueRow(item.id, "responded"))?.delivery?.state).toBe("retrying");

    for (let attempt = 2; attempt <= maxDeliveryAttempts; attempt += 1) {
      const [delivery] = await deliveriesOf(db, item.id);
      now = delivery?.nextAttemptAt ?? now;
      await deliverFor(db, a, deps);
    }
    view = await itemView(item.id);
    expect(view.item.delivery).toMatchObject({
      state: "failed",
      reason: "The channel's callback answered 503: a server error",
    });
    expect(confirmedItemStatus(view.item.status, view.item.delivery as never)).toMatchObject({
      label: "Reply failed",
      failed: true,
    });
    expect(view.replies[0]).toMatchObject({ status: "failed", delivery: { state: "failed" } });
    expect(await v1Item(item.id)).toMatchObject({ status: "responded", delivery: { state: "failed" } });
    expect((await queueRow(item.id, "responded"))?.delivery?.state).toBe("failed");

    // Retry: a fresh round of attempts, audited; the platform is back, so it is sent and the clock stops.
    failing = false;
    const deliveryId = view.replies[0]?.delivery?.deliveryId ?? "";
    const retried = await mutate(app, moderator, "deliveries.retry", { deliveryId });
    expect(retried.data).toMatchObject({ state: "sending", attempts: 0 });
    expect((await itemView(item.id)).replies[0]?.status).toBe("approved");
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 1, retrying: 0, failed: 0 });
    view = await itemView(item.id);
    expect(view.item.delivery?.state).toBe("sent");
    expect(confirmedItemStatus(view.item.status, view.item.delivery as never)?.label).toBe("Responded");
    expect((await auditOf(db, deliveryId)).map((event) => event.action)).toContain("delivery.retried");
    const [clock] = await db.owner
      .select()
      .from(schema.slaClocks)
      .where(and(eq(schema.slaClocks.itemId, item.id), eq(schema.slaClocks.metric, "first_response")));
    expect(clock?.stoppedAt).not.toBeNull();
  });

  it("says Hiding… until the platform confirms the hide, Hide failed on a refusal, and Hidden once sent", async () => {
    const item = await ingestItem(db, channel(), { body: "spam spam spam" });
    await mutate(app, moderator, "items.hide", { itemId: item.id });
    let view = await itemView(item.id);
    expect(confirmedItemStatus(view.item.status, view.item.delivery as never)?.label).toBe("Hiding…");
    refusing = true;
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 0, retrying: 0, failed: 1 });
    view = await itemView(item.id);
    expect(view.item.delivery).toMatchObject({
      state: "failed",
      reason: "The channel's callback answered 401: refused: check the channel's credentials",
    });
    expect(confirmedItemStatus(view.item.status, view.item.delivery as never)?.label).toBe("Hide failed");
    refusing = false;
    const [delivery] = await deliveriesOf(db, item.id);
    await mutate(app, moderator, "deliveries.retry", { deliveryId: delivery?.id });
    await deliverFor(db, a, deliveryDeps(platform));
    view = await itemView(item.id);
    expect(confirmedItemStatus(view.item.status, view.item.delivery as never)?.label).toBe("Hidden");
  });

  it("cancels a failed delete (audited, the item back in the queue) and refuses to retry what has not failed", async () => {
    const item = await ingestItem(db, channel(), { body: "buy followers here" });
    await mutate(app, moderator, "items.delete", { itemId: item.id });
    const [pending] = await deliveriesOf(db, item.id);
    const early = await mutate(app, moderator, "deliveries.retry", { deliveryId: pending?.id });
    expect(early.error).toMatchObject({ code: "INVALID_STATE" });
    refusing = true;
    await deliverFor(db, a, deliveryDeps(platform));
    const cancelled = await mutate(app, moderator, "deliveries.cancel", { deliveryId: pending?.id });
    expect(cancelled.data).toMatchObject({ state: "cancelled" });
    const view = await itemView(item.id);
    expect(view.item.status).toBe("queued");
    expect(view.item.delivery?.state).toBe("cancelled");
    expect((await auditOf(db, pending?.id ?? "")).map((event) => event.action)).toContain("delivery.cancelled");
  });

  it("edits and resends a failed reply: the old delivery cancelled, the new text checked and sent", async () => {
    const item = await ingestItem(db, channel(), { body: "Is the sale still on?" });
    refusing = true;
    await mutate(app, moderator, "replies.send", { itemId: item.id, text: "Yes until Sunday!" });
    await deliverFor(db, a, deliveryDeps(platform));
    const failed = (await itemView(item.id)).replies[0];
    expect(failed?.status).toBe("failed");
    refusing = false;
    const blocked = await mutate(app, moderator, "replies.resend", {
      replyId: failed?.id,
      text: "Pay with card 4111 1111 1111 1111 to get it",
    });
    expect(blocked.error).toMatchObject({ code: "BAD_INPUT" });
    const resent = await mutate(app, moderator, "replies.resend", {
      replyId: failed?.id,
      text: "Yes — until Sunday night!",
    });
    expect(resent.error).toBeUndefined();
    await deliverFor(db, a, deliveryDeps(platform));
    const view = await itemView(item.id);
    expect(view.replies.map((reply) => [reply.status, reply.delivery?.state])).toEqual([
      ["failed", "cancelled"],
      ["sent", "sent"],
    ]);
    expect((await auditOf(db, (resent.data as { id: string }).id)).map((event) => event.action)).toContain(
      "reply.resent",
    );
  });
});
