export * from "./publish-live-event";
