export * from "./compliance";
export * from "./contract-terms";
export * from "./money";
export * from "./stripe-gateway";
