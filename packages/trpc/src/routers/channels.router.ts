import { channelCreateInput, channelIdInput, channelListInput, channelUpdateInput } from "@parley/contracts";
import { createChannel, listChannels, rotateChannelSecret, updateChannel } from "@parley/core/agencies";
import { procedureFor, router } from "../trpc";

export const channelsRouter = router({
  list: procedureFor("viewOperations")
    .input(channelListInput)
    .query(({ ctx, input }) => listChannels(ctx.scope, ctx.tx, input)),
  create: procedureFor("administer")
    .input(channelCreateInput)
    .mutation(({ ctx, input }) => createChannel(ctx.scope, ctx.tx, input, ctx.services)),
  update: procedureFor("administer")
    .input(channelUpdateInput)
    .mutation(({ ctx, input }) => updateChannel(ctx.scope, ctx.tx, input, ctx.services)),
  rotateSecret: procedureFor("administer")
    .input(channelIdInput)
    .mutation(({ ctx, input }) => rotateChannelSecret(ctx.scope, ctx.tx, input, ctx.services)),
});
