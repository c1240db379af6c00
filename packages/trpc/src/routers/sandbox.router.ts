import { readSandboxPage, sandboxPageInput } from "@parley/core/sandbox";
import { procedureFor, router } from "../trpc";

export const sandboxRouter = router({
  page: procedureFor("viewOperations")
    .input(sandboxPageInput)
    .query(({ ctx, input }) => readSandboxPage(ctx.scope, ctx.tx, input)),
});
