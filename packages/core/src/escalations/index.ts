/**
 * Escalations: the triage flow (acknowledge → escalate → follow up) as the pure `advanceTriage` decision and the
 * store that performs it, escalating by hand, the client's answers, playbooks, notices and the hand-over packet.
 */
export * from "./advance-triage";
export * from "./escalate-item";
export * from "./escalation-answers";
export * from "./handover-packet";
export * from "./notifications";
export * from "./playbooks";
export * from "./triage-store";
