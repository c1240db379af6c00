export * from "./app-error";
export * from "./database";
export * from "./factories";
export { demoTemplatePrefix, templateDatabase } from "./global-setup";
export * from "./pdf-text";
export * from "./platform-payloads";
