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
  archive: procedureFor("administer")
    .input(clientIdInput)
    .mutation(({ ctx, input }) => archiveClient(ctx.scope, ctx.tx, input)),
});
