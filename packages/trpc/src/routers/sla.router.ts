import { getSlaBoard, slaBoardInput } from "@parley/core/escalations";
import { agencyProcedure, router } from "../trpc";

export const slaRouter = router({
  /** Running clocks by time left and today's breaches, for the clients the caller sees (or one of them). */
  board: agencyProcedure
    .input(slaBoardInput)
    .query(({ ctx, input }) => getSlaBoard(ctx.scope, ctx.tx, input, ctx.services.clock)),
});
