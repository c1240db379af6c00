import { clientCreateInput, clientIdInput, clientListInput, clientUpdateInput } from "@parley/contracts";
import { archiveClient, createClient, listClients, updateClient } from "@parley/core/agencies";
import { adminProcedure, agencyProcedure, router } from "../trpc";

export const clientsRouter = router({
  list: agencyProcedure.input(clientListInput).query(({ ctx, input }) => listClients(ctx.scope, ctx.tx, input)),
  create: adminProcedure.input(clientCreateInput).mutation(({ ctx, input }) => createClient(ctx.scope, ctx.tx, input)),
  update: adminProcedure.input(clientUpdateInput).mutation(({ ctx, input }) => updateClient(ctx.scope, ctx.tx, input)),
  archive: adminProcedure.input(clientIdInput).mutation(({ ctx, input }) => archiveClient(ctx.scope, ctx.tx, input)),
});
