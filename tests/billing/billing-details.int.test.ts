import type { AgencyBillingDetailsView, ClientView } from "@parley/contracts";
import { finalizeInvoice, type InvoiceDetailView, type InvoiceView } from "@parley/core/billing";
import type { Scope } from "@parley/core/kernel";
import { schema, withTenant } from "@parley/db";
import {
  createTestDatabase,
  pdfText as extractPdfText,
  makeAgency,
  makeUser,
  type TestAgency,
  type TestDatabase,
} from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { clocksOn, contractTerms, insertItems, makeNorthwind, saveTerms, scopeOf } from "./fixtures";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let owner: string;
let am: string;
let amScope: Scope;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  ({ agency: a, am, amScope } = await makeNorthwind(db, app));
  owner = await signInAs(app, a.users.owner.email);
});
afterAll(() => db.close());

const call = (cookie: string, path: string, input: unknown, type: "query" | "mutation" = "mutation") =>
  callProcedure(app, { cookie, path, type, input });

const get = (cookie: string, url: string) =>
  app.request(`http://parley.test${url}`, { headers: { host: "parley.test", cookie } });

async function agencyRow() {
  const [row] = await db.owner.select().from(schema.agencies).where(eq(schema.agencies.id, a.agency.id));
  return row!;
}

async function clientRow(clientId: string) {
  const [row] = await db.owner.select().from(schema.clients).where(eq(schema.clients.id, clientId));
  return row!;
}

async function pdfText(cookie: string, invoiceId: string): Promise<string> {
  const pdf = await get(cookie, `/v1/invoices/${invoiceId}.pdf`);
  expect(pdf.status).toBe(200);
  return extractPdfText(await pdf.arrayBuffer());
}

const northwind = {
  legalName: "Northwind Social Care Ltd",
  billingAddress: "4th Floor, 21 Albion Street\n  Leeds LS1 5ES \n\nUnited Kingdom",
  taxId: "GB 123 4567 89",
  billingEmail: "Billing@Northwind.test",
};

describe("billing details: validation and editing", () => {
  it("names every bad field (400) and changes nothing", async () => {
    const before = await agencyRow();
    const bad = await call(owner, "agency.updateBillingDetails", {
      legalName: "x".repeat(201),
      billingAddress: Array.from({ length: 9 }, (_, i) => `Line ${i + 1}`).join("\n"),
      taxId: "VAT!",
      billingEmail: "not-an-address",
    });
    expect(bad.status).toBe(400);
    expect(bad.error?.code).toBe("BAD_INPUT");
    expect(bad.error?.details.fields).toEqual({
      legalName: "must be at most 200 characters",
      billingAddress: "must have at most 8 lines",
      taxId: "must be 2–40 letters, digits, spaces, '.', '-' or '/', with at least one digit",
      billingEmail: "must be an e-mail address",
    });
    expect(await agencyRow()).toEqual(before);

    const clientBefore = await clientRow(a.client.id);
    const badClient = await call(am, "clients.updateBillingDetails", {
      clientId: a.client.id,
      billingAddress: `${"y".repeat(201)}\nParis`,
      taxId: "no digits",
      billingEmail: "ap@",
    });
    expect(badClient.status).toBe(400);
    expect(badClient.error?.details.fields).toEqual({
      billingAddress: "line 1 must be at most 200 characters",
      taxId: "must be 2–40 letters, digits, spaces, '.', '-' or '/', with at least one digit",
      billingEmail: "must be an e-mail address",
    });
    expect(await clientRow(a.client.id)).toEqual(clientBefore);
  });

  it("saves normalized details, audits them, and refuses the wrong people", async () => {
    const saved = await call(owner, "agency.updateBillingDetails", northwind);
    expect(saved.status).toBe(200);
    expect(saved.data).toMatchObject({
      agencyId: a.agency.id,
      name: "Northwind Social",
      legalName: "Northwind Social Care Ltd",
      billingAddress: "4th Floor, 21 Albion Street\nLeeds LS1 5ES\nUnited Kingdom",
      taxId: "GB 123 4567 89",
      billingEmail: "billing@northwind.test",
    } satisfies AgencyBillingDetailsView);
    const read = await call(owner, "agency.billingDetails", undefined, "query");
    expect(read.data).toEqual(saved.data);
    // Account managers may not change the agency's details, but may change their clients'.
    const refused = await call(am, "agency.updateBillingDetails", northwind);
    expect(refused.error?.code).toBe("FORBIDDEN");

    const client = await call(am, "clients.updateBillingDetails", {
      clientId: a.client.id,
      billingAddress: "12 rue de Rivoli\n75004 Paris\nFrance",
      taxId: "FR40303265045",
      billingEmail: "",
    });
    expect(client.status).toBe(200);
    expect((client.data as ClientView).billing).toEqual({
      billingAddress: "12 rue de Rivoli\n75004 Paris\nFrance",
      taxId: "FR40303265045",
      billingEmail: null,
    });
    const listed = await call(am, "clients.list", { includeArchived: false }, "query");
    expect((listed.data as ClientView[]).find((c) => c.id === a.client.id)?.billing.taxId).toBe("FR40303265045");

    // An account manager of the first client only does not see the second one.
    const scoped = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "account_manager",
      assignments: [{ clientId: a.client.id, authority: "view" }],
    });
    const other = await call(await signInAs(app, scoped.email), "clients.updateBillingDetails", {
      clientId: a.otherClient.id,
      billingAddress: "Nowhere",
      taxId: null,
      billingEmail: null,
    });
    expect(other.error?.code).toBe("NOT_FOUND");

    const audits = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.agencyId, a.agency.id)));
    const actions = audits.map((event) => event.action);
    expect(actions).toContain("agency.billing_details_updated");
    expect(actions).toContain("client.billing_details_updated");
    const agencyAudit = audits.find((event) => event.action === "agency.billing_details_updated");
    expect(agencyAudit?.after).toMatchObject({ taxId: "GB 123 4567 89" });
  });
});

describe("finalize: due date and frozen parties", () => {
  it("records the issue and due dates in the client's calendar and the parties as they stood", async () => {
    const clientId = a.otherClient.id; // America/New_York
    await call(owner, "agency.updateBillingDetails", northwind);
    await call(am, "clients.updateBillingDetails", {
      clientId,
      billingAddress: "500 Market Street\nSan Francisco, CA 94105\nUSA",
      taxId: "12-3456789",
      billingEmail: "ap@client-b.test",
    });
    await saveTerms(db.app, amScope, clientId, contractTerms({ paymentTermsDays: 14 }));
    await insertItems(db.owner, { agency: a, clientId }, clocksOn("2026-08-12", 10, 8));
    const created = await call(am, "invoices.createDrafts", { period: "2026-08", clientIds: [clientId] });
    const draftId = (created.data as Array<{ invoice: InvoiceView }>)[0]!.invoice.id;

    // A draft shows the parties as they stand today.
    const draftText = await pdfText(am, draftId);
    expect(draftText).toContain("500 Market Street");

    // 02:00 UTC on 1 October is still 30 September in New York: the client's calendar decides.
    const finalized = await withTenant(db.app, { agencyId: a.agency.id, clientIds: amScope.clientIds }, (tx) =>
      finalizeInvoice(amScope, tx, { invoiceId: draftId }, { now: () => new Date("2026-10-01T02:00:00Z") }),
    );
    expect(finalized).toMatchObject({ status: "finalized", issuedOn: "2026-09-30", dueOn: "2026-10-14" });
    const [row] = await db.owner.select().from(schema.invoices).where(eq(schema.invoices.id, draftId));
    expect((row!.snapshot as { document: unknown }).document).toMatchObject({
      issuedOn: "2026-09-30",
      dueOn: "2026-10-14",
      agency: {
        name: "Northwind Social Care Ltd",
        addressLines: ["4th Floor, 21 Albion Street", "Leeds LS1 5ES", "United Kingdom"],
        taxId: "GB 123 4567 89",
        email: "billing@northwind.test",
      },
      client: {
        addressLines: ["500 Market Street", "San Francisco, CA 94105", "USA"],
        taxId: "12-3456789",
        email: "ap@client-b.test",
      },
      notes: "Payment terms: 14 days from the issue date.",
    });

    const before = await pdfText(am, draftId);
    for (const expected of [
      "Northwind Social Care Ltd",
      "4th Floor, 21 Albion Street",
      "Tax ID: GB 123 4567 89",
      "billing@northwind.test",
      "500 Market Street",
      "Tax ID: 12-3456789",
    ]) {
      expect(before).toContain(expected);
    }
    expect(before).toMatch(/Issue date\s+30 September 2026/);
    expect(before).toMatch(/Due date\s+14 October 2026/);

    // Later changes of either party never alter the finalized invoice.
    await call(owner, "agency.updateBillingDetails", {
      ...northwind,
      billingAddress: "1 New Street\nManchester M1 1AA",
      taxId: "GB 999 9999 99",
    });
    await call(am, "clients.updateBillingDetails", {
      clientId,
      billingAddress: "1 Moved Avenue",
      taxId: "98-7654321",
      billingEmail: null,
    });
    const after = await pdfText(am, draftId);
    expect(after).toBe(before);
    expect(after).not.toContain("1 New Street");
    expect(after).not.toContain("1 Moved Avenue");

    // The JSON and the lines CSV carry the due date.
    const json = (await (await get(am, `/v1/invoices/${draftId}`)).json()) as InvoiceDetailView;
    expect(json).toMatchObject({ issuedOn: "2026-09-30", dueOn: "2026-10-14" });
    const csv = (await (await get(am, `/v1/invoices/${draftId}.csv`)).text()).replace(/^\ufeff/, "").trimEnd();
    const [header, ...rows] = csv.split("\r\n");
    expect(header?.endsWith("invoice number,issued on,due on")).toBe(true);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((line) => line.endsWith(`${json.number},2026-09-30,2026-10-14`))).toBe(true);

    // A credit note keeps the parties the invoice was billed to, and nothing is due on it.
    const credited = await call(am, "invoices.creditNote", { invoiceId: draftId, reason: "Wrong retainer" });
    const note = (credited.data as { creditNote: InvoiceDetailView }).creditNote;
    expect(note.dueOn).toBeNull();
    const noteText = await pdfText(am, note.id);
    expect(noteText).toContain("500 Market Street");
    expect(noteText).not.toContain("1 Moved Avenue");
    expect(noteText).not.toContain("Due date");
  });

  it("gives a contract stored before payment terms existed 30 days", async () => {
    const agency = await makeAgency(db.owner, { name: "Legacy Terms Ltd" });
    const scope = await scopeOf(db.app, agency, agency.users.accountManager);
    const { paymentTermsDays: _dropped, ...legacy } = contractTerms({ slaTargets: [], creditTiers: [] });
    await db.owner.insert(schema.contracts).values({
      agencyId: agency.agency.id,
      clientId: agency.client.id,
      validFrom: legacy.validFrom,
      currency: legacy.currency,
      terms: legacy,
    });
    const cookie = await signInAs(app, agency.users.accountManager.email);
    const created = await call(cookie, "invoices.createDrafts", { period: "2026-09", clientIds: [agency.client.id] });
    const invoiceId = (created.data as Array<{ invoice: InvoiceView }>)[0]!.invoice.id;
    const finalized = await withTenant(db.app, { agencyId: agency.agency.id, clientIds: scope.clientIds }, (tx) =>
      finalizeInvoice(scope, tx, { invoiceId }, { now: () => new Date("2026-10-02T12:00:00Z") }),
    );
    expect(finalized).toMatchObject({ issuedOn: "2026-10-02", dueOn: "2026-11-01" });
    // Without billing details the invoice still renders: the agency's name, no address.
    const text = await pdfText(cookie, invoiceId);
    expect(text).toContain("Legacy Terms Ltd");
    expect(text).toMatch(/Due date\s+1 November 2026/);
  });
});
