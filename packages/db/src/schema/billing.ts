import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { agencies, users } from "./agencies";
import { id, tenantPolicy, timestamps } from "./columns";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

/**
 * A client's contract for a validity period of local dates, `[validFrom, validTo)` (validTo null =
 * open-ended). The terms are a `contractTermsInput` document (core/billing), as parsed.
 */
export const contracts = pgTable(
  "contracts",
  {
    id: id(),
    ...clientOwnedColumns(),
    validFrom: date({ mode: "string" }).notNull(),
    validTo: date({ mode: "string" }),
    currency: text().notNull(),
    terms: jsonb().notNull(),
    createdBy: uuid().references(() => users.id),
    ...timestamps,
  },
  (t) => [...clientOwnedConstraints(t), index().on(t.agencyId, t.clientId, t.validFrom)],
).enableRLS();

export const invoiceKinds = ["invoice", "credit_note"] as const;
export const invoiceStatuses = ["draft", "finalized"] as const;
export const paymentStatuses = ["none", "open", "paid", "void", "uncollectible"] as const;
export const invoiceKindEnum = pgEnum("invoice_kind", invoiceKinds);
export const invoiceStatusEnum = pgEnum("invoice_status", invoiceStatuses);
export const paymentStatusEnum = pgEnum("payment_status", paymentStatuses);

/**
 * A monthly invoice of a client. Drafts are recomputed; `finalize` assigns the next number and freezes
 * a snapshot (lines, totals, SLA evidence summary, contract terms). A trigger refuses any change to a
 * finalized invoice or its lines except the Stripe/payment columns; corrections are a credit note plus
 * a new invoice.
 */
export const invoices = pgTable(
  "invoices",
  {
    id: id(),
    ...clientOwnedColumns(),
    contractId: uuid().references(() => contracts.id),
    kind: invoiceKindEnum().notNull().default("invoice"),
    status: invoiceStatusEnum().notNull().default("draft"),
    /** Local dates of the client's month: `[periodStart, periodEnd)`. */
    periodStart: date({ mode: "string" }).notNull(),
    periodEnd: date({ mode: "string" }).notNull(),
    currency: text().notNull(),
    feesMinor: bigint({ mode: "number" }).notNull().default(0),
    creditsMinor: bigint({ mode: "number" }).notNull().default(0),
    totalMinor: bigint({ mode: "number" }).notNull().default(0),
    /** Frozen at finalize: contract terms, SLA evidence summary, agency and client details. */
    snapshot: jsonb().notNull().default(sql`'{}'::jsonb`),
    number: text(),
    correctsInvoiceId: uuid().references((): AnyPgColumn => invoices.id),
    finalizedAt: timestamp({ withTimezone: true }),
    finalizedBy: uuid().references(() => users.id),
    stripeInvoiceId: text(),
    paymentStatus: paymentStatusEnum().notNull().default("none"),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("invoices_agency_number_key").on(t.agencyId, t.number).where(sql`${t.number} is not null`),
    uniqueIndex("invoices_one_draft_per_period_key")
      .on(t.clientId, t.periodStart, t.kind)
      .where(sql`${t.status} = 'draft'`),
    index().on(t.agencyId, t.clientId, t.periodStart),
  ],
).enableRLS();

export const invoiceLines = pgTable(
  "invoice_lines",
  {
    id: id(),
    ...clientOwnedColumns(),
    invoiceId: uuid()
      .notNull()
      .references(() => invoices.id, { onDelete: "cascade" }),
    position: integer().notNull(),
    kind: text().notNull(),
    description: text().notNull(),
    quantity: integer().notNull(),
    /** Decimal minor units (up to 4 decimals), as the contract states them. */
    unitPriceMinor: numeric({ precision: 20, scale: 4 }).notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    evidence: jsonb(),
  },
  (t) => [...clientOwnedConstraints(t), uniqueIndex("invoice_lines_invoice_position_key").on(t.invoiceId, t.position)],
).enableRLS();

/** The next invoice number of an agency: taken and incremented in the finalizing transaction, so no gaps. */
export const invoiceNumberCounters = pgTable(
  "invoice_number_counters",
  {
    agencyId: uuid()
      .primaryKey()
      .references(() => agencies.id),
    nextNumber: integer().notNull().default(1),
  },
  (t) => [tenantPolicy(t)],
).enableRLS();
