import { apiKeyCreateInput, apiKeyRevokeInput, createApiKey, listApiKeys, revokeApiKey } from "@parley/core/api-keys";
import { adminProcedure, router } from "../trpc";

export const apiKeysRouter = router({
  list: adminProcedure.query(({ ctx }) => listApiKeys(ctx.scope, ctx.tx)),
  create: adminProcedure.input(apiKeyCreateInput).mutation(({ ctx, input }) => createApiKey(ctx.scope, ctx.tx, input)),
  revoke: adminProcedure.input(apiKeyRevokeInput).mutation(({ ctx, input }) => revokeApiKey(ctx.scope, ctx.tx, input)),
});
