/**
 * The shared kernel every area builds on: what time it is (`Clock`), who is acting (`Scope`), the audit trail, live events, outbound notices, the secret box,
 * which database conflicts a transaction may retry, and wake-ups (arming an item's durable flow in the caller's transaction, like an audit entry or a live event).
 * Nothing here imports another folder of core.
 */
export * from "./clock";
export * from "./outbound-notices";
export * from "./permissions";
export * from "./publish-live-event";
export * from "./record-audit";
export * from "./retryable-conflict";
export * from "./schedule-wakeups";
export * from "./scope";
export * from "./secret-box";
export * from "./ttl-cache";
export * from "./wakeup";
