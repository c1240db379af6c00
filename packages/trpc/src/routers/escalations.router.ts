import {
  acknowledgeEscalation,
  answerEscalation,
  escalateInput,
  escalateItem,
  escalationAnswerInput,
  escalationIdInput,
  escalationListInput,
  getEscalation,
  inboxInput,
  listEscalations,
  listInbox,
  markAllNoticesRead,
  markNoticesRead,
  markReadInput,
  previewEscalation,
  resolveEscalation,
} from "@parley/core/escalations";
import { agencyProcedure, procedureFor, router } from "../trpc";

export const escalationsRouter = router({
  /** Newest first: a stakeholder sees their client's, staff the clients they are assigned to. */
  list: agencyProcedure.input(escalationListInput).query(({ ctx, input }) => listEscalations(ctx.scope, ctx.tx, input)),
  get: agencyProcedure.input(escalationIdInput).query(({ ctx, input }) => getEscalation(ctx.scope, ctx.tx, input)),
  /** The hand-over packet an escalation of the item would carry, without saving anything. */
  preview: procedureFor("moderate")
    .input(escalateInput)
    .query(({ ctx, input }) => previewEscalation(ctx.scope, ctx.tx, input, ctx.services)),
  escalate: procedureFor("moderate")
    .input(escalateInput)
    .mutation(({ ctx, input }) => escalateItem(ctx.scope, ctx.tx, input, ctx.services)),
  /** The client takes it on: no more level reminders; the customer still gets the cadence updates. */
  acknowledge: procedureFor("answerEscalations")
    .input(escalationIdInput)
    .mutation(({ ctx, input }) => acknowledgeEscalation(ctx.scope, ctx.tx, input, ctx.services)),
  answer: procedureFor("answerEscalations")
    .input(escalationAnswerInput)
    .mutation(({ ctx, input }) => answerEscalation(ctx.scope, ctx.tx, input, ctx.services)),
  /** The caller's own in-app notices (escalations opened, reminders), newest first, and the unread count. */
  inbox: agencyProcedure.input(inboxInput).query(({ ctx, input }) => listInbox(ctx.scope, ctx.tx, input)),
  markRead: agencyProcedure
    .input(markReadInput)
    .mutation(({ ctx, input }) => markNoticesRead(ctx.scope, ctx.tx, input, ctx.services)),
  /** Every unread notice of the caller, read. */
  markAllRead: agencyProcedure.mutation(({ ctx }) => markAllNoticesRead(ctx.scope, ctx.tx, ctx.services)),
  resolve: procedureFor("answerEscalations")
    .input(escalationIdInput)
    .mutation(({ ctx, input }) => resolveEscalation(ctx.scope, ctx.tx, input, ctx.services)),
});
