export * from "./billing-details";
export * from "./channels";
export * from "./client-people";
export * from "./clients";
export * from "./invitations";
export * from "./invitations.unscoped";
export * from "./me";
export * from "./members";
