export * from "./protocol-versions";
