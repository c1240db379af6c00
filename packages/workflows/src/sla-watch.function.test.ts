import { InngestTestEngine } from "@inngest/test";
import { computeClockDeadlines, type SlaClock } from "@parley/core/sla";
import { describe, expect, it } from "vitest";
import { createInngestClient } from "./client";
import { createSlaWatchFunction } from "./sla-watch.function";
import { at, businessHours, createFakeClock, makeIds } from "./testing/fixtures";
import { InMemoryClockStore } from "./testing/in-memory-clock-store";

const MONDAY_9AM = at("2026-11-23T09:00:00Z");

function firstResponseClock(): SlaClock {
  return {
    metric: "first_response",
    startedAt: MONDAY_9AM,
    ...computeClockDeadlines({ startedAt: MONDAY_9AM, targetMinutes: 60, calendar: businessHours }),
    stoppedAt: null,
    pauses: [],
    atRiskRecordedAt: null,
    breachedRecordedAt: null,
  };
}

describe("SLA watch function (Inngest, @inngest/test)", () => {
  it("sleeps to 80 %, records and emits at-risk, sleeps to due, records and emits the breach, once each", async () => {
    const ids = makeIds();
    const store = new InMemoryClockStore();
    store.addClocks({ agencyId: ids.agencyId, itemId: ids.itemId, clocks: [firstResponseClock()] });
    const clock = createFakeClock(MONDAY_9AM);
    const fn = createSlaWatchFunction({ inngest: createInngestClient({ isDev: true }), store, now: clock.now });
    const engine = new InngestTestEngine({ function: fn });

    const { result, ctx } = await engine.execute({
      events: [{ name: "moderation/item.received", data: ids }],
      steps: [
        { id: "sleep-0", handler: () => clock.set(at("2026-11-23T09:48:00Z")) },
        { id: "emit-1", handler: () => ({ ids: ["at-risk"] }) },
        { id: "sleep-1", handler: () => clock.set(at("2026-11-23T10:00:00Z")) },
        { id: "emit-2", handler: () => ({ ids: ["breached"] }) },
      ],
    });

    expect(result).toEqual({ status: "done", advances: 3 });
    expect(ctx.step.sleepUntil.mock.calls).toEqual(
      expect.arrayContaining([
        ["sleep-0", "2026-11-23T09:48:00.000Z"],
        ["sleep-1", "2026-11-23T10:00:00.000Z"],
      ]),
    );
    const target = { agencyId: ids.agencyId, itemId: ids.itemId };
    expect(ctx.step.sendEvent.mock.calls).toEqual(
      expect.arrayContaining([
        [
          "emit-1",
          [
            {
              id: `${ids.itemId}:first_response:at-risk`,
              name: "sla/clock.at-risk",
              data: {
                ...target,
                metric: "first_response",
                atRiskAt: "2026-11-23T09:48:00.000Z",
                dueAt: "2026-11-23T10:00:00.000Z",
              },
            },
          ],
        ],
        [
          "emit-2",
          [
            {
              id: `${ids.itemId}:first_response:breached`,
              name: "sla/clock.breached",
              data: { ...target, metric: "first_response", dueAt: "2026-11-23T10:00:00.000Z" },
            },
          ],
        ],
      ]),
    );
    expect(store.recorded.map(({ at, action }) => [at.toISOString(), action.type])).toEqual([
      ["2026-11-23T09:48:00.000Z", "mark_at_risk"],
      ["2026-11-23T10:00:00.000Z", "mark_breached"],
    ]);
  });
});
