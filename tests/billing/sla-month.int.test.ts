import { createTestDatabase, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { clocksOn, contractTerms, insertItems, makeNorthwind, saveTerms } from "./fixtures";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let stakeholder: string;
let am: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  const northwind = await makeNorthwind(db, app);
  a = northwind.agency;
  am = northwind.am;
  stakeholder = await signInAs(app, a.users.stakeholder.email);
  await saveTerms(
    db.app,
    northwind.amScope,
    a.client.id,
    contractTerms({
      validFrom: "2026-01-01",
      slaTargets: [
        { priority: "P1", metric: "first_response", minutes: 60, calendar: "24x7", complianceTargetPercent: 95 },
        { priority: "P2", metric: "resolution", minutes: 480, calendar: "24x7", complianceTargetPercent: 90 },
      ],
    }),
  );
});
afterAll(() => db.close());

const month = (input: { clientId: string; month?: string }, cookie = stakeholder) =>
  callProcedure(app, { cookie, path: "sla.month", type: "query", input });

describe("sla.month", () => {
  it("counts a month's clocks against the contract's targets, as the invoice does", async () => {
    await insertItems(db.owner, { agency: a, clientId: a.client.id }, [
      ...clocksOn("2026-10-05", 20, 18),
      { receivedAt: "2026-10-06T09:00:00Z", priority: "P3", clocks: [{ stoppedAfter: 10 }] },
      // Still running today, long past due: decided, and breached.
      { receivedAt: "2026-10-07T09:00:00Z", clocks: [{ stoppedAfter: null }] },
    ]);
    const { status, data } = await month({ clientId: a.client.id, month: "2026-10" });
    expect(status).toBe(200);
    expect(data).toMatchObject({
      clientId: a.client.id,
      month: "2026-10",
      contractInForce: true,
      targets: [
        {
          priority: "P1",
          metric: "first_response",
          decided: 21,
          met: 18,
          pending: 0,
          targetPercent: 95,
          targetMinutes: 60,
        },
        { priority: "P2", metric: "resolution", decided: 0, met: 0, attainmentPercent: null, targetPercent: 90 },
        { priority: "P3", metric: "first_response", decided: 1, met: 1, attainmentPercent: 100, targetPercent: null },
      ],
    });
    const [p1] = (data as { targets: Array<{ attainmentPercent: number }> }).targets;
    expect(p1?.attainmentPercent).toBeCloseTo((18 / 21) * 100, 6);
    // The month's invoice draft judges the same clocks.
    const drafted = await callProcedure(app, {
      cookie: am,
      path: "invoices.createDrafts",
      type: "mutation",
      input: { period: "2026-10", clientIds: [a.client.id] },
    });
    const [outcome] = drafted.data as Array<{ invoice: { id: string } }>;
    const invoice = await callProcedure(app, {
      cookie: am,
      path: "invoices.get",
      type: "query",
      input: { invoiceId: outcome?.invoice.id },
    });
    const { slaSummary } = (invoice.data as { evidence: { slaSummary: Array<Record<string, unknown>> } }).evidence;
    expect(slaSummary.find((row) => row.priority === "P1" && row.metric === "first_response")).toMatchObject({
      total: 21,
      met: 18,
      targetPercent: 95,
    });
  });

  it("reads the current month by default, leaving running clocks within target pending", async () => {
    await insertItems(db.owner, { agency: a, clientId: a.client.id }, [
      { receivedAt: new Date(), clocks: [{ stoppedAfter: null, targetMinutes: 100_000 }] },
    ]);
    const { data } = await month({ clientId: a.client.id });
    const view = data as { month: string; targets: Array<{ priority: string; decided: number; pending: number }> };
    expect(view.month).toMatch(/^\d{4}-\d{2}$/);
    expect(view.targets.find((target) => target.priority === "P1")).toMatchObject({ decided: 0, pending: 1 });
  });

  it("shows a month before any contract without targets", async () => {
    const { data } = await month({ clientId: a.client.id, month: "2025-12" });
    expect(data).toMatchObject({ contractInForce: false, targets: [] });
  });

  it("keeps another client's month from a stakeholder (NOT_FOUND) and names a bad month", async () => {
    expect((await month({ clientId: a.otherClient.id, month: "2026-10" })).error?.code).toBe("NOT_FOUND");
    const bad = await month({ clientId: a.client.id, month: "2026-13" });
    expect(bad.status).toBe(400);
    expect(bad.error?.details.fields).toEqual({ month: 'must be a month "YYYY-MM"' });
  });
});
