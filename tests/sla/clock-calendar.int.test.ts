import { resolveScope } from "@parley/core/agencies";
import { saveContract } from "@parley/core/billing";
import type { Scope } from "@parley/core/kernel";
import { getModerationItemDetail } from "@parley/core/moderation";
import { createProtocolVersion } from "@parley/core/protocols";
import { getSlaBoard, pauseResolutionClock, resumeResolutionClock, saveBusinessHours } from "@parley/core/sla";
import { type Executor, schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, setBusinessHours, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelOf, clocksOf, ingestComment, weekdays } from "./support";

/**
 * A clock does not carry a copy of its business calendar: the version it started on (never changed) names it. It
 * reads exactly as a copied calendar did — the due time, the pause outside hours, a resumed clock's new due time —
 * and a calendar saved after the item arrived moves none of it. A clock that still carries its own copy (started
 * before clocks stopped copying) runs on that copy.
 */
let db: TestDatabase;
let a: TestAgency;
let scope: Scope;
let london: ReturnType<typeof channelOf>;

const nineToFive = { timeZone: "Europe/London", weekly: weekdays(["09:00", "17:00"]) };

const asOwner = <T>(work: (tx: Executor) => Promise<T>) =>
  withTenant(db.app, { agencyId: a.agency.id, clientIds: null, userId: scope.actorId }, work);

let sequence = 0;
const ingestRefund = (at: string) => {
  sequence += 1;
  return ingestComment(db.app, london, {
    externalId: `calendar-${sequence}`,
    body: "I want a refund",
    now: new Date(at),
  });
};

const boardClock = async (itemId: string, at: string) => {
  const board = await asOwner((tx) =>
    getSlaBoard(scope, tx, { clientId: a.client.id, pageSize: 500 }, { now: () => new Date(at) }),
  );
  return board.items.find((item) => item.itemId === itemId)?.clocks.find((clock) => clock.metric === "first_response");
};

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  const found = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!found) throw new Error("no scope");
  scope = found;
  london = channelOf(a);
  await setBusinessHours(db.owner, { agencyId: a.agency.id, clientId: a.client.id, calendar: nineToFive });
  await asOwner(async (tx) => {
    await createProtocolVersion(scope, tx, {
      clientId: a.client.id,
      document: {
        categories: [
          { key: "refund", name: "Refund", match: { keywords: ["refund*"] }, priority: "P2", authority: "respond" },
        ],
        defaultCategory: { key: "general", priority: "P3" },
      },
    });
    await saveContract(scope, tx, {
      clientId: a.client.id,
      terms: {
        currency: "EUR",
        validFrom: "2026-01-01",
        retainerMinor: 100_000,
        includedItems: 0,
        overageTiers: [{ upTo: null, unitPriceMinor: 50 }],
        escalationFeeMinor: 0,
        outOfHoursSurchargeMinor: 0,
        slaTargets: [
          {
            priority: "P2",
            metric: "first_response",
            minutes: 30,
            calendar: "business_hours",
            complianceTargetPercent: 90,
          },
          {
            priority: "P2",
            metric: "resolution",
            minutes: 120,
            calendar: "business_hours",
            complianceTargetPercent: 90,
          },
        ],
        creditTiers: [{ fromPercent: 0, toPercent: 90, creditPercent: 10 }],
        creditCapPercent: 20,
      },
    });
  });
});
afterAll(() => db.close());

describe("a business-hours clock's calendar", () => {
  let itemId: string;

  it("is named by its version, not copied, and reads as the copy did", async () => {
    const [version] = await db.owner
      .select()
      .from(schema.businessCalendars)
      .where(eq(schema.businessCalendars.clientId, a.client.id));
    // Friday 27 November 2026, 16:50 in London: 10 business minutes today, the rest from Monday's opening.
    itemId = await ingestRefund("2026-11-27T16:50:00Z");
    expect(await clocksOf(db.owner, itemId)).toMatchObject([
      {
        metric: "first_response",
        calendarKind: "business_hours",
        calendarVersionId: version?.id,
        calendar: null,
        dueAt: new Date("2026-11-30T09:20:00Z"),
      },
      {
        metric: "resolution",
        calendarKind: "business_hours",
        calendarVersionId: version?.id,
        calendar: null,
        dueAt: new Date("2026-11-30T10:50:00Z"),
      },
    ]);
    // On Saturday the clock waits for Monday's opening, with 20 business minutes left, on the board and the item.
    expect(await boardClock(itemId, "2026-11-28T12:00:00Z")).toMatchObject({
      state: "paused",
      msLeft: 20 * 60_000,
      note: `paused — outside ${a.client.name}'s hours, opens Mon 09:00 Europe/London`,
    });
    const detail = await asOwner((tx) =>
      getModerationItemDetail(scope, tx, { itemId }, { now: () => new Date("2026-11-28T12:00:00Z") }),
    );
    expect(detail.sla?.clocks.find((clock) => clock.metric === "first_response")).toMatchObject({
      state: "paused",
      note: `paused — outside ${a.client.name}'s hours, opens Mon 09:00 Europe/London`,
    });
  });

  it("stays the one in force at arrival when the client's hours change afterwards", async () => {
    // Saved on Friday evening, from Monday: afternoons only. New items take it; this clock keeps 09:00–17:00.
    await asOwner((tx) =>
      saveBusinessHours(
        scope,
        tx,
        {
          clientId: a.client.id,
          effectiveFrom: "2026-11-30",
          calendar: { timeZone: "Europe/London", weekly: weekdays(["13:00", "17:00"]) },
        },
        { now: () => new Date("2026-11-27T17:30:00Z") },
      ),
    );
    expect(await boardClock(itemId, "2026-11-28T12:00:00Z")).toMatchObject({
      state: "paused",
      msLeft: 20 * 60_000,
      note: `paused — outside ${a.client.name}'s hours, opens Mon 09:00 Europe/London`,
    });
    // Monday 09:10: open on the clock's calendar (closed until 13:00 on the new one), so the clock counts.
    expect(await boardClock(itemId, "2026-11-30T09:10:00Z")).toMatchObject({ state: "on_track", msLeft: 10 * 60_000 });
    const monday = await ingestRefund("2026-11-30T10:00:00Z");
    expect((await clocksOf(db.owner, monday))[0]?.dueAt).toEqual(new Date("2026-11-30T13:30:00Z"));
  });

  it("recomputes a resumed clock's due time on the calendar it started on", async () => {
    // Waiting on the client from Friday 16:55 (5 business minutes used) to Monday 10:00: 115 minutes left from then,
    // on 09:00–17:00 (the afternoons-only version would give 14:55).
    await asOwner((tx) => pauseResolutionClock(tx, { itemId, at: new Date("2026-11-27T16:55:00Z") }));
    await asOwner((tx) => resumeResolutionClock(tx, { itemId, at: new Date("2026-11-30T10:00:00Z") }));
    const [, resolution] = await clocksOf(db.owner, itemId);
    expect(resolution).toMatchObject({ dueAt: new Date("2026-11-30T11:55:00Z"), calendar: null });
  });

  it("is a clock's own copy when it carries one", async () => {
    const copied = await ingestRefund("2026-12-04T16:50:00Z");
    // A clock started while clocks still copied their calendar: here, a copy open around the clock.
    const aroundTheClock = Object.fromEntries(
      ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((day) => [day, [["00:00", "24:00"]]]),
    );
    await db.owner
      .update(schema.slaClocks)
      .set({ calendar: { timeZone: "Europe/London", weekly: aroundTheClock } })
      .where(eq(schema.slaClocks.itemId, copied));
    // Saturday 5 December: closed on the client's hours, but the clock runs on its own copy.
    const clock = await boardClock(copied, "2026-12-05T12:00:00Z");
    expect(clock?.state).not.toBe("paused");
    expect(clock?.note ?? null).toBeNull();
  });
});
