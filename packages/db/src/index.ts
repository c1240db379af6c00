export * from "./client";
export * from "./tenant";
export * from "./migrate";
export * as schema from "./schema";
