import { makeContractTerms } from "@parley/contracts/billing/contract-terms.fixture";
import {
  computeInvoiceDraft,
  createCreditNoteDocument,
  createInvoiceDocument,
  creditNoteLines,
  type InvoiceDocument,
  type InvoiceEvidenceRowInput,
  type SlaEvidence,
} from "@parley/core/billing";
import { describe, expect, it } from "vitest";
import { invoiceLinesCsvHeader, renderInvoiceEvidenceCsv, renderInvoiceLinesCsv } from "./render-invoice-csv";

/** A strict RFC 4180 reader: CRLF rows, quoted fields with doubled quotes. */
function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < csv.length; index++) {
    const character = csv[index];
    if (quoted) {
      if (character === '"' && csv[index + 1] === '"') {
        field += '"';
        index++;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"' && field === "") quoted = true;
    else if (character === ",") {
      row.push(field);
      field = "";
    } else if (character === "\r" && csv[index + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      index++;
    } else if (character === "\r" || character === "\n") throw new Error(`bare line break at ${index}`);
    else field += character;
  }
  if (field !== "" || row.length > 0) throw new Error("the last row does not end with CRLF");
  return rows;
}

const evidence: SlaEvidence[] = [
  { priority: "P1", metric: "first_response", total: 50, met: 47 },
  { priority: "P2", metric: "resolution", total: 100, met: 88 },
];

function makeDocument(currency = "EUR", overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  // 12.5 cents an item after the first overage tier: a price with a third decimal.
  const terms = makeContractTerms({
    currency,
    overageTiers: [
      { upTo: 5_000, unitPriceMinor: 40 },
      { upTo: null, unitPriceMinor: 12.5 },
    ],
  });
  const draft = computeInvoiceDraft({
    terms,
    itemCount: 17_001,
    escalationCount: 12,
    outOfHoursItemCount: 50,
    slaEvidence: evidence,
  });
  return {
    ...createInvoiceDocument({
      number: "NW-2026-0007",
      issuedOn: "2026-04-02",
      period: { start: "2026-03-01", end: "2026-04-01", timeZone: "Europe/Paris" },
      agency: { name: "Northwind Social Care Ltd", addressLines: ["Leeds LS1 5ES"] },
      client: { name: "Hexfall Games SAS" },
      draft,
      terms,
      slaEvidence: evidence,
      contractVersion: "v3",
      status: "finalized",
    }),
    ...overrides,
  };
}

/** Sum of decimal strings with `exponent` digits, exactly. */
function sumDecimals(values: string[], exponent: number): bigint {
  return values.reduce((sum, value) => {
    expect(value).toMatch(exponent === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${exponent}}$`));
    return sum + BigInt(value.replace(".", ""));
  }, 0n);
}

describe("renderInvoiceLinesCsv", () => {
  it("writes a header and one row per line, with CRLF after every row and a BOM for spreadsheets", () => {
    const doc = makeDocument();
    const csv = renderInvoiceLinesCsv(doc);
    expect(csv.startsWith("\ufeffkind,description,quantity,unit price,amount,currency,")).toBe(true);
    const body = csv.slice(1);
    expect(body.endsWith("\r\n")).toBe(true);
    expect(body.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/);
    const rows = parseCsv(body);
    expect(rows[0]).toEqual([...invoiceLinesCsvHeader]);
    expect(rows).toHaveLength(doc.lines.length + 1);
    expect(rows.every((row) => row.length === invoiceLinesCsvHeader.length)).toBe(true);
    expect(renderInvoiceLinesCsv(doc, { byteOrderMark: false })).toBe(body);
  });

  it("ends every row with the invoice's number, issue date and due date", () => {
    const rows = parseCsv(
      renderInvoiceLinesCsv(makeDocument("EUR", { dueOn: "2026-05-02" }), { byteOrderMark: false }),
    );
    expect(rows[0]?.slice(-3)).toEqual(["invoice number", "issued on", "due on"]);
    expect(rows.slice(1).map((row) => row.slice(-3))).toEqual(
      Array(rows.length - 1).fill(["NW-2026-0007", "2026-04-02", "2026-05-02"]),
    );
    const undated = parseCsv(renderInvoiceLinesCsv(makeDocument(), { byteOrderMark: false }));
    expect(undated[1]?.slice(-3)).toEqual(["NW-2026-0007", "2026-04-02", ""]);
  });

  it("writes amounts as plain decimals and fills the evidence columns of service credits", () => {
    const rows = parseCsv(renderInvoiceLinesCsv(makeDocument(), { byteOrderMark: false }));
    // The first 13 columns: the line and its evidence (the invoice's identity follows, tested above).
    expect(rows.slice(1).map((row) => row.slice(0, 13))).toEqual([
      [
        "retainer",
        "Monthly retainer (10,000 items included)",
        "1",
        "2500.00",
        "2500.00",
        "EUR",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
      ],
      [
        "overage",
        "Overage tier 1: items 10,001–15,000 (10,000 included)",
        "5000",
        "0.40",
        "2000.00",
        "EUR",
        ...Array(7).fill(""),
      ],
      // 12.5 cents per item keeps its third decimal: 2,001 × 0.125 = 250.125 → 250.13.
      [
        "overage",
        "Overage tier 2: items 15,001–17,001 (10,000 included)",
        "2001",
        "0.125",
        "250.13",
        "EUR",
        ...Array(7).fill(""),
      ],
      ["escalations", "Escalations to the client", "12", "15.00", "180.00", "EUR", ...Array(7).fill("")],
      [
        "out_of_hours",
        "Items handled outside the client's business hours",
        "50",
        "3.00",
        "150.00",
        "EUR",
        ...Array(7).fill(""),
      ],
      [
        "service_credit",
        "Service credit: P1 first response, 47 of 50 met (94.00 %) against a 95 % target; tier [90, 95): 5 % of fees",
        "1",
        "-254.01",
        "-254.01",
        "EUR",
        "47",
        "50",
        "94.00",
        "95",
        "[90, 95)",
        "5",
        "no",
      ],
      [
        "service_credit",
        "Service credit: P2 resolution, 88 of 100 met (88.00 %) against a 90 % target; tier [0, 90): 10 % of fees",
        "1",
        "-508.01",
        "-508.01",
        "EUR",
        "88",
        "100",
        "88.00",
        "90",
        "[0, 90)",
        "10",
        "no",
      ],
    ]);
  });

  it.each([
    ["JPY", 0],
    ["EUR", 2],
    ["KWD", 3],
  ])("writes %s amounts with %i decimals, and they add up to the total", (currency, exponent) => {
    const doc = makeDocument(currency);
    const rows = parseCsv(renderInvoiceLinesCsv(doc, { byteOrderMark: false })).slice(1);
    const amounts = rows.map((row) => row[4] ?? "");
    expect(sumDecimals(amounts, exponent)).toBe(BigInt(doc.totalMinor));
    expect(rows[0]?.[4]).toBe(exponent === 0 ? "250000" : exponent === 2 ? "2500.00" : "250.000");
    expect(rows.every((row) => row[5] === currency)).toBe(true);
  });

  it("quotes commas, quotes and line-like text as RFC 4180 says", () => {
    const doc = makeDocument("EUR", {});
    const lines = doc.lines.map((line, index) =>
      index === 3 ? { ...line, description: 'Escalations, "urgent" ones; 12 × €15' } : line,
    );
    const csv = renderInvoiceLinesCsv({ ...doc, lines }, { byteOrderMark: false });
    expect(csv).toContain('escalations,"Escalations, ""urgent"" ones; 12 × €15",12,15.00,180.00,EUR');
    expect(parseCsv(csv)[4]?.[1]).toBe('Escalations, "urgent" ones; 12 × €15');
  });

  it("defends text cells against formula injection, but leaves negative numbers alone", () => {
    const doc = makeDocument();
    const descriptions = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "＝1+1"];
    const lines = doc.lines.map((line, index) => ({ ...line, description: descriptions[index] ?? line.description }));
    const rows = parseCsv(renderInvoiceLinesCsv({ ...doc, lines }, { byteOrderMark: false })).slice(1);
    expect(rows.slice(0, 5).map((row) => row[1])).toEqual(descriptions.map((description) => `'${description}`));
    const credit = rows.at(-1);
    expect(credit?.[3]).toBe("-508.01");
    expect(credit?.[4]).toBe("-508.01");
  });

  it("writes a credit note as one row per line, its amounts negated, adding up to the credited total", () => {
    const invoice = makeDocument();
    const note = createCreditNoteDocument({
      number: "NW-2026-0008",
      issuedOn: "2026-04-20",
      corrected: invoice,
      lines: creditNoteLines(invoice.number, invoice.lines),
      reason: "Wrong retainer",
    });
    const rows = parseCsv(renderInvoiceLinesCsv(note, { byteOrderMark: false }));
    expect(rows[0]).toEqual([...invoiceLinesCsvHeader]);
    const body = rows.slice(1);
    expect(body).toHaveLength(invoice.lines.length);
    expect(body.map((row) => row[0])).toEqual(invoice.lines.map((line) => line.kind));
    expect(body.every((row) => row[1]?.startsWith("Credit of NW-2026-0007: "))).toBe(true);
    expect(body[0]?.slice(2, 6)).toEqual(["1", "-2500.00", "-2500.00", "EUR"]);
    expect(
      sumDecimals(
        body.map((row) => row[4] ?? ""),
        2,
      ),
    ).toBe(BigInt(-invoice.totalMinor));
    expect(
      sumDecimals(
        body.map((row) => row[4] ?? ""),
        2,
      ),
    ).toBe(BigInt(note.totalMinor));
  });

  it("refuses a snapshot whose lines do not add up to its total", () => {
    const doc = makeDocument();
    expect(() => renderInvoiceLinesCsv({ ...doc, totalMinor: doc.totalMinor + 1 })).toThrow(
      expect.objectContaining({ code: "BAD_INPUT" }),
    );
  });
});

describe("renderInvoiceEvidenceCsv", () => {
  const rows: InvoiceEvidenceRowInput[] = [
    {
      itemId: "01970c3e-0000-7000-8000-000000000001",
      channel: "Instagram @hexfallgames",
      receivedAt: "2026-03-14T09:58:00Z",
      priority: "P1",
      metric: "first_response",
      dueAt: "2026-03-14T10:13:00Z",
      stoppedAt: new Date("2026-03-14T10:21:30Z"),
      businessMinutes: 23.5,
      clientSideMinutes: 0,
      met: false,
    },
    {
      itemId: "01970c3e-0000-7000-8000-000000000002",
      channel: '=cmd|" /C calc"!A0',
      receivedAt: "2026-03-30T23:50:00Z",
      priority: "P2",
      metric: "resolution",
      dueAt: "2026-03-31T15:00:00+02:00",
      stoppedAt: null,
      businessMinutes: 480,
      clientSideMinutes: 95,
      met: true,
    },
  ];

  it("writes one row per item with UTC times by default", () => {
    const parsed = parseCsv(renderInvoiceEvidenceCsv(rows, { byteOrderMark: false }));
    expect(parsed).toEqual([
      [
        "item id",
        "channel",
        "priority",
        "metric",
        "received at (UTC)",
        "due at (UTC)",
        "stopped at (UTC)",
        "business minutes",
        "client-side minutes",
        "met",
      ],
      [
        "01970c3e-0000-7000-8000-000000000001",
        "Instagram @hexfallgames",
        "P1",
        "first_response",
        "2026-03-14 09:58:00",
        "2026-03-14 10:13:00",
        "2026-03-14 10:21:30",
        "23.5",
        "0",
        "no",
      ],
      [
        "01970c3e-0000-7000-8000-000000000002",
        `'=cmd|" /C calc"!A0`,
        "P2",
        "resolution",
        "2026-03-30 23:50:00",
        "2026-03-31 13:00:00",
        "",
        "480",
        "95",
        "yes",
      ],
    ]);
  });

  it("writes local times in the client's zone when asked, across a DST change", () => {
    const csv = renderInvoiceEvidenceCsv(rows, { timeZone: "Europe/Paris" });
    const parsed = parseCsv(csv.slice(1));
    expect(parsed[0]?.[4]).toBe("received at (Europe/Paris)");
    expect(parsed[1]?.slice(4, 7)).toEqual(["2026-03-14 10:58:00", "2026-03-14 11:13:00", "2026-03-14 11:21:30"]);
    expect(parsed[2]?.slice(4, 6)).toEqual(["2026-03-31 01:50:00", "2026-03-31 15:00:00"]);
  });

  it("refuses malformed rows and unknown zones", () => {
    expect(() => renderInvoiceEvidenceCsv([{ ...rows[0]!, receivedAt: "14/03/2026" }])).toThrow(
      expect.objectContaining({ code: "BAD_INPUT" }),
    );
    expect(() => renderInvoiceEvidenceCsv(rows, { timeZone: "Mars/Olympus" })).toThrow(
      expect.objectContaining({ code: "BAD_INPUT" }),
    );
  });

  it("writes just the header for no rows", () => {
    expect(renderInvoiceEvidenceCsv([], { byteOrderMark: false }).split("\r\n")).toHaveLength(2);
  });
});
