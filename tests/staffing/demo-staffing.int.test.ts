import { addDaysToLocalDate } from "@parley/contracts/billing";
import { resolveScope } from "@parley/core/agencies";
import { type DemoData, seedDemoAgencies } from "@parley/core/seed";
import {
  createPlannedEvent,
  getForecastAccuracy,
  getHandlingTimes,
  getStaffingPlan,
  weekStartOf,
} from "@parley/core/staffing";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, type TestDatabase, testSecretBox } from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let db: TestDatabase;
let data: DemoData;

beforeAll(async () => {
  db = await createTestDatabase();
  data = await seedDemoAgencies(db.owner, {
    demoPassword: "demo-password",
    secretBox: testSecretBox,
    hashPassword: async (password) => `not-a-real-hash:${password.length}`,
  });
}, 120_000);
afterAll(() => db.close());

async function amScope() {
  const [user] = await db.owner
    .select()
    .from(schema.users)
    .where(sql`lower(${schema.users.email}) = 'am@northwind.test'`);
  const northwind = data.agencies.find((agency) => agency.name === "Northwind Social");
  const scope = await resolveScope(db.app, { userId: user?.id ?? "", agencyId: northwind?.id ?? "" });
  if (!scope) throw new Error("no scope");
  return scope;
}

describe("the demo's staffing", () => {
  it("has a roster, measured handling times and a forecast with its error on the held-out weeks", async () => {
    const am = await amScope();
    const tenant = { agencyId: am.agencyId, clientIds: am.clientIds, userId: am.actorId };
    const shifts = await db.owner
      .select()
      .from(schema.rosterShifts)
      .where(eq(schema.rosterShifts.agencyId, am.agencyId));
    expect(shifts.length).toBeGreaterThanOrEqual(20);
    const handling = await withTenant(db.app, tenant, (tx) => getHandlingTimes(am, tx));
    for (const client of handling.clients) {
      expect(client.measuredShare, client.clientId).toBeGreaterThan(0.8);
      expect(client.ahtSeconds).toBeGreaterThan(150);
      expect(client.ahtSeconds).toBeLessThan(330);
    }
    const accuracy = await withTenant(db.app, tenant, (tx) => getForecastAccuracy(am, tx));
    expect(accuracy.clients).toHaveLength(3);
    for (const client of accuracy.clients) {
      expect(client.accuracy?.fittedWeeks, client.clientName).toBeGreaterThanOrEqual(4);
      // Poisson noise alone at these rates gives an hourly WAPE of roughly 40–60 %; daily totals far less. The
      // customers' thanks (an item for a quarter of the answered ones, an hour or two later) add their own: 0.25 for
      // Cobalt Bank's small volume when they came in (0.24 without).
      expect(client.accuracy?.method.dailyWape, client.clientName).toBeLessThan(0.3);
      expect(client.accuracy?.method.hourlyWape).toBeLessThan(client.accuracy?.naive.hourlyWape ?? 0);
    }
  });

  it("staffs next Friday afternoon, and a Hexfall launch ×5 for 6 hours opens a gap the triage-only mode covers", async () => {
    const am = await amScope();
    const tenant = { agencyId: am.agencyId, clientIds: am.clientIds, userId: am.actorId };
    const nextMonday = addDaysToLocalDate(weekStartOf(Date.now(), "Europe/London"), 7);
    const friday = addDaysToLocalDate(nextMonday, 4);
    const afternoon = async () => {
      const plan = await withTenant(db.app, tenant, (tx) => getStaffingPlan(am, tx, { weekStart: nextMonday }));
      const pool = plan.pools.find((candidate) => candidate.clients.some((client) => client.name === "Hexfall Games"));
      return [12, 13, 14, 15, 16, 17].map((hour) => pool?.hours.find((h) => h.localDate === friday && h.hour === hour));
    };
    for (const hour of await afternoon()) expect(hour).toMatchObject({ gap: 0 });
    const hexfall = data.agencies.flatMap((agency) => agency.clients).find((client) => client.name === "Hexfall Games");
    await withTenant(db.app, tenant, (tx) =>
      createPlannedEvent(am, tx, {
        clientId: hexfall?.id ?? "",
        name: "Hexfall launch",
        date: friday,
        startTime: "12:00",
        durationMinutes: 360,
        multiplier: 5,
      }),
    );
    const launch = await afternoon();
    for (const hour of launch) {
      expect(hour?.events).toEqual(["Hexfall launch"]);
      expect(hour?.suggestion).toMatchObject({ mode: "triage_only" });
    }
    expect(launch.every((hour) => (hour?.gap ?? 0) > 0)).toBe(true);
  });
});
