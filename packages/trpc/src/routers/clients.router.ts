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
import { accountsProcedure, adminProcedure, agencyProcedure, router } from "../trpc";

export const clientsRouter = router({
  list: agencyProcedure.input(clientListInput).query(({ ctx, input }) => listClients(ctx.scope, ctx.tx, input)),
  create: adminProcedure.input(clientCreateInput).mutation(({ ctx, input }) => createClient(ctx.scope, ctx.tx, input)),
  update: adminProcedure.input(clientUpdateInput).mutation(({ ctx, input }) => updateClient(ctx.scope, ctx.tx, input)),
  /** The buyer's details on the client's invoices: owners, admins, and the client's account managers. */
  updateBillingDetails: accountsProcedure
    .input(clientBillingDetailsInput)
    .mutation(({ ctx, input }) => updateClientBillingDetails(ctx.scope, ctx.tx, input)),
  archive: adminProcedure.input(clientIdInput).mutation(({ ctx, input }) => archiveClient(ctx.scope, ctx.tx, input)),
});
