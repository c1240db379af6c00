import { AppError } from "@parley/contracts";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { createWakeupQueue, findFlowEvents, reconcileWakeups } from "../flows/wakeup-queue.unscoped";
import { type Scope, tenantOf } from "../kernel/scope";
import { ingestChannelItems } from "../moderation/ingest-channel.unscoped";
import { createProtocolVersion } from "../protocols/protocol-versions";
import { createClockStore } from "../sla/clock-store";
import { getSlaBoard } from "../sla/sla-board";
import { escalateItem, previewEscalation } from "./escalate-item";
import { acknowledgeEscalation, getEscalation, listEscalations, resolveEscalation } from "./escalation-answers";
import { listPlaybooks, savePlaybook } from "./playbooks";
import { createTriageStore } from "./triage-store";

let db: TestDatabase;
let a: TestAgency;
let owner: Scope;
let moderator: Scope;
let stakeholder: Scope;
let otherStakeholder: Scope;

const at = (iso: string) => new Date(iso);
const NOW = at("2026-11-23T10:00:00Z");

async function scopeOf(userId: string): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  return scope;
}

function inScope<T>(scope: Scope, work: (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) => Promise<T>) {
  return withTenant(db.app, tenantOf(scope), work);
}

async function ingest(externalId: string, body: string, now = NOW): Promise<string> {
  const channel = a.channels.find((candidate) => candidate.clientId === a.client.id);
  if (!channel) throw new Error("no channel");
  const result = await ingestChannelItems(
    db.app,
    { id: channel.id, agencyId: a.agency.id, clientId: a.client.id, platform: channel.platform },
    [
      {
        op: "upsert",
        item: { externalId, kind: "comment", author: { externalId: "fan", handle: "fan" }, body, createdAt: now },
      },
    ],
    { now: () => now },
  );
  return result.items[0]?.id ?? "";
}

async function expectAppError(promise: Promise<unknown>, expected: Record<string, unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject(expected);
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  owner = await scopeOf(a.users.owner.id);
  moderator = await scopeOf(a.users.moderator.id);
  stakeholder = await scopeOf(a.users.stakeholder.id);
  const other = await makeUser(db.owner, {
    agencyId: a.agency.id,
    role: "client_stakeholder",
    assignments: [{ clientId: a.otherClient.id, authority: "approve" }],
  });
  otherStakeholder = await scopeOf(other.id);
});
afterAll(() => db.close());

describe("playbooks", () => {
  it("refuses a bad document naming the field, and saves nothing", async () => {
    await expectAppError(
      inScope(owner, (tx) =>
        savePlaybook(owner, tx, {
          clientId: a.client.id,
          name: "Broken",
          document: { levels: [], followUpCadenceMinutes: -5 },
        }),
      ),
      {
        code: "BAD_INPUT",
        details: {
          fields: {
            "document.levels": "levels need at least one level",
            "document.followUpCadenceMinutes": "follow-up cadence must be positive",
          },
        },
      },
    );
    expect(await inScope(owner, (tx) => listPlaybooks(owner, tx, { clientId: a.client.id }))).toEqual([]);
  });

  it("saves with defaults, updates in place, and shows the client's stakeholders only their client's", async () => {
    const saved = await inScope(owner, (tx) =>
      savePlaybook(owner, tx, {
        clientId: a.client.id,
        name: "Complaints",
        document: {
          triggers: { keywords: ["broken"] },
          levels: [{ respondWithinMinutes: 60, calendar: "business_hours" }],
        },
      }),
    );
    expect(saved.document).toMatchObject({
      autoAcknowledge: false,
      acknowledgementTargetMinutes: 15,
      acknowledgementCalendar: "24x7",
      levels: [{ contacts: { portalUserIds: [], emails: [] }, respondWithinMinutes: 60 }],
    });
    const updated = await inScope(owner, (tx) =>
      savePlaybook(owner, tx, { ...saved, playbookId: saved.id, name: "Complaints (v2)", document: saved.document }),
    );
    expect(updated).toMatchObject({ id: saved.id, name: "Complaints (v2)" });
    expect(await inScope(stakeholder, (tx) => listPlaybooks(stakeholder, tx, { clientId: a.client.id }))).toHaveLength(
      1,
    );
    await expectAppError(
      inScope(otherStakeholder, (tx) => listPlaybooks(otherStakeholder, tx, { clientId: a.client.id })),
      { code: "NOT_FOUND" },
    );
  });
});

describe("manual escalation", () => {
  it("previews without saving, escalates once with the packet, and hides it from another client's stakeholder", async () => {
    const itemId = await ingest("manual-1", "The product arrived broken, second time this month");
    const preview = await inScope(moderator, (tx) =>
      previewEscalation(moderator, tx, { itemId, note: "Angry repeat customer" }),
    );
    expect(preview.packet).toMatchObject({ note: "Angry repeat customer", item: { itemId, authorHandle: "fan" } });
    expect(await db.owner.select().from(schema.escalations).where(eq(schema.escalations.itemId, itemId))).toEqual([]);

    const escalation = await inScope(moderator, (tx) =>
      escalateItem(moderator, tx, { itemId, note: "Angry repeat customer" }, { now: () => NOW }),
    );
    expect(escalation).toMatchObject({ itemId, level: 1, status: "open", packet: { note: "Angry repeat customer" } });
    expect(escalation.packet.clocks.map((clock) => clock.metric).sort()).toEqual(["first_response", "resolution"]);
    // Its triage runs now; its clocks' watch is armed when they come due.
    const wakeups = await db.owner
      .select()
      .from(schema.workflowWakeups)
      .where(eq(schema.workflowWakeups.subjectId, itemId));
    expect(wakeups.map((wakeup) => wakeup.flow)).toEqual(["triage"]);

    await expectAppError(
      inScope(moderator, (tx) => escalateItem(moderator, tx, { itemId }, { now: () => NOW })),
      { code: "CONFLICT", details: { reason: "already_escalated" } },
    );
    expect(
      await inScope(stakeholder, (tx) => getEscalation(stakeholder, tx, { escalationId: escalation.id })),
    ).toMatchObject({
      id: escalation.id,
    });
    await expectAppError(
      inScope(otherStakeholder, (tx) => getEscalation(otherStakeholder, tx, { escalationId: escalation.id })),
      { code: "NOT_FOUND" },
    );
    expect(await inScope(otherStakeholder, (tx) => listEscalations(otherStakeholder, tx, {}))).toEqual([]);

    // Resolved without an answer: the resolution clock resumes with the wait as client-side time.
    const resolved = await inScope(stakeholder, (tx) =>
      resolveEscalation(stakeholder, tx, { escalationId: escalation.id }, { now: () => at("2026-11-23T10:30:00Z") }),
    );
    expect(resolved).toMatchObject({ status: "resolved", answer: null });
    const [resolution] = await db.owner
      .select()
      .from(schema.slaClocks)
      .where(eq(schema.slaClocks.itemId, itemId))
      .then((rows) => rows.filter((row) => row.metric === "resolution"));
    expect(resolution?.clientSideMs).toBe(30 * 60_000);
  });
});

describe("SLA board", () => {
  it("lists running clocks by time left with their state, for the caller's clients", async () => {
    const itemId = await ingest("board-1", "Hello there", at("2026-11-23T09:00:00Z"));
    const board = await inScope(stakeholder, (tx) =>
      getSlaBoard(stakeholder, tx, { clientId: a.client.id }, { now: () => at("2026-11-23T12:30:00Z") }),
    );
    const mine = board.items.find((entry) => entry.itemId === itemId)?.clocks ?? [];
    // P3 with no calendar on the client: 240 / 1440 minutes around the clock.
    expect(mine.map(({ metric, state, msLeft }) => ({ metric, state, msLeft }))).toEqual([
      { metric: "first_response", state: "at_risk", msLeft: 30 * 60_000 },
      { metric: "resolution", state: "on_track", msLeft: (24 * 60 - 210) * 60_000 },
    ]);
    // One row per item, both clocks on it; items by their most pressing clock.
    const times = board.items.map((entry) => Math.min(...entry.clocks.map((clock) => clock.msLeft)));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(board.totals.openItems).toBe(board.items.length);
    await expectAppError(
      inScope(otherStakeholder, (tx) => getSlaBoard(otherStakeholder, tx, { clientId: a.client.id })),
      { code: "NOT_FOUND" },
    );
  });

  it("counts today's breaches from midnight in each client's time zone", async () => {
    // 03:00 UTC on 4 December: still the 3rd in New York (a.otherClient), already the 4th in London (a.client).
    const now = at("2026-12-04T03:00:00Z");
    const breachedAt = {
      "ny-evening": { clientId: a.otherClient.id, at: at("2026-12-03T23:00:00Z") }, // 18:00 on the 3rd in New York
      "ny-day-before": { clientId: a.otherClient.id, at: at("2026-12-03T04:00:00Z") }, // 23:00 on the 2nd
      "london-before-midnight": { clientId: a.client.id, at: at("2026-12-03T23:30:00Z") },
      "london-after-midnight": { clientId: a.client.id, at: at("2026-12-04T00:30:00Z") },
    };
    const itemIds = new Map<string, string>();
    for (const [externalId, breach] of Object.entries(breachedAt)) {
      const channel = a.channels.find((candidate) => candidate.clientId === breach.clientId);
      const [item] = await db.owner
        .insert(schema.items)
        .values({
          agencyId: a.agency.id,
          clientId: breach.clientId,
          channelId: channel?.id ?? "",
          externalId,
          kind: "comment",
          authorExternalId: "late",
          authorHandle: "late",
          body: "Still waiting",
          createdAt: at("2026-12-02T00:00:00Z"),
        })
        .returning();
      itemIds.set(item?.id ?? "", externalId);
      await db.owner.insert(schema.slaClocks).values({
        agencyId: a.agency.id,
        clientId: breach.clientId,
        itemId: item?.id ?? "",
        metric: "first_response",
        priority: "P2",
        targetMinutes: 60,
        calendar: {},
        startedAt: at("2026-12-02T00:00:00Z"),
        dueAt: breach.at,
        atRiskAt: breach.at,
        breachedAt: breach.at,
      });
    }
    const board = await inScope(owner, (tx) => getSlaBoard(owner, tx, {}, { now: () => now }));
    const today = board.breachesToday.flatMap((breach) => itemIds.get(breach.itemId) ?? []);
    expect(today.sort()).toEqual(["london-after-midnight", "ny-evening"]);
  });
});

describe("wake-up queue (PostgreSQL)", () => {
  it("lets one of two processes claim a due wake-up, keeps a re-armed one due, and reconciles a lost one", async () => {
    const itemId = await ingest("queue-1", "Queue me");
    const [first, second] = [createWakeupQueue(db.app), createWakeupQueue(db.app)];
    const later = at("2026-11-30T00:00:00Z");
    const claims = await Promise.all([first.claimDue(later, 100, 60_000), second.claimDue(later, 100, 60_000)]);
    const mine = claims.flat().filter((wakeup) => wakeup.itemId === itemId);
    expect(mine).toHaveLength(1);
    const [claimed] = mine;
    const holder = claims[0]?.some((wakeup) => wakeup.itemId === itemId) ? first : second;

    // Notified while claimed: completing does not remove it, it stays due.
    expect(await second.notify({ event: "sla/clock.resumed", itemId }, later)).toBe(1);
    await holder.complete(claimed?.id ?? "");
    const [kept] = await db.owner
      .select()
      .from(schema.workflowWakeups)
      .where(eq(schema.workflowWakeups.subjectId, itemId));
    expect(kept).toMatchObject({ lockedUntil: null });
    expect(kept?.dueAt.getTime()).toBeLessThanOrEqual(later.getTime());

    // Lost altogether: the sweep re-arms the watch of the running clocks.
    await db.owner.delete(schema.workflowWakeups).where(eq(schema.workflowWakeups.subjectId, itemId));
    expect(await reconcileWakeups(db.app, { now: later })).toBeGreaterThanOrEqual(1);
    const [rearmed] = await db.owner
      .select()
      .from(schema.workflowWakeups)
      .where(eq(schema.workflowWakeups.subjectId, itemId));
    expect(rearmed).toMatchObject({ flow: "clock", dueAt: later });
  });

  it("arms an item's clock watch once, at its first at-risk instant, and never before", async () => {
    const itemId = await ingest("queue-2", "Watch me");
    const clocks = await db.owner.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, itemId));
    const firstAtRisk = new Date(Math.min(...clocks.map((clock) => clock.atRiskAt.getTime())));
    const [first, second] = [createWakeupQueue(db.app), createWakeupQueue(db.app)];
    const watchOf = (claimed: ReadonlyArray<{ id: string; itemId: string; flow: string }>) =>
      claimed.filter((wakeup) => wakeup.itemId === itemId && wakeup.flow === "sla-watch");

    expect(watchOf(await first.claimDue(new Date(firstAtRisk.getTime() - 1), 100, 60_000))).toEqual([]);
    // Two processes at the instant: one arms and claims it.
    const claims = await Promise.all([
      first.claimDue(firstAtRisk, 100, 60_000),
      second.claimDue(firstAtRisk, 100, 60_000),
    ]);
    expect(watchOf(claims.flat())).toMatchObject([{ dueAt: firstAtRisk }]);
    const armed = await db.owner.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, itemId));
    expect(armed.map((clock) => clock.watchArmedAt)).toEqual([firstAtRisk, firstAtRisk]);

    // Handed over and completed (as the Inngest relay does): armed once, so not again at the next clock's instant.
    const holder = claims[0]?.some((wakeup) => wakeup.itemId === itemId) ? first : second;
    await holder.complete(watchOf(claims.flat())[0]?.id ?? "");
    const lastAtRisk = new Date(Math.max(...clocks.map((clock) => clock.atRiskAt.getTime())));
    expect(watchOf(await first.claimDue(lastAtRisk, 100, 60_000))).toEqual([]);
  });
});

describe("clock store (PostgreSQL)", () => {
  it("records at-risk and the breach once each, and announces them live", async () => {
    const itemId = await ingest("clock-1", "Just a question", at("2026-11-24T09:00:00Z"));
    const store = createClockStore({ db: db.app });
    const target = { agencyId: a.agency.id, itemId };
    const heard: string[] = [];
    const live = await db.owner.$client.listen("parley_live", (payload) => heard.push(payload));
    try {
      // P3, around the clock: first response 240 min → at risk at 12:12, due at 13:00.
      const early = await store.advance(target, at("2026-11-24T10:00:00Z"));
      expect(early).toEqual({ actions: [], next: { kind: "at", at: at("2026-11-24T12:12:00Z") } });
      const atRisk = await store.advance(target, at("2026-11-24T12:12:00Z"));
      expect(atRisk.actions.map((action) => `${action.metric} ${action.type}`)).toEqual([
        "first_response mark_at_risk",
      ]);
      expect((await store.advance(target, at("2026-11-24T12:30:00Z"))).actions).toEqual([]);
      const breached = await store.advance(target, at("2026-11-24T13:00:00Z"));
      expect(breached.actions.map((action) => `${action.metric} ${action.type}`)).toEqual([
        "first_response mark_breached",
      ]);
      expect((await store.advance(target, at("2026-11-24T13:05:00Z"))).actions).toEqual([]);
      const [clock] = await db.owner
        .select()
        .from(schema.slaClocks)
        .where(eq(schema.slaClocks.itemId, itemId))
        .then((rows) => rows.filter((row) => row.metric === "first_response"));
      expect(clock).toMatchObject({
        atRiskRecordedAt: at("2026-11-24T12:12:00Z"),
        breachedAt: at("2026-11-24T13:00:00Z"),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const changes = heard.map((payload) => JSON.parse(payload)).filter((event) => event.subjectId === itemId);
      expect(changes.map((event) => event.type)).toEqual(["clock.changed", "clock.changed"]);
    } finally {
      await live.unlisten();
    }
  });
});

describe("Inngest relay events", () => {
  it("turns a new item's wake-up into moderation/item.received and an answer into escalations/escalation.resolved", async () => {
    const itemId = await ingest("relay-1", "Everything is broken again");
    const queue = createWakeupQueue(db.app);
    const claimed = (await queue.claimDue(at("2026-11-30T00:00:00Z"), 100, 60_000)).filter(
      (wakeup) => wakeup.itemId === itemId && wakeup.flow === "triage",
    );
    expect(await findFlowEvents(db.app, claimed[0]!)).toEqual([
      {
        id: `item-received:${itemId}`,
        name: "moderation/item.received",
        data: { agencyId: a.agency.id, clientId: a.client.id, channelId: expect.any(String), itemId },
      },
    ]);
    await queue.complete(claimed[0]!.id);
    const escalation = await inScope(moderator, (tx) => escalateItem(moderator, tx, { itemId }, { now: () => NOW }));
    await inScope(stakeholder, (tx) =>
      resolveEscalation(stakeholder, tx, { escalationId: escalation.id }, { now: () => at("2026-11-23T11:00:00Z") }),
    );
    const [woken] = (await queue.claimDue(at("2026-11-30T00:00:00Z"), 100, 60_000)).filter(
      (wakeup) => wakeup.itemId === itemId && wakeup.flow === "triage",
    );
    expect(await findFlowEvents(db.app, woken!)).toEqual([
      {
        id: `escalation-resolved:${escalation.id}`,
        name: "escalations/escalation.resolved",
        data: {
          agencyId: a.agency.id,
          clientId: a.client.id,
          itemId,
          escalationId: escalation.id,
          resolvedAt: "2026-11-23T11:00:00.000Z",
        },
      },
    ]);
  });
});

describe("triage store without automatic acknowledgement", () => {
  it("drafts the acknowledgement for a moderator (item stays queued), escalates, and does nothing more on a replay", async () => {
    const channel = a.channels.find((candidate) => candidate.clientId === a.otherClient.id);
    if (!channel) throw new Error("no channel");
    await inScope(owner, async (tx) => {
      await createProtocolVersion(owner, tx, {
        clientId: a.otherClient.id,
        document: {
          categories: [
            { key: "outage", name: "Outage", match: { keywords: ["outage"] }, priority: "P2", authority: "triage" },
          ],
          defaultCategory: { key: "general", priority: "P3" },
          acknowledgementTemplates: ["Thanks, we're looking into it.", "Sorry about this, the team is on it."],
        },
      });
      await savePlaybook(owner, tx, {
        clientId: a.otherClient.id,
        name: "Outages",
        document: { levels: [{ respondWithinMinutes: 30, calendar: "24x7" }] },
      });
    });
    const result = await ingestChannelItems(
      db.app,
      { id: channel.id, agencyId: a.agency.id, clientId: a.otherClient.id, platform: channel.platform },
      [
        {
          op: "upsert",
          item: {
            externalId: "outage-1",
            kind: "comment",
            author: { externalId: "u", handle: "u" },
            body: "Total outage!",
            createdAt: NOW,
          },
        },
      ],
      { now: () => NOW },
    );
    const itemId = result.items[0]?.id ?? "";
    const store = createTriageStore({ db: db.app });
    const first = await store.advance({ agencyId: a.agency.id, itemId }, NOW);
    expect(first.actions.map((action) => action.type)).toEqual(["queue_acknowledgement_for_moderator", "escalate"]);
    expect(first.next).toEqual({
      kind: "event",
      event: "escalations/escalation.resolved",
      timeoutAt: at("2026-11-23T10:30:00Z"),
    });
    const replay = await store.advance({ agencyId: a.agency.id, itemId }, NOW);
    expect(replay).toEqual({ actions: [], next: first.next });
    const replies = await db.owner.select().from(schema.replies).where(eq(schema.replies.itemId, itemId));
    expect(replies.map(({ kind, status, body }) => ({ kind, status, body }))).toEqual([
      { kind: "acknowledgement", status: "draft", body: "Thanks, we're looking into it." },
    ]);
    const [item] = await db.owner.select().from(schema.items).where(eq(schema.items.id, itemId));
    expect(item?.status).toBe("queued");
    expect(
      await db.owner.select().from(schema.outboundDeliveries).where(eq(schema.outboundDeliveries.itemId, itemId)),
    ).toEqual([]);
  });
});

describe("acknowledged escalations", () => {
  it("stop moving up the levels once the client takes them on", async () => {
    const itemId = await ingest("taken-on-1", "This is broken, and I want it fixed");
    const escalation = await inScope(moderator, (tx) => escalateItem(moderator, tx, { itemId }, { now: () => NOW }));
    const taken = await inScope(stakeholder, (tx) =>
      acknowledgeEscalation(
        stakeholder,
        tx,
        { escalationId: escalation.id },
        { now: () => at("2026-11-23T10:05:00Z") },
      ),
    );
    expect(taken.status).toBe("acknowledged");
    await expectAppError(
      inScope(stakeholder, (tx) => acknowledgeEscalation(stakeholder, tx, { escalationId: escalation.id })),
      { code: "INVALID_STATE", details: { reason: "already_acknowledged" } },
    );
    // Well past level 1's hour (the "Complaints" playbook, business hours): no reminder, no next level.
    const store = createTriageStore({ db: db.app });
    const later = await store.advance({ agencyId: a.agency.id, itemId }, at("2026-11-24T17:00:00Z"));
    expect(later.actions.map((action) => action.type)).not.toContain("remind");
    expect(later.actions.map((action) => action.type)).not.toContain("remind_and_escalate");
    const [row] = await db.owner.select().from(schema.escalations).where(eq(schema.escalations.id, escalation.id));
    expect(row).toMatchObject({ level: 1, status: "acknowledged" });
  });
});
