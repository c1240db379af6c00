import { itemClustersInput } from "@parley/contracts";
import {
  claimNextInput,
  listItemClusters,
  listQueueItems,
  queueCountsInput,
  queueItemInput,
  queueListInput,
  reassignItem,
  reassignItemInput,
  releaseItem,
  renewClaim,
  skipItem,
} from "@parley/core/moderation";
import { agencyMemberProcedure, procedureFor, router } from "../trpc";

export const queueRouter = router({
  list: procedureFor("moderate")
    .input(queueListInput)
    .query(({ ctx, input }) => listQueueItems(ctx.scope, ctx.tx, input)),
  /** Near-identical open items (one incident) grouped per client: one queue row per cluster. */
  clusters: procedureFor("moderate")
    .input(itemClustersInput)
    .query(({ ctx, input }) => listItemClusters(ctx.scope, ctx.tx, input, ctx.clusters)),
  /** Refetched by consoles as live events arrive (coalesced): the queue counter checks the role and reads. */
  counts: agencyMemberProcedure.input(queueCountsInput).query(({ ctx }) => ctx.queueCounts.count(ctx.scope)),
  /** Served with the other claims in flight (the claim batcher checks the role and opens the transaction). */
  claimNext: agencyMemberProcedure
    .input(claimNextInput)
    .mutation(({ ctx, input }) => ctx.claims.claim(ctx.scope, input)),
  release: procedureFor("moderate")
    .input(queueItemInput)
    .mutation(({ ctx, input }) => releaseItem(ctx.scope, ctx.tx, input)),
  skip: procedureFor("moderate")
    .input(queueItemInput)
    .mutation(({ ctx, input }) => skipItem(ctx.scope, ctx.tx, input)),
  /** An agency lead gives a waiting or claimed item to another member who works its client. */
  reassign: procedureFor("administer")
    .input(reassignItemInput)
    .mutation(({ ctx, input }) => reassignItem(ctx.scope, ctx.tx, input)),
  renew: procedureFor("moderate")
    .input(queueItemInput)
    .mutation(({ ctx, input }) => renewClaim(ctx.scope, ctx.tx, input)),
});
