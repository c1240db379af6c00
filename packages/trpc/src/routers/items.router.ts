import { itemBulkInput, itemIdInput, itemLinkCustomerInput, itemNoteInput, itemTagInput } from "@parley/contracts";
import {
  addItemNote,
  bulkModerateItems,
  deleteItem,
  getModerationItemDetail,
  hideItem,
  linkItemCustomer,
  markItemNoAction,
  tagItem,
  unhideItem,
} from "@parley/core/moderation";
import { moderatorProcedure, router, staffProcedure } from "../trpc";

export const itemsRouter = router({
  /** The item with its thread, customer, history elsewhere, protocol excerpt, replies, notes and deliveries. */
  get: staffProcedure.input(itemIdInput).query(({ ctx, input }) => getModerationItemDetail(ctx.scope, ctx.tx, input)),
  hide: moderatorProcedure.input(itemIdInput).mutation(({ ctx, input }) => hideItem(ctx.scope, ctx.tx, input)),
  unhide: moderatorProcedure.input(itemIdInput).mutation(({ ctx, input }) => unhideItem(ctx.scope, ctx.tx, input)),
  delete: moderatorProcedure.input(itemIdInput).mutation(({ ctx, input }) => deleteItem(ctx.scope, ctx.tx, input)),
  noAction: moderatorProcedure
    .input(itemIdInput)
    .mutation(({ ctx, input }) => markItemNoAction(ctx.scope, ctx.tx, input)),
  tag: moderatorProcedure.input(itemTagInput).mutation(({ ctx, input }) => tagItem(ctx.scope, ctx.tx, input)),
  note: moderatorProcedure.input(itemNoteInput).mutation(({ ctx, input }) => addItemNote(ctx.scope, ctx.tx, input)),
  linkCustomer: moderatorProcedure
    .input(itemLinkCustomerInput)
    .mutation(({ ctx, input }) => linkItemCustomer(ctx.scope, ctx.tx, input)),
  bulk: moderatorProcedure
    .input(itemBulkInput)
    .mutation(({ ctx, input }) => bulkModerateItems(ctx.scope, ctx.tx, input)),
});
