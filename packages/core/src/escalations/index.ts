/**
 * Escalations: the triage flow (acknowledge → escalate → follow up) and the SLA watcher, as pure
 * `advance…` decisions shared by the Inngest functions and the embedded driver, plus the ports
 * (`TriageStore`, `ClockStore`) a database-backed use case implements.
 */
export * from "./advance-clock";
export * from "./advance-triage";
export * from "./ports";
export * from "./wakeup";
