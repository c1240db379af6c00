import { makeContractTerms } from "@parley/contracts/billing/contract-terms.fixture";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { saveContract } from "../billing/contracts";
import { type Scope, tenantOf } from "../kernel/scope";
import { getReport, listReportItems } from "./reports";

/**
 * A hand-computed fixture over three London days around the end of British Summer Time (25 October 2026, 01:00
 * UTC): each item's local date and hour are its client's. Client B (New York) has one item in the period and one
 * the evening before (already 24 October in UTC).
 */
let db: TestDatabase;
let a: TestAgency;
const ids: Record<string, string> = {};
const period = { from: "2026-10-24", to: "2026-10-26" };
const now = () => new Date("2026-10-28T12:00:00Z");

const as = <T>(scope: Scope, work: Parameters<typeof withTenant<T>>[2]) => withTenant(db.app, tenantOf(scope), work);
async function scopeOf(userId: string): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId, agencyId: a.agency.id });
  if (!scope) throw new Error("not a member");
  return scope;
}

async function item(
  name: string,
  at: string,
  fields: Partial<typeof schema.items.$inferInsert> & { client?: "A" | "B" } = {},
): Promise<string> {
  const { client = "A", ...rest } = fields;
  const clientId = client === "A" ? a.client.id : a.otherClient.id;
  const channel = a.channels.find((candidate) => candidate.clientId === clientId);
  const [row] = await db.owner
    .insert(schema.items)
    .values({
      agencyId: a.agency.id,
      clientId,
      channelId: channel?.id ?? "",
      externalId: name,
      kind: "comment",
      authorExternalId: `author-${name}`,
      authorHandle: `@${name}`,
      body: `item ${name}`,
      createdAt: new Date(at),
      receivedAt: new Date(at),
      ...rest,
    })
    .returning();
  if (!row) throw new Error("item not stored");
  ids[name] = row.id;
  return row.id;
}

async function reply(itemName: string, kind: "reply" | "acknowledgement" | "follow_up", sentAt: string, by: string) {
  const itemId = ids[itemName] ?? "";
  const [target] = await db.owner.select().from(schema.items).where(eq(schema.items.id, itemId));
  await db.owner.insert(schema.replies).values({
    agencyId: a.agency.id,
    clientId: target?.clientId ?? "",
    itemId,
    channelId: target?.channelId ?? "",
    kind,
    body: `${kind} on ${itemName}`,
    status: sentAt === "failed" ? "failed" : "sent",
    sentAt: sentAt === "failed" ? null : new Date(sentAt),
    authorUserId: by,
  });
}

async function clock(
  itemName: string,
  metric: "first_response" | "resolution",
  times: { startedAt: string; dueAt: string; stoppedAt?: string },
) {
  const stoppedAt = times.stoppedAt ? new Date(times.stoppedAt) : null;
  const dueAt = new Date(times.dueAt);
  await db.owner.insert(schema.slaClocks).values({
    agencyId: a.agency.id,
    clientId: a.client.id,
    itemId: ids[itemName] ?? "",
    metric,
    priority: "P1",
    targetMinutes: 10,
    calendar: {},
    startedAt: new Date(times.startedAt),
    dueAt,
    atRiskAt: dueAt,
    stoppedAt,
    met: stoppedAt ? stoppedAt <= dueAt : null,
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  const moderator = a.users.moderator.id;
  const admin = a.users.admin.id;
  // 24 Oct (BST, UTC+1).
  await item("i1", "2026-10-24T08:00:00Z", { priority: "P1", status: "responded" }); // 09:00
  await reply("i1", "acknowledgement", "2026-10-24T08:05:00Z", moderator); // 300 s
  await reply("i1", "reply", "2026-10-24T08:20:00Z", moderator); // useful: 1,200 s
  await clock("i1", "first_response", {
    startedAt: "2026-10-24T08:00:00Z",
    dueAt: "2026-10-24T08:10:00Z",
    stoppedAt: "2026-10-24T08:05:00Z",
  });
  await clock("i1", "resolution", {
    startedAt: "2026-10-24T08:00:00Z",
    dueAt: "2026-10-24T12:00:00Z",
    stoppedAt: "2026-10-24T08:20:00Z",
  });
  await item("i2", "2026-10-24T22:30:00Z", { priority: "P2", status: "responded" }); // 23:30
  await reply("i2", "reply", "2026-10-24T23:30:00Z", admin); // 3,600 s, acknowledgement and useful answer at once
  await clock("i2", "first_response", {
    startedAt: "2026-10-24T22:30:00Z",
    dueAt: "2026-10-24T23:00:00Z",
    stoppedAt: "2026-10-24T23:30:00Z",
  });
  await item("i6", "2026-10-23T23:30:00Z", { priority: "P2", status: "responded" }); // 00:30 on the 24th
  await reply("i6", "acknowledgement", "2026-10-23T23:40:00Z", admin); // 600 s; no useful answer yet
  await reply("i6", "reply", "failed", admin); // not confirmed: counts nowhere
  await item("brand", "2026-10-24T10:00:00Z", { byBrand: true, status: "no_action" }); // the brand's own: never counted
  // 25 Oct (GMT from 01:00 UTC).
  await item("i3", "2026-10-25T23:30:00Z", { priority: "P1", status: "escalated" }); // 23:30
  await clock("i3", "first_response", { startedAt: "2026-10-25T23:30:00Z", dueAt: "2026-10-25T23:40:00Z" }); // running, past due
  await db.owner.insert(schema.escalations).values({
    agencyId: a.agency.id,
    clientId: a.client.id,
    itemId: ids.i3 ?? "",
    packet: {},
    createdAt: new Date("2026-10-25T23:35:00Z"),
    answeredAt: new Date("2026-10-26T00:35:00Z"), // the client answered in 3,600 s
  });
  // 26 Oct.
  await item("i4", "2026-10-26T00:30:00Z", { priority: "P3", status: "hidden", moderationAction: "hide" }); // 00:30
  await item("i5", "2026-10-26T10:00:00Z", { priority: "P4", status: "no_action" }); // 10:00
  await item("i7", "2026-10-26T23:30:00Z", { priority: "P3" }); // 23:30
  // Outside the period in London: 27 October.
  await item("late", "2026-10-27T00:10:00Z");
  // Client B, New York (EDT): the 23rd there, then the 24th.
  await item("b-early", "2026-10-24T03:00:00Z", { client: "B" });
  await item("b1", "2026-10-24T12:00:00Z", { client: "B" });
});
afterAll(() => db.close());

describe("getReport", () => {
  it("counts a client's period in its own time zone, with acknowledgement and useful answer apart", async () => {
    const owner = await scopeOf(a.users.owner.id);
    const report = await as(owner, (tx) => getReport(owner, tx, { ...period, clientIds: [a.client.id] }, { now }));
    expect(report.totals).toEqual({
      itemsIn: 7,
      acknowledged: { count: 3, medianSeconds: 600, p90Seconds: 3000 }, // 300, 600, 3,600
      usefulAnswer: { count: 2, medianSeconds: 2400, p90Seconds: 3360 }, // 1,200, 3,600
      repliesSent: 4,
      firstResponse: { count: 2, medianSeconds: 1950, p90Seconds: 3270, met: 1, breached: 2 },
      resolution: { count: 1, medianSeconds: 1200, p90Seconds: 1200, met: 1, breached: 0 },
      hidden: 1,
      deleted: 0,
      noAction: 1,
      escalated: 1,
      clientAnswer: { count: 1, medianSeconds: 3600, p90Seconds: 3600 },
      handled: 0, // no audited handling actions here: report-work.int.test.ts
      handlingTime: { count: 0, medianSeconds: null, p90Seconds: null },
    });
    expect(report.byDay.map((day) => [day.date, day.itemsIn, day.acknowledged.count])).toEqual([
      ["2026-10-24", 3, 3],
      ["2026-10-25", 1, 0],
      ["2026-10-26", 3, 0],
    ]);
    expect(report.byHour.map((hour) => [hour.hour, hour.itemsIn])).toEqual([
      [0, 2],
      [9, 1],
      [10, 1],
      [23, 3],
    ]);
    expect(report.byPriority.map((row) => [row.priority, row.itemsIn, row.firstResponse.breached])).toEqual([
      ["P1", 2, 1],
      ["P2", 2, 1],
      ["P3", 2, 0],
      ["P4", 1, 0],
    ]);
    expect(report.byChannel).toHaveLength(1);
  });

  it("covers every client the reader sees, each on its own calendar, and narrows by moderator", async () => {
    const owner = await scopeOf(a.users.owner.id);
    const all = await as(owner, (tx) => getReport(owner, tx, period, { now }));
    expect(all.totals.itemsIn).toBe(8);
    expect(all.byChannel.map((channel) => channel.itemsIn)).toEqual([7, 1]);
    const byModerator = await as(owner, (tx) =>
      getReport(owner, tx, { ...period, moderatorId: a.users.moderator.id }, { now }),
    );
    expect(byModerator.totals.itemsIn).toBe(1);
  });

  it("carries a one-client report's contract targets from the period's first day, none for several clients", async () => {
    const owner = await scopeOf(a.users.owner.id);
    const one = { ...period, clientIds: [a.client.id] };
    expect((await as(owner, (tx) => getReport(owner, tx, one, { now }))).contractTargets).toBeNull();
    // In force from the period's second day: not the one the period is judged on.
    const terms = makeContractTerms({ validFrom: "2026-10-25" });
    await as(owner, (tx) => saveContract(owner, tx, { clientId: a.client.id, terms }));
    expect((await as(owner, (tx) => getReport(owner, tx, one, { now }))).contractTargets).toBeNull();
    const report = await as(owner, (tx) => getReport(owner, tx, { ...one, from: "2026-10-25" }, { now }));
    expect(report.contractTargets).toEqual(terms.slaTargets);
    expect(
      (await as(owner, (tx) => getReport(owner, tx, { ...period, from: "2026-10-25" }, { now }))).contractTargets,
    ).toBeNull();
  });

  it("shows a stakeholder only their client and refuses another by name", async () => {
    const stakeholder = await scopeOf(a.users.stakeholder.id);
    const own = await as(stakeholder, (tx) => getReport(stakeholder, tx, period, { now }));
    expect(own.totals.itemsIn).toBe(7);
    await expect(
      as(stakeholder, (tx) => getReport(stakeholder, tx, { ...period, clientIds: [a.otherClient.id] }, { now })),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      details: { fields: { clientIds: expect.stringContaining(a.otherClient.id) } },
    });
  });

  it("refuses a malformed period, naming the field", async () => {
    const owner = await scopeOf(a.users.owner.id);
    await expect(
      as(owner, (tx) => getReport(owner, tx, { from: "2026-10-26", to: "2026-10-24" })),
    ).rejects.toMatchObject({
      code: "BAD_INPUT",
      details: { fields: { to: expect.any(String) } },
    });
    await expect(
      as(owner, (tx) => getReport(owner, tx, { from: "2026-13-01", to: "2026-10-24" })),
    ).rejects.toMatchObject({
      code: "BAD_INPUT",
      details: { fields: { from: expect.any(String) } },
    });
  });

  it("refuses a report of more items than one report adds up, with the count", async () => {
    const owner = await scopeOf(a.users.owner.id);
    // The owner's period holds 8 items (above): 8 are added up, 9 would be refused the same way as 2,000,001.
    expect((await as(owner, (tx) => getReport(owner, tx, period, { now, maxItems: 8 }))).totals.itemsIn).toBe(8);
    await expect(as(owner, (tx) => getReport(owner, tx, period, { now, maxItems: 7 }))).rejects.toMatchObject({
      code: "BAD_INPUT",
      message:
        "This report would add up 8 items, more than the 7 one report can: choose a shorter period or fewer clients",
      details: {
        reason: "report_too_large",
        fields: { to: "the period holds 8 items of the clients chosen; at most 7" },
      },
    });
  });
});

describe("listReportItems", () => {
  const names = (found: { items: Array<{ id: string }> }) =>
    found.items.map((row) => Object.entries(ids).find(([, id]) => id === row.id)?.[0]);

  it("lists exactly the items a figure counted, narrowed like the chart's bar", async () => {
    const owner = await scopeOf(a.users.owner.id);
    const scoped = { ...period, clientIds: [a.client.id] };
    const list = (extra: object) => as(owner, (tx) => listReportItems(owner, tx, { ...scoped, ...extra }, { now }));
    expect(names(await list({ figure: "first_response_breached" }))).toEqual(["i3", "i2"]);
    expect(names(await list({ figure: "acknowledged", date: "2026-10-24" }))).toEqual(["i2", "i1", "i6"]);
    expect(names(await list({ hour: 23 }))).toEqual(["i7", "i3", "i2"]);
    expect(names(await list({ figure: "escalated" }))).toEqual(["i3"]);
    const report = await as(owner, (tx) => getReport(owner, tx, scoped, { now }));
    for (const [figure, count] of [
      ["items_in", report.totals.itemsIn],
      ["useful_answer", report.totals.usefulAnswer.count],
      ["hidden", report.totals.hidden],
      ["no_action", report.totals.noAction],
      ["first_response_met", report.totals.firstResponse.met],
    ] as const) {
      expect({ figure, count: (await list({ figure, limit: 100 })).items.length }).toEqual({ figure, count });
    }
  });

  it("pages newest first without losing or repeating an item", async () => {
    const owner = await scopeOf(a.users.owner.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await as(owner, (tx) => listReportItems(owner, tx, { ...period, limit: 3, cursor }, { now }));
      seen.push(...page.items.map((row) => row.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    const first = await as(owner, (tx) => listReportItems(owner, tx, { ...period, limit: 100 }, { now }));
    expect(first.items.map((row) => row.id)).toEqual(seen);
    expect(first.items.find((row) => row.id === ids.i1)).toMatchObject({
      acknowledgedAt: new Date("2026-10-24T08:05:00Z"),
      usefulAnswerAt: new Date("2026-10-24T08:20:00Z"),
      firstResponseState: "met",
      resolutionState: "met",
      timeZone: "Europe/London",
    });
    await expect(
      as(owner, (tx) => listReportItems(owner, tx, { ...period, cursor: "not-a-cursor" })),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { cursor: expect.any(String) } } });
  });
});
