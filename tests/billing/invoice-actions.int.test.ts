import { localDateOf } from "@parley/core/sla";
import { createTestDatabase, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { contractTerms, makeNorthwind, saveTerms } from "./fixtures";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let am: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app); // no STRIPE_SECRET_KEY: no Stripe gateway
  const northwind = await makeNorthwind(db, app);
  ({ agency: a, am } = northwind);
  await saveTerms(db.app, northwind.amScope, a.client.id, contractTerms());
});
afterAll(() => db.close());

const call = (path: string, input: unknown, type: "query" | "mutation" = "mutation", cookie = am) =>
  callProcedure(app, { cookie, path, type, input });

async function draftOf(period: string): Promise<string> {
  const created = await call("invoices.createDrafts", { period, clientIds: [a.client.id] });
  const [outcome] = created.data as Array<{ invoice?: { id: string } }>;
  if (!outcome?.invoice) throw new Error(`no draft: ${JSON.stringify(created)}`);
  return outcome.invoice.id;
}

describe("invoices.actions", () => {
  it("offers Finalize for a month that is over, and for the current month says from when", async () => {
    const past = await draftOf("2026-02");
    expect((await call("invoices.actions", { invoiceId: past }, "query")).data).toEqual({
      finalize: { available: true, finalizableFrom: null },
      pushToStripe: { configured: false },
    });

    const thisMonth = localDateOf(new Date(), a.client.timeZone).slice(0, 7);
    const current = await draftOf(thisMonth);
    const actions = (await call("invoices.actions", { invoiceId: current }, "query")).data as {
      finalize: { available: boolean; finalizableFrom: Date | null };
    };
    expect(actions.finalize.available).toBe(false);
    expect(actions.finalize.finalizableFrom?.getTime()).toBeGreaterThan(Date.now());
    // The server agrees: finalizing it now is refused.
    expect((await call("invoices.finalize", { invoiceId: current })).error?.details.reason).toBe("period_not_over");

    expect((await call("invoices.finalize", { invoiceId: past })).status).toBe(200);
    expect((await call("invoices.actions", { invoiceId: past }, "query")).data).toMatchObject({
      finalize: { available: false, finalizableFrom: null },
    });
  });

  it("is for account staff, and another client's or agency's invoice is not found", async () => {
    const invoiceId = await draftOf("2026-03");
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    expect((await call("invoices.actions", { invoiceId }, "query", stakeholder)).error?.code).toBe("FORBIDDEN");
    expect(
      (await call("invoices.actions", { invoiceId: "01900000-0000-7000-8000-000000000000" }, "query")).error?.code,
    ).toBe("NOT_FOUND");
  });
});
