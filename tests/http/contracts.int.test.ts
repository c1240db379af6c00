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
    expect(overlap.error?.details.fields).toEqual({
      validFrom: expect.stringMatching(/overlaps the contract from 2026-0/),
    });
    const listed = await callProcedure(app, {
      cookie: am,
      path: "contracts.list",
      type: "query",
      input: { clientId: a.client.id },
    });
    expect((listed.data as Array<{ validFrom: string }>).map((c) => c.validFrom)).toEqual(["2026-01-01", "2026-07-01"]);
  });

  it("names bad terms fields and stores nothing", async () => {
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
    const rows = await db.owner.select().from(schema.contracts).where(eq(schema.contracts.clientId, a.otherClient.id));
    expect(rows).toEqual([]);
  });

  it("keeps contracts from moderators and stakeholders", async () => {
    const moderator = await signInAs(app, a.users.moderator.email);
    expect(
      (await save({ clientId: a.client.id, terms: contractTerms({ validFrom: "2027-01-01" }) }, moderator)).error?.code,
    ).toBe("FORBIDDEN");
  });
});
