export * from "./record-audit";
