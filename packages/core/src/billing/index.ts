export * from "./contract-terms";
export * from "./invoice-math";
export * from "./money";
export * from "./contracts";
