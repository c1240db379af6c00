export * from "./contract-terms";
export * from "./contracts";
export * from "./invoice-document";
export * from "./invoice-math";
export * from "./money";
export * from "./render-invoice-csv";
export * from "./render-invoice-pdf";
