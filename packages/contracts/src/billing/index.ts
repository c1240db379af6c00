export * from "./contract-terms";
export * from "./money";
