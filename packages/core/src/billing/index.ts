export * from "@parley/contracts/billing";
/**
 * Billing: contracts, and the invoices of a client's month — drafts computed from the period aggregates
 * (sla/period-aggregates) and the contract terms (invoice-math), finalized into numbered immutable snapshots,
 * corrected by credit notes, pushed to Stripe. One file per use case, named by its verb.
 *
 * Rules, written down once:
 * - The contract governing a month is the one in force on its first day (`contractForPeriod`):
 *   a contract changed mid-month applies from the next month; one month, one set of terms.
 * - A draft is recomputed from the data: same items, clocks and escalations, same lines and cents.
 *   One draft per client, month and kind (a unique index); computing again refreshes it.
 * - Finalize freezes the draft as it was reviewed (no recomputation), takes the agency's next
 *   number in the same transaction (`invoice_number_counters`, row-locked, so concurrent finalizes
 *   queue and a rolled-back one leaves no gap) and stores the document snapshot. A trigger refuses
 *   any later change but the Stripe and payment columns.
 * - Numbers are `<PREFIX>-<year>-<0001>`: the prefix is the initials of the agency's first two
 *   words (one word: its first two letters), the year is the finalizing day's in the agency's zone,
 *   the sequence runs on across years (the counter has no year).
 * - Corrections: a credit note (finalized at once, with its own number) negates every line of the
 *   finalized invoice, and a fresh draft of the month is computed. A month has at most one
 *   finalized invoice that no credit note corrects.
 */
export * from "./contracts";
export * from "./draft-invoices";
export * from "./finalize-invoice";
export * from "./invoice-actions";
export * from "./invoice-document";
export * from "./invoice-math";
export * from "./issue-credit-note";
export * from "./push-invoice-to-stripe";
export * from "./read-invoices";
export * from "./run-monthly-invoices.unscoped";
export * from "./stripe-webhook.unscoped";
export * from "./take-invoice-number";
