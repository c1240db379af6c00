import {
  createProtocolVersion,
  diffProtocolVersions,
  findActiveProtocol,
  getProtocolVersion,
  listProtocolVersions,
  previewForbiddenPhrase,
  previewPhraseInput,
  protocolClientInput,
  protocolDiffInput,
  protocolSaveInput,
  protocolVersionInput,
  rollBackProtocol,
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
  /** One version with its document: every version has its own page. */
  version: agencyProcedure
    .input(protocolVersionInput)
    .query(({ ctx, input }) => getProtocolVersion(ctx.scope, ctx.tx, input)),
  diff: agencyProcedure
    .input(protocolDiffInput)
    .query(({ ctx, input }) => diffProtocolVersions(ctx.scope, ctx.tx, input)),
  /** What a forbidden phrase would match: a sample sentence, and the client's recent replies it would have blocked. */
  previewPhrase: procedureFor("editProtocols")
    .input(previewPhraseInput)
    .query(({ ctx, input }) => previewForbiddenPhrase(ctx.scope, ctx.tx, input)),
  save: procedureFor("editProtocols")
    .input(protocolSaveInput)
    .mutation(({ ctx, input }) => createProtocolVersion(ctx.scope, ctx.tx, input)),
  rollback: procedureFor("editProtocols")
    .input(protocolVersionInput)
    .mutation(({ ctx, input }) => rollBackProtocol(ctx.scope, ctx.tx, input)),
});
