import { agencyBillingDetailsInput } from "@parley/contracts";
import { getAgencyBillingDetails, updateAgencyBillingDetails } from "@parley/core/agencies";
import { procedureFor, router } from "../trpc";

/** The current agency's own settings (owners and admins). */
export const agencyRouter = router({
  billingDetails: procedureFor("administer").query(({ ctx }) => getAgencyBillingDetails(ctx.scope, ctx.tx)),
  updateBillingDetails: procedureFor("administer")
    .input(agencyBillingDetailsInput)
    .mutation(({ ctx, input }) => updateAgencyBillingDetails(ctx.scope, ctx.tx, input)),
});
