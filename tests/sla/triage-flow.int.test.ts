import { createApp } from "@parley/api/app";
import { silentLogger } from "@parley/api/logger";
import { deliverDue } from "@parley/core/deliveries";
import { createTriageStore } from "@parley/core/escalations";
import { createWakeupQueue } from "@parley/core/flows";
import type { OutboundNotice } from "@parley/core/kernel";
import { ALWAYS_OPEN, businessMinutesBetween, createClockStore, stopFirstResponseClock } from "@parley/core/sla";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { createEmbeddedDriver } from "@parley/workflows";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, signInAs } from "../support/http";
import { hackedAccountPlaybook, ingestHackedComment, prepareClient } from "./support";

const at = (iso: string) => new Date(iso);
// Sunday 22 November 2026, 02:00 in London (GMT).
const SUNDAY_2AM = at("2026-11-22T02:00:00Z");

let db: TestDatabase;
let a: TestAgency;

function createFakeClock(start: Date) {
  let current = start;
  return {
    now: () => current,
    set(to: Date) {
      current = to;
    },
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
});
afterAll(() => db.close());

/** Jumps the clock from one due wake-up of the agency to the next and ticks, up to `until`. */
async function runUntil(driver: { tick(): Promise<number> }, clock: ReturnType<typeof createFakeClock>, until: Date) {
  for (let guard = 0; guard < 50; guard++) {
    const [next] = await db.owner
      .select({ dueAt: schema.workflowWakeups.dueAt })
      .from(schema.workflowWakeups)
      .where(eq(schema.workflowWakeups.agencyId, a.agency.id))
      .orderBy(asc(schema.workflowWakeups.dueAt))
      .limit(1);
    if (!next || next.dueAt > until) return;
    if (next.dueAt > clock.now()) clock.set(next.dueAt);
    await driver.tick();
  }
  throw new Error("runUntil did not settle");
}

async function rowsOf(itemId: string) {
  const [replies, escalations, clocks, notifications, item] = await Promise.all([
    db.owner
      .select()
      .from(schema.replies)
      .where(eq(schema.replies.itemId, itemId))
      .orderBy(asc(schema.replies.createdAt)),
    db.owner.select().from(schema.escalations).where(eq(schema.escalations.itemId, itemId)),
    db.owner.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, itemId)),
    db.owner
      .select()
      .from(schema.notifications)
      .where(eq(schema.notifications.agencyId, a.agency.id))
      .orderBy(asc(schema.notifications.createdAt)),
    db.owner.select().from(schema.items).where(eq(schema.items.id, itemId)),
  ]);
  const clock = (metric: "first_response" | "resolution") => clocks.find((row) => row.metric === metric);
  return {
    replies,
    escalations,
    notifications,
    item: item[0],
    firstResponse: clock("first_response"),
    resolution: clock("resolution"),
  };
}

describe("triage end to end (embedded driver, real PostgreSQL, controllable clock)", () => {
  it("acknowledges, escalates, reminds and moves up, follows up on the client's answer, and separates client-side time", async () => {
    await prepareClient(db, a, hackedAccountPlaybook({}, a.users.stakeholder.id));
    const clock = createFakeClock(SUNDAY_2AM);
    const sent: OutboundNotice[] = [];
    const driver = createEmbeddedDriver({
      store: createTriageStore({ db: db.app, notifier: { send: async (notice) => void sent.push(notice) } }),
      clockStore: createClockStore({ db: db.app }),
      wakeups: createWakeupQueue(db.app),
      now: clock.now,
    });

    // 02:00 Sunday: the complaint arrives; both clocks start (P1: 15 min / 240 min, 24×7).
    const itemId = await ingestHackedComment(db.app, a, { externalId: "hacked-1", now: SUNDAY_2AM });
    let rows = await rowsOf(itemId);
    expect(rows.item).toMatchObject({ categoryKey: "account_hacked", priority: "P1", authority: "triage" });
    expect(rows.firstResponse).toMatchObject({ targetMinutes: 15, dueAt: at("2026-11-22T02:15:00Z"), stoppedAt: null });
    expect(rows.resolution).toMatchObject({ targetMinutes: 240, dueAt: at("2026-11-22T06:00:00Z") });

    // The driver acknowledges at once (an approved reply with a pending delivery) and escalates to level 1.
    expect(await driver.tick()).toBeGreaterThanOrEqual(1);
    rows = await rowsOf(itemId);
    expect(rows.replies.map(({ kind, status }) => ({ kind, status }))).toEqual([
      { kind: "acknowledgement", status: "approved" },
    ]);
    const [escalation] = rows.escalations;
    expect(escalation).toMatchObject({ level: 1, status: "open", levelStartedAt: SUNDAY_2AM });
    expect(escalation?.packet).toMatchObject({
      item: { itemId, categoryKey: "account_hacked", priority: "P1" },
      protocolExcerpt: { category: { key: "account_hacked", authority: "triage" } },
      // Only delivered text was said publicly: the acknowledgement is still on its way.
      saidPublicly: [],
      notYetPublic: [{ kind: "acknowledgement", status: "not yet delivered" }],
    });
    expect(rows.item?.status).toBe("escalated");
    expect(rows.notifications.map(({ kind, recipientUserId }) => ({ kind, recipientUserId }))).toEqual([
      { kind: "escalation.opened", recipientUserId: a.users.stakeholder.id },
    ]);
    expect(sent).toEqual([
      expect.objectContaining({
        kind: "email",
        to: expect.arrayContaining(["duty-manager@brand.test", a.users.stakeholder.email]),
      }),
    ]);
    // The resolution clock waits on the client from now on.
    expect(rows.resolution?.pauses).toEqual([[SUNDAY_2AM.toISOString(), null]]);

    // 02:04: the delivery worker posts the acknowledgement; the reply becomes `sent` and stops first_response.
    clock.set(at("2026-11-22T02:04:00Z"));
    // (The outbox stamps deliveries with the database's real now(); this test's clock runs in 2026's past.)
    await db.owner
      .update(schema.outboundDeliveries)
      .set({ nextAttemptAt: SUNDAY_2AM })
      .where(eq(schema.outboundDeliveries.itemId, itemId));
    const delivered = await deliverDue(
      db.app,
      { agencyId: a.agency.id },
      { send: async () => ({ ok: true, externalId: "platform-ack-1" }), secretBox: testSecretBox, now: clock.now },
    );
    expect(delivered.sent).toBe(1);
    const [acknowledgement] = await db.owner
      .select()
      .from(schema.replies)
      .where(and(eq(schema.replies.itemId, itemId), eq(schema.replies.kind, "acknowledgement")));
    expect(acknowledgement?.status).toBe("sent");
    await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      stopFirstResponseClock(tx, { itemId, at: acknowledgement?.sentAt ?? clock.now(), kind: "acknowledgement" }),
    );

    // Nobody answers: level 1 has 120 business minutes from Monday 09:00, so at 11:00 it is reminded and level 2 is told.
    await runUntil(driver, clock, at("2026-11-23T11:29:00Z"));
    rows = await rowsOf(itemId);
    expect(rows.escalations[0]).toMatchObject({ level: 2, levelStartedAt: at("2026-11-23T11:00:00Z"), status: "open" });
    expect(rows.escalations[0]?.workflowState).toMatchObject({ remindedLevels: [1], outbox: [] });
    expect(rows.notifications.map(({ kind }) => kind)).toEqual([
      "escalation.opened",
      "escalation.reminder",
      "escalation.opened",
    ]);
    expect(sent.map((notice) => (notice.kind === "email" ? notice.to[0] : notice.url))).toEqual([
      "duty-manager@brand.test",
      "duty-manager@brand.test",
      "head-of-care@brand.test",
    ]);
    expect(rows.replies.filter((reply) => reply.kind === "acknowledgement")).toHaveLength(1);

    // 11:30 Monday: the stakeholder answers in the portal.
    clock.set(at("2026-11-23T11:30:00Z"));
    const app = createApp({
      services: { db: db.app, secretBox: testSecretBox, now: clock.now },
      trustProxy: 1,
      logger: silentLogger,
    });
    const cookie = await signInAs(app, a.users.stakeholder.email);
    const inbox = await callProcedure(app, { cookie, path: "escalations.inbox", type: "query", input: {} });
    expect(inbox).toMatchObject({ status: 200, data: { unread: 3 } });
    const notices = (inbox.data as { notices: Array<{ id: string; kind: string; subjectId: string }> }).notices;
    expect(notices.map(({ kind, subjectId }) => ({ kind, subjectId }))).toEqual([
      { kind: "escalation.opened", subjectId: escalation?.id },
      { kind: "escalation.reminder", subjectId: escalation?.id },
      { kind: "escalation.opened", subjectId: escalation?.id },
    ]);
    const marked = await callProcedure(app, {
      cookie,
      path: "escalations.markRead",
      type: "mutation",
      input: { notificationIds: notices.slice(0, 1).map((notice) => notice.id) },
    });
    expect(marked).toMatchObject({ status: 200, data: { marked: 1 } });
    // "Mark all read" takes the other two, and only the caller's: the agency's owner marks none of them.
    const owner = await signInAs(app, a.users.owner.email);
    const ownerMarked = await callProcedure(app, { cookie: owner, path: "escalations.markAllRead", type: "mutation" });
    expect(ownerMarked).toMatchObject({ status: 200, data: { marked: 0 } });
    const allMarked = await callProcedure(app, { cookie, path: "escalations.markAllRead", type: "mutation" });
    expect(allMarked).toMatchObject({ status: 200, data: { marked: 2 } });
    const after = await callProcedure(app, { cookie, path: "escalations.inbox", type: "query", input: {} });
    expect(after).toMatchObject({ status: 200, data: { unread: 0 } });
    const answerEscalation = (text: string) =>
      callProcedure(app, {
        cookie,
        path: "escalations.answer",
        type: "mutation",
        input: { escalationId: escalation?.id, answer: text },
      });
    const empty = await answerEscalation("   ");
    expect(empty).toMatchObject({
      status: 400,
      error: { code: "BAD_INPUT", details: { fields: { answer: "answer must not be empty" } } },
    });
    const answer = "We've locked the account and restored the credits; please DM us your player id.";
    const answered = await answerEscalation(answer);
    expect(answered).toMatchObject({
      status: 200,
      data: { status: "resolved", answer, answeredBy: a.users.stakeholder.id },
    });
    const again = await answerEscalation(answer);
    expect(again).toMatchObject({
      status: 409,
      error: { code: "INVALID_STATE", details: { reason: "already_resolved" } },
    });

    // The driver picks the answer up a minute later: the follow-up reply is queued for delivery and the loop closes.
    clock.set(at("2026-11-23T11:31:00Z"));
    await runUntil(driver, clock, at("2026-11-23T11:31:00Z"));
    rows = await rowsOf(itemId);
    expect(rows.replies.map(({ kind, status, body }) => ({ kind, status, body }))).toEqual([
      { kind: "acknowledgement", status: "sent", body: acknowledgement?.body },
      { kind: "follow_up", status: "approved", body: answer },
    ]);
    const deliveries = await db.owner
      .select()
      .from(schema.outboundDeliveries)
      .where(eq(schema.outboundDeliveries.itemId, itemId));
    expect(deliveries.map(({ status, replyId }) => ({ status, replyId }))).toEqual([
      { status: "sent", replyId: acknowledgement?.id },
      { status: "pending", replyId: rows.replies[1]?.id },
    ]);
    expect(rows.escalations[0]?.workflowState).toMatchObject({ closed: true, closeReason: "answered" });
    expect(rows.item?.status).toBe("resolved");

    // first_response met; resolution stopped with the 33 h 30 min wait on the client kept apart.
    expect(rows.firstResponse).toMatchObject({ stoppedAt: at("2026-11-22T02:04:00Z"), met: true, breachedAt: null });
    const waitMs = at("2026-11-23T11:30:00Z").getTime() - SUNDAY_2AM.getTime();
    expect(rows.resolution).toMatchObject({
      stoppedAt: at("2026-11-23T11:31:00Z"),
      clientSideMs: waitMs,
      met: true,
      breachedAt: null,
      dueAt: at("2026-11-23T15:30:00Z"),
    });
    expect(rows.resolution?.pauses).toEqual([[SUNDAY_2AM.toISOString(), "2026-11-23T11:30:00.000Z"]]);
    const agencyMinutes = businessMinutesBetween(SUNDAY_2AM, at("2026-11-23T11:31:00Z"), ALWAYS_OPEN, {
      pauses: [[SUNDAY_2AM, at("2026-11-23T11:30:00Z")]],
    });
    expect(agencyMinutes).toBe(1);

    // Everything is done: no wake-up is left for the item, and replaying the flow acts no more.
    await driver.tick();
    const left = await db.owner
      .select()
      .from(schema.workflowWakeups)
      .where(eq(schema.workflowWakeups.subjectId, itemId));
    expect(left).toEqual([]);
    expect((await rowsOf(itemId)).replies).toHaveLength(2);
  });
});
