import { createApiKey } from "@parley/core/api-keys";
import { createInvoiceDrafts, type InvoiceDetailView, type InvoiceView } from "@parley/core/billing";
import type { Scope } from "@parley/core/kernel";
import { aggregateSlaOutcomes, countPeriodVolumes, listCalendarVersions, monthlyPeriod } from "@parley/core/sla";
import { schema, withTenant } from "@parley/db";
import {
  createTestDatabase,
  makeAgency,
  pdfText,
  setBusinessHours,
  type TestAgency,
  type TestDatabase,
} from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { clocksOn, contractTerms, insertItems, makeNorthwind, saveTerms, scopeOf } from "./fixtures";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let b: TestAgency;
let am: string;
let amScope: Scope;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  ({ agency: a, am, amScope } = await makeNorthwind(db, app));
  b = await makeAgency(db.owner);
});
afterAll(() => db.close());

const call = (path: string, input: unknown, options: { cookie?: string; type?: "query" | "mutation" } = {}) =>
  callProcedure(app, { cookie: options.cookie ?? am, path, type: options.type ?? "mutation", input });

async function draftOf(clientId: string, period: string): Promise<InvoiceDetailView> {
  const created = await call("invoices.createDrafts", { period, clientIds: [clientId] });
  expect(created.status).toBe(200);
  const [outcome] = created.data as Array<{ status: string; invoice?: InvoiceView; message?: string }>;
  if (!outcome?.invoice) throw new Error(`no draft: ${JSON.stringify(outcome)}`);
  const got = await call("invoices.get", { invoiceId: outcome.invoice.id }, { type: "query" });
  return got.data as InvoiceDetailView;
}

const get = (cookie: string, url: string) =>
  app.request(`http://parley.test${url}`, { headers: { host: "parley.test", cookie } });

describe("period aggregates", () => {
  it("bounds a DST month by the client's local midnights and counts out-of-hours items on its calendar", async () => {
    const clientId = a.client.id; // Europe/London
    await setBusinessHours(db.owner, {
      agencyId: a.agency.id,
      clientId,
      calendar: {
        timeZone: "Europe/London",
        weekly: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "17:00"]]])),
      },
    });
    const period = monthlyPeriod("2026-03", "Europe/London");
    // Summer time starts on 29 March: the month ends at 23:00 UTC.
    expect(period.from.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(period.to.toISOString()).toBe("2026-03-31T23:00:00.000Z");
    const [inMarch, alsoInMarch] = await insertItems(db.owner, { agency: a, clientId }, [
      { receivedAt: "2026-03-01T00:30:00Z" }, // Sunday 00:30 GMT: out of hours
      { receivedAt: "2026-03-30T08:30:00Z" }, // Monday 09:30 BST: in hours (08:30 UTC would not be)
      { receivedAt: "2026-03-31T22:30:00Z" }, // Tuesday 23:30 BST: out of hours
    ]);
    await insertItems(db.owner, { agency: a, clientId }, [
      { receivedAt: "2026-02-28T23:30:00Z" }, // February
      { receivedAt: "2026-03-31T23:30:00Z" }, // 1 April 00:30 BST
    ]);
    const [incident] = await db.owner
      .insert(schema.escalations)
      .values([
        { agencyId: a.agency.id, clientId, itemId: inMarch!, packet: {}, createdAt: new Date("2026-03-10T10:00:00Z") },
      ])
      .returning();
    // Another item of the same incident, rolled up into that escalation: the client sees (and pays for) one.
    await db.owner.insert(schema.escalations).values({
      agencyId: a.agency.id,
      clientId,
      itemId: alsoInMarch!,
      packet: {},
      rolledUpIntoId: incident!.id,
      createdAt: new Date("2026-03-30T09:00:00Z"),
    });
    const volume = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, async (tx) => {
      const calendars = (await listCalendarVersions(tx, { clientIds: [clientId] })).get(clientId) ?? [];
      return countPeriodVolumes(amScope, tx, { clients: [{ clientId, period, calendars }] });
    });
    expect(volume.get(clientId)).toEqual({ itemCount: 3, outOfHoursItemCount: 2, escalationCount: 1 });
  });

  it("compares client-side time excluded (default) and included", async () => {
    const clientId = a.otherClient.id; // America/New_York
    await insertItems(db.owner, { agency: a, clientId }, [
      // 75 minutes in all, 30 of them waiting on the client, against 60.
      { receivedAt: "2026-02-10T15:00:00Z", clocks: [{ stoppedAfter: 75, clientSideMinutes: 30 }] },
      { receivedAt: "2026-02-10T16:00:00Z", clocks: [{ stoppedAfter: 20 }] },
      { receivedAt: "2026-02-10T17:00:00Z", clocks: [{ stoppedAfter: 61 }] },
      { receivedAt: "2026-02-27T23:00:00Z", clocks: [{ stoppedAfter: null }] }, // still running, past due
    ]);
    const period = monthlyPeriod("2026-02", "America/New_York");
    const outcomes = async (excludeClientSideTime: boolean, asOf = new Date("2026-03-05T00:00:00Z")) => {
      const byClient = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
        aggregateSlaOutcomes(amScope, tx, { clients: [{ clientId, period, excludeClientSideTime }], asOf }),
      );
      return byClient.get(clientId) ?? [];
    };
    const excluded = await outcomes(true);
    const included = await outcomes(false);
    expect(excluded).toMatchObject([{ priority: "P1", metric: "first_response", total: 4, met: 2, pending: 0 }]);
    expect(included).toMatchObject([{ priority: "P1", metric: "first_response", total: 4, met: 1 }]);
    // The first item is breached only once its 30 client-side minutes count.
    expect(included[0]!.metOnlyByClientSideTime).toHaveLength(1);
    expect(excluded[0]!.metOnlyByClientSideTime).toEqual([]);
    // Before the running clock is due, it is pending rather than breached.
    const early = await outcomes(true, new Date("2026-02-27T23:30:00Z"));
    expect(early).toMatchObject([{ total: 3, met: 2, pending: 1 }]);
  });

  it("counts a clock under the priority whose target it ran on, whatever its item was reclassified to", async () => {
    const clientId = a.otherClient.id; // America/New_York
    const ids = await insertItems(db.owner, { agency: a, clientId }, [
      { receivedAt: "2026-01-12T15:00:00Z", priority: "P1", clocks: [{ stoppedAfter: 20 }] },
      // Met only because 30 minutes waited on the client: breached once client-side time is included.
      { receivedAt: "2026-01-12T16:00:00Z", priority: "P1", clocks: [{ stoppedAfter: 75, clientSideMinutes: 30 }] },
      { receivedAt: "2026-01-12T17:00:00Z", priority: "P2", clocks: [{ stoppedAfter: 20 }] },
    ]);
    // The P1 items are reclassified to P4 after their clocks started.
    await db.owner
      .update(schema.items)
      .set({ priority: "P4" })
      .where(sql`${schema.items.id} in (${ids[0]!}::uuid, ${ids[1]!}::uuid)`);
    const period = monthlyPeriod("2026-01", "America/New_York");
    const outcomes = async (excludeClientSideTime: boolean) => {
      const byClient = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
        aggregateSlaOutcomes(amScope, tx, {
          clients: [{ clientId, period, excludeClientSideTime }],
          asOf: new Date("2026-02-05T00:00:00Z"),
        }),
      );
      return byClient.get(clientId) ?? [];
    };
    expect(await outcomes(true)).toMatchObject([
      { priority: "P1", metric: "first_response", total: 2, met: 2, metOnlyByClientSideTime: [] },
      { priority: "P2", metric: "first_response", total: 1, met: 1 },
    ]);
    expect(await outcomes(false)).toMatchObject([
      { priority: "P1", metric: "first_response", total: 2, met: 1, metOnlyByClientSideTime: [ids[1]] },
      { priority: "P2", metric: "first_response", total: 1, met: 1 },
    ]);
  });
});

describe("drafts", () => {
  const clientId = () => a.client.id;

  it("applies credit tiers exactly at their bounds, rounds half-up, caps, and re-runs to the same cents", async () => {
    const other = await makeAgency(db.owner);
    const cookie = await signInAs(app, other.users.accountManager.email);
    const scope = await scopeOf(db.app, other, other.users.accountManager);
    const terms = contractTerms({
      validFrom: "2026-04-01",
      retainerMinor: 1010,
      includedItems: 1000,
      outOfHoursSurchargeMinor: 0,
      escalationFeeMinor: 0,
    });
    await saveTerms(db.app, scope, other.client.id, terms);
    // London April: 20 clocks, 19 met = exactly 95 %: the target is met, no credit.
    await insertItems(db.owner, { agency: other, clientId: other.client.id }, clocksOn("2026-04-07", 20, 19));
    const at95 = await callProcedure(app, {
      cookie,
      path: "invoices.createDrafts",
      type: "mutation",
      input: { period: "2026-04" },
    });
    const [first] = at95.data as Array<{ status: string; invoice: InvoiceView; clientName: string }>;
    expect(first).toMatchObject({ status: "created", invoice: { totalMinor: 1010, creditsMinor: 0 } });
    // The other client has no contract: reported, not failed.
    expect((at95.data as Array<{ status: string; reason?: string }>)[1]).toMatchObject({
      status: "skipped",
      reason: "no_contract",
    });
    // 8 more met and 2 more breached: 27 of 30 = exactly 90 %, inside [90, 95) → 5 % of 1010 = 50.5 → 51.
    await insertItems(db.owner, { agency: other, clientId: other.client.id }, clocksOn("2026-04-08", 10, 8));
    const refresh = (invoiceId: string) =>
      callProcedure(app, { cookie, path: "invoices.refresh", type: "mutation", input: { invoiceId } });
    const at90 = (await refresh(first!.invoice.id)).data as InvoiceDetailView;
    expect(at90).toMatchObject({ feesMinor: 1010, creditsMinor: 51, totalMinor: 959 });
    const credit = at90.lines.find((line) => line.kind === "service_credit");
    expect(credit).toMatchObject({ amountMinor: -51, evidence: { met: 27, total: 30, creditPercent: 5 } });
    expect(credit?.evidence?.breachedItemIds).toHaveLength(3);
    // 27 of 33 (81.8 %) → 10 % = 101, above a 3 % cap (30.3 → 30).
    await db.owner
      .update(schema.contracts)
      .set({ terms: { ...terms, creditCapPercent: 3 } })
      .where(eq(schema.contracts.clientId, other.client.id));
    await insertItems(db.owner, { agency: other, clientId: other.client.id }, clocksOn("2026-04-09", 3, 0));
    const capped = (await refresh(first!.invoice.id)).data as InvoiceDetailView;
    expect(capped).toMatchObject({ creditsMinor: 30, totalMinor: 980 });
    expect(capped.lines.at(-1)).toMatchObject({
      amountMinor: -30,
      evidence: { capped: true, uncappedAmountMinor: 101 },
    });
    // Deterministic: the same data gives the same lines and cents.
    const again = (await refresh(first!.invoice.id)).data as InvoiceDetailView;
    expect(again.lines).toEqual(capped.lines);
    expect(again.totalMinor).toBe(capped.totalMinor);
    // Drill-down from the credit line to the breached items.
    const drill = await callProcedure(app, {
      cookie,
      path: "invoices.breachedItems",
      type: "query",
      input: { invoiceId: first!.invoice.id, priority: "P1", metric: "first_response" },
    });
    expect(drill.data).toMatchObject({ total: 6 });
    expect((drill.data as { items: unknown[] }).items).toHaveLength(6);
  });

  it("keeps a credit line's breached items in start order: late, running past due, met only by client-side time", async () => {
    const other = await makeAgency(db.owner);
    const scope = await scopeOf(db.app, other, other.users.accountManager);
    await saveTerms(db.app, scope, other.client.id, contractTerms({ excludeClientSideTime: false }));
    const [, clientSide, late, running, paused] = await insertItems(
      db.owner,
      { agency: other, clientId: other.client.id },
      [
        { stoppedAfter: 20 },
        { stoppedAfter: 75, clientSideMinutes: 30 }, // on time only without its 30 client-side minutes
        { stoppedAfter: 90 },
        { stoppedAfter: null }, // still running, long past due
        { stoppedAfter: null }, // running, but waiting on the client now: not decided
      ].map((clock, index) => ({
        receivedAt: new Date(Date.parse("2026-07-07T12:00:00Z") + index * 60_000),
        clocks: [clock],
      })),
    );
    await db.owner
      .update(schema.slaClocks)
      .set({ pauses: [["2026-07-07T12:30:00.000Z", null]] })
      .where(eq(schema.slaClocks.itemId, paused!));
    const drafts = await withTenant(db.app, { agencyId: other.agency.id, clientIds: null }, (tx) =>
      createInvoiceDrafts(scope, tx, { period: "2026-07", clientIds: [other.client.id] }),
    );
    const [draft] = drafts as Array<{ invoice: InvoiceView }>;
    const lines = await withTenant(db.app, { agencyId: other.agency.id, clientIds: null }, (tx) =>
      tx.select().from(schema.invoiceLines).where(eq(schema.invoiceLines.invoiceId, draft!.invoice.id)),
    );
    const credit = lines.find((line) => line.kind === "service_credit");
    expect(credit?.evidence).toMatchObject({ met: 1, total: 4, breachedItemIds: [clientSide, late, running] });
  });

  it("bills a month under the contract in force on its first day (a mid-month change applies next month)", async () => {
    const base = contractTerms();
    await saveTerms(db.app, amScope, clientId(), { ...base, validFrom: "2026-05-01", validTo: "2026-05-15" });
    await saveTerms(db.app, amScope, clientId(), { ...base, validFrom: "2026-05-15", retainerMinor: 600_000 });
    expect((await draftOf(clientId(), "2026-05")).lines[0]).toMatchObject({ kind: "retainer", amountMinor: 450_000 });
    expect((await draftOf(clientId(), "2026-06")).lines[0]).toMatchObject({ kind: "retainer", amountMinor: 600_000 });
    // April has no contract in force on its first day.
    const april = await call("invoices.createDrafts", { period: "2026-04", clientIds: [clientId()] });
    expect(april.data).toMatchObject([{ status: "skipped", reason: "no_contract" }]);
  });

  it("names a bad period and changes nothing", async () => {
    const bad = await call("invoices.createDrafts", { period: "2026-13" });
    expect(bad.status).toBe(400);
    expect(bad.error?.details.fields).toEqual({ period: 'must be a month "YYYY-MM"' });
  });
});

describe("finalize, immutability and credit notes", () => {
  it("numbers, freezes (procedure and database refuse changes) and corrects with a credit note", async () => {
    const clientId = a.client.id;
    const draft = await draftOf(clientId, "2026-06");
    const finalized = await call("invoices.finalize", { invoiceId: draft.id });
    expect(finalized.status).toBe(200);
    const invoice = finalized.data as InvoiceDetailView;
    expect(invoice.number).toMatch(/^NS-2026-\d{4}$/);
    expect(invoice).toMatchObject({ status: "finalized", totalMinor: draft.totalMinor });

    const again = await call("invoices.finalize", { invoiceId: draft.id });
    expect(again.status).toBe(409);
    expect(again.error?.details.reason).toBe("invoice_finalized");
    const refresh = await call("invoices.refresh", { invoiceId: draft.id });
    expect(refresh.error?.details.reason).toBe("invoice_finalized");
    const redraft = await call("invoices.createDrafts", { period: "2026-06", clientIds: [clientId] });
    expect(redraft.data).toMatchObject([{ status: "skipped", reason: "already_finalized" }]);

    // As the app role, in the tenant: the trigger refuses the change; payment columns may move.
    const tenant = { agencyId: a.agency.id, clientIds: null };
    const update = withTenant(db.app, tenant, (tx) =>
      tx.execute(sql`update invoices set total_minor = 1 where id = ${draft.id}`),
    );
    await expect(update).rejects.toMatchObject({ cause: { message: expect.stringMatching(/is finalized/) } });
    const lineUpdate = withTenant(db.app, tenant, (tx) =>
      tx.execute(sql`update invoice_lines set amount_minor = 1 where invoice_id = ${draft.id}`),
    );
    await expect(lineUpdate).rejects.toMatchObject({ cause: { message: expect.stringMatching(/cannot be changed/) } });
    await withTenant(db.app, tenant, (tx) =>
      tx.execute(sql`update invoices set payment_status = 'open' where id = ${draft.id}`),
    );

    const credited = await call("invoices.creditNote", { invoiceId: draft.id, reason: "Retainer was wrong" });
    expect(credited.status).toBe(200);
    const { creditNote, draft: fresh } = credited.data as {
      creditNote: InvoiceDetailView;
      draft: { status: string; invoice: InvoiceView };
    };
    expect(creditNote).toMatchObject({
      kind: "credit_note",
      status: "finalized",
      totalMinor: -invoice.totalMinor,
      correctsInvoiceId: invoice.id,
    });
    expect(creditNote.lines.map((l) => l.amountMinor)).toEqual(invoice.lines.map((l) => -l.amountMinor));
    expect(fresh).toMatchObject({ status: "created", invoice: { status: "draft", period: "2026-06" } });
    const twice = await call("invoices.creditNote", { invoiceId: draft.id, reason: "again" });
    expect(twice.error?.details.reason).toBe("already_credited");
    const second = await call("invoices.finalize", { invoiceId: fresh.invoice.id });
    const numbers = [invoice.number, creditNote.number, (second.data as InvoiceView).number].map((n) =>
      Number(n?.slice(-4)),
    );
    expect(numbers).toEqual([numbers[0], numbers[0]! + 1, numbers[0]! + 2]);
  });

  it("numbers concurrent finalizes without gaps", async () => {
    const agency = await makeAgency(db.owner, { name: "Race Condition Ltd" });
    const cookie = await signInAs(app, agency.users.accountManager.email);
    const scope = await scopeOf(db.app, agency, agency.users.accountManager);
    await saveTerms(db.app, scope, agency.client.id, contractTerms({ slaTargets: [], creditTiers: [] }));
    const ids: string[] = [];
    for (const month of ["01", "02", "03", "04", "05", "06", "07", "08"]) {
      const created = await callProcedure(app, {
        cookie,
        path: "invoices.createDrafts",
        type: "mutation",
        input: { period: `2026-${month}`, clientIds: [agency.client.id] },
      });
      ids.push((created.data as Array<{ invoice: InvoiceView }>)[0]!.invoice.id);
    }
    // Each invoice twice at once: one of each pair wins, the other is refused, and no number is lost.
    const results = await Promise.all(
      [...ids, ...ids].map((invoiceId) =>
        callProcedure(app, { cookie, path: "invoices.finalize", type: "mutation", input: { invoiceId } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(8);
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
    const numbers = results.flatMap((r) => (r.status === 200 ? [(r.data as InvoiceView).number] : []));
    expect(numbers.sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `RC-2026-000${n}`));
  });
});

describe("exports and access", () => {
  let invoice: InvoiceDetailView;
  beforeAll(async () => {
    const clientId = a.client.id;
    await insertItems(db.owner, { agency: a, clientId }, clocksOn("2026-07-14", 10, 8));
    const draft = await draftOf(clientId, "2026-07");
    invoice = (await call("invoices.finalize", { invoiceId: draft.id })).data as InvoiceDetailView;
  });

  it("renders the PDF with its totals and the CSV with one row per line and per clock", async () => {
    expect(invoice.lines.some((line) => line.kind === "service_credit")).toBe(true);
    const pdf = await get(am, `/v1/invoices/${invoice.id}.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const text = pdfText(await pdf.arrayBuffer());
    expect(text).toContain(invoice.number!);
    expect(text).toMatch(/1 July 2026 – 31 July 2026/);
    const euros = (minor: number) =>
      new Intl.NumberFormat("en-GB", { style: "currency", currency: "EUR" }).format(minor / 100);
    expect(text).toContain(euros(invoice.totalMinor));
    expect(text).toContain(euros(invoice.feesMinor));

    const csv = await get(am, `/v1/invoices/${invoice.id}.csv`);
    const rows = (await csv.text())
      .replace(/^\ufeff/, "")
      .trimEnd()
      .split("\r\n");
    expect(rows).toHaveLength(invoice.lines.length + 1);
    expect(rows.slice(1).map((row) => row.split(",")[0])).toEqual(invoice.lines.map((line) => line.kind));

    const evidence = await get(am, `/v1/invoices/${invoice.id}/evidence.csv`);
    const evidenceRows = (await evidence.text())
      .replace(/^\ufeff/, "")
      .trimEnd()
      .split("\r\n");
    expect(evidenceRows).toHaveLength(11);
    expect(evidenceRows.slice(1).filter((row) => row.endsWith(",no"))).toHaveLength(2);

    const json = await get(am, `/v1/invoices/${invoice.id}`);
    expect(await json.json()).toMatchObject({ id: invoice.id, number: invoice.number });
    const list = await get(am, `/v1/invoices?clientId=${a.client.id}&period=2026-07`);
    expect(((await list.json()) as InvoiceView[]).map((i) => i.id)).toEqual([invoice.id]);
    const bad = await get(am, "/v1/invoices?period=July");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { fields: object } } }).error.details.fields).toHaveProperty(
      "period",
    );
  });

  it("lets stakeholders read only their own client's finalized invoices, and no one another agency's", async () => {
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    const draft = await draftOf(a.client.id, "2026-08");
    const list = await call("invoices.list", { clientId: a.client.id }, { cookie: stakeholder, type: "query" });
    const seen = (list.data as InvoiceView[]).map((i) => i.status);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((status) => status === "finalized")).toBe(true);
    expect((await get(stakeholder, `/v1/invoices/${draft.id}.pdf`)).status).toBe(404);
    expect((await get(stakeholder, `/v1/invoices/${invoice.id}.pdf`)).status).toBe(200);
    const finalize = await call("invoices.finalize", { invoiceId: draft.id }, { cookie: stakeholder });
    expect(finalize.status).toBe(403);
    const moderator = await signInAs(app, a.users.moderator.email);
    expect((await get(moderator, `/v1/invoices/${invoice.id}`)).status).toBe(403);
    const outsider = await signInAs(app, b.users.accountManager.email);
    expect((await get(outsider, `/v1/invoices/${invoice.id}`)).status).toBe(404);
    const outsiderGet = await call("invoices.get", { invoiceId: invoice.id }, { cookie: outsider, type: "query" });
    expect(outsiderGet.status).toBe(404);
    expect((await app.request(`http://parley.test/v1/invoices/${invoice.id}`)).status).toBe(401);
  });

  it("answers an agency API key with every invoice of its agency, and nothing of another", async () => {
    const ownerScope = await scopeOf(db.app, a, a.users.owner);
    const { secret } = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      createApiKey(ownerScope, tx, { name: "Accounting export", scopes: ["invoices:read"] }),
    );
    const withKey = (url: string, key = secret) =>
      app.request(`http://parley.test${url}`, { headers: { host: "parley.test", authorization: `Bearer ${key}` } });
    const listed = (await (await withKey("/v1/invoices?period=2026-07")).json()) as InvoiceView[];
    expect(listed.map((i) => i.id)).toEqual([invoice.id]);
    expect((await withKey(`/v1/invoices/${invoice.id}.csv`)).status).toBe(200);
    const bScope = await scopeOf(db.app, b, b.users.owner);
    const other = await withTenant(db.app, { agencyId: b.agency.id, clientIds: null }, (tx) =>
      createApiKey(bScope, tx, { name: "Other agency", scopes: ["invoices:read"] }),
    );
    expect((await withKey(`/v1/invoices/${invoice.id}`, other.secret)).status).toBe(404);
    // A key restricted to another client of the same agency sees none of this client's invoices.
    const otherClientId = invoice.clientId === a.client.id ? a.otherClient.id : a.client.id;
    const restricted = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      createApiKey(ownerScope, tx, { name: "One client", scopes: ["invoices:read"], clientId: otherClientId }),
    );
    expect(await (await withKey("/v1/invoices?period=2026-07", restricted.secret)).json()).toEqual([]);
    expect((await withKey(`/v1/invoices/${invoice.id}`, restricted.secret)).status).toBe(404);
    expect((await withKey(`/v1/invoices/${invoice.id}.pdf`, restricted.secret)).status).toBe(404);
    expect((await withKey("/v1/invoices", "pk_live_nope")).status).toBe(401);
  });
});
