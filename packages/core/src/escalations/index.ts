/**
 * Escalations: the triage flow (acknowledge → escalate → follow up) and the SLA watcher, as pure
 * `advance…` decisions shared by the Inngest functions and the embedded driver; their database-backed
 * stores and wake-up queue; playbooks, escalations and the hand-over packet.
 *
 * For other areas: call `stopFirstResponseClock(tx, { itemId, at })` in the transaction where a public
 * reply becomes `sent`, and `stopResolutionClock(tx, { itemId, at })` where an item is resolved.
 */
export * from "./advance-clock";
export * from "./advance-triage";
export * from "./clock-store";
export * from "./escalate-item";
export * from "./escalation-answers";
export * from "./handover-packet";
export * from "./notifications";
export * from "./playbooks";
export * from "./ports";
export * from "./start-item-flows";
export * from "./triage-store";
export * from "./wakeup";
export * from "./wakeup-queue";
export * from "./wakeup-queue.unscoped";
