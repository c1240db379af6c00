/**
 * Documents rendered from the domain's snapshots, outside the domain: an invoice's (or credit note's) PDF with
 * pdfkit, and its CSV exports (lines, and the SLA evidence behind its credits); a report's one-row-per-item export
 * (its cells, for PostgreSQL to write) and summary. Pure: each returns the file's bytes or text, or the SQL that
 * writes it; apps/api sends it.
 */
export * from "./local-time";
export * from "./render-invoice-csv";
export * from "./render-invoice-pdf";
export * from "./render-monthly-report-csv";
export * from "./render-monthly-report-pdf";
export * from "./render-report-csv";
