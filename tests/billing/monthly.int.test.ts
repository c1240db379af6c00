import { findDueMonthlyInvoiceRuns, runMonthlyInvoiceDrafts } from "@parley/core/billing";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clocksOn, contractTerms, insertItems, saveTerms, scopeOf } from "./fixtures";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

async function agencyIn(timeZone: string, contractClients: (a: TestAgency) => string[]): Promise<TestAgency> {
  const a = await makeAgency(db.owner);
  await db.owner.update(schema.agencies).set({ timeZone }).where(eq(schema.agencies.id, a.agency.id));
  const scope = await scopeOf(db.app, a, a.users.accountManager);
  for (const clientId of contractClients(a)) await saveTerms(db.app, scope, clientId, contractTerms());
  return a;
}

const mine = <T extends { agencyId: string }>(results: T[], a: TestAgency): T[] =>
  results.filter((r) => r.agencyId === a.agency.id);

describe("monthly invoice run", () => {
  it("drafts last month from 06:00 on the 1st in the agency's zone, notifies account managers, once", async () => {
    const a = await agencyIn("Europe/London", (agency) => [agency.client.id]);
    await insertItems(db.owner, { agency: a, clientId: a.client.id }, clocksOn("2026-09-10", 20, 15));
    // 05:30 BST on 1 October: not yet.
    expect(mine(await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-01T04:30:00Z") }), a)).toEqual([]);
    const first = mine(await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-01T05:00:00Z") }), a);
    expect(first.map((run) => run.period)).toEqual(["2026-09"]);
    expect(first[0]?.outcomes.map((o) => [o.clientId, o.status])).toEqual(
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
    // An hour later, and days later (catch-up looks): nothing left to do, nothing done twice.
    expect(await findDueMonthlyInvoiceRuns(db.app, { now: new Date("2026-10-01T06:00:00Z") })).not.toContainEqual(
      expect.objectContaining({ agencyId: a.agency.id }),
    );
    expect(mine(await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-01T06:00:00Z") }), a)).toEqual([]);
    expect(mine(await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-09T06:00:00Z") }), a)).toEqual([]);
    expect(await notices()).toHaveLength(1);
    const drafts = await db.owner.select().from(schema.invoices).where(eq(schema.invoices.clientId, a.client.id));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.creditsMinor).toBeGreaterThan(0);
  });

  it("waits until every waiting client's own month is over, and catches up later in the month", async () => {
    // Tokyo's 06:00 on 1 October is 21:00 UTC on 30 September: London's September ends at 23:00 UTC,
    // New York's at 04:00 UTC on 1 October. The drafts come when both are over.
    const a = await agencyIn("Asia/Tokyo", (agency) => [agency.client.id, agency.otherClient.id]);
    const due = async (iso: string) =>
      (await findDueMonthlyInvoiceRuns(db.app, { now: new Date(iso) })).filter((run) => run.agencyId === a.agency.id);
    expect(await due("2026-09-30T20:59:00Z")).toEqual([]);
    expect(await due("2026-09-30T21:00:00Z")).toEqual([]);
    expect(await due("2026-09-30T23:30:00Z")).toEqual([]);
    expect(await due("2026-10-01T04:00:00Z")).toEqual([
      {
        agencyId: a.agency.id,
        timeZone: "Asia/Tokyo",
        period: "2026-09",
        clientIds: expect.arrayContaining([a.client.id, a.otherClient.id]),
      },
    ]);
    // A server that was down on the 1st catches up at its next look, the same month.
    const late = mine(await runMonthlyInvoiceDrafts(db.app, { now: new Date("2026-10-05T10:00:00Z") }), a);
    expect(late[0]?.outcomes.map((o) => o.status)).toEqual(["created", "created"]);
    expect(await due("2026-10-05T11:00:00Z")).toEqual([]);
  });

  it("is not due for clients without a contract or already invoiced; a failing agency does not stop the others", async () => {
    const now = new Date("2026-10-01T06:00:00Z");
    const dueIds = async () => (await findDueMonthlyInvoiceRuns(db.app, { now })).map((run) => run.agencyId);
    const withoutContracts = await agencyIn("Europe/Paris", () => []);
    expect(await dueIds()).not.toContain(withoutContracts.agency.id);

    const good = await agencyIn("Europe/Paris", (agency) => [agency.client.id]);
    // Two contracts in force on 1 September (written past the validation, as the owner): the run of
    // this agency fails with overlapping_contracts, and must not keep the other from its drafts.
    const broken = await agencyIn("Europe/Paris", (agency) => [agency.client.id]);
    const [contract] = await db.owner
      .select()
      .from(schema.contracts)
      .where(eq(schema.contracts.clientId, broken.client.id));
    await db.owner.insert(schema.contracts).values({ ...contract!, id: undefined, validFrom: "2026-06-01" });
    expect(await dueIds()).toEqual(expect.arrayContaining([good.agency.id, broken.agency.id]));

    const failures: Array<{ agencyId: string; reason: unknown }> = [];
    const results = await runMonthlyInvoiceDrafts(db.app, {
      now,
      onError: (error, run) =>
        failures.push({ agencyId: run.agencyId, reason: (error as { details?: { reason?: string } }).details?.reason }),
    });
    expect(failures).toEqual([{ agencyId: broken.agency.id, reason: "overlapping_contracts" }]);
    expect(mine(results, good)[0]?.outcomes.map((o) => o.status)).toEqual(["created", "skipped"]);
    const invoiced = await db.owner
      .select()
      .from(schema.invoices)
      .where(and(eq(schema.invoices.agencyId, good.agency.id), eq(schema.invoices.periodStart, "2026-09-01")));
    expect(invoiced).toHaveLength(1);
    const still = await dueIds();
    expect(still).not.toContain(good.agency.id);
    expect(still).toContain(broken.agency.id);
    await expect(runMonthlyInvoiceDrafts(db.app, { now })).rejects.toMatchObject({
      details: { reason: "overlapping_contracts" },
    });
  });
});
