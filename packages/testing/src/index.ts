export * from "./database";
export * from "./factories";
export * from "./pdf-text";
