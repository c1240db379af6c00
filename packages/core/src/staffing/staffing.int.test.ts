import { saveContract } from "@parley/core/billing";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../kernel/scope";
import { createClaimBatcher } from "../moderation/claim-next-item";
import { markItemNoAction } from "../moderation/item-actions";
import { getForecastAccuracy } from "./forecast-accuracy";
import { measureHandlingTimes, minHandlingSamples } from "./handling-times";
import { createPlannedEvent, deletePlannedEvent, listPlannedEvents } from "./planned-events";
import { addRosterException, addRosterShift, endRosterShift, getRoster } from "./roster-store";
import { getStaffingPlan } from "./staffing-plan";
import { getStaffingReview } from "./staffing-review";
import { getStaffingSettings, saveStaffingSettings } from "./staffing-settings";

/** Wednesday 10 June 2026, 09:00 UTC (10:00 in London); next week starts Monday 15 June. */
const now = new Date("2026-06-10T09:00:00Z");
const clock = { now: () => now };
const HOUR = 3_600_000;
const WEEK = 168 * HOUR;

let db: TestDatabase;
let a: TestAgency;
let owner: Scope;
let accountManager: Scope;
/** Three more moderators of both clients: four in the pool. */
let moderators: string[];

const inTenant = <T>(scope: Scope, work: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(db.app, tenantOf(scope), work);

async function scopeOf(userId: string): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  return scope;
}

/** `perHour` items of a client in every hour of `[from, to)`, status responded, category `category`. */
async function seedArrivals(clientId: string, perHour: number, from: Date, to: Date, category = "general") {
  const channel = a.channels.find((c) => c.clientId === clientId);
  await db.owner.execute(sql`
    insert into items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
      body, created_at, received_at, status, priority, category_key)
    select gen_random_uuid(), ${a.agency.id}, ${clientId}, ${channel?.id}, 'h-' || ${category} || '-' || h || '-' || n,
      'comment', 'author', 'someone', 'body', ${from.toISOString()}::timestamptz + make_interval(hours => h, mins => n * 7),
      ${from.toISOString()}::timestamptz + make_interval(hours => h, mins => n * 7), 'responded', 'P2', ${category}
    from generate_series(0, (extract(epoch from ${to.toISOString()}::timestamptz - ${from.toISOString()}::timestamptz) / 3600)::int - 1) h
    cross join generate_series(1, ${perHour}) n`);
}

/** A claim by `actor` at `at`, then `then` (an action, or a claim-ending event) `seconds` later, both audited. */
async function seedClaim(
  item: { id: string; clientId: string },
  actor: string,
  at: Date,
  then: { action: string; seconds: number; actor?: string },
) {
  const subject =
    then.action.startsWith("reply.") || then.action === "escalation.opened"
      ? { subjectType: "reply", subjectId: crypto.randomUUID(), after: { itemId: item.id } }
      : { subjectType: "item", subjectId: item.id, after: null };
  await db.owner.insert(schema.auditEvents).values([
    {
      agencyId: a.agency.id,
      clientId: item.clientId,
      actorUserId: actor,
      action: "item.claimed",
      subjectType: "item",
      subjectId: item.id,
      createdAt: at,
    },
    {
      agencyId: a.agency.id,
      clientId: item.clientId,
      actorUserId: then.actor ?? actor,
      action: then.action,
      ...subject,
      createdAt: new Date(at.getTime() + then.seconds * 1000),
    },
  ]);
}

async function saveTargets(clientId: string, slaTargets: unknown[]) {
  await inTenant(owner, (tx) =>
    saveContract(owner, tx, {
      clientId,
      terms: {
        currency: "EUR",
        validFrom: "2026-01-01",
        retainerMinor: 100_000,
        includedItems: 1000,
        overageTiers: [{ upTo: null, unitPriceMinor: 30 }],
        escalationFeeMinor: 0,
        outOfHoursSurchargeMinor: 0,
        slaTargets,
        creditTiers: [],
        creditCapPercent: 10,
      },
    }),
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner, { name: "Staffing Agency" });
  owner = await scopeOf(a.users.owner.id);
  moderators = [];
  for (let n = 0; n < 3; n++) {
    const user = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [a.client.id, a.otherClient.id].map((clientId) => ({ clientId, authority: "respond" as const })),
    });
    moderators.push(user.membershipId);
  }
  // An account manager of the first client only.
  const am = await makeUser(db.owner, {
    agencyId: a.agency.id,
    role: "account_manager",
    assignments: [{ clientId: a.client.id, authority: "view" }],
  });
  accountManager = await scopeOf(am.id);
  // Six weeks of history: 4 items an hour for the first client (London), 2 for the second (New York).
  const historyFrom = new Date(now.getTime() - 6 * WEEK);
  await seedArrivals(a.client.id, 4, historyFrom, now);
  await seedArrivals(a.otherClient.id, 2, historyFrom, now);
  await saveTargets(a.client.id, [
    { priority: "P1", metric: "first_response", minutes: 10, calendar: "24x7", complianceTargetPercent: 95 },
    { priority: "P2", metric: "first_response", minutes: 60, calendar: "24x7", complianceTargetPercent: 90 },
  ]);
  await saveTargets(a.otherClient.id, [
    { priority: "P2", metric: "first_response", minutes: 60, calendar: "24x7", complianceTargetPercent: 80 },
  ]);
}, 120_000);
afterAll(() => db.close());

describe("handling times", () => {
  it("measure claim → action by the same moderator, leave idle claims out, and fall back below 20 samples", async () => {
    const items = await db.owner
      .select({ id: schema.items.id, clientId: schema.items.clientId })
      .from(schema.items)
      .where(and(eq(schema.items.clientId, a.client.id), eq(schema.items.categoryKey, "general")))
      .limit(40);
    const at = (n: number) => new Date(now.getTime() - 2 * 86_400_000 + n * 600_000);
    const mod = a.users.moderator.id;
    // 24 handled claims of 200 s and 300 s (mean 250 s), by reply, hide and escalation.
    for (let n = 0; n < 24; n++) {
      const action = ["reply.queued", "item.hidden", "escalation.opened"][n % 3] ?? "reply.queued";
      await seedClaim(items[n] ?? { id: "", clientId: "" }, mod, at(n), { action, seconds: n % 2 === 0 ? 200 : 300 });
    }
    // Idle claims: expired, released, skipped, reassigned, acted on by someone else, and held over an hour.
    await seedClaim(items[30]!, mod, at(30), { action: "item.claim_expired", seconds: 700 });
    await seedClaim(items[31]!, mod, at(31), { action: "item.released", seconds: 30 });
    await seedClaim(items[32]!, mod, at(32), { action: "item.skipped", seconds: 5 });
    await seedClaim(items[33]!, mod, at(33), { action: "reply.queued", seconds: 90, actor: a.users.admin.id });
    await seedClaim(items[34]!, mod, at(34), { action: "reply.queued", seconds: 4000 });
    // A lead reassigns the claimed item: that claim ended there, so the moderator's later reply does not time it.
    await seedClaim(items[35]!, mod, at(35), { action: "item.reassigned", seconds: 40, actor: a.users.admin.id });
    await db.owner.insert(schema.auditEvents).values({
      agencyId: a.agency.id,
      clientId: a.client.id,
      actorUserId: mod,
      action: "reply.queued",
      subjectType: "reply",
      subjectId: crypto.randomUUID(),
      after: { itemId: items[35]?.id },
      createdAt: new Date(at(35).getTime() + 300_000),
    });
    const measured = await inTenant(owner, (tx) =>
      measureHandlingTimes(owner, tx, {
        clientIds: [a.client.id, a.otherClient.id],
        from: new Date(now.getTime() - 28 * 86_400_000),
        to: now,
        fallbackAhtSeconds: 180,
      }),
    );
    const general = measured.categories.find((c) => c.clientId === a.client.id && c.categoryKey === "general");
    expect(general).toMatchObject({
      samples: 24,
      meanSeconds: 250,
      medianSeconds: 250,
      usedSeconds: 250,
      source: "measured",
    });
    expect(minHandlingSamples).toBe(20);
    // The second client's items were never claimed: the fallback.
    expect(measured.clients.find((c) => c.clientId === a.otherClient.id)).toEqual({
      clientId: a.otherClient.id,
      ahtSeconds: 180,
      measuredShare: 0,
    });
    expect(measured.clients.find((c) => c.clientId === a.client.id)).toMatchObject({
      ahtSeconds: 250,
      measuredShare: 1,
    });
  });

  it("count a claim and an action taken through the moderation use cases", async () => {
    const channel = a.channels.find((c) => c.clientId === a.otherClient.id);
    const [item] = await db.owner
      .insert(schema.items)
      .values({
        agencyId: a.agency.id,
        clientId: a.otherClient.id,
        channelId: channel?.id ?? "",
        externalId: "real-work-1",
        kind: "comment",
        authorExternalId: "x",
        authorHandle: "x",
        body: "Where is my order?",
        createdAt: now,
        receivedAt: new Date(now.getTime() - 60_000),
        categoryKey: "order_status",
        priority: "P1",
      })
      .returning();
    const moderator = await scopeOf(a.users.moderator.id);
    const claimed = await createClaimBatcher(db.app).claim(moderator, { clientId: a.otherClient.id });
    expect(claimed?.id).toBe(item?.id);
    await inTenant(moderator, (tx) => markItemNoAction(moderator, tx, { itemId: item?.id ?? "" }));
    const measured = await inTenant(owner, (tx) =>
      measureHandlingTimes(owner, tx, {
        clientIds: [a.otherClient.id],
        from: new Date(Date.now() - 3_600_000),
        to: new Date(Date.now() + 60_000),
        fallbackAhtSeconds: 180,
      }),
    );
    expect(measured.categories.find((c) => c.categoryKey === "order_status")).toMatchObject({
      samples: 1,
      source: "fallback",
      usedSeconds: 180,
    });
  });
});

describe("settings, planned events and the roster", () => {
  it("keeps the defaults until a lead saves settings", async () => {
    expect(await inTenant(owner, (tx) => getStaffingSettings(owner, tx))).toMatchObject({
      maxOccupancyPercent: 85,
      shrinkagePercent: 30,
      saved: false,
    });
    const saved = await inTenant(owner, (tx) =>
      saveStaffingSettings(owner, tx, {
        maxOccupancyPercent: 85,
        shrinkagePercent: 30,
        fallbackAhtSeconds: 240,
        triageAhtSeconds: 60,
      }),
    );
    expect(saved).toMatchObject({ fallbackAhtSeconds: 240, saved: true });
  });

  it("records a planned event in the agency's local time, within the lead's clients only", async () => {
    const event = await inTenant(owner, (tx) =>
      createPlannedEvent(owner, tx, {
        clientId: a.client.id,
        name: "Season 2 launch",
        date: "2026-06-19",
        startTime: "12:00",
        durationMinutes: 360,
        multiplier: 5,
      }),
    );
    // The agency's zone is UTC (the factory's default): 12:00 is 12:00Z.
    expect(event).toMatchObject({
      startsAt: new Date("2026-06-19T12:00:00Z"),
      endsAt: new Date("2026-06-19T18:00:00Z"),
    });
    const listed = await inTenant(owner, (tx) => listPlannedEvents(owner, tx, { after: now }));
    expect(listed.map((e) => e.name)).toEqual(["Season 2 launch"]);
    await expect(
      inTenant(accountManager, (tx) =>
        createPlannedEvent(accountManager, tx, {
          ...event,
          clientId: a.otherClient.id,
          date: "2026-06-19",
          startTime: "12:00",
        }),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const temporary = await inTenant(owner, (tx) =>
      createPlannedEvent(owner, tx, {
        clientId: a.otherClient.id,
        name: "Sale",
        date: "2026-06-20",
        startTime: "09:00",
        durationMinutes: 60,
        multiplier: 2,
      }),
    );
    await expect(
      inTenant(accountManager, (tx) => deletePlannedEvent(accountManager, tx, { eventId: temporary.id })),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await inTenant(owner, (tx) => deletePlannedEvent(owner, tx, { eventId: temporary.id }));
  });

  it("adds weekly shifts, refuses an overlapping one, and ends a worked shift from today", async () => {
    const shift = (membershipId: string, startTime: string, endTime: string) =>
      inTenant(owner, (tx) =>
        addRosterShift(owner, tx, { membershipId, weekday: "fri", startTime, endTime, startsOn: "2026-05-01" }, clock),
      );
    for (const membershipId of moderators) await shift(membershipId, "12:00", "18:00");
    await expect(shift(moderators[0] ?? "", "17:00", "20:00")).rejects.toMatchObject({
      code: "CONFLICT",
      details: { reason: "overlapping_shift", fields: { startTime: expect.any(String) } },
    });
    const extra = await shift(a.users.moderator.membershipId, "20:00", "22:00");
    await inTenant(owner, (tx) => endRosterShift(owner, tx, { shiftId: extra.id }, clock));
    const roster = await inTenant(owner, (tx) => getRoster(owner, tx, clock));
    expect(roster.today).toBe("2026-06-10");
    expect(roster.moderators).toHaveLength(4);
    expect(roster.moderators.flatMap((m) => m.shifts).map((s) => `${s.weekday} ${s.startTime}–${s.endTime}`)).toEqual([
      "fri 12:00–18:00",
      "fri 12:00–18:00",
      "fri 12:00–18:00",
    ]);
    const ended = await db.owner.select().from(schema.rosterShifts).where(eq(schema.rosterShifts.id, extra.id));
    expect(ended[0]?.endsOn).toBe("2026-06-10");
  });

  it("lets an account manager roster only the moderators of their clients", async () => {
    const elsewhere = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.otherClient.id, authority: "respond" }],
    });
    const input = {
      membershipId: elsewhere.membershipId,
      weekday: "sat" as const,
      startTime: "10:00",
      endTime: "18:00",
    };
    await expect(
      inTenant(accountManager, (tx) => addRosterShift(accountManager, tx, input, clock)),
    ).rejects.toMatchObject({ code: "NOT_FOUND", details: { reason: "moderator_not_found" } });
    const shift = await inTenant(owner, (tx) => addRosterShift(owner, tx, { ...input, startsOn: "2026-07-04" }, clock));
    await expect(
      inTenant(accountManager, (tx) => endRosterShift(accountManager, tx, { shiftId: shift.id }, clock)),
    ).rejects.toMatchObject({ code: "NOT_FOUND", details: { reason: "shift_not_found" } });
    const roster = await inTenant(accountManager, (tx) => getRoster(accountManager, tx, clock));
    expect(roster.moderators.map((m) => m.membershipId)).not.toContain(elsewhere.membershipId);
    // Not yet started: ending it removes it.
    await inTenant(owner, (tx) => endRosterShift(owner, tx, { shiftId: shift.id }, clock));
    expect(await db.owner.select().from(schema.rosterShifts).where(eq(schema.rosterShifts.id, shift.id))).toEqual([]);
  });

  it("refuses an exception that ends before it starts, naming the field", async () => {
    await expect(
      inTenant(owner, (tx) =>
        addRosterException(owner, tx, {
          membershipId: moderators[0] ?? "",
          kind: "absence",
          startDate: "2026-06-19",
          startTime: "14:00",
          endDate: "2026-06-19",
          endTime: "13:00",
        }),
      ),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { endTime: "must be after the start" } } });
  });
});

describe("the staffing plan", () => {
  it("pools the two clients, plans them against the strictest target, and shows the launch's gap with its cover", async () => {
    const plan = await inTenant(owner, (tx) => getStaffingPlan(owner, tx, { weekStart: "2026-06-15" }, clock));
    expect(plan.pools).toHaveLength(1);
    const pool = plan.pools[0];
    if (!pool) throw new Error("no pool");
    expect(pool.clients.map((c) => c.id).sort()).toEqual([a.client.id, a.otherClient.id].sort());
    expect(pool.crossSkilled).toBe(4);
    const friday = (hour: number) => pool.hours.find((h) => h.localDate === "2026-06-19" && h.hour === hour);
    // A normal Friday 11:00: 4 + 2 items at 250 s and 240 s; the first client's P1 10 minutes at 95 % governs.
    expect(friday(11)?.arrivals).toBeCloseTo(6, 9);
    expect(friday(11)?.required.governing).toEqual({
      clientId: a.client.id,
      priority: "P1",
      minutes: 10,
      compliancePercent: 95,
    });
    // The launch ×5 from 12:00 to 18:00: 22 items an hour need 5 rostered, 3 are on shift.
    for (const hour of [12, 13, 14, 15, 16, 17]) {
      expect(friday(hour)).toMatchObject({
        arrivals: 22,
        rostered: 3,
        required: { agents: 3, scheduled: 5 },
        gap: 2,
        suggestion: { mode: "triage_only", scheduled: 2 },
        events: ["Season 2 launch"],
      });
      expect(friday(hour)?.atRisk.map((risk) => risk.clientId)).toEqual([a.client.id]);
    }
    expect(friday(18)?.events).toEqual([]);
    // Pooled, the week needs fewer moderator-hours than the two clients planned apart.
    expect(pool.totals.requiredHours).toBeLessThan(pool.totals.standaloneHours);
    expect(pool.totals.rosteredHours).toBe(18);
    expect(plan.clients.find((c) => c.id === a.client.id)?.targets.map((t) => `${t.priority} ${t.minutes}`)).toEqual([
      "P1 10",
      "P2 60",
    ]);
  });

  it("does not suggest triage cover where the contract says an acknowledgement is not the first response", async () => {
    const contractOf = and(eq(schema.contracts.agencyId, a.agency.id), eq(schema.contracts.clientId, a.client.id));
    await db.owner
      .update(schema.contracts)
      .set({ terms: sql`terms || '{"acknowledgementCountsAsFirstResponse": false}'::jsonb` })
      .where(contractOf);
    try {
      const plan = await inTenant(owner, (tx) => getStaffingPlan(owner, tx, { weekStart: "2026-06-15" }, clock));
      const friday = (hour: number) =>
        plan.pools[0]?.hours.find((h) => h.localDate === "2026-06-19" && h.hour === hour);
      // The launch's 20 items an hour of the first client need their 250 s answer even in triage cover: the 3 on
      // shift are not enough, where acknowledging would have needed 2.
      for (const hour of [12, 13, 14, 15, 16, 17]) {
        expect(friday(hour)).toMatchObject({ arrivals: 22, rostered: 3, gap: 2 });
        expect(friday(hour)?.triage.scheduled).toBeGreaterThan(3);
        expect(friday(hour)?.suggestion).toEqual({
          mode: "add_moderators",
          missing: (friday(hour)?.triage.scheduled ?? 0) - 3,
        });
      }
    } finally {
      await db.owner
        .update(schema.contracts)
        .set({ terms: sql`terms - 'acknowledgementCountsAsFirstResponse'` })
        .where(contractOf);
    }
  });

  it("plans an account manager's own clients only", async () => {
    const plan = await inTenant(accountManager, (tx) =>
      getStaffingPlan(accountManager, tx, { weekStart: "2026-06-15" }, clock),
    );
    expect(plan.clients.map((c) => c.id)).toEqual([a.client.id]);
    expect(plan.pools.flatMap((pool) => pool.clients.map((c) => c.id))).toEqual([a.client.id]);
  });

  it("refuses weeks it does not plan, naming the field", async () => {
    await expect(
      inTenant(owner, (tx) => getStaffingPlan(owner, tx, { weekStart: "2026-06-01" }, clock)),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { weekStart: expect.any(String) } } });
  });
});

describe("forecast accuracy and the review", () => {
  it("holds out the last 4 weeks: the steady history is forecast without error", async () => {
    const accuracy = await inTenant(owner, (tx) => getForecastAccuracy(owner, tx, clock));
    const first = accuracy.clients.find((c) => c.clientId === a.client.id);
    expect(first?.accuracy).toMatchObject({ heldOutWeeks: 4, fittedWeeks: 2 });
    expect(first?.accuracy?.method.hourlyWape).toBe(0);
    expect(first?.accuracy?.naive.hourlyWape).toBe(0);
    expect(first?.byDecay.map((d) => d.decay)).toEqual([1, 0.75, 0.5]);
  });

  it("compares last week's plan with what arrived, who was online and the compliance achieved", async () => {
    const item = { id: crypto.randomUUID(), clientId: a.client.id };
    // One moderator at work on Tuesday 2 June, 10:00–10:05 UTC.
    await seedClaim(item, a.users.moderator.id, new Date("2026-06-02T10:00:00Z"), {
      action: "item.no_action",
      seconds: 300,
    });
    const review = await inTenant(owner, (tx) => getStaffingReview(owner, tx, {}, clock));
    expect(review.weekStart).toBe("2026-06-01");
    const pool = review.pools[0];
    const tuesday = pool?.days.find((day) => day.date === "2026-06-02");
    expect(tuesday).toMatchObject({ actualArrivals: 144, onlineHours: 1, rosteredHours: 0 });
    expect(tuesday?.plannedArrivals).toBeCloseTo(144, 9);
    expect(pool?.days.map((day) => day.date)).toHaveLength(7);
    expect(pool?.totals.actualArrivals).toBe(7 * 144);
  });
});
