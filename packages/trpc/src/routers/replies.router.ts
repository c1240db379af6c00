import { itemIdInput, replyApproveInput, replyDraftInput, replyRejectInput, replyResendInput } from "@parley/contracts";
import {
  acknowledgeItem,
  approveReply,
  checkDraftReply,
  listPendingApprovals,
  listRecentDecisions,
  rejectReply,
  resendReply,
  sendReply,
} from "@parley/core/moderation";
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
  /** A protocol-approved acknowledgement, addressed to the customer: what a triage moderator may post. */
  acknowledge: procedureFor("moderate")
    .input(itemIdInput)
    .mutation(({ ctx, input }) => acknowledgeItem(ctx.scope, ctx.tx, input)),
  /** Edit and resend a reply whose delivery failed. */
  resend: procedureFor("moderate")
    .input(replyResendInput)
    .mutation(({ ctx, input }) => resendReply(ctx.scope, ctx.tx, input)),
  approvals: procedureFor("decideApprovals").query(({ ctx }) => listPendingApprovals(ctx.scope, ctx.tx)),
  /** The caller's decisions of the last week, with what the platform confirmed of each approved reply. */
  decided: procedureFor("decideApprovals").query(({ ctx }) => listRecentDecisions(ctx.scope, ctx.tx)),
  approve: procedureFor("decideApprovals")
    .input(replyApproveInput)
    .mutation(({ ctx, input }) => approveReply(ctx.scope, ctx.tx, input)),
  reject: procedureFor("decideApprovals")
    .input(replyRejectInput)
    .mutation(({ ctx, input }) => rejectReply(ctx.scope, ctx.tx, input)),
});
