/**
 * The invoice document: the immutable snapshot of a finalized (or draft) invoice that the
 * renderers turn into the files an account manager sends a client (PDF, CSV). Pure: types,
 * zod schemas and exact number formatting; nothing here does I/O.
 *
 * Choices, written down once:
 * - `period` is half-open like everything else in billing: `end` is EXCLUSIVE, the first day
 *   after the period (March is `2026-03-01` to `2026-04-01`, as `invoices.period_end` stores it).
 *   Renderers print the last day billed ("1 March 2026 – 31 March 2026"): `lastDayOfPeriod`.
 * - The snapshot must add up: fees = sum of fee lines, credits = −(sum of service-credit lines),
 *   total = fees − credits = sum of all lines. A snapshot that does not is refused (BAD_INPUT)
 *   rather than rendered: a client must never receive an invoice whose lines and total differ.
 * - A credit note is the same document with `kind: "credit_note"` and every sign reversed: its
 *   lines negate the corrected invoice's (fees negative, reversed service credits positive), so
 *   fees, credits and total are the invoice's negated and the same sums hold. It names the invoice
 *   it corrects and why (`corrects`), and carries no SLA summary (the invoice has it).
 * - Compliance for people is TRUNCATED to 2 decimals (a missed 95 % target never reads
 *   "95.00 %"), the same rule as the line descriptions of invoice-math.
 * - Amounts as plain decimals are exact (string arithmetic, no binary floats) and carry the
 *   currency's ISO 4217 exponent; a unit price with sub-minor decimals (an overage tier of
 *   12.5 cents) keeps them (`0.125`), so quantity × unit price still gives the line amount.
 */
import { badInput, timeZone } from "@parley/contracts";
import {
  type ContractTermsInput,
  compareCompliance,
  compliancePercent,
  getCurrencyExponent,
  isCurrencyCode,
  localDate,
  type SlaMetric,
  type SlaPriority,
  slaCalendars,
  slaMetrics,
  slaPriorities,
} from "@parley/contracts/billing";
import { z } from "zod";
import { type InvoiceDraft, type InvoiceLineDraft, invoiceLineKinds, type SlaEvidence } from "./invoice-math";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A printable single-line text: trimmed, non-empty, no control characters or line breaks. */
function text(max: number) {
  return z
    .string({ message: "must be a text" })
    .trim()
    .min(1, { message: "is required" })
    .max(max, { message: `must be at most ${max} characters` })
    .refine((value) => !controlCharacters.test(value), { message: "must be a single line without control characters" });
}

const wholeMinor = z
  .number({ message: "must be a number" })
  .refine(Number.isSafeInteger, { message: "must be a whole number of minor units" });

const nonNegativeMinor = wholeMinor.refine((value) => value >= 0, { message: "must not be negative" });

function hasAtMostDecimals(value: number, decimals: number): boolean {
  if (Number.isInteger(value)) return true;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale === value;
}

const percent = z
  .number({ message: "must be a number" })
  .min(0, { message: "must be between 0 and 100" })
  .max(100, { message: "must be between 0 and 100" });

const count = z.int({ message: "must be a whole number" }).min(0, { message: "must not be negative" });
const priority = z.enum(slaPriorities, { message: `must be one of ${slaPriorities.join(", ")}` });
const metric = z.enum(slaMetrics, { message: `must be one of ${slaMetrics.join(", ")}` });

const creditTier = z.object({ fromPercent: percent, toPercent: percent, creditPercent: percent });

const serviceCreditEvidence = z.object({
  priority,
  metric,
  met: count,
  total: count,
  compliancePercent: percent,
  targetPercent: percent,
  tier: creditTier.nullable(),
  creditPercent: percent,
  uncappedAmountMinor: nonNegativeMinor,
  capped: z.boolean(),
  breachedItemIds: z.array(z.string()),
});

/**
 * One line of the invoice: exactly the `InvoiceLineDraft` of invoice-math. Its sign is checked by
 * the document, which knows whether it is an invoice or a credit note.
 */
export const invoiceDocumentLine = z.object({
  kind: z.enum(invoiceLineKinds, { message: `must be one of ${invoiceLineKinds.join(", ")}` }),
  description: text(500),
  quantity: count,
  unitPriceMinor: z
    .number({ message: "must be a number" })
    .refine((value) => (Number.isInteger(value) ? Number.isSafeInteger(value) : Math.abs(value) < 1e11), {
      message: "is out of range",
    })
    .refine((value) => hasAtMostDecimals(value, 4), { message: "must have at most 4 decimals" }),
  amountMinor: wholeMinor,
  evidence: serviceCreditEvidence.optional(),
});

// Compile-time check that the line schema and invoice-math's line type stay the same shape.
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const lineShapeMatches: SameShape<z.infer<typeof invoiceDocumentLine>, InvoiceLineDraft> = true;
void lineShapeMatches;

/** One SLA target of the contract and how the period went against it. */
export const slaSummaryRow = z
  .object({
    priority,
    metric,
    targetMinutes: z.int({ message: "must be a whole number of minutes" }).positive({ message: "must be positive" }),
    calendar: z.enum(slaCalendars, { message: `must be one of ${slaCalendars.join(", ")}` }),
    total: count,
    met: count,
    /** Unrounded `met × 100 / total`; 100 when total is 0. */
    compliancePercent: percent,
    targetPercent: percent,
    missed: z.boolean({ message: "must be true or false" }),
  })
  .superRefine((row, ctx) => {
    if (row.met > row.total) ctx.addIssue({ code: "custom", path: ["met"], message: "must not exceed total" });
    if (row.missed !== compareCompliance(row, row.targetPercent) < 0) {
      ctx.addIssue({ code: "custom", path: ["missed"], message: "must be true exactly when compliance < target" });
    }
  });
export type SlaSummaryRow = z.infer<typeof slaSummaryRow>;

const currencyMessage = "must be an upper-case ISO 4217 currency code such as EUR, USD or JPY";

const invoiceNumber = z.string({ message: "must be a text" }).regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$/, {
  message: "must be 1–40 letters, digits, '.', '_', '/' or '-', starting with a letter or digit",
});

export const invoiceDocumentKinds = ["invoice", "credit_note"] as const;

export const invoiceDocument = z
  .object({
    /** An invoice, or a credit note correcting one (every amount negated). Default: invoice. */
    kind: z.enum(invoiceDocumentKinds, { message: "must be invoice or credit_note" }).default("invoice"),
    /** The agency's number, e.g. "NW-2026-0007" (credit notes take theirs from the same sequence). */
    number: invoiceNumber,
    issuedOn: localDate,
    /** When payment is due, when the contract sets payment terms (not on credit notes). */
    dueOn: localDate.optional(),
    /** Credit notes only: the invoice corrected, and why. */
    corrects: z
      .object({
        number: invoiceNumber,
        issuedOn: localDate.optional(),
        reason: z
          .string({ message: "must be a text" })
          .trim()
          .min(1, { message: "is required" })
          .max(2_000, { message: "must be at most 2,000 characters" }),
      })
      .optional(),
    period: z
      .object({
        start: localDate,
        /** Exclusive: the first day after the period. */
        end: localDate,
        timeZone,
      })
      .refine((period) => period.start < period.end, {
        path: ["end"],
        message: "must be after start (end is exclusive: the first day after the period)",
      }),
    currency: z.string({ message: currencyMessage }).refine(isCurrencyCode, { message: currencyMessage }),
    /** The seller: the agency's legal name (or its name), address, tax id and billing e-mail. */
    agency: z.object({
      name: text(200),
      addressLines: z.array(text(200)).max(8, { message: "must have at most 8 lines" }),
      taxId: text(60).optional(),
      email: text(254).optional(),
    }),
    /** The buyer, as its billing details stood when the invoice was finalized. */
    client: z.object({
      name: text(200),
      addressLines: z.array(text(200)).max(8, { message: "must have at most 8 lines" }).optional(),
      taxId: text(60).optional(),
      email: text(254).optional(),
    }),
    lines: z.array(invoiceDocumentLine).max(10_000, { message: "must have at most 10,000 lines" }),
    /** Sum of the fee lines (negative on a credit note). */
    feesMinor: wholeMinor,
    /** Sum of the service credits, as a positive number (negative on a credit note). */
    creditsMinor: wholeMinor,
    creditCapMinor: nonNegativeMinor,
    /** feesMinor − creditsMinor = the sum of every line's amountMinor. */
    totalMinor: wholeMinor,
    slaSummary: z.array(slaSummaryRow).max(100, { message: "must have at most 100 targets" }),
    /** Which contract version the invoice was computed under, as printed, e.g. "v3 (from 1 Jan 2026)". */
    contractVersion: text(120),
    /** The values of `invoices.status` in @parley/db. */
    status: z.enum(["draft", "finalized"], { message: "must be draft or finalized" }),
    notes: z
      .string({ message: "must be a text" })
      .trim()
      .max(2_000, { message: "must be at most 2,000 characters" })
      .optional(),
  })
  .superRefine((doc, ctx) => {
    const isCreditNote = doc.kind === "credit_note";
    if (isCreditNote && !doc.corrects) {
      ctx.addIssue({ code: "custom", path: ["corrects"], message: "is required for a credit note" });
    }
    if (!isCreditNote && doc.corrects) {
      ctx.addIssue({ code: "custom", path: ["corrects"], message: "is only for a credit note" });
    }
    if (doc.dueOn !== undefined && (isCreditNote || doc.dueOn < doc.issuedOn)) {
      ctx.addIssue({
        code: "custom",
        path: ["dueOn"],
        message: isCreditNote ? "is not for a credit note: nothing is due" : "must not be before issuedOn",
      });
    }
    // On an invoice fees are >= 0 and credits <= 0; a credit note reverses both.
    const sign = isCreditNote ? -1 : 1;
    doc.lines.forEach((line, index) => {
      const isCredit = line.kind === "service_credit";
      if (isCredit ? sign * line.amountMinor > 0 : sign * line.amountMinor < 0) {
        const message = isCreditNote
          ? isCredit
            ? "must not be negative for a reversed service credit"
            : "must not be positive for a credited fee"
          : isCredit
            ? "must not be positive for a service credit"
            : "must not be negative for a fee";
        ctx.addIssue({ code: "custom", path: ["lines", index, "amountMinor"], message });
      }
    });
    for (const field of ["feesMinor", "creditsMinor"] as const) {
      if (sign * doc[field] < 0) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: isCreditNote ? "must not be positive on a credit note" : "must not be negative",
        });
      }
    }
    const sum = (lines: typeof doc.lines) => lines.reduce((total, line) => total + line.amountMinor, 0);
    const fees = sum(doc.lines.filter((line) => line.kind !== "service_credit"));
    const credits = -sum(doc.lines.filter((line) => line.kind === "service_credit"));
    if (doc.feesMinor !== fees) {
      ctx.addIssue({ code: "custom", path: ["feesMinor"], message: `must equal the sum of the fee lines (${fees})` });
    }
    if (doc.creditsMinor !== credits) {
      ctx.addIssue({
        code: "custom",
        path: ["creditsMinor"],
        message: `must equal the sum of the service-credit lines, negated (${credits})`,
      });
    }
    if (doc.totalMinor !== fees - credits) {
      ctx.addIssue({
        code: "custom",
        path: ["totalMinor"],
        message: `must equal fees minus credits, the sum of all lines (${fees - credits})`,
      });
    }
  });
export type InvoiceDocumentInput = z.input<typeof invoiceDocument>;
export type InvoiceDocument = z.infer<typeof invoiceDocument>;
export type InvoiceDocumentLine = z.infer<typeof invoiceDocumentLine>;

/** Parses an invoice snapshot, or throws BAD_INPUT naming every bad field. */
export function parseInvoiceDocument(input: unknown): InvoiceDocument {
  const result = invoiceDocument.safeParse(input);
  if (!result.success) throw badInput(result.error.issues);
  return result.data;
}

/** A UTC instant: a Date (as the database returns it) or an ISO 8601 string with an offset. */
const instant = z
  .union([z.date(), z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with an offset" })])
  .transform((value) => new Date(value))
  .refine((value) => !Number.isNaN(value.getTime()), { message: "must be a valid date-time" });

const minutes = z
  .number({ message: "must be a number of minutes" })
  .min(0, { message: "must not be negative" })
  .max(100_000_000, { message: "must be at most 100,000,000" });

/** Per-item evidence behind the SLA figures: one clock (item × metric) that ended in the period. */
export const invoiceEvidenceRow = z.object({
  itemId: text(100),
  /** The channel as the client knows it, e.g. "Instagram @hexfallgames". */
  channel: text(200),
  receivedAt: instant,
  priority,
  metric,
  dueAt: instant,
  /** When the clock stopped; null when it had not stopped by the end of the period. */
  stoppedAt: instant.nullable(),
  /** Minutes counted on the target's calendar (business hours or 24×7), client-side time excluded. */
  businessMinutes: minutes,
  /** Minutes spent waiting on the client, not counted against the agency. */
  clientSideMinutes: minutes,
  met: z.boolean({ message: "must be true or false" }),
});
export type InvoiceEvidenceRowInput = z.input<typeof invoiceEvidenceRow>;
export type InvoiceEvidenceRow = z.infer<typeof invoiceEvidenceRow>;

/** Parses per-item evidence rows, or throws BAD_INPUT naming every bad field. */
export function parseInvoiceEvidenceRows(input: unknown): InvoiceEvidenceRow[] {
  const result = z.array(invoiceEvidenceRow).safeParse(input);
  if (!result.success) throw badInput(result.error.issues);
  return result.data;
}

/**
 * The SLA summary of an invoice: one row per target of the contract, in the contract's
 * priority/metric order (P1 to P4, first response before resolution). Evidence missing for
 * a target counts as no items (100 %), as in invoice-math.
 */
export function buildSlaSummary(
  targets: ContractTermsInput["slaTargets"],
  evidence: readonly SlaEvidence[],
): SlaSummaryRow[] {
  const order = (row: { priority: SlaPriority; metric: SlaMetric }) =>
    slaPriorities.indexOf(row.priority) * slaMetrics.length + slaMetrics.indexOf(row.metric);
  return [...targets]
    .sort((a, b) => order(a) - order(b))
    .map((target) => {
      const found = evidence.find((e) => e.priority === target.priority && e.metric === target.metric);
      const met = found?.met ?? 0;
      const total = found?.total ?? 0;
      const compliance = compliancePercent({ met, total });
      return {
        priority: target.priority,
        metric: target.metric,
        targetMinutes: target.minutes,
        calendar: target.calendar,
        total,
        met,
        compliancePercent: compliance,
        targetPercent: target.complianceTargetPercent,
        missed: compareCompliance({ met, total }, target.complianceTargetPercent) < 0,
      };
    });
}

/**
 * Assembles the document of an invoice from its draft (computeInvoiceDraft) and the contract
 * it was computed under, and validates it.
 */
export function createInvoiceDocument(options: {
  number: string;
  issuedOn: string;
  period: { start: string; end: string; timeZone: string };
  agency: InvoiceDocument["agency"];
  client: InvoiceDocument["client"];
  draft: InvoiceDraft;
  terms: ContractTermsInput;
  slaEvidence: readonly SlaEvidence[];
  contractVersion: string;
  status: InvoiceDocument["status"];
  notes?: string;
}): InvoiceDocument {
  const { draft, terms, slaEvidence, ...rest } = options;
  return parseInvoiceDocument({
    ...rest,
    currency: draft.currency,
    lines: draft.lines,
    feesMinor: draft.feesMinor,
    creditsMinor: draft.creditsMinor,
    creditCapMinor: draft.creditCapMinor,
    totalMinor: draft.totalMinor,
    slaSummary: buildSlaSummary(terms.slaTargets, slaEvidence),
  });
}

/** A credit note's lines: the corrected invoice's, negated, each saying what it credits. */
export function creditNoteLines<
  Line extends Pick<InvoiceDocumentLine, "description" | "quantity" | "unitPriceMinor" | "amountMinor">,
>(invoiceNumber: string, lines: readonly Line[]): Line[] {
  return lines.map((line) => ({
    ...line,
    description: `Credit of ${invoiceNumber}: ${line.description}`,
    unitPriceMinor: -line.unitPriceMinor,
    amountMinor: -line.amountMinor,
  }));
}

/**
 * The document of a credit note: the parties, period, currency and contract of the invoice it
 * corrects (as that invoice's frozen document states them), its own number and issue date, and
 * its own lines (the invoice's, negated), summed here. Validated like any document.
 */
export function createCreditNoteDocument(options: {
  number: string;
  issuedOn: string;
  corrected: InvoiceDocumentInput;
  lines: readonly Pick<InvoiceDocumentLine, "kind" | "description" | "quantity" | "unitPriceMinor" | "amountMinor">[];
  reason: string;
}): InvoiceDocument {
  const corrected = parseInvoiceDocument(options.corrected);
  const sum = (credit: boolean) =>
    options.lines
      .filter((line) => (line.kind === "service_credit") === credit)
      .reduce((total, line) => total + line.amountMinor, 0);
  const feesMinor = sum(false);
  const creditsMinor = -sum(true);
  return parseInvoiceDocument({
    kind: "credit_note",
    number: options.number,
    issuedOn: options.issuedOn,
    corrects: { number: corrected.number, issuedOn: corrected.issuedOn, reason: options.reason },
    period: corrected.period,
    currency: corrected.currency,
    agency: corrected.agency,
    client: corrected.client,
    lines: options.lines.map(({ kind, description, quantity, unitPriceMinor, amountMinor }) => ({
      kind,
      description,
      quantity,
      unitPriceMinor,
      amountMinor,
    })),
    feesMinor,
    creditsMinor,
    creditCapMinor: corrected.creditCapMinor,
    totalMinor: feesMinor - creditsMinor,
    slaSummary: [],
    contractVersion: corrected.contractVersion,
    status: "finalized",
  });
}

/** Billing details as stored (nullable columns, the address "\n"-separated). */
export interface StoredBillingDetails {
  billingAddress: string | null;
  taxId: string | null;
  billingEmail: string | null;
}

/** The address lines of a stored address: trimmed, blank lines dropped. */
export function billingAddressLines(address: string | null): string[] {
  return (address ?? "")
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .slice(0, 8);
}

/** The seller of a document: the agency's legal name when it has one, else its name. */
export function documentSeller(agency: StoredBillingDetails & { name: string; legalName: string | null }) {
  return {
    name: agency.legalName?.trim() || agency.name,
    addressLines: billingAddressLines(agency.billingAddress),
    ...(agency.taxId ? { taxId: agency.taxId } : {}),
    ...(agency.billingEmail ? { email: agency.billingEmail } : {}),
  } satisfies InvoiceDocumentInput["agency"];
}

/** The buyer of a document: the client's name and billing details. */
export function documentBuyer(client: StoredBillingDetails & { name: string }) {
  return {
    name: client.name,
    addressLines: billingAddressLines(client.billingAddress),
    ...(client.taxId ? { taxId: client.taxId } : {}),
    ...(client.billingEmail ? { email: client.billingEmail } : {}),
  } satisfies InvoiceDocumentInput["client"];
}

/**
 * An amount in minor units (at most 4 decimals) as an exact plain decimal in major units with
 * the currency's exponent: `(123450, "EUR")` → "1234.50", `(1234, "JPY")` → "1234",
 * `(1234, "KWD")` → "1.234", `(12.5, "EUR")` → "0.125" (sub-minor decimals are kept).
 */
export function formatMinorAsDecimal(minor: number, currency: string): string {
  const exponent = getCurrencyExponent(currency);
  if (!Number.isFinite(minor) || !hasAtMostDecimals(minor, 4)) {
    throw new RangeError(`${minor} is not an amount of minor units with at most 4 decimals`);
  }
  // Whole amounts can reach 2^53: scale them as bigints, never as floats.
  const scaled = Number.isInteger(minor) ? BigInt(minor) * 10_000n : BigInt(Math.round(minor * 10_000));
  const places = exponent + 4;
  const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits
    .slice(digits.length - places)
    .replace(/0+$/, "")
    .padEnd(exponent, "0");
  const sign = scaled < 0n ? "-" : "";
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** The last day billed of a half-open period, "2026-04-01" (exclusive end) → "2026-03-31". */
export function lastDayOfPeriod(period: { end: string }): string {
  const [year, month, day] = period.end.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

/** A percentage bound as written in the contract: 95 → "95", 99.5 → "99.5". */
export function formatPercentBound(value: number): string {
  return String(Math.round(value * 100) / 100);
}

const metricLabels: Record<SlaMetric, string> = { first_response: "First response", resolution: "Resolution" };

/** "First response", "Resolution". */
export function describeSlaMetric(value: SlaMetric): string {
  return metricLabels[value];
}

/** A target's duration for people: 15 → "15 min", 480 → "8 h", 90 → "1 h 30 min", 2880 → "2 d". */
export function describeTargetMinutes(minutes: number): string {
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  const rest = minutes % 60;
  const parts = [days ? `${days} d` : "", hours ? `${hours} h` : "", rest ? `${rest} min` : ""];
  return parts.filter(Boolean).join(" ");
}
