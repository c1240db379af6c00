import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractTerms } from "../billing/fixtures";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let am: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  am = await signInAs(app, a.users.accountManager.email);
});
afterAll(() => db.close());

const save = (input: Record<string, unknown>, cookie = am) =>
  callProcedure(app, { cookie, path: "contracts.save", type: "mutation", input });

describe("contracts", () => {
  it("saves contracts by validity period and rejects an overlap, naming the field", async () => {
    const first = await save({ clientId: a.client.id, terms: contractTerms({ validTo: "2026-07-01" }) });
    expect(first.data).toMatchObject({ validFrom: "2026-01-01", validTo: "2026-07-01", currency: "EUR" });
    const second = await save({
      clientId: a.client.id,
      terms: contractTerms({ validFrom: "2026-07-01", retainerMinor: 500_000 }),
    });
    expect(second.status).toBe(200);
    const overlap = await save({
      clientId: a.client.id,
      terms: contractTerms({ validFrom: "2026-06-15", validTo: "2026-08-01" }),
    });
    expect(overlap.status).toBe(409);
    // Both periods, as the contracts table shows dates (the last day, not the exclusive end).
    expect(overlap.error?.message).toBe(
      "This contract (Jun 15, 2026 – Jul 31, 2026) overlaps the contract Jan 1, 2026 – Jun 30, 2026",
    );
    expect(overlap.error?.details.fields).toEqual({
      validFrom: "overlaps the contract Jan 1, 2026 – Jun 30, 2026",
    });
    const listed = await callProcedure(app, {
      cookie: am,
      path: "contracts.list",
      type: "query",
      input: { clientId: a.client.id },
    });
    expect((listed.data as Array<{ validFrom: string }>).map((c) => c.validFrom)).toEqual(["2026-01-01", "2026-07-01"]);
  });

  it("renews an open-ended contract: offers to end it the day before, then does so in one audited transaction", async () => {
    const clientId = a.otherClient.id;
    const current = await save({ clientId, terms: contractTerms({ validFrom: "2025-01-01" }) });
    expect(current.status).toBe(200);
    const renewal = contractTerms({ validFrom: "2026-03-01", retainerMinor: 300_000 });
    const refused = await save({ clientId, terms: renewal });
    expect(refused.status).toBe(409);
    expect(refused.error?.message).toBe(
      "The new contract (Mar 1, 2026 – open-ended) overlaps the current one (Jan 1, 2025 – open-ended): end the current one on Feb 28, 2026 to start this one",
    );
    expect(refused.error?.details).toMatchObject({ reason: "overlapping_contract", canEndCurrent: true });
    const renewed = await save({ clientId, terms: renewal, endCurrent: true });
    expect(renewed.status).toBe(200);
    const rows = await db.owner
      .select()
      .from(schema.contracts)
      .where(eq(schema.contracts.clientId, clientId))
      .orderBy(schema.contracts.validFrom);
    expect(rows.map((row) => [row.validFrom, row.validTo])).toEqual([
      ["2025-01-01", "2026-03-01"],
      ["2026-03-01", null],
    ]);
    const audit = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.subjectId, (current.data as { id: string }).id));
    expect(audit.map((event) => event.action)).toEqual(expect.arrayContaining(["contract.ended"]));
  });

  it("refuses to amend a contract that billed a finalized month, saying why, but lets it end after that month", async () => {
    const clientId = a.client.id;
    const [contract] = await db.owner
      .select()
      .from(schema.contracts)
      .where(eq(schema.contracts.clientId, clientId))
      .orderBy(schema.contracts.validFrom);
    if (!contract) throw new Error("no contract");
    await db.owner.insert(schema.invoices).values({
      agencyId: a.agency.id,
      clientId,
      contractId: contract.id,
      status: "finalized",
      number: "T-2026-0001",
      periodStart: "2026-02-01",
      periodEnd: "2026-03-01",
      currency: "EUR",
      finalizedAt: new Date(),
    });
    const terms = contract.terms as Record<string, unknown>;
    const amended = await save({ clientId, contractId: contract.id, terms: { ...terms, retainerMinor: 1 } });
    expect(amended.status).toBe(409);
    expect(amended.error?.details.reason).toBe("contract_billed");
    expect(amended.error?.message).toContain("billed Feb 2026 (invoice T-2026-0001), which is finalized");
    const tooEarly = await save({ clientId, contractId: contract.id, terms: { ...terms, validTo: "2026-02-15" } });
    expect(tooEarly.error?.details.reason).toBe("contract_billed");
    const ended = await save({ clientId, contractId: contract.id, terms: { ...terms, validTo: "2026-04-01" } });
    expect(ended.error).toBeUndefined();
  });

  it("names bad terms fields and stores nothing", async () => {
    const stored = () =>
      db.owner.select().from(schema.contracts).where(eq(schema.contracts.clientId, a.otherClient.id));
    const before = await stored();
    const bad = await save({
      clientId: a.otherClient.id,
      terms: contractTerms({
        currency: "EURO",
        creditTiers: [
          { fromPercent: 90, toPercent: 95, creditPercent: 5 },
          { fromPercent: 92, toPercent: 91, creditPercent: 10 },
        ],
      }),
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.error?.details.fields ?? {})).toEqual(expect.arrayContaining(["currency"]));
    expect(await stored()).toEqual(before);
  });

  it("keeps contracts from moderators and stakeholders", async () => {
    const moderator = await signInAs(app, a.users.moderator.email);
    expect(
      (await save({ clientId: a.client.id, terms: contractTerms({ validFrom: "2027-01-01" }) }, moderator)).error?.code,
    ).toBe("FORBIDDEN");
  });
});
