export * from "./arrays";
export * from "./client";
export * from "./migrate";
export * from "./prepared";
export * as schema from "./schema";
export * from "./tenant";
