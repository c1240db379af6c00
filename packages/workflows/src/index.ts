/**
 * Durable flows: the Inngest client, the event catalogue, the triage and SLA-watch functions (which loop over
 * the `advance…` use cases of @parley/core: `advanceTriage` in escalations, `advanceClock` in sla), the embedded
 * driver that runs the same use cases without an Inngest server, the poller every background loop runs on, and the Hono handler for /api/inngest.
 */

export type { TriageStore } from "@parley/core/escalations";
export type { WakeupQueue, WakeupRecord } from "@parley/core/flows";
export type { FlowName, FlowTarget, Wakeup } from "@parley/core/kernel";
export type { ClockStore } from "@parley/core/sla";
export * from "./client";
export * from "./embedded-driver";
export * from "./events";
export * from "./flow-loop";
export * from "./monthly-invoices.function";
export * from "./poller";
export * from "./serve";
export * from "./sla-watch.function";
export * from "./topic-digests.function";
export * from "./triage.function";
export * from "./wakeup-retry";
