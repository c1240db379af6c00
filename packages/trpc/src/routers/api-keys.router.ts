import { apiKeyCreateInput, apiKeyRevokeInput, createApiKey, listApiKeys, revokeApiKey } from "@parley/core/api-keys";
import { procedureFor, router } from "../trpc";

export const apiKeysRouter = router({
  list: procedureFor("administer").query(({ ctx }) => listApiKeys(ctx.scope, ctx.tx)),
  create: procedureFor("administer")
    .input(apiKeyCreateInput)
    .mutation(({ ctx, input }) => createApiKey(ctx.scope, ctx.tx, input)),
  revoke: procedureFor("administer")
    .input(apiKeyRevokeInput)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.scope, ctx.tx, input)),
});
