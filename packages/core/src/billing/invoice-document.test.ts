import { type ContractTermsInput, formatCompliancePercent } from "@parley/contracts/billing";
import { describe, expect, it } from "vitest";
import {
  buildSlaSummary,
  createCreditNoteDocument,
  createInvoiceDocument,
  describeTargetMinutes,
  formatMinorAsDecimal,
  type InvoiceDocument,
  lastDayOfPeriod,
  parseInvoiceDocument,
  parseInvoiceEvidenceRows,
} from "./invoice-document";
import { computeInvoiceDraft, type SlaEvidence } from "./invoice-math";

const terms: ContractTermsInput = {
  currency: "EUR",
  validFrom: "2026-01-01",
  retainerMinor: 250_000,
  includedItems: 10_000,
  overageTiers: [{ upTo: null, unitPriceMinor: 40 }],
  escalationFeeMinor: 1_500,
  outOfHoursSurchargeMinor: 0,
  slaTargets: [
    { priority: "P2", metric: "resolution", minutes: 480, calendar: "business_hours", complianceTargetPercent: 90 },
    { priority: "P1", metric: "first_response", minutes: 15, calendar: "24x7", complianceTargetPercent: 95 },
    { priority: "P1", metric: "resolution", minutes: 240, calendar: "24x7", complianceTargetPercent: 90 },
  ],
  creditTiers: [{ fromPercent: 0, toPercent: 95, creditPercent: 5 }],
  creditCapPercent: 20,
  excludeClientSideTime: true,
};

const evidence: SlaEvidence[] = [
  { priority: "P1", metric: "first_response", total: 50, met: 47 },
  { priority: "P1", metric: "resolution", total: 0, met: 0 },
  { priority: "P2", metric: "resolution", total: 100, met: 95 },
];

function makeDocument(): InvoiceDocument {
  return createInvoiceDocument({
    number: "NW-2026-0007",
    issuedOn: "2026-04-02",
    period: { start: "2026-03-01", end: "2026-04-01", timeZone: "Europe/Paris" },
    agency: { name: "Northwind Social Care Ltd", addressLines: ["Leeds LS1 5ES"], taxId: "GB123456789" },
    client: { name: "Hexfall Games SAS" },
    draft: computeInvoiceDraft({
      terms,
      itemCount: 12_000,
      escalationCount: 3,
      outOfHoursItemCount: 0,
      slaEvidence: evidence,
    }),
    terms,
    slaEvidence: evidence,
    contractVersion: "v3 (from 1 January 2026)",
    status: "draft",
  });
}

describe("createInvoiceDocument", () => {
  it("snapshots the draft's lines and totals with one SLA summary row per target, P1 first", () => {
    const doc = makeDocument();
    expect(doc.lines.map((line) => line.kind)).toEqual(["retainer", "overage", "escalations", "service_credit"]);
    expect(doc).toMatchObject({ feesMinor: 334_500, creditsMinor: 16_725, totalMinor: 317_775, currency: "EUR" });
    expect(doc.slaSummary).toEqual([
      {
        priority: "P1",
        metric: "first_response",
        targetMinutes: 15,
        calendar: "24x7",
        total: 50,
        met: 47,
        compliancePercent: 94,
        targetPercent: 95,
        missed: true,
      },
      {
        priority: "P1",
        metric: "resolution",
        targetMinutes: 240,
        calendar: "24x7",
        total: 0,
        met: 0,
        compliancePercent: 100,
        targetPercent: 90,
        missed: false,
      },
      {
        priority: "P2",
        metric: "resolution",
        targetMinutes: 480,
        calendar: "business_hours",
        total: 100,
        met: 95,
        compliancePercent: 95,
        targetPercent: 90,
        missed: false,
      },
    ]);
  });

  it("counts a target without evidence as 100 %", () => {
    expect(buildSlaSummary(terms.slaTargets, [])[0]).toMatchObject({ total: 0, compliancePercent: 100, missed: false });
  });
});

const fieldsOf = (input: unknown) => {
  try {
    parseInvoiceDocument(input);
  } catch (error) {
    return Object.keys((error as { details: { fields: Record<string, string> } }).details.fields);
  }
  return [];
};

describe("parseInvoiceDocument", () => {
  it("accepts a consistent snapshot", () => {
    expect(fieldsOf(makeDocument())).toEqual([]);
  });

  it("refuses totals that do not add up, naming the field", () => {
    const doc = makeDocument();
    expect(fieldsOf({ ...doc, totalMinor: doc.totalMinor - 1 })).toEqual(["totalMinor"]);
    expect(fieldsOf({ ...doc, feesMinor: doc.feesMinor + 1 })).toEqual(expect.arrayContaining(["feesMinor"]));
    expect(fieldsOf({ ...doc, creditsMinor: 0 })).toEqual(expect.arrayContaining(["creditsMinor"]));
  });

  it("refuses bad fields", () => {
    const doc = makeDocument();
    expect(fieldsOf({ ...doc, number: "NW 2026\n7" })).toEqual(["number"]);
    expect(fieldsOf({ ...doc, currency: "EURO" })).toEqual(["currency"]);
    expect(fieldsOf({ ...doc, period: { ...doc.period, end: "2026-02-28" } })).toEqual(["period.end"]);
    expect(fieldsOf({ ...doc, period: { ...doc.period, end: "2026-03-01" } })).toEqual(["period.end"]);
    expect(fieldsOf({ ...doc, period: { ...doc.period, timeZone: "Paris" } })).toEqual(["period.timeZone"]);
    expect(fieldsOf({ ...doc, client: { name: "Hexfall\r\nGames" } })).toEqual(["client.name"]);
    expect(fieldsOf({ ...doc, status: "paid" })).toEqual(["status"]);
    const lines = doc.lines.map((line, index) => (index === 0 ? { ...line, amountMinor: -line.amountMinor } : line));
    expect(fieldsOf({ ...doc, lines })).toEqual(expect.arrayContaining(["lines.0.amountMinor"]));
    const summary = doc.slaSummary.map((row, index) => (index === 0 ? { ...row, missed: false } : row));
    expect(fieldsOf({ ...doc, slaSummary: summary })).toEqual(["slaSummary.0.missed"]);
  });
});

describe("createCreditNoteDocument", () => {
  const invoice = { ...makeDocument(), status: "finalized" as const };
  const negated = invoice.lines.map(({ kind, description, quantity, unitPriceMinor, amountMinor }) => ({
    kind,
    description: `Credit of ${invoice.number}: ${description}`,
    quantity,
    unitPriceMinor: -unitPriceMinor,
    amountMinor: -amountMinor,
  }));
  const creditNote = () =>
    createCreditNoteDocument({
      number: "NW-2026-0008",
      issuedOn: "2026-04-20",
      corrected: invoice,
      lines: negated,
      reason: "Retainer was wrong",
    });

  it("negates the invoice: same parties and period, its own number, what it corrects and why", () => {
    const note = creditNote();
    expect(note).toMatchObject({
      kind: "credit_note",
      number: "NW-2026-0008",
      issuedOn: "2026-04-20",
      status: "finalized",
      corrects: { number: "NW-2026-0007", issuedOn: "2026-04-02", reason: "Retainer was wrong" },
      period: invoice.period,
      agency: invoice.agency,
      client: invoice.client,
      currency: "EUR",
      feesMinor: -invoice.feesMinor,
      creditsMinor: -invoice.creditsMinor,
      totalMinor: -invoice.totalMinor,
      slaSummary: [],
    });
    expect(note.lines.map((line) => line.amountMinor)).toEqual(invoice.lines.map((line) => -line.amountMinor));
    expect(note.lines.every((line) => line.evidence === undefined)).toBe(true);
  });

  it("refuses a credit note with an invoice's signs, or without what it corrects, and an invoice that names one", () => {
    const note = creditNote();
    expect(fieldsOf({ ...note, corrects: undefined })).toEqual(["corrects"]);
    expect(fieldsOf({ ...invoice, corrects: note.corrects })).toEqual(["corrects"]);
    const wrongSign = note.lines.map((line, index) =>
      index === 0 ? { ...line, amountMinor: -line.amountMinor } : line,
    );
    expect(fieldsOf({ ...note, lines: wrongSign })).toEqual(expect.arrayContaining(["lines.0.amountMinor"]));
    expect(fieldsOf({ ...note, feesMinor: invoice.feesMinor })).toEqual(expect.arrayContaining(["feesMinor"]));
    expect(fieldsOf({ ...note, kind: "invoice", corrects: undefined })).toEqual(
      expect.arrayContaining(["feesMinor", "lines.0.amountMinor"]),
    );
  });
});

describe("parseInvoiceEvidenceRows", () => {
  it("reads instants from Dates and ISO strings with an offset", () => {
    const [row] = parseInvoiceEvidenceRows([
      {
        itemId: "i1",
        channel: "Facebook Hexfall",
        receivedAt: "2026-03-01T10:00:00+01:00",
        priority: "P1",
        metric: "first_response",
        dueAt: new Date("2026-03-01T09:15:00Z"),
        stoppedAt: null,
        businessMinutes: 12,
        clientSideMinutes: 0,
        met: true,
      },
    ]);
    expect(row?.receivedAt.toISOString()).toBe("2026-03-01T09:00:00.000Z");
    expect(() => parseInvoiceEvidenceRows([{ itemId: "i1" }])).toThrow(expect.objectContaining({ code: "BAD_INPUT" }));
  });
});

describe("formatMinorAsDecimal", () => {
  it.each([
    [123_450, "EUR", "1234.50"],
    [5, "EUR", "0.05"],
    [-27_150, "EUR", "-271.50"],
    [0, "EUR", "0.00"],
    [1_234, "JPY", "1234"],
    [-7, "JPY", "-7"],
    [1_234, "KWD", "1.234"],
    [12.5, "EUR", "0.125"],
    [0.0001, "EUR", "0.000001"],
    [32.5, "JPY", "32.5"],
    [9_007_199_254_740_991, "USD", "90071992547409.91"],
  ])("%d %s → %s", (minor, currency, expected) => {
    expect(formatMinorAsDecimal(minor, currency)).toBe(expected);
  });
});

describe("formatCompliancePercent: truncated, never rounded up to the target", () => {
  it.each([
    [47, 50, "94.00"],
    [0, 0, "100.00"],
    [1_899_999, 2_000_000, "94.99"],
    [2, 3, "66.66"],
    [159, 179, "88.82"], // 88.826…: truncated, in the line, the PDF, the CSVs and the web app alike
    [0, 7, "0.00"],
  ])("%i of %i → %s", (met, total, expected) => {
    expect(formatCompliancePercent({ met, total })).toBe(expected);
  });
});

describe("lastDayOfPeriod: the exclusive end minus one day", () => {
  it.each([
    ["2026-04-01", "2026-03-31"],
    ["2026-03-01", "2026-02-28"],
    ["2028-03-01", "2028-02-29"],
    ["2027-01-01", "2026-12-31"],
  ])("end %s → last day %s", (end, expected) => {
    expect(lastDayOfPeriod({ end })).toBe(expected);
  });
});

describe("describeTargetMinutes", () => {
  it.each([
    [15, "15 min"],
    [60, "1 h"],
    [90, "1 h 30 min"],
    [480, "8 h"],
    [2_880, "2 d"],
    [1_501, "1 d 1 h 1 min"],
  ])("%i → %s", (minutes, expected) => {
    expect(describeTargetMinutes(minutes)).toBe(expected);
  });
});
