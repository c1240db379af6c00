import { InngestTestEngine } from "@inngest/test";
import type { ContractTermsInput } from "@parley/contracts/billing";
import { resolveScope } from "@parley/core/agencies";
import { createMonthlyInvoiceDrafts, findDueMonthlyInvoiceRuns, saveContract } from "@parley/core/billing";
import { sendMonthlyClientReports } from "@parley/core/reports";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInngestClient } from "./client";
import {
  createMonthlyInvoicesFunction,
  MONTHLY_INVOICES_CRON,
  type MonthlyRunSummary,
} from "./monthly-invoices.function";

const terms: ContractTermsInput = {
  currency: "EUR",
  // From September: on 30 September in Los Angeles, August (its last month then) has nothing to draft.
  validFrom: "2026-09-01",
  retainerMinor: 450_000,
  includedItems: 10_000,
  overageTiers: [],
  escalationFeeMinor: 1500,
  outOfHoursSurchargeMinor: 0,
  slaTargets: [],
  creditTiers: [],
  creditCapPercent: 15,
  excludeClientSideTime: true,
};

let db: TestDatabase;
let london: TestAgency;
let losAngeles: TestAgency;

async function agencyIn(timeZone: string): Promise<TestAgency> {
  const agency = await makeAgency(db.owner);
  await db.owner.update(schema.agencies).set({ timeZone }).where(eq(schema.agencies.id, agency.agency.id));
  const scope = await resolveScope(db.app, { userId: agency.users.accountManager.id, agencyId: agency.agency.id });
  if (!scope) throw new Error("no scope");
  await withTenant(db.app, { agencyId: scope.agencyId, clientIds: scope.clientIds }, (tx) =>
    saveContract(scope, tx, { clientId: agency.client.id, terms }),
  );
  return agency;
}

beforeAll(async () => {
  db = await createTestDatabase();
  london = await agencyIn("Europe/London");
  losAngeles = await agencyIn("America/Los_Angeles");
});
afterAll(() => db.close());

/** One hourly firing of the function at `now`, on the real database as the app role. */
async function fireAt(now: string): Promise<MonthlyRunSummary[]> {
  const fn = createMonthlyInvoicesFunction({
    inngest: createInngestClient({ isDev: true }),
    runs: {
      findDueMonthlyInvoiceRuns: (input) => findDueMonthlyInvoiceRuns(db.app, input),
      createMonthlyInvoiceDrafts: (input) => createMonthlyInvoiceDrafts(db.app, input),
      // The reports' PDF is @parley/documents' business (tests/reports covers it): an empty file here.
      sendMonthlyClientReports: (input) =>
        sendMonthlyClientReports(db.app, { ...input, renderPdf: async () => new Uint8Array() }),
    },
    now: () => new Date(now),
  });
  const { result } = await new InngestTestEngine({ function: fn }).execute({
    events: [{ name: "inngest/scheduled.timer", data: { cron: MONTHLY_INVOICES_CRON } }],
  });
  return result as MonthlyRunSummary[];
}

const agencyIds = () => [london.agency.id, losAngeles.agency.id];
const drafts = () =>
  db.owner
    .select({
      agencyId: schema.invoices.agencyId,
      clientId: schema.invoices.clientId,
      period: schema.invoices.periodStart,
    })
    .from(schema.invoices)
    .where(inArray(schema.invoices.agencyId, agencyIds()));
const notices = (kind = "invoice.draft_created") =>
  db.owner
    .select({ agencyId: schema.notifications.agencyId, kind: schema.notifications.kind })
    .from(schema.notifications)
    .where(and(inArray(schema.notifications.agencyId, agencyIds()), eq(schema.notifications.kind, kind)));

describe("monthly invoices function on PostgreSQL", () => {
  it("drafts each agency's last month at 06:00 on the 1st in its own zone, once, and notifies once", async () => {
    // 05:00 BST on 1 October in London, 21:00 on 30 September in Los Angeles: nobody yet.
    expect(await fireAt("2026-10-01T04:00:00Z")).toEqual([]);
    expect(await drafts()).toEqual([]);

    // 06:00 BST: London's September.
    const first = await fireAt("2026-10-01T05:00:00Z");
    expect(first).toEqual([
      {
        agencyId: london.agency.id,
        period: "2026-09",
        outcomes: expect.arrayContaining([
          { clientId: london.client.id, status: "created", invoiceId: expect.any(String) },
          { clientId: london.otherClient.id, status: "skipped", reason: "no_contract" },
        ]),
      },
    ]);
    expect(await drafts()).toEqual([{ agencyId: london.agency.id, clientId: london.client.id, period: "2026-09-01" }]);
    expect(await notices()).toEqual([{ agencyId: london.agency.id, kind: "invoice.draft_created" }]);
    // The same run sent London's September report to its stakeholder (one per agency here), and Los Angeles's
    // August one: its 1 September went by without a run, and the rest of a month stays due (as for drafts).
    expect(await notices("report.monthly_sent")).toEqual(
      expect.arrayContaining([
        { agencyId: london.agency.id, kind: "report.monthly_sent" },
        { agencyId: losAngeles.agency.id, kind: "report.monthly_sent" },
      ]),
    );
    expect(await notices("report.monthly_sent")).toHaveLength(2);

    // The next hours (and a rerun of the same hour) find London done and Los Angeles not yet due.
    expect(await fireAt("2026-10-01T05:00:00Z")).toEqual([]);
    expect(await fireAt("2026-10-01T12:00:00Z")).toEqual([]);

    // 06:00 PDT = 13:00 UTC: Los Angeles's September.
    const later = await fireAt("2026-10-01T13:00:00Z");
    expect(later.map((run) => [run.agencyId, run.period])).toEqual([[losAngeles.agency.id, "2026-09"]]);
    expect(await fireAt("2026-10-02T09:00:00Z")).toEqual([]);

    expect(await drafts()).toHaveLength(2);
    expect(await notices()).toHaveLength(2);
    expect(await notices("report.monthly_sent")).toHaveLength(3);
  });
});
