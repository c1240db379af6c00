/**
 * What time it is. Every place that lets a caller (a test, a workflow driver) decide "now" takes a `Clock`,
 * passed the same way: as `now` in its dependencies (`deps: { now?: Clock }`, or an options object's `now`),
 * defaulting to `systemClock`. Pure rules take the instant itself (`now: Date`).
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
