import { agencyBillingDetailsInput } from "@parley/contracts";
import { slaPolicyInput } from "@parley/contracts/billing";
import { getAgencyBillingDetails, updateAgencyBillingDetails } from "@parley/core/agencies";
import { getSlaPolicy, saveSlaPolicy } from "@parley/core/sla";
import { procedureFor, router } from "../trpc";

/** The current agency's own settings (owners and admins). */
export const agencyRouter = router({
  billingDetails: procedureFor("administer").query(({ ctx }) => getAgencyBillingDetails(ctx.scope, ctx.tx)),
  updateBillingDetails: procedureFor("administer")
    .input(agencyBillingDetailsInput)
    .mutation(({ ctx, input }) => updateAgencyBillingDetails(ctx.scope, ctx.tx, input)),
  /** The clock targets of clients without a contract in force ("agency default (no contract)"). */
  slaPolicy: procedureFor("administer").query(({ ctx }) => getSlaPolicy(ctx.scope, ctx.tx)),
  saveSlaPolicy: procedureFor("administer")
    .input(slaPolicyInput)
    .mutation(({ ctx, input }) => saveSlaPolicy(ctx.scope, ctx.tx, input)),
});
