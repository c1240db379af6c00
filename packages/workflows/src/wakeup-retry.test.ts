import { describe, expect, it } from "vitest";
import { retryWakeupLater, wakeupRetryDelayMs } from "./wakeup-retry";

describe("retryWakeupLater", () => {
  it("doubles the delay from a minute with each failure, up to an hour", () => {
    expect([1, 2, 3, 6, 7, 20].map(wakeupRetryDelayMs)).toEqual([
      60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
  });

  it("makes the wake-up due again later, still waiting for its event, with the failure counted", async () => {
    const calls: unknown[] = [];
    const wakeups = { reschedule: async (...args: unknown[]) => void calls.push(args) };
    const at = new Date("2026-12-05T12:00:00Z");
    await retryWakeupLater(wakeups, { id: "w1", attempts: 2, waitingFor: "escalations/escalation.resolved" }, at);
    expect(calls).toEqual([
      ["w1", { dueAt: new Date("2026-12-05T12:04:00Z"), waitingFor: "escalations/escalation.resolved", attempts: 3 }],
    ]);
  });
});
