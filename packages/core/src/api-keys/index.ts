export * from "./api-keys";
export * from "./authenticate-api-key.unscoped";
