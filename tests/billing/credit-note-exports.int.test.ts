import type { InvoiceDetailView, InvoiceView } from "@parley/core/billing";
import { createTestDatabase, pdfText, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { clocksOn, contractTerms, insertItems, makeNorthwind, saveTerms } from "./fixtures";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let am: string;
let invoice: InvoiceDetailView;
let creditNote: InvoiceDetailView;

const call = (procedure: string, input: unknown, type: "query" | "mutation" = "mutation") =>
  callProcedure(app, { cookie: am, path: procedure, type, input });

const get = (cookie: string, url: string) =>
  app.request(`http://parley.test${url}`, { headers: { host: "parley.test", cookie } });

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  const northwind = await makeNorthwind(db, app);
  ({ agency: a, am } = northwind);
  await saveTerms(db.app, northwind.amScope, a.client.id, contractTerms());
  await insertItems(db.owner, { agency: a, clientId: a.client.id }, clocksOn("2026-05-12", 10, 8));
  const created = await call("invoices.createDrafts", { period: "2026-05", clientIds: [a.client.id] });
  const draft = (created.data as Array<{ invoice: InvoiceView }>)[0]!.invoice;
  invoice = (await call("invoices.finalize", { invoiceId: draft.id })).data as InvoiceDetailView;
  const credited = await call("invoices.creditNote", { invoiceId: invoice.id, reason: "Escalations counted twice" });
  expect(credited.status).toBe(200);
  creditNote = (credited.data as { creditNote: InvoiceDetailView }).creditNote;
});
afterAll(() => db.close());

const euros = (minor: number) =>
  new Intl.NumberFormat("en-GB", { style: "currency", currency: "EUR" }).format(minor / 100);

describe("credit note exports", () => {
  it("renders the credit note's PDF: titled so, its own number, the invoice it corrects, the credited total", async () => {
    expect(invoice.lines.some((line) => line.kind === "service_credit")).toBe(true);
    expect(creditNote.totalMinor).toBe(-invoice.totalMinor);
    const response = await get(am, `/v1/invoices/${creditNote.id}.pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${creditNote.number}.pdf"`);
    const text = pdfText(await response.arrayBuffer());
    expect(text).toContain("CREDIT NOTE");
    expect(text).toContain(creditNote.number!);
    expect(text).toMatch(new RegExp(`Corrects invoice\\s+${invoice.number}`));
    expect(text).toContain(`This credit note corrects invoice ${invoice.number}`);
    expect(text).toContain("Reason: Escalations counted twice");
    expect(text).toContain(a.client.name);
    expect(text).toContain("Northwind Social");
    expect(text).toMatch(/1 May 2026 – 31 May 2026/);
    expect(text).toMatch(new RegExp(`Total credited\\s+${euros(creditNote.totalMinor).replace(/[.$]/g, "\\$&")}`));
    expect(euros(creditNote.totalMinor).startsWith("-€")).toBe(true);
    expect(text).toContain(euros(creditNote.feesMinor));

    // The invoice's own PDF is unchanged: still an invoice with its total due.
    const original = pdfText(await (await get(am, `/v1/invoices/${invoice.id}.pdf`)).arrayBuffer());
    expect(original).toContain("INVOICE");
    expect(original).not.toContain("CREDIT NOTE");
    expect(original).toContain(euros(invoice.totalMinor));
  });

  it("writes the credit note's CSV with one row per line, adding up to the credited total", async () => {
    const response = await get(am, `/v1/invoices/${creditNote.id}.csv`);
    expect(response.status).toBe(200);
    const rows = (await response.text())
      .replace(/^\ufeff/, "")
      .trimEnd()
      .split("\r\n")
      .slice(1);
    expect(rows).toHaveLength(creditNote.lines.length);
    expect(rows.map((row) => row.split(",")[0])).toEqual(creditNote.lines.map((line) => line.kind));
    const amounts = creditNote.lines.map((line) => line.amountMinor);
    expect(amounts.reduce((sum, amount) => sum + amount, 0)).toBe(creditNote.totalMinor);
    for (const [index, row] of rows.entries()) {
      expect(row).toContain(`,${(amounts[index]! / 100).toFixed(2)},EUR`);
    }
  });

  it("lets the client's stakeholder download the credit note, and answers no evidence for it", async () => {
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    expect((await get(stakeholder, `/v1/invoices/${creditNote.id}.pdf`)).status).toBe(200);
    const evidence = await get(am, `/v1/invoices/${creditNote.id}/evidence.csv`);
    expect(evidence.status).toBe(409);
  });
});
