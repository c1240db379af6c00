/**
 * The floor: the shift lead's live view of every client's traffic and the people working it, and spike detection
 * (a client's incoming rate against its usual rate for the hour of the week).
 */
export * from "./detect-spikes.unscoped";
export * from "./floor-view";
export * from "./presence";
export * from "./spike-rule";
export * from "./usual-rate";
