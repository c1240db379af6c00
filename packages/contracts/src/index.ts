export * from "./csv";
export * from "./domain";
export * from "./errors";
export * from "./moderation";
export * from "./outbound";
export * from "./outbound-url";
export * from "./staffing";
export * from "./storable-text";
