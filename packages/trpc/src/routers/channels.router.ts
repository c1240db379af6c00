import { channelCreateInput, channelIdInput, channelListInput, channelUpdateInput } from "@parley/contracts";
import {
  createChannel,
  getChannelConnection,
  listChannels,
  rotateChannelSecret,
  testChannelConnection,
  updateChannel,
} from "@parley/core/agencies";
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
  /** Which credentials are stored, and the values of those that are not secrets (verify token, URLs, username). */
  connection: procedureFor("administer")
    .input(channelIdInput)
    .query(({ ctx, input }) => getChannelConnection(ctx.scope, ctx.tx, input, ctx.services)),
  testConnection: procedureFor("administer")
    .input(channelIdInput)
    .mutation(({ ctx, input }) => testChannelConnection(ctx.scope, ctx.tx, input, ctx.services)),
  rotateSecret: procedureFor("administer")
    .input(channelIdInput)
    .mutation(({ ctx, input }) => rotateChannelSecret(ctx.scope, ctx.tx, input, ctx.services)),
});
