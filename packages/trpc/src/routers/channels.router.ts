import { channelCreateInput, channelIdInput, channelListInput, channelUpdateInput } from "@parley/contracts";
import { createChannel, listChannels, rotateChannelSecret, updateChannel } from "@parley/core/agencies";
import { adminProcedure, router, staffProcedure } from "../trpc";

export const channelsRouter = router({
  list: staffProcedure.input(channelListInput).query(({ ctx, input }) => listChannels(ctx.scope, ctx.tx, input)),
  create: adminProcedure
    .input(channelCreateInput)
    .mutation(({ ctx, input }) => createChannel(ctx.scope, ctx.tx, input, ctx.services)),
  update: adminProcedure
    .input(channelUpdateInput)
    .mutation(({ ctx, input }) => updateChannel(ctx.scope, ctx.tx, input, ctx.services)),
  rotateSecret: adminProcedure
    .input(channelIdInput)
    .mutation(({ ctx, input }) => rotateChannelSecret(ctx.scope, ctx.tx, input, ctx.services)),
});
