import { AppError } from "@parley/contracts";
import {
  createProtocolVersion,
  findActiveProtocol,
  listProtocolVersions,
  protocolClientInput,
  protocolSaveInput,
} from "@parley/core/protocols";
import { agencyProcedure, router } from "../trpc";

/**
 * Who may save a protocol: agency owners and admins, and client stakeholders — the use case then lets a
 * stakeholder through only for a client whose admin they are.
 */
const protocolEditorProcedure = agencyProcedure.use(({ ctx, next }) => {
  if (ctx.scope.role !== "owner" && ctx.scope.role !== "admin" && ctx.scope.role !== "client_stakeholder") {
    throw new AppError("FORBIDDEN", "Your role does not allow this", { reason: "role_not_allowed" });
  }
  return next();
});

export const protocolsRouter = router({
  /** The client's active protocol, or null: every member who sees the client (moderators work under it). */
  active: agencyProcedure
    .input(protocolClientInput)
    .query(({ ctx, input }) => findActiveProtocol(ctx.scope, ctx.tx, input)),
  versions: agencyProcedure
    .input(protocolClientInput)
    .query(({ ctx, input }) => listProtocolVersions(ctx.scope, ctx.tx, input)),
  save: protocolEditorProcedure
    .input(protocolSaveInput)
    .mutation(({ ctx, input }) => createProtocolVersion(ctx.scope, ctx.tx, input)),
});
