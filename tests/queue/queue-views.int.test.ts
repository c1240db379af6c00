import type { QueueCountsView, QueueItemView, QueuePageView } from "@parley/core/moderation";
import type { SlaBoardEntry } from "@parley/core/sla";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { callQueue, claimNext, seedItems } from "./queue-support";

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
});
afterAll(() => db.close());

const minute = 60_000;

/** A running clock on an item, due `dueIn` ms from now and at risk from `atRiskIn`; `paused` opens a pause. */
async function startClock(
  agency: TestAgency,
  item: { id: string; clientId: string },
  clock: { metric?: "first_response" | "resolution"; dueIn: number; atRiskIn: number; paused?: boolean },
) {
  const now = Date.now();
  await db.owner.insert(schema.slaClocks).values({
    agencyId: agency.agency.id,
    clientId: item.clientId,
    itemId: item.id,
    metric: clock.metric ?? "first_response",
    priority: "P2",
    targetMinutes: 60,
    calendar: {},
    startedAt: new Date(now - 60 * minute),
    dueAt: new Date(now + clock.dueIn),
    atRiskAt: new Date(now + clock.atRiskIn),
    pauses: clock.paused ? [[new Date(now - minute).toISOString(), null]] : [],
  });
}

async function list(cookie: string, input: Record<string, unknown>): Promise<QueuePageView> {
  const outcome = await callQueue(app, { cookie, name: "list", input });
  if (outcome.error) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.data as QueuePageView;
}

async function listAll(cookie: string, input: Record<string, unknown>): Promise<QueueItemView[]> {
  const all: QueueItemView[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list(cookie, { ...input, cursor });
    all.push(...page.items);
    if (!page.nextCursor) return all;
    cursor = page.nextCursor;
  }
}

async function nameOf(userId: string): Promise<string> {
  const [user] = await db.owner
    .select({ name: schema.users.name })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!user) throw new Error("no such user");
  return user.name;
}

function auditOf(itemId: string, action: string) {
  return db.owner
    .select()
    .from(schema.auditEvents)
    .where(and(eq(schema.auditEvents.subjectId, itemId), eq(schema.auditEvents.action, action)));
}

describe("queue views of SLA clocks", () => {
  it("lists breached and at-risk items across clients and statuses, most overdue first, each with its clock", async () => {
    const a = await makeAgency(db.owner);
    const cookie = await signInAs(app, a.users.moderator.email);
    const [queuedLate, onTrack, atRisk, pausedLate] = await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      items: [{ priority: "P3" }, { priority: "P2" }, { priority: "P3" }, { priority: "P3" }],
    });
    const [escalatedLate, doneLate, riskyButLate] = await seedItems(db.owner, {
      agency: a,
      clientId: a.otherClient.id,
      items: [
        { priority: "P1", status: "escalated" },
        { priority: "P1", status: "responded" },
        { priority: "P2", status: "claimed" },
      ],
    });
    if (!queuedLate || !onTrack || !atRisk || !pausedLate || !escalatedLate || !doneLate || !riskyButLate)
      throw new Error("items not seeded");
    await startClock(a, queuedLate, { dueIn: -10 * minute, atRiskIn: -20 * minute });
    await startClock(a, onTrack, { dueIn: 30 * minute, atRiskIn: 20 * minute });
    await startClock(a, atRisk, { dueIn: 10 * minute, atRiskIn: -5 * minute });
    await startClock(a, pausedLate, { dueIn: -10 * minute, atRiskIn: -20 * minute, paused: true });
    // The escalated safety item: its first response breached 36 minutes ago while it waits on the client.
    await startClock(a, escalatedLate, { dueIn: -36 * minute, atRiskIn: -40 * minute });
    // A clock that stopped (the item was answered) is no one's worry any more.
    await db.owner.insert(schema.slaClocks).values({
      agencyId: a.agency.id,
      clientId: doneLate.clientId,
      itemId: doneLate.id,
      metric: "first_response",
      priority: "P1",
      targetMinutes: 15,
      calendar: {},
      startedAt: new Date(Date.now() - 60 * minute),
      dueAt: new Date(Date.now() - 30 * minute),
      atRiskAt: new Date(Date.now() - 40 * minute),
      stoppedAt: new Date(Date.now() - 20 * minute),
    });
    // Resolution at risk but first response already breached: the item counts as breached only.
    await startClock(a, riskyButLate, { dueIn: -5 * minute, atRiskIn: -15 * minute });
    await startClock(a, riskyButLate, { metric: "resolution", dueIn: 5 * minute, atRiskIn: -1 * minute });

    const breached = await list(cookie, { view: "breached" });
    expect(breached.items.map((item) => item.id)).toEqual([escalatedLate.id, queuedLate.id, riskyButLate.id]);
    expect(breached.items.map((item) => item.status)).toEqual(["escalated", "queued", "claimed"]);
    for (const item of breached.items) {
      expect(item.clock?.state).toBe("breached");
      expect(item.clock?.msLeft).toBeLessThan(0);
    }
    expect((await list(cookie, { view: "at_risk" })).items.map((item) => item.id)).toEqual([atRisk.id]);
    // One client only, and paged one row at a time: the same rows.
    expect((await listAll(cookie, { view: "breached", limit: 1 })).map((item) => item.id)).toEqual(
      breached.items.map((item) => item.id),
    );
    expect((await list(cookie, { view: "breached", clientId: a.client.id })).items.map((item) => item.id)).toEqual([
      queuedLate.id,
    ]);
  });

  it("sorts a queue by SLA due time, items without a running clock last, and pages that order exactly", async () => {
    const a = await makeAgency(db.owner);
    const cookie = await signInAs(app, a.users.moderator.email);
    const rows = await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      items: Array.from({ length: 9 }, (_, i) => ({ priority: (["P1", "P2", "P3"] as const)[i % 3] })),
    });
    // Due times in the reverse of arrival for the first six; the last three have no clock.
    const withClocks = rows.slice(0, 6);
    for (const [n, item] of withClocks.entries()) {
      await startClock(a, item, { dueIn: (60 - n * 5) * minute, atRiskIn: (50 - n * 5) * minute });
    }
    const expected = [...withClocks.reverse(), ...rows.slice(6).sort((x, y) => x.id.localeCompare(y.id))].map(
      (row) => row.id,
    );
    expect((await list(cookie, { sort: "due", limit: 100 })).items.map((item) => item.id)).toEqual(expected);
    expect((await listAll(cookie, { sort: "due", limit: 2 })).map((item) => item.id)).toEqual(expected);
  });

  it("shows every row of a full page its own countdown, however many clocks run in the agency", async () => {
    const a = await makeAgency(db.owner);
    const cookie = await signInAs(app, a.users.moderator.email);
    const rows = await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      items: Array.from({ length: 600 }, () => ({ priority: "P3" as const })),
    });
    await db.owner.insert(schema.slaClocks).values(
      rows.map((row, n) => ({
        agencyId: a.agency.id,
        clientId: row.clientId,
        itemId: row.id,
        metric: "first_response" as const,
        priority: "P3" as const,
        targetMinutes: 240,
        calendar: {},
        startedAt: new Date(),
        dueAt: new Date(Date.now() + (n + 10) * minute),
        atRiskAt: new Date(Date.now() + n * minute),
      })),
    );
    // The last page of the queue: rows far beyond the 500 most pressing clocks the SLA board reads.
    const all = await listAll(cookie, { limit: 100 });
    expect(all).toHaveLength(600);
    expect(all.filter((item) => item.clock === null)).toHaveLength(0);
    expect(all.at(-1)?.clock?.dueAt.getTime()).toBe(Math.max(...all.map((item) => item.clock?.dueAt.getTime() ?? 0)));
  });

  it("answers sla.clocks with the running clocks of the items asked for, within the caller's clients", async () => {
    const a = await makeAgency(db.owner);
    const onlyFirst = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "respond" }],
    });
    const cookie = await signInAs(app, onlyFirst.email);
    const [mine] = await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{}] });
    const [theirs] = await seedItems(db.owner, { agency: a, clientId: a.otherClient.id, items: [{}] });
    if (!mine || !theirs) throw new Error("items not seeded");
    await startClock(a, mine, { dueIn: 5 * minute, atRiskIn: -minute });
    await startClock(a, mine, { metric: "resolution", dueIn: 50 * minute, atRiskIn: 40 * minute });
    await startClock(a, theirs, { dueIn: 5 * minute, atRiskIn: -minute });
    const outcome = await callProcedure(app, {
      cookie,
      path: "sla.clocks",
      type: "query",
      input: { itemIds: [mine.id, theirs.id] },
    });
    const { clocks } = outcome.data as { clocks: SlaBoardEntry[] };
    expect(clocks.map((clock) => [clock.itemId, clock.metric, clock.state])).toEqual([
      [mine.id, "first_response", "at_risk"],
      [mine.id, "resolution", "on_track"],
    ]);
    const refused = await callProcedure(app, { cookie, path: "sla.clocks", type: "query", input: { itemIds: [] } });
    expect(refused.status).toBe(400);
    expect(refused.error?.details.fields).toEqual({ itemIds: "must list at least one item" });
  });
});

describe("claims you can see", () => {
  it("tells when each client's latest P1 arrived, even if it left the queue at once", async () => {
    const a = await makeAgency(db.owner);
    const cookie = await signInAs(app, a.users.moderator.email);
    const [older, latest, p2] = await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      items: [{ priority: "P1", status: "escalated" }, { priority: "P1", status: "escalated" }, { priority: "P2" }],
    });
    const started = (item: typeof older, priority: "P1" | "P2", minutesAgo: number) =>
      db.owner.insert(schema.slaClocks).values({
        agencyId: a.agency.id,
        clientId: a.client.id,
        itemId: item?.id ?? "",
        metric: "first_response",
        priority,
        targetMinutes: 15,
        calendar: {},
        startedAt: new Date(Date.now() - minutesAgo * minute),
        dueAt: new Date(Date.now() + minute),
        atRiskAt: new Date(Date.now()),
      });
    await started(older, "P1", 30);
    await started(latest, "P1", 3);
    await started(p2, "P2", 1);
    const counts = (await callQueue(app, { cookie, name: "counts" })).data as QueueCountsView[];
    const row = counts.find((count) => count.clientId === a.client.id);
    expect(row?.byPriority.P1).toBe(0);
    expect(Math.round(((row?.lastP1At?.getTime() ?? 0) - Date.now()) / minute)).toBe(-3);
    expect(counts.find((count) => count.clientId === a.otherClient.id)?.lastP1At).toBeNull();
  });

  it("lists the items the moderator holds as 'mine' and counts them per client", async () => {
    const a = await makeAgency(db.owner);
    const cookie = await signInAs(app, a.users.moderator.email);
    await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{}, {}, {}] });
    const first = await claimNext(app, { cookie });
    const second = await claimNext(app, { cookie });
    const mine = await list(cookie, { view: "mine" });
    expect(mine.items.map((item) => item.id).sort()).toEqual([first?.id, second?.id].sort());
    const name = await nameOf(a.users.moderator.id);
    expect(mine.items.map((item) => item.holderName)).toEqual([name, name]);
    const counts = (await callQueue(app, { cookie, name: "counts" })).data as QueueCountsView[];
    expect(counts.find((row) => row.clientId === a.client.id)?.mine).toBe(2);
    expect(counts.find((row) => row.clientId === a.client.id)?.lastP1At).toBeNull();
    // Another moderator holds none of them.
    const colleague = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "respond" }],
    });
    const theirs = await signInAs(app, colleague.email);
    expect((await list(theirs, { view: "mine" })).items).toEqual([]);
  });

  it("releases what the moderator holds when claim next is asked to, audited, and hands out another item", async () => {
    const a = await makeAgency(db.owner);
    const cookie = await signInAs(app, a.users.moderator.email);
    const [urgent] = await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      items: [{ priority: "P1" }, { priority: "P3" }],
    });
    const held = await claimNext(app, { cookie });
    expect(held?.id).toBe(urgent?.id);
    const kept = await claimNext(app, { cookie });
    expect((await list(cookie, { view: "mine" })).items).toHaveLength(2);
    await callQueue(app, { cookie, name: "release", input: { itemId: kept?.id } });

    const outcome = await callQueue(app, { cookie, name: "claimNext", input: { releaseHeld: true } });
    const next = outcome.data as { id: string };
    // The released P1 is not handed straight back: the P3 comes instead, and the P1 waits for someone else.
    expect(next.id).toBe(kept?.id);
    const [row] = await db.owner
      .select()
      .from(schema.items)
      .where(eq(schema.items.id, urgent?.id ?? ""));
    expect(row?.status).toBe("queued");
    expect(row?.claimedBy).toBeNull();
    const [audit] = await auditOf(urgent?.id ?? "", "item.released");
    expect(audit?.actorUserId).toBe(a.users.moderator.id);
    expect(audit?.before).toMatchObject({ status: "claimed", claimedBy: a.users.moderator.id });
    expect((await list(cookie, { view: "mine" })).items.map((item) => item.id)).toEqual([kept?.id]);

    const bad = await callQueue(app, { cookie, name: "claimNext", input: { releaseHeld: "yes" } });
    expect(bad.status).toBe(400);
    expect(bad.error?.details.fields).toEqual({ releaseHeld: "must be true or false" });
  });

  it("lets a lead see who holds an item, release it or reassign it to a moderator of its client, audited", async () => {
    const a = await makeAgency(db.owner);
    const holder = await signInAs(app, a.users.moderator.email);
    const owner = await signInAs(app, a.users.owner.email);
    const other = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "respond" }],
    });
    const elsewhere = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.otherClient.id, authority: "respond" }],
    });
    await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{}, {}] });
    const held = await claimNext(app, { cookie: holder, clientId: a.client.id });
    const second = await claimNext(app, { cookie: holder, clientId: a.client.id });
    if (!held || !second) throw new Error("nothing claimed");

    const claimed = await list(owner, { status: "claimed" });
    expect(claimed.items.find((item) => item.id === held.id)?.holderName).toBe(await nameOf(a.users.moderator.id));

    const reassign = (cookie: string, input: unknown) =>
      callProcedure(app, { cookie, path: "queue.reassign", type: "mutation", input });
    // A moderator may not; a member who does not work the client cannot receive it; bad ids are named.
    expect((await reassign(holder, { itemId: held.id, toUserId: other.id })).error?.code).toBe("FORBIDDEN");
    const outsider = await reassign(owner, { itemId: held.id, toUserId: elsewhere.id });
    expect(outsider.status).toBe(400);
    expect(outsider.error?.details.fields).toEqual({ toUserId: "is not a member who works this client's queue" });
    const malformed = await reassign(owner, { itemId: held.id, toUserId: "nobody" });
    expect(malformed.status).toBe(400);
    expect(Object.keys(malformed.error?.details.fields as object)).toEqual(["toUserId"]);
    const [unchanged] = await db.owner.select().from(schema.items).where(eq(schema.items.id, held.id));
    expect(unchanged?.claimedBy).toBe(a.users.moderator.id);

    const moved = await reassign(owner, { itemId: held.id, toUserId: other.id });
    expect(moved.data).toMatchObject({
      itemId: held.id,
      status: "claimed",
      claimedBy: other.id,
      holderName: await nameOf(other.id),
    });
    const [after] = await db.owner.select().from(schema.items).where(eq(schema.items.id, held.id));
    expect(after?.claimedBy).toBe(other.id);
    expect(after?.claimExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 9 * minute);
    const [audit] = await auditOf(held.id, "item.reassigned");
    expect(audit?.actorUserId).toBe(a.users.owner.id);
    expect(audit?.before).toMatchObject({ status: "claimed", claimedBy: a.users.moderator.id });
    expect(audit?.after).toMatchObject({ status: "claimed", claimedBy: other.id });

    // The lead releases the other claim: back in the queue, audited under the lead's name.
    const released = await callQueue(app, { cookie: owner, name: "release", input: { itemId: second.id } });
    expect(released.data).toEqual({ itemId: second.id, status: "queued" });
    const [releaseAudit] = await auditOf(second.id, "item.released");
    expect(releaseAudit?.actorUserId).toBe(a.users.owner.id);
    expect(releaseAudit?.before).toMatchObject({ claimedBy: a.users.moderator.id });

    // Another agency's lead finds no such item.
    const b = await makeAgency(db.owner);
    const stranger = await signInAs(app, b.users.owner.email);
    expect((await reassign(stranger, { itemId: held.id, toUserId: other.id })).error?.code).toBe("NOT_FOUND");
  });
});
