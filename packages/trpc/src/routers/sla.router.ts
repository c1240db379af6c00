import {
  clientSummaryInput,
  findItemClocks,
  getClientSummary,
  getSlaBoard,
  getSlaMonth,
  itemClocksInput,
  slaBoardInput,
  slaMonthInput,
} from "@parley/core/sla";
import { agencyProcedure, router } from "../trpc";

export const slaRouter = router({
  /** Running clocks by time left and today's breaches, for the clients the caller sees (or one of them). */
  board: agencyProcedure
    .input(slaBoardInput)
    .query(({ ctx, input }) => getSlaBoard(ctx.scope, ctx.tx, input, ctx.services)),
  /** The running clocks of the given items (an open item, a page of a list), whatever else is on the board. */
  clocks: agencyProcedure
    .input(itemClocksInput)
    .query(({ ctx, input }) => findItemClocks(ctx.scope, ctx.tx, input, ctx.services)),
  /** A client's month of SLA results so far against its contract's targets, as its invoice will count them. */
  month: agencyProcedure
    .input(slaMonthInput)
    .query(({ ctx, input }) => getSlaMonth(ctx.scope, ctx.tx, input, ctx.services)),
  /** The portal's summary strip: open escalations, drafts awaiting the client's approval, today's volume. */
  summary: agencyProcedure
    .input(clientSummaryInput)
    .query(({ ctx, input }) => getClientSummary(ctx.scope, ctx.tx, input, ctx.services)),
});
