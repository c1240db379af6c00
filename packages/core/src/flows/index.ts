/**
 * An item's durable flows (triage and SLA watch): what a new item sets off, the wake-up queue the embedded
 * driver polls (and the Inngest relay reads as an outbox), and the ports both drivers call.
 */
export * from "./ports";
export * from "./start-item-flows";
export * from "./wakeup-queue.unscoped";
