import { runMonthlyInvoiceDrafts } from "@parley/core/billing";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clocksOn, contractTerms, insertItems, saveTerms, scopeOf } from "./fixtures";

let db: TestDatabase;
let a: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  await db.owner.update(schema.agencies).set({ timeZone: "Europe/London" }).where(eq(schema.agencies.id, a.agency.id));
  const scope = await scopeOf(db.app, a, a.users.accountManager);
  await saveTerms(db.app, scope, a.client.id, contractTerms());
  await insertItems(db.owner, { agency: a, clientId: a.client.id }, clocksOn("2026-09-10", 20, 15));
});
afterAll(() => db.close());

describe("monthly invoice run", () => {
  it("drafts last month from 06:00 on the 1st in the agency's zone, notifies account managers, once", async () => {
    // 05:30 BST on 1 October: not yet.
    expect(await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-01T04:30:00Z") })).toEqual([]);
    const first = await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-01T05:00:00Z") });
    const mine = first.find((run) => run.agencyId === a.agency.id);
    expect(mine?.period).toBe("2026-09");
    expect(mine?.outcomes.map((o) => [o.clientId, o.status])).toEqual(
      expect.arrayContaining([
        [a.client.id, "created"],
        [a.otherClient.id, "skipped"],
      ]),
    );
    const notices = () =>
      db.owner.select().from(schema.notifications).where(eq(schema.notifications.agencyId, a.agency.id));
    expect(await notices()).toMatchObject([
      { recipientUserId: a.users.accountManager.id, kind: "invoice.draft_created", clientId: a.client.id },
    ]);
    const second = await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-01T06:00:00Z") });
    expect(second.find((run) => run.agencyId === a.agency.id)?.outcomes.map((o) => o.status)).not.toContain("created");
    expect(await notices()).toHaveLength(1);
    const drafts = await db.owner.select().from(schema.invoices).where(eq(schema.invoices.clientId, a.client.id));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.creditsMinor).toBeGreaterThan(0);
  });
});
