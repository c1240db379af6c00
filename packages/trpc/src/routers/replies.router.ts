import { AppError, replyApproveInput, replyDraftInput, replyRejectInput } from "@parley/contracts";
import { approveReply, checkDraftReply, listPendingApprovals, rejectReply, sendReply } from "@parley/core/moderation";
import { agencyProcedure, moderatorProcedure, router } from "../trpc";

/**
 * Who decides replies awaiting approval: agency owners and admins, and client stakeholders — the use case then
 * lets a stakeholder decide only for a client where their authority is `approve`.
 */
const approverProcedure = agencyProcedure.use(({ ctx, next }) => {
  if (ctx.scope.role !== "owner" && ctx.scope.role !== "admin" && ctx.scope.role !== "client_stakeholder") {
    throw new AppError("FORBIDDEN", "Your role does not allow this", { reason: "role_not_allowed" });
  }
  return next();
});

export const repliesRouter = router({
  /**
   * The protocol's checks on a draft, for live feedback while typing; stores nothing. A mutation only so the draft
   * travels in the request body: a long draft would outgrow a URL.
   */
  check: moderatorProcedure
    .input(replyDraftInput)
    .mutation(({ ctx, input }) => checkDraftReply(ctx.scope, ctx.tx, input)),
  send: moderatorProcedure.input(replyDraftInput).mutation(({ ctx, input }) => sendReply(ctx.scope, ctx.tx, input)),
  approvals: approverProcedure.query(({ ctx }) => listPendingApprovals(ctx.scope, ctx.tx)),
  approve: approverProcedure
    .input(replyApproveInput)
    .mutation(({ ctx, input }) => approveReply(ctx.scope, ctx.tx, input)),
  reject: approverProcedure.input(replyRejectInput).mutation(({ ctx, input }) => rejectReply(ctx.scope, ctx.tx, input)),
});
