/**
 * Durable flows: the Inngest client, the event catalogue, the triage and SLA-watch functions (which
 * loop over the `advance…` use cases of @parley/core/escalations), the embedded driver that runs the
 * same use cases without an Inngest server, and the Hono handler for /api/inngest.
 */
export type {
  ClockStore,
  FlowName,
  FlowTarget,
  TriageStore,
  Wakeup,
  WakeupQueue,
  WakeupRecord,
} from "@parley/core/escalations";
export * from "./client";
export * from "./embedded-driver";
export * from "./events";
export * from "./flow-loop";
export * from "./monthly-invoices.function";
export * from "./serve";
export * from "./sla-watch.function";
export * from "./triage.function";
