export * from "./app-error";
export * from "./database";
export * from "./factories";
export * from "./pdf-text";
export * from "./platform-payloads";
