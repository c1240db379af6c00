import { uuid } from "@parley/contracts";
import { listContracts, saveContract } from "@parley/core/billing";
import { z } from "zod";
import { procedureFor, router } from "../trpc";

export const contractsRouter = router({
  list: procedureFor("manageAccounts")
    .input(z.object({ clientId: uuid }))
    .query(({ ctx, input }) => listContracts(ctx.scope, ctx.tx, input)),
  /** Terms are validated by core (`contractTermsInput`), so errors name the field inside `terms`. */
  save: procedureFor("manageAccounts")
    .input(
      z.object({
        clientId: uuid,
        contractId: uuid.optional(),
        terms: z.looseObject({}, { error: "must be an object of contract terms" }),
        /** A new contract after an open-ended one: end that one the day before this one starts (same transaction). */
        endCurrent: z.boolean({ message: "must be true or false" }).optional(),
      }),
    )
    .mutation(({ ctx, input }) => saveContract(ctx.scope, ctx.tx, input)),
});
