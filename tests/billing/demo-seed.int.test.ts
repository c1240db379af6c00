import { hashPassword } from "@parley/auth";
import type { InvoiceDetailView, InvoiceView } from "@parley/core/billing";
import { seedDemoAgencies } from "@parley/core/seed";
import { schema } from "@parley/db";
import { createTestDatabase, type TestDatabase, testSecretBox } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  await seedDemoAgencies(db.owner, {
    demoPassword: "demo-password",
    secretBox: testSecretBox,
    hashPassword: async (p) => p,
  });
});
afterAll(() => db.close());

describe("demo billing seed", () => {
  it("gives am@northwind.test last month's drafts of the three clients, at least one with a service credit", async () => {
    // The seed ran with a fake hash (argon2 is slow); give the account manager a real one to sign in.
    await db.owner
      .update(schema.users)
      .set({ passwordHash: await hashPassword("demo-password") })
      .where(sql`lower(${schema.users.email}) = 'am@northwind.test'`);
    const am = await signInAs(app, "am@northwind.test", "demo-password");
    const list = await callProcedure(app, {
      cookie: am,
      path: "invoices.list",
      type: "query",
      input: { status: "draft" },
    });
    const drafts = list.data as InvoiceView[];
    expect(drafts.map((d) => `${d.clientName} ${d.currency}`).sort()).toEqual([
      "Brightmart USD",
      "Cobalt Bank EUR",
      "Hexfall Games EUR",
    ]);
    const details = await Promise.all(
      drafts.map(async (draft) => {
        const got = await callProcedure(app, {
          cookie: am,
          path: "invoices.get",
          type: "query",
          input: { invoiceId: draft.id },
        });
        return got.data as InvoiceDetailView;
      }),
    );
    const credited = details.filter((d) =>
      d.lines.some((line) => line.kind === "service_credit" && line.amountMinor < 0),
    );
    expect(credited.map((d) => d.clientName)).toContain("Hexfall Games");
    for (const draft of details) {
      expect(draft.lines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(draft.totalMinor);
    }
  });

  it("gives Northwind and its clients billing details, so the demo invoices look real", async () => {
    const [northwind] = await db.owner.select().from(schema.agencies).where(sql`name = 'Northwind Social'`);
    expect(northwind).toMatchObject({ legalName: "Northwind Social Care Ltd", taxId: "GB 123 4567 89" });
    expect(northwind?.billingAddress).toContain("Leeds LS1 5ES");
    const clients = await db.owner
      .select()
      .from(schema.clients)
      .where(sql`agency_id = ${northwind?.id ?? ""}`);
    expect(clients.map((client) => [client.name, Boolean(client.billingAddress && client.taxId)]).sort()).toEqual([
      ["Brightmart", true],
      ["Cobalt Bank", true],
      ["Hexfall Games", true],
    ]);
  });
});
