import { AppError } from "@parley/contracts";
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
  markNoticesRead,
  markReadInput,
  previewEscalation,
  resolveEscalation,
} from "@parley/core/escalations";
import { agencyProcedure, moderatorProcedure, router } from "../trpc";

/** Who answers and resolves: the client's stakeholders (their own client only, by scope) and agency leads. */
const answererProcedure = agencyProcedure.use(({ ctx, next }) => {
  if (ctx.scope.role !== "owner" && ctx.scope.role !== "admin" && ctx.scope.role !== "client_stakeholder") {
    throw new AppError("FORBIDDEN", "Your role does not allow this", { reason: "role_not_allowed" });
  }
  return next();
});

export const escalationsRouter = router({
  /** Newest first: a stakeholder sees their client's, staff the clients they are assigned to. */
  list: agencyProcedure.input(escalationListInput).query(({ ctx, input }) => listEscalations(ctx.scope, ctx.tx, input)),
  get: agencyProcedure.input(escalationIdInput).query(({ ctx, input }) => getEscalation(ctx.scope, ctx.tx, input)),
  /** The hand-over packet an escalation of the item would carry, without saving anything. */
  preview: moderatorProcedure
    .input(escalateInput)
    .query(({ ctx, input }) => previewEscalation(ctx.scope, ctx.tx, input, ctx.services.clock)),
  escalate: moderatorProcedure
    .input(escalateInput)
    .mutation(({ ctx, input }) => escalateItem(ctx.scope, ctx.tx, input, ctx.services.clock)),
  /** The client takes it on: no more level reminders; the customer still gets the cadence updates. */
  acknowledge: answererProcedure
    .input(escalationIdInput)
    .mutation(({ ctx, input }) => acknowledgeEscalation(ctx.scope, ctx.tx, input, ctx.services.clock)),
  answer: answererProcedure
    .input(escalationAnswerInput)
    .mutation(({ ctx, input }) => answerEscalation(ctx.scope, ctx.tx, input, ctx.services.clock)),
  /** The caller's own in-app notices (escalations opened, reminders), newest first, and the unread count. */
  inbox: agencyProcedure.input(inboxInput).query(({ ctx, input }) => listInbox(ctx.scope, ctx.tx, input)),
  markRead: agencyProcedure
    .input(markReadInput)
    .mutation(({ ctx, input }) => markNoticesRead(ctx.scope, ctx.tx, input, ctx.services.clock)),
  resolve: answererProcedure
    .input(escalationIdInput)
    .mutation(({ ctx, input }) => resolveEscalation(ctx.scope, ctx.tx, input, ctx.services.clock)),
});
