import { spawnSync } from "node:child_process";
import type { ContractTermsInput } from "@parley/contracts/billing";
import { formatMoney } from "@parley/contracts/billing";
import {
  computeInvoiceDraft,
  createCreditNoteDocument,
  createInvoiceDocument,
  creditNoteLines,
  type InvoiceDocument,
  type SlaEvidence,
} from "@parley/core/billing";
import { pdfText } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { renderInvoicePdf, toWinAnsi } from "./render-invoice-pdf";

const hexfallTerms: ContractTermsInput = {
  currency: "EUR",
  validFrom: "2026-01-01",
  retainerMinor: 850_000,
  includedItems: 12_000,
  overageTiers: [
    { upTo: 3_000, unitPriceMinor: 45 },
    { upTo: null, unitPriceMinor: 32.5 },
  ],
  escalationFeeMinor: 2_500,
  outOfHoursSurchargeMinor: 120,
  slaTargets: [
    { priority: "P1", metric: "first_response", minutes: 15, calendar: "24x7", complianceTargetPercent: 95 },
    { priority: "P1", metric: "resolution", minutes: 240, calendar: "24x7", complianceTargetPercent: 90 },
    { priority: "P2", metric: "first_response", minutes: 60, calendar: "business_hours", complianceTargetPercent: 95 },
    { priority: "P3", metric: "first_response", minutes: 480, calendar: "business_hours", complianceTargetPercent: 90 },
  ],
  creditTiers: [
    { fromPercent: 90, toPercent: 95, creditPercent: 5 },
    { fromPercent: 0, toPercent: 90, creditPercent: 10 },
  ],
  creditCapPercent: 15,
  excludeClientSideTime: true,
};

const hexfallEvidence: SlaEvidence[] = [
  { priority: "P1", metric: "first_response", total: 212, met: 199 },
  { priority: "P1", metric: "resolution", total: 208, met: 181 },
  { priority: "P2", metric: "first_response", total: 1_640, met: 1_602 },
  { priority: "P3", metric: "first_response", total: 0, met: 0 },
];

function makeHexfallDocument(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  const draft = computeInvoiceDraft({
    terms: hexfallTerms,
    itemCount: 18_437,
    escalationCount: 37,
    outOfHoursItemCount: 2_915,
    slaEvidence: hexfallEvidence,
  });
  return {
    ...createInvoiceDocument({
      number: "NW-2026-0007",
      issuedOn: "2026-04-02",
      period: { start: "2026-03-01", end: "2026-04-01", timeZone: "Europe/Paris" },
      agency: {
        name: "Northwind Social Care Ltd",
        addressLines: ["4th Floor, 21 Albion Street", "Leeds LS1 5ES", "United Kingdom"],
        taxId: "GB 123 4567 89",
      },
      client: {
        name: "Hexfall Games SAS",
        addressLines: ["Attn: Accounts Payable", "12 rue de Rivoli", "75004 Paris", "France"],
      },
      draft,
      terms: hexfallTerms,
      slaEvidence: hexfallEvidence,
      contractVersion: "Community care v3 (from 1 January 2026)",
      status: "finalized",
      notes:
        "Payment due within 30 days by bank transfer to IBAN GB29 NWBK 6016 1331 9268 19, quoting the invoice number. " +
        "Service credits are applied automatically as per schedule 2 of the contract.",
    }),
    ...overrides,
  };
}

/** 120 lines that add up: a long invoice that must run over several pages. */
function makeLongDocument(): InvoiceDocument {
  const lines = Array.from({ length: 120 }, (_, index) => ({
    kind: "escalations" as const,
    description: `Escalation ESC-${String(index + 1).padStart(4, "0")} handed over to the Hexfall live-ops team`,
    quantity: 1,
    unitPriceMinor: 2_500 + index,
    amountMinor: 2_500 + index,
  }));
  const fees = lines.reduce((sum, line) => sum + line.amountMinor, 0);
  return makeHexfallDocument({ lines, feesMinor: fees, creditsMinor: 0, creditCapMinor: 0, totalMinor: fees });
}

/** The credit note that cancels the Hexfall invoice: every line negated, its own number. */
function makeHexfallCreditNote(): InvoiceDocument {
  const invoice = makeHexfallDocument();
  return createCreditNoteDocument({
    number: "NW-2026-0011",
    issuedOn: "2026-04-20",
    corrected: invoice,
    lines: creditNoteLines(invoice.number, invoice.lines),
    reason: "Escalation fees were counted twice",
  });
}

const hasPdftotext = spawnSync("pdftotext", ["-v"]).error === undefined;
const withoutSpace = (value: string) => value.replace(/\s+/g, "");

describe("renderInvoicePdf", () => {
  it("renders an A4 PDF, the same bytes every time", async () => {
    const doc = makeHexfallDocument();
    const [first, second] = await Promise.all([renderInvoicePdf(doc), renderInvoicePdf(doc)]);
    expect(first.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(first.toString("latin1")).toContain("/MediaBox [0 0 595.28 841.89]");
    expect(first.equals(second)).toBe(true);
  });

  it("refuses a snapshot whose lines do not add up to its total", async () => {
    const doc = makeHexfallDocument();
    await expect(renderInvoicePdf({ ...doc, totalMinor: doc.totalMinor + 1 })).rejects.toMatchObject({
      code: "BAD_INPUT",
    });
  });

  it("maps text into Helvetica's WinAnsi encoding", () => {
    expect(toWinAnsi("Café – “Müller” €5 … Œuvre")).toBe("Café – “Müller” €5 … Œuvre");
    expect(toWinAnsi("Łódź Győr")).toBe("?ódz Gyor"); // ó is Latin-1; ź and ő lose their accents
    expect(toWinAnsi("5\u202f% − 3 ≤ 4")).toBe("5 % - 3 <= 4");
    expect(toWinAnsi("ヘックスフォール")).toBe("????????");
  });

  const textSuite = hasPdftotext
    ? "as text (pdftotext)"
    : "as text: SKIPPED, pdftotext is not installed (apt-get install poppler-utils)";
  describe.skipIf(!hasPdftotext)(textSuite, () => {
    it("shows the number, the parties, every line, the totals and the service level summary", async () => {
      const doc = makeHexfallDocument();
      expect(doc.lines.map((line) => line.kind)).toEqual([
        "retainer",
        "overage",
        "overage",
        "escalations",
        "out_of_hours",
        "service_credit",
        "service_credit",
      ]);
      const pdf = await renderInvoicePdf(doc);
      const text = pdfText(pdf);
      expect(text).toContain("INVOICE");
      expect(text).toContain("NW-2026-0007");
      expect(text).toContain("Hexfall Games SAS");
      expect(text).toContain("Northwind Social Care Ltd");
      expect(text).toContain("2 April 2026");
      expect(text).toContain("1 March 2026 – 31 March 2026");
      // Descriptions wrap inside their column: read that column alone.
      const descriptions = withoutSpace(pdfText(pdf, { crop: { x: 50, width: 295 } }));
      for (const line of doc.lines) {
        expect(descriptions).toContain(withoutSpace(line.description));
      }
      for (const line of doc.lines) {
        expect(text).toContain(formatMoney(line.amountMinor, "EUR"));
      }
      expect(text).toContain("€0.325"); // overage tier 2 at 32.5 cents, sub-cent digits kept
      expect(text).toMatch(/Subtotal \(fees\)\s+€15,390.03/);
      expect(text).toMatch(/Service credits\s+-€2,308.50/);
      expect(text).toMatch(/Total due\s+€13,081.53/);
      expect(doc.totalMinor).toBe(1_308_153);
      expect(text).toContain("Service level summary");
      expect(text).toMatch(/P1\s+First response\s+15 min, 24\/7\s+199 \/ 212\s+93.86 %\s+95 %\s+Missed/);
      expect(text).toMatch(/P1\s+Resolution\s+4 h, 24\/7\s+181 \/ 208\s+87.01 %\s+90 %\s+Missed/);
      expect(text).toMatch(/P2\s+First response\s+1 h, business hours\s+1,602 \/ 1,640\s+97.68 %\s+95 %\s+Met/);
      expect(text).toMatch(/P3\s+First response\s+8 h, business hours\s+0\s*\/\s*0\s+100.00 %\s+90 %\s+Met/);
      expect(text).toContain("Compliance by target");
      expect(text).toContain("Page 1 of 1");
      expect(pdfText(pdf, { mode: "-raw" })).not.toContain("DRAFT");
    });

    it("prints the due date when the document has one", async () => {
      const pdf = await renderInvoicePdf(makeHexfallDocument({ dueOn: "2026-05-02" }));
      const text = pdfText(pdf);
      expect(text).toMatch(/Issue date\s+2 April 2026/);
      expect(text).toMatch(/Due date\s+2 May 2026/);
      await expect(renderInvoicePdf(makeHexfallDocument({ dueOn: "2026-04-01" }))).rejects.toMatchObject({
        code: "BAD_INPUT",
      });
    });

    it("prints the seller's address, tax id and billing e-mail and the buyer's address and tax id", async () => {
      const doc = makeHexfallDocument({
        dueOn: "2026-05-02",
        agency: {
          name: "Northwind Social Care Ltd",
          addressLines: ["4th Floor, 21 Albion Street", "Leeds LS1 5ES", "United Kingdom"],
          taxId: "GB 123 4567 89",
          email: "billing@northwind.test",
        },
        client: {
          name: "Hexfall Games SAS",
          addressLines: ["12 rue de Rivoli", "75004 Paris", "France"],
          taxId: "FR40303265045",
          email: "ap@hexfall.test",
        },
      });
      const text = pdfText(await renderInvoicePdf(doc));
      for (const expected of [
        "4th Floor, 21 Albion Street",
        "Leeds LS1 5ES",
        "Tax ID: GB 123 4567 89",
        "billing@northwind.test",
        "12 rue de Rivoli",
        "75004 Paris",
        "Tax ID: FR40303265045",
      ]) {
        expect(text).toContain(expected);
      }
      expect(text).toMatch(/Due date\s+2 May 2026/);
    });

    it("marks a draft with a watermark and a status", async () => {
      const pdf = await renderInvoicePdf(makeHexfallDocument({ status: "draft" }));
      expect(pdfText(pdf)).toContain("Draft – not for payment");
      // The watermark is set at an angle, which -layout splits into letters.
      expect(pdfText(pdf, { mode: "-raw" })).toMatch(/^DRAFT$/m);
    });

    it("prints amounts with the ISO code when Helvetica lacks the currency's symbol", async () => {
      const pdf = await renderInvoicePdf(makeHexfallDocument({ currency: "INR" }));
      const text = pdfText(pdf);
      expect(text).toContain("INR 8,500.00");
      expect(text).toContain("INR 0.325");
      expect(text).toMatch(/Total due\s+INR 13,081.53/);
      expect(text).not.toContain("?");
    });

    it("renders a credit note titled as one: its number, the invoice it corrects, the reason and the credited total", async () => {
      const note = makeHexfallCreditNote();
      const pdf = await renderInvoicePdf(note);
      const text = pdfText(pdf);
      expect(text).toContain("CREDIT NOTE");
      expect(text).not.toContain("INVOICE\n");
      expect(text).toContain("NW-2026-0011");
      expect(text).toMatch(/Corrects invoice\s+NW-2026-0007/);
      expect(text).toMatch(/Invoice date\s+2 April 2026/);
      expect(text).toMatch(/Issue date\s+20 April 2026/);
      expect(text).toContain("This credit note corrects invoice NW-2026-0007 of 2 April 2026.");
      expect(text).toContain("Reason: Escalation fees were counted twice");
      expect(text).toContain("CREDIT TO");
      expect(text).toContain("Hexfall Games SAS");
      expect(text).toContain("1 March 2026 – 31 March 2026");
      expect(text).toContain(formatMoney(-850_000, "EUR")); // the retainer, credited
      expect(text).toMatch(/Fees credited\s+-€15,390.03/);
      expect(text).toMatch(/Service credits reversed\s+€2,308.50/);
      expect(text).toMatch(/Total credited\s+-€13,081.53/);
      expect(text).toContain("nothing is due on this credit note");
      expect(text).not.toContain("Total due");
      expect(text).not.toContain("Service level summary");
      expect(text).toMatch(/Credit note NW-2026-0011 · 20 April 2026\s+Page 1 of 1/);
      const descriptions = withoutSpace(pdfText(pdf, { crop: { x: 50, width: 295 } }));
      for (const line of note.lines) expect(descriptions).toContain(withoutSpace(line.description));
    });

    it("runs a 120-line invoice over several pages, repeating the table header", async () => {
      const doc = makeLongDocument();
      const pdf = await renderInvoicePdf(doc);
      const pages = pdfText(pdf)
        .split("\f")
        .filter((page) => page.trim() !== "");
      expect(pages.length).toBeGreaterThanOrEqual(3);
      const count = pages.length;
      pages.forEach((page, index) => {
        expect(page).toContain(`Page ${index + 1} of ${count}`);
      });
      expect(pages[1]).toContain("Invoice NW-2026-0007 (continued)");
      expect(pages[1]).toMatch(/DESCRIPTION\s+QTY\s+UNIT PRICE\s+AMOUNT/);
      const all = pages.join("\n");
      for (const line of doc.lines) expect(all).toContain(line.description);
      expect(all).toContain(`Total due`);
      expect(all).toContain(formatMoney(doc.totalMinor, "EUR"));
    });
  });
});
