import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../kernel/scope";
import { getReport, listReportItems } from "./reports";

/**
 * The work figures against a hand-computed fixture over four London days around the start of British Summer Time
 * (29 March 2026, 01:00 UTC), for a client whose business hours are Monday to Friday 09:00–17:00 local time:
 * business vs out-of-hours, handling time (claim → action, staffing's definition), the moderators' work and the
 * backlog at the end of each day. Times below are UTC; the comments give London's.
 */
let db: TestDatabase;
let a: TestAgency;
const ids: Record<string, string> = {};
const period = { from: "2026-03-27", to: "2026-03-30" };
const now = () => new Date("2026-04-02T12:00:00Z");

const as = <T>(scope: Scope, work: Parameters<typeof withTenant<T>>[2]) => withTenant(db.app, tenantOf(scope), work);
async function ownerScope(): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!scope) throw new Error("not a member");
  return scope;
}

async function item(
  name: string,
  at: string,
  status: (typeof schema.itemStatuses)[number],
  client: "A" | "B" = "A",
): Promise<void> {
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
      status,
    })
    .returning();
  if (!row) throw new Error("item not stored");
  ids[name] = row.id;
}

/** An audit event on an item (claims, releases, hides…) or, for replies and escalations, naming it in `after`. */
async function audit(itemName: string, action: string, at: string, by: string | null) {
  const itemId = ids[itemName] ?? "";
  const onItem = action.startsWith("item.");
  await db.owner.insert(schema.auditEvents).values({
    agencyId: a.agency.id,
    clientId: a.client.id,
    actorUserId: by,
    action,
    subjectType: onItem ? "item" : (action.split(".")[0] ?? "reply"),
    subjectId: onItem ? itemId : crypto.randomUUID(),
    after: onItem ? {} : { itemId },
    createdAt: new Date(at),
  });
}

let moderator: string;
let admin: string;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  moderator = a.users.moderator.id;
  admin = a.users.admin.id;
  await db.owner.insert(schema.businessCalendars).values({
    agencyId: a.agency.id,
    clientId: a.client.id,
    version: 1,
    effectiveFrom: "2026-01-01",
    effectiveAt: new Date("2026-01-01T00:00:00Z"),
    calendar: {
      timeZone: "Europe/London",
      weekly: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((day) => [day, [["09:00", "17:00"]]])),
    },
  });
  // Before the period: one still queued, one handled on its second day.
  await item("old", "2026-03-20T10:00:00Z", "queued");
  await item("old2", "2026-03-26T10:00:00Z", "responded");
  await audit("old2", "reply.queued", "2026-03-28T10:00:00Z", moderator);
  // Friday 27 (GMT).
  await item("m1", "2026-03-27T08:30:00Z", "responded"); // 08:30: out of hours
  await audit("m1", "item.claimed", "2026-03-27T08:35:00Z", moderator);
  await audit("m1", "reply.queued", "2026-03-27T08:45:00Z", moderator); // handled in 600 s
  await item("m2", "2026-03-27T09:30:00Z", "hidden"); // 09:30: in hours
  await audit("m2", "item.claimed", "2026-03-27T09:40:00Z", moderator);
  await audit("m2", "item.released", "2026-03-27T09:50:00Z", moderator); // idle: no handling
  await audit("m2", "item.claimed", "2026-03-27T10:00:00Z", admin);
  await audit("m2", "item.hidden", "2026-03-27T10:02:00Z", admin); // handled in 120 s
  // Saturday 28: out of hours; the triage flow escalates it (no moderator).
  await item("m3", "2026-03-28T12:00:00Z", "escalated");
  await audit("m3", "escalation.opened", "2026-03-28T12:01:00Z", null);
  // Monday 30 (BST, UTC+1).
  await item("m4", "2026-03-30T08:30:00Z", "no_action"); // 09:30 BST: in hours (08:30 GMT would not be)
  await audit("m4", "item.claimed", "2026-03-30T08:40:00Z", moderator);
  await audit("m4", "item.no_action", "2026-03-30T10:00:00Z", moderator); // 4,800 s: idle, not measured
  await item("m5", "2026-03-30T16:30:00Z", "queued"); // 17:30 BST: out of hours (16:30 GMT would be in)
  // Client B (New York) has no business hours: covered around the clock.
  await item("b1", "2026-03-28T15:00:00Z", "queued", "B");
});
afterAll(() => db.close());

const names = (found: { items: Array<{ id: string }> }) =>
  found.items.map((row) => Object.entries(ids).find(([, id]) => id === row.id)?.[0]);

describe("the report's work figures", () => {
  const scoped = () => ({ ...period, clientIds: [a.client.id] });

  it("splits items by the client's business hours across the change to summer time", async () => {
    const owner = await ownerScope();
    const report = await as(owner, (tx) => getReport(owner, tx, scoped(), { now }));
    expect(report.byBusinessHours.map((side) => [side.inHours, side.itemsIn, side.handled])).toEqual([
      [true, 2, 2],
      [false, 3, 1],
    ]);
    const list = (inHours: boolean) =>
      as(owner, (tx) => listReportItems(owner, tx, { ...scoped(), inHours }, { now })).then(names);
    expect(await list(true)).toEqual(["m4", "m2"]);
    expect(await list(false)).toEqual(["m5", "m3", "m1"]);
    // A client without business hours is in hours around the clock.
    const all = await as(owner, (tx) => getReport(owner, tx, period, { now }));
    expect(all.byBusinessHours.map((side) => [side.inHours, side.itemsIn])).toEqual([
      [true, 3],
      [false, 3],
    ]);
  });

  it("measures handling time as staffing does and counts each moderator's work per active hour", async () => {
    const owner = await ownerScope();
    const report = await as(owner, (tx) => getReport(owner, tx, scoped(), { now }));
    expect(report.totals.itemsIn).toBe(5);
    // Sunday the 29th had no items: nothing to take a median of (not NaN).
    expect(report.byDay[2]).toMatchObject({ date: "2026-03-29", itemsIn: 0, handlingTime: { medianSeconds: null } });
    expect(report.totals.handled).toBe(3); // m1, m2, m4; m3 only by the triage flow
    // m1 600 s and m2 120 s; m4's claim held 80 minutes is idle, m2's released claim no handling.
    expect(report.totals.handlingTime).toEqual({ count: 2, medianSeconds: 360, p90Seconds: 552 });
    expect(report.byModerator).toEqual([
      {
        moderatorId: moderator,
        moderatorName: expect.stringMatching(/^moderator /),
        handled: 2,
        handlingTime: { count: 1, medianSeconds: 600, p90Seconds: 600 },
        // 27th 08:00 and 09:00 (the released claim), 30th 08:00 and 10:00 (UTC hours).
        activeHours: 4,
        handledPerHour: 0.5,
      },
      {
        moderatorId: admin,
        moderatorName: expect.stringMatching(/^admin /),
        handled: 1,
        handlingTime: { count: 1, medianSeconds: 120, p90Seconds: 120 },
        activeHours: 1,
        handledPerHour: 1,
      },
    ]);
    expect(report.moderatorWork).toEqual({ handled: 3, activeHours: 5, handledPerHour: 0.6 });
    const list = (extra: object) =>
      as(owner, (tx) => listReportItems(owner, tx, { ...scoped(), ...extra }, { now })).then(names);
    expect(await list({ figure: "handled" })).toEqual(["m4", "m2", "m1"]);
    expect(await list({ figure: "handling_measured" })).toEqual(["m2", "m1"]);
    expect(await list({ figure: "handled", handledBy: moderator })).toEqual(["m4", "m1"]);
    expect(await list({ figure: "handled", handledBy: admin })).toEqual(["m2"]);
  });

  it("counts the backlog at the end of each local day, older open items included, and lists each point's items", async () => {
    const owner = await ownerScope();
    const report = await as(owner, (tx) => getReport(owner, tx, scoped(), { now }));
    expect(report.backlog).toEqual([
      { date: "2026-03-27", hour: null, open: 2 }, // old, old2 (handled on the 28th)
      { date: "2026-03-28", hour: null, open: 1 }, // old; m3 escalated at once
      { date: "2026-03-29", hour: null, open: 1 },
      { date: "2026-03-30", hour: null, open: 2 }, // old, m5
    ]);
    const list = (date: string, hour?: number) =>
      as(owner, (tx) => listReportItems(owner, tx, { ...scoped(), figure: "backlog", date, hour }, { now })).then(
        names,
      );
    expect(await list("2026-03-27")).toEqual(["old2", "old"]);
    expect(await list("2026-03-30")).toEqual(["m5", "old"]);
    for (const point of report.backlog) expect(await list(point.date)).toHaveLength(point.open);
  });

  it("reads a one-day period's backlog hour by hour, and only the hours already past", async () => {
    const owner = await ownerScope();
    const atNoon = () => new Date("2026-03-30T11:30:00Z"); // 12:30 BST
    const day = { from: "2026-03-30", to: "2026-03-30", clientIds: [a.client.id] };
    const report = await as(owner, (tx) => getReport(owner, tx, day, { now: atNoon }));
    // Hours 00–11 have ended; m4 (09:30 BST) was open at the end of the 09:00 hour, handled at 11:00 BST.
    expect(report.backlog.map((point) => [point.hour, point.open])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [6, 1],
      [7, 1],
      [8, 1],
      [9, 2],
      [10, 1],
      [11, 1],
    ]);
    const items = await as(owner, (tx) =>
      listReportItems(owner, tx, { ...day, figure: "backlog", date: "2026-03-30", hour: 9 }, { now: atNoon }),
    );
    expect(names(items)).toEqual(["m4", "old"]);
  });

  it("counts an item received exactly at a point's end as open at that point", async () => {
    const owner = await ownerScope();
    // b1 arrived at 15:00 UTC, 11:00 in New York: the end of the 10:00 hour, when it was open.
    const day = { from: "2026-03-28", to: "2026-03-28", clientIds: [a.otherClient.id] };
    const report = await as(owner, (tx) => getReport(owner, tx, day, { now }));
    expect(report.backlog.map((point) => point.open)).toEqual(
      Array.from({ length: 24 }, (_, hour) => (hour < 10 ? 0 : 1)),
    );
    const items = await as(owner, (tx) =>
      listReportItems(owner, tx, { ...day, figure: "backlog", date: "2026-03-28", hour: 10 }, { now }),
    );
    expect(names(items)).toEqual(["b1"]);
  });

  it("refuses a backlog drill-down without its date, naming the field", async () => {
    const owner = await ownerScope();
    await expect(
      as(owner, (tx) => listReportItems(owner, tx, { ...period, figure: "backlog" }, { now })),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { date: expect.any(String) } } });
  });
});
