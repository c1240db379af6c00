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
import { procedureFor, router } from "../trpc";

export const itemsRouter = router({
  /** The item with its thread, customer, history elsewhere, protocol excerpt, replies, notes and deliveries. */
  get: procedureFor("viewOperations")
    .input(itemIdInput)
    .query(({ ctx, input }) => getModerationItemDetail(ctx.scope, ctx.tx, input)),
  hide: procedureFor("moderate")
    .input(itemIdInput)
    .mutation(({ ctx, input }) => hideItem(ctx.scope, ctx.tx, input)),
  unhide: procedureFor("moderate")
    .input(itemIdInput)
    .mutation(({ ctx, input }) => unhideItem(ctx.scope, ctx.tx, input)),
  delete: procedureFor("moderate")
    .input(itemIdInput)
    .mutation(({ ctx, input }) => deleteItem(ctx.scope, ctx.tx, input)),
  noAction: procedureFor("moderate")
    .input(itemIdInput)
    .mutation(({ ctx, input }) => markItemNoAction(ctx.scope, ctx.tx, input)),
  tag: procedureFor("moderate")
    .input(itemTagInput)
    .mutation(({ ctx, input }) => tagItem(ctx.scope, ctx.tx, input)),
  note: procedureFor("moderate")
    .input(itemNoteInput)
    .mutation(({ ctx, input }) => addItemNote(ctx.scope, ctx.tx, input)),
  linkCustomer: procedureFor("moderate")
    .input(itemLinkCustomerInput)
    .mutation(({ ctx, input }) => linkItemCustomer(ctx.scope, ctx.tx, input)),
  bulk: procedureFor("moderate")
    .input(itemBulkInput)
    .mutation(({ ctx, input }) => bulkModerateItems(ctx.scope, ctx.tx, input)),
});
