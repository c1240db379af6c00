import { replyApproveInput, replyDraftInput, replyRejectInput } from "@parley/contracts";
import { approveReply, checkDraftReply, listPendingApprovals, rejectReply, sendReply } from "@parley/core/moderation";
import { procedureFor, router } from "../trpc";

export const repliesRouter = router({
  /**
   * The protocol's checks on a draft, for live feedback while typing; stores nothing. A mutation only so the draft
   * travels in the request body: a long draft would outgrow a URL.
   */
  check: procedureFor("moderate")
    .input(replyDraftInput)
    .mutation(({ ctx, input }) => checkDraftReply(ctx.scope, ctx.tx, input)),
  send: procedureFor("moderate")
    .input(replyDraftInput)
    .mutation(({ ctx, input }) => sendReply(ctx.scope, ctx.tx, input)),
  approvals: procedureFor("decideApprovals").query(({ ctx }) => listPendingApprovals(ctx.scope, ctx.tx)),
  approve: procedureFor("decideApprovals")
    .input(replyApproveInput)
    .mutation(({ ctx, input }) => approveReply(ctx.scope, ctx.tx, input)),
  reject: procedureFor("decideApprovals")
    .input(replyRejectInput)
    .mutation(({ ctx, input }) => rejectReply(ctx.scope, ctx.tx, input)),
});
