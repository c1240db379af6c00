/** FOR TESTS ONLY: in-memory stand-ins for the database-backed stores and wake-up queue. */
export * from "./in-memory-clock-store";
export * from "./in-memory-triage-store";
export * from "./in-memory-wakeup-queue";
