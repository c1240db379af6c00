import { getFloor } from "@parley/core/floor";
import { ALWAYS_OPEN } from "@parley/core/sla";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownerScopeOf } from "../sla/support";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

/** Wednesday 10 June 2026, 12:05 UTC (the agency's zone is UTC): the current bucket is 12:00–12:15. */
const now = new Date("2026-06-10T12:05:00Z");
const MINUTE = 60_000;
const ago = (minutes: number) => new Date(now.getTime() - minutes * MINUTE);

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let secondModerator: { id: string; email: string };
let seq = 0;

async function item(options: {
  clientId: string;
  receivedAt: Date;
  status?: "queued" | "claimed" | "responded";
  claimedBy?: string;
}) {
  const channel = a.channels.find((c) => c.clientId === options.clientId);
  seq += 1;
  const [row] = await db.owner
    .insert(schema.items)
    .values({
      agencyId: a.agency.id,
      clientId: options.clientId,
      channelId: channel?.id ?? "",
      externalId: `floor-${seq}`,
      kind: "comment",
      authorExternalId: "author",
      authorHandle: "someone",
      body: "Is the server down?",
      createdAt: options.receivedAt,
      receivedAt: options.receivedAt,
      status: options.status ?? "queued",
      priority: "P2",
      claimedBy: options.claimedBy ?? null,
      claimExpiresAt: options.claimedBy ? new Date(now.getTime() + 10 * MINUTE) : null,
    })
    .returning();
  if (!row) throw new Error("no item");
  return row;
}

/** A first-response clock of 60 minutes around the clock, started at the item's arrival. */
async function clock(row: { id: string; clientId: string; receivedAt: Date }, stoppedAt: Date | null) {
  const started = row.receivedAt.getTime();
  await db.owner.insert(schema.slaClocks).values({
    agencyId: a.agency.id,
    clientId: row.clientId,
    itemId: row.id,
    metric: "first_response",
    priority: "P2",
    targetMinutes: 60,
    calendar: ALWAYS_OPEN,
    startedAt: row.receivedAt,
    dueAt: new Date(started + 60 * MINUTE),
    atRiskAt: new Date(started + 48 * MINUTE),
    stoppedAt,
    met: stoppedAt === null ? null : stoppedAt.getTime() <= started + 60 * MINUTE,
  });
}

async function audit(actor: string, action: string, at: Date, itemId: string) {
  await db.owner.insert(schema.auditEvents).values({
    agencyId: a.agency.id,
    clientId: a.client.id,
    actorUserId: actor,
    action,
    subjectType: "item",
    subjectId: itemId,
    createdAt: at,
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  const moderator = await makeUser(db.owner, {
    agencyId: a.agency.id,
    role: "moderator",
    assignments: [{ clientId: a.client.id, authority: "respond" }],
  });
  secondModerator = moderator;
  // Client A: 3 items in the current bucket (one claimed by the first moderator), 2 in the bucket before.
  const fresh = await item({ clientId: a.client.id, receivedAt: ago(1) });
  await clock(fresh, null);
  await item({ clientId: a.client.id, receivedAt: ago(2) });
  const held = await item({
    clientId: a.client.id,
    receivedAt: ago(4),
    status: "claimed",
    claimedBy: a.users.moderator.id,
  });
  await clock(held, null);
  // 12:00 − 50 min = 11:15: at risk (48 min), not breached; 70 min ago: breached.
  const atRisk = await item({ clientId: a.client.id, receivedAt: ago(50) });
  await clock(atRisk, null);
  const breached = await item({ clientId: a.client.id, receivedAt: ago(70) });
  await clock(breached, null);
  // Answered today: after 10 and 30 minutes (median 20).
  const quick = await item({ clientId: a.client.id, receivedAt: ago(14), status: "responded" });
  await clock(quick, new Date(quick.receivedAt.getTime() + 10 * MINUTE));
  const slow = await item({ clientId: a.client.id, receivedAt: ago(120), status: "responded" });
  await clock(slow, new Date(slow.receivedAt.getTime() + 30 * MINUTE));
  // The first moderator's day: claimed and handled 3 items in two quarter-hours (09:00–09:15, 11:30–11:45).
  for (const [minute, action] of [
    [180, "item.claimed"],
    [178, "item.hidden"],
    [176, "item.no_action"],
    [35, "item.claimed"],
    [33, "reply.queued"],
  ] as const) {
    await audit(a.users.moderator.id, action, ago(minute), quick.id);
  }
  // Yesterday's work does not count today.
  await audit(a.users.moderator.id, "item.hidden", ago(24 * 60), quick.id);
  // Client A's automatic triage is behind: two steps fell due 3 and 1 minutes ago; one is due later, and an SLA
  // watch's wake-up is not triage.
  for (const [flow, subject, minutes] of [
    ["triage", fresh, 3],
    ["triage", atRisk, 1],
    ["triage", breached, -10],
    ["clock", held, 5],
  ] as const) {
    await db.owner.insert(schema.workflowWakeups).values({
      agencyId: a.agency.id,
      clientId: a.client.id,
      flow,
      subjectId: subject.id,
      dueAt: ago(minutes),
    });
  }
  // The first moderator's console is connected; the second one's was, 5 minutes ago.
  await db.owner
    .update(schema.memberships)
    .set({ lastSeenAt: ago(0.5) })
    .where(eq(schema.memberships.userId, a.users.moderator.id));
  await db.owner
    .update(schema.memberships)
    .set({ lastSeenAt: ago(5) })
    .where(eq(schema.memberships.userId, secondModerator.id));
});
afterAll(() => db?.close());

describe("the floor view", () => {
  it("shows each client's traffic, queue, SLA and the moderators, as defined", async () => {
    const floor = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, async (tx) =>
      getFloor(await ownerScopeOf(db.app, a), tx, { now: () => now }),
    );
    expect(floor.buckets).toHaveLength(24);
    expect(floor.buckets.at(-1)).toEqual(new Date("2026-06-10T12:00:00Z"));
    const client = floor.clients.find((entry) => entry.clientId === a.client.id);
    expect(client).toMatchObject({
      // 4 items in the last 15 minutes (11:50–12:05) → 16 an hour; no week of history, no usual rate.
      ratePerHour: 16,
      usualPerHour: null,
      usual: null,
      queued: 4,
      claimed: 1,
      atRisk: 1,
      breached: 1,
      spike: null,
      triage: { waiting: 2, oldestDueAt: ago(3) },
      firstResponse: [{ priority: "P2", responses: 2, medianMinutes: 20, targetMinutes: 60 }],
    });
    const channel = client?.channels[0];
    // Received per bucket from 10:00 on: 10:05, 10:55, 11:15, 11:51, then 12:01, 12:03 and 12:04.
    expect(channel?.incoming.slice(-9)).toEqual([1, 0, 0, 1, 0, 1, 0, 1, 3]);
    // Awaiting a first response at each bucket's end (the last one's: now): 10:55's and 11:15's wait from their
    // arrival, 10:05's was answered at 10:35 and 11:51's at 12:01; 12:03's has no clock.
    expect(channel?.awaiting.slice(-9)).toEqual([1, 1, 0, 1, 1, 2, 2, 3, 4]);
    const other = floor.clients.find((entry) => entry.clientId === a.otherClient.id);
    expect(other).toMatchObject({
      ratePerHour: 0,
      queued: 0,
      atRisk: 0,
      breached: 0,
      triage: { waiting: 0, oldestDueAt: null },
      firstResponse: [],
    });

    const first = floor.members.find((member) => member.userId === a.users.moderator.id);
    expect(first).toMatchObject({
      state: "working",
      holding: [expect.objectContaining({ clientId: a.client.id, clientName: a.client.name, authorHandle: "someone" })],
      handledToday: 3,
      activeHoursToday: 0.5,
      handledPerHour: 6,
    });
    expect(floor.members.find((member) => member.userId === secondModerator.id)).toMatchObject({
      state: "offline",
      holding: [],
      handledToday: 0,
      handledPerHour: null,
    });
    // Leads appear only when they work items.
    expect(floor.members.map((member) => member.role)).toEqual(["moderator", "moderator"]);
    expect(floor).toMatchObject({ handledToday: 3, activeHoursToday: 0.5, handledPerModeratorHour: 6 });
  });

  it("is for agency leads: a moderator, an account manager and a stakeholder are refused", async () => {
    for (const user of [a.users.moderator, a.users.accountManager, a.users.stakeholder]) {
      const outcome = await callProcedure(app, {
        cookie: await signInAs(app, user.email),
        path: "floor.view",
        type: "query",
        input: undefined,
      });
      expect({ role: user.role, code: outcome.error?.code }).toEqual({ role: user.role, code: "FORBIDDEN" });
    }
    const owner = await callProcedure(app, {
      cookie: await signInAs(app, a.users.admin.email),
      path: "floor.view",
      type: "query",
      input: undefined,
    });
    expect(owner.error).toBeUndefined();
    expect((owner.data as { clients: unknown[] }).clients).toHaveLength(2);
  });
});
