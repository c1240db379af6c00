/**
 * Reports: a period's figures for owners, account managers and leads (every client) and stakeholders (their
 * own), the items behind each figure, and the one-row-per-item export. Definitions in report-rows.
 */

export {
  getClientInsight,
  getInsight,
  type InsightFigure,
  type InsightFigures,
  type InsightItemRow,
  type InsightItemsInput,
  type InsightView,
  insightFigureNames,
  insightItemsInput,
  listInsightItems,
  previousPeriodOf,
} from "./insight";
export { classifyInsight, type InsightClassification, type InsightLabel, insightLabels } from "./insight-labels";
export { factDaysPerRun, findFactSpans, materializeClientFacts } from "./item-facts";
export * from "./item-facts.unscoped";
export * from "./monthly-client-report";
export * from "./report-rows";
export {
  type BacklogPoint,
  type DurationFigure,
  getReport,
  listReportItems,
  type ModeratorWork,
  type ReportFigures,
  type ReportItemRow,
  type ReportItemsInput,
  type ReportView,
  reportItemFigures,
  reportItemsInput,
  streamReportItemsCsv,
} from "./reports";
export * from "./send-monthly-client-reports.unscoped";
export * from "./topic-digests.unscoped";
export { type DiscoveredTopic, discoverTopics, type TopicDocument, topicTermsOf } from "./topic-discovery";
export { measureTopicTrend, type TopicTrend } from "./topic-trends";
export {
  type ClientTopic,
  type ClientTopicsInput,
  type ClientTopicsView,
  clientTopicsInput,
  findRisingTopics,
  getClientTopics,
  listTopicItems,
  type TopicExample,
  type TopicItemsInput,
  topicItemsInput,
} from "./topics";
