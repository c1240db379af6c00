export * from "./secret-box";
