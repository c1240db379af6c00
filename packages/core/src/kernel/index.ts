/**
 * The shared kernel every area builds on: who is acting (`Scope`), the audit trail, live events and the secret
 * box. Nothing here imports another folder of core.
 */
export * from "./publish-live-event";
export * from "./record-audit";
export * from "./scope";
export * from "./secret-box";
