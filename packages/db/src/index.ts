export * from "./arrays";
export * from "./client";
export * from "./migrate";
export * from "./prepared";
export * from "./raw-rows";
export * as schema from "./schema";
export * from "./tenant";
