import {
  breachedItemsInput,
  createDraftsInput,
  createInvoiceDrafts,
  creditNoteInput,
  finalizeInvoice,
  findBreachedItems,
  getInvoice,
  invoiceIdInput,
  invoiceListInput,
  invoiceReaderOf,
  issueCreditNote,
  listInvoices,
  pushInvoiceToStripe,
  refreshInvoiceDraft,
} from "@parley/core/billing";
import { accountsProcedure, agencyProcedure, router } from "../trpc";

/**
 * Invoices. Account managers, owners and admins do everything; stakeholders read their own
 * client's finalized invoices (core's `invoiceReaderOf` decides, moderators are refused).
 */
export const invoicesRouter = router({
  list: agencyProcedure
    .input(invoiceListInput)
    .query(({ ctx, input }) => listInvoices(invoiceReaderOf(ctx.scope), ctx.tx, input)),
  get: agencyProcedure
    .input(invoiceIdInput)
    .query(({ ctx, input }) => getInvoice(invoiceReaderOf(ctx.scope), ctx.tx, input)),
  breachedItems: agencyProcedure
    .input(breachedItemsInput)
    .query(({ ctx, input }) => findBreachedItems(invoiceReaderOf(ctx.scope), ctx.tx, input)),
  /** Drafts of a month for the given clients (default: all), one result per client. */
  createDrafts: accountsProcedure
    .input(createDraftsInput)
    .mutation(({ ctx, input }) => createInvoiceDrafts(ctx.scope, ctx.tx, input)),
  refresh: accountsProcedure
    .input(invoiceIdInput)
    .mutation(({ ctx, input }) => refreshInvoiceDraft(ctx.scope, ctx.tx, input)),
  finalize: accountsProcedure
    .input(invoiceIdInput)
    .mutation(({ ctx, input }) => finalizeInvoice(ctx.scope, ctx.tx, input)),
  creditNote: accountsProcedure
    .input(creditNoteInput)
    .mutation(({ ctx, input }) => issueCreditNote(ctx.scope, ctx.tx, input)),
  pushToStripe: accountsProcedure
    .input(invoiceIdInput)
    .mutation(({ ctx, input }) => pushInvoiceToStripe(ctx.scope, ctx.tx, input, ctx.services.stripe ?? null)),
});
