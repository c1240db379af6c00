export * from "./billing-details";
export * from "./channels";
export * from "./clients";
export * from "./me";
export * from "./members";
export * from "./scope";
