import {
  clientBillingDetailsInput,
  clientCreateInput,
  clientIdInput,
  clientListInput,
  clientUpdateInput,
} from "@parley/contracts";
import {
  archiveClient,
  createClient,
  listClients,
  updateClient,
  updateClientBillingDetails,
} from "@parley/core/agencies";
import { businessHoursInput, getBusinessHours, saveBusinessHours } from "@parley/core/sla";
import { agencyProcedure, procedureFor, router } from "../trpc";

export const clientsRouter = router({
  list: agencyProcedure.input(clientListInput).query(({ ctx, input }) => listClients(ctx.scope, ctx.tx, input)),
  create: procedureFor("administer")
    .input(clientCreateInput)
    .mutation(({ ctx, input }) => createClient(ctx.scope, ctx.tx, input)),
  update: procedureFor("administer")
    .input(clientUpdateInput)
    .mutation(({ ctx, input }) => updateClient(ctx.scope, ctx.tx, input)),
  /** The buyer's details on the client's invoices: owners, admins, and the client's account managers. */
  updateBillingDetails: procedureFor("manageAccounts")
    .input(clientBillingDetailsInput)
    .mutation(({ ctx, input }) => updateClientBillingDetails(ctx.scope, ctx.tx, input)),
  /** The client's business hours: the version in force, those planned, and the next 14 days. */
  businessHours: procedureFor("manageAccounts")
    .input(clientIdInput)
    .query(({ ctx, input }) => getBusinessHours(ctx.scope, ctx.tx, { clientId: input.clientId }, ctx.services)),
  /** A new version of the client's business hours, in force from `effectiveFrom` (today or later). */
  saveBusinessHours: procedureFor("administer")
    .input(businessHoursInput)
    .mutation(({ ctx, input }) => saveBusinessHours(ctx.scope, ctx.tx, input, ctx.services)),
  archive: procedureFor("administer")
    .input(clientIdInput)
    .mutation(({ ctx, input }) => archiveClient(ctx.scope, ctx.tx, input)),
});
