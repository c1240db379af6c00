export * from "@parley/contracts/billing";
export * from "@parley/contracts/billing";
export * from "@parley/contracts/billing";
export * from "./contracts";
export * from "./invoice-document";
export * from "./invoice-math";
export * from "./render-invoice-csv";
export * from "./render-invoice-pdf";
