import { formatCompliancePercent } from "@parley/contracts/billing";
import type { InvoiceDetailView } from "@parley/core/billing";
import { createTestDatabase, pdfText, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, type TestApp } from "../support/http";
import { clocksOn, contractTerms, insertItems, makeNorthwind, saveTerms } from "./fixtures";

/**
 * One compliance rule (packages/contracts/src/billing/compliance.ts): 159 of 179 met is 88.826… %, compared with the
 * target exactly and shown truncated, "88.82 %", in the line, the PDF, both CSVs and the web app (which formats with
 * the same `formatCompliancePercent`).
 */
let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
});
afterAll(() => db.close());

const get = (cookie: string, url: string) =>
  app.request(`http://parley.test${url}`, { headers: { host: "parley.test", cookie } });

describe("compliance, one rounding rule", () => {
  it("prints 159 of 179 as 88.82 % in the line, the PDF and the CSVs, and credits the tier below 90 %", async () => {
    const { agency, am, amScope } = await makeNorthwind(db, app);
    const clientId = agency.client.id;
    await saveTerms(
      db.app,
      amScope,
      clientId,
      contractTerms({
        slaTargets: [
          { priority: "P1", metric: "first_response", minutes: 60, calendar: "24x7", complianceTargetPercent: 88.83 },
        ],
        creditTiers: [{ fromPercent: 0, toPercent: 88.83, creditPercent: 10 }],
      }),
    );
    await insertItems(db.owner, { agency, clientId }, clocksOn("2026-09-10", 179, 159));
    const created = await callProcedure(app, {
      cookie: am,
      path: "invoices.createDrafts",
      type: "mutation",
      input: { period: "2026-09", clientIds: [clientId] },
    });
    const [outcome] = created.data as Array<{ invoice: { id: string } }>;
    const got = await callProcedure(app, {
      cookie: am,
      path: "invoices.get",
      type: "query",
      input: { invoiceId: outcome?.invoice.id },
    });
    const invoice = got.data as InvoiceDetailView;
    // 88.826… is below 88.83 exactly (a rounded 88.83 would have passed): a credit.
    const credit = invoice.lines.find((line) => line.kind === "service_credit");
    expect(credit?.description).toContain("159 of 179 met (88.82 %) against a 88.83 % target");
    expect(formatCompliancePercent({ met: 159, total: 179 })).toBe("88.82");

    const pdf = await get(am, `/v1/invoices/${invoice.id}.pdf`);
    const text = pdfText(await pdf.arrayBuffer());
    expect(text).toContain("159 of 179 met (88.82 %) against a");
    expect(text).toMatch(/159 \/ 179\s+88\.82 %\s+88\.83 %\s+Missed/);
    expect(text).toMatch(/P1 first response\s+88\.82 %/);

    const csv = await (await get(am, `/v1/invoices/${invoice.id}.csv`)).text();
    expect(csv).toContain("159 of 179 met (88.82 %)");
    expect(csv).toContain(",159,179,88.82,88.83,");
    const evidence = await (await get(am, `/v1/invoices/${invoice.id}/evidence.csv`)).text();
    expect(evidence.split("\r\n").filter((row) => row.includes(",no")).length).toBeGreaterThan(0);
  });
});

describe("finalize", () => {
  it("refuses a draft whose inputs changed since it was drafted, showing the difference; refreshed, it finalizes", async () => {
    const { agency, am, amScope } = await makeNorthwind(db, app);
    const clientId = agency.client.id;
    await saveTerms(
      db.app,
      amScope,
      clientId,
      contractTerms({ includedItems: 10, overageTiers: [{ upTo: null, unitPriceMinor: 100 }] }),
    );
    await insertItems(db.owner, { agency, clientId }, clocksOn("2026-10-10", 12, 12));
    const call = (path: string, input: unknown) => callProcedure(app, { cookie: am, path, type: "mutation", input });
    const created = await call("invoices.createDrafts", { period: "2026-10", clientIds: [clientId] });
    const [outcome] = created.data as Array<{ invoice: { id: string; totalMinor: number } }>;
    const invoiceId = outcome?.invoice.id;
    expect(outcome?.invoice.totalMinor).toBe(450_000 + 2 * 100);
    // A late-arriving October item (a CSV backfill): the draft no longer says what October was.
    await insertItems(db.owner, { agency, clientId }, clocksOn("2026-10-20", 1, 1));
    const refused = await call("invoices.finalize", { invoiceId });
    expect(refused.status).toBe(409);
    expect(refused.error?.details.reason).toBe("draft_stale");
    expect(refused.error?.message).toContain("total €4,502.00 → €4,503.00");
    const still = await callProcedure(app, { cookie: am, path: "invoices.get", type: "query", input: { invoiceId } });
    expect(still.data).toMatchObject({ status: "draft", totalMinor: 450_200 });
    await call("invoices.refresh", { invoiceId });
    const finalized = await call("invoices.finalize", { invoiceId });
    expect(finalized.status).toBe(200);
    expect(finalized.data).toMatchObject({ status: "finalized", totalMinor: 450_300 });
  });
});
