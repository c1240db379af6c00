/**
 * Reports: a period's figures for owners, account managers and leads (every client) and stakeholders (their
 * own), the items behind each figure, and the one-row-per-item export. Definitions in report-rows.
 */
export * from "./report-rows";
export {
  type DurationFigure,
  getReport,
  listReportItems,
  type ReportFigures,
  type ReportItemRow,
  type ReportItemsInput,
  type ReportView,
  reportItemsInput,
} from "./reports";
