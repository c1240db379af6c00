export * from "./claim-next-item";
export * from "./ingest-channel.unscoped";
export * from "./ingest-items";
