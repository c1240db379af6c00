import {
  clientTopicsInput,
  getClientTopics,
  getInsight,
  getReport,
  insightItemsInput,
  listInsightItems,
  listReportItems,
  listTopicItems,
  reportFilters,
  reportItemsInput,
  topicItemsInput,
} from "@parley/core/reports";
import { procedureFor, router } from "../trpc";

export const reportsRouter = router({
  /** A period's figures in total and by day, hour of day, channel and priority. */
  summary: procedureFor("readReports")
    .input(reportFilters)
    .query(({ ctx, input }) => getReport(ctx.scope, ctx.tx, input, ctx.services)),
  /** The items behind a figure (a chart's bar: one day, hour, channel or priority), a page at a time. */
  items: procedureFor("readReports")
    .input(reportItemsInput)
    .query(({ ctx, input }) => listReportItems(ctx.scope, ctx.tx, input, ctx.services)),
  /** Purchase intent, product feedback, satisfaction and the gratitude index, against the previous period. */
  insight: procedureFor("readReports")
    .input(reportFilters)
    .query(({ ctx, input }) => getInsight(ctx.scope, ctx.tx, input, ctx.services)),
  /** The items behind an insight figure (a label's items, or the answered or thanked conversations). */
  insightItems: procedureFor("readReports")
    .input(insightItemsInput)
    .query(({ ctx, input }) => listInsightItems(ctx.scope, ctx.tx, input, ctx.services)),
  /** A client's recurring topics over a period: the protocol's categories and topics found in the text. */
  topics: procedureFor("readReports")
    .input(clientTopicsInput)
    .query(({ ctx, input }) => getClientTopics(ctx.scope, ctx.tx, input, ctx.services)),
  /** The items behind one topic, a page at a time. */
  topicItems: procedureFor("readReports")
    .input(topicItemsInput)
    .query(({ ctx, input }) => listTopicItems(ctx.scope, ctx.tx, input, ctx.services)),
});
