import {
  createProtocolVersion,
  findActiveProtocol,
  listProtocolVersions,
  protocolClientInput,
  protocolSaveInput,
} from "@parley/core/protocols";
import { agencyProcedure, procedureFor, router } from "../trpc";

export const protocolsRouter = router({
  /** The client's active protocol, or null: every member who sees the client (moderators work under it). */
  active: agencyProcedure
    .input(protocolClientInput)
    .query(({ ctx, input }) => findActiveProtocol(ctx.scope, ctx.tx, input)),
  versions: agencyProcedure
    .input(protocolClientInput)
    .query(({ ctx, input }) => listProtocolVersions(ctx.scope, ctx.tx, input)),
  save: procedureFor("editProtocols")
    .input(protocolSaveInput)
    .mutation(({ ctx, input }) => createProtocolVersion(ctx.scope, ctx.tx, input)),
});
