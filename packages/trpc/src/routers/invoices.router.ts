import {
  breachedItemsInput,
  createDraftsInput,
  createInvoiceDrafts,
  creditNoteInput,
  finalizeInvoice,
  findBreachedItems,
  getInvoice,
  getInvoiceActions,
  invoiceIdInput,
  invoiceListInput,
  invoiceReaderOf,
  issueCreditNote,
  listInvoices,
  pushInvoiceToStripe,
  refreshInvoiceDraft,
} from "@parley/core/billing";
import { procedureFor, router } from "../trpc";

/**
 * Invoices. Account managers, owners and admins do everything (`manageAccounts`); stakeholders read their own
 * client's finalized invoices (`readInvoices`, narrowed by core's `invoiceReaderOf`).
 */
export const invoicesRouter = router({
  list: procedureFor("readInvoices")
    .input(invoiceListInput)
    .query(({ ctx, input }) => listInvoices(invoiceReaderOf(ctx.scope), ctx.tx, input)),
  get: procedureFor("readInvoices")
    .input(invoiceIdInput)
    .query(({ ctx, input }) => getInvoice(invoiceReaderOf(ctx.scope), ctx.tx, input)),
  breachedItems: procedureFor("readInvoices")
    .input(breachedItemsInput)
    .query(({ ctx, input }) => findBreachedItems(invoiceReaderOf(ctx.scope), ctx.tx, input)),
  /** What can be done with the invoice now: Finalize once its month is over, Stripe only when configured. */
  actions: procedureFor("manageAccounts")
    .input(invoiceIdInput)
    .query(({ ctx, input }) =>
      getInvoiceActions(ctx.scope, ctx.tx, input, { ...ctx.services, stripeConfigured: Boolean(ctx.services.stripe) }),
    ),
  /** Drafts of a month for the given clients (default: all), one result per client. */
  createDrafts: procedureFor("manageAccounts")
    .input(createDraftsInput)
    .mutation(({ ctx, input }) => createInvoiceDrafts(ctx.scope, ctx.tx, input, ctx.services)),
  refresh: procedureFor("manageAccounts")
    .input(invoiceIdInput)
    .mutation(({ ctx, input }) => refreshInvoiceDraft(ctx.scope, ctx.tx, input, ctx.services)),
  finalize: procedureFor("manageAccounts")
    .input(invoiceIdInput)
    .mutation(({ ctx, input }) => finalizeInvoice(ctx.scope, ctx.tx, input, ctx.services)),
  creditNote: procedureFor("manageAccounts")
    .input(creditNoteInput)
    .mutation(({ ctx, input }) => issueCreditNote(ctx.scope, ctx.tx, input, ctx.services)),
  pushToStripe: procedureFor("manageAccounts")
    .input(invoiceIdInput)
    .mutation(({ ctx, input }) => pushInvoiceToStripe(ctx.scope, ctx.tx, input, ctx.services.stripe ?? null)),
});
