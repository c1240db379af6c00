export * from "./demo-agency";
