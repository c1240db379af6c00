import { cancelDelivery, deliveryIdInput, retryDelivery } from "@parley/core/deliveries";
import { procedureFor, router } from "../trpc";

/** A failed public action: send it again, or give up on it. Both audited. */
export const deliveriesRouter = router({
  retry: procedureFor("moderate")
    .input(deliveryIdInput)
    .mutation(({ ctx, input }) => retryDelivery(ctx.scope, ctx.tx, input)),
  cancel: procedureFor("moderate")
    .input(deliveryIdInput)
    .mutation(({ ctx, input }) => cancelDelivery(ctx.scope, ctx.tx, input)),
});
