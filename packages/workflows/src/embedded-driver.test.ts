import { computeClockDeadlines } from "@parley/core/sla";
import { describe, expect, it, vi } from "vitest";
import { createEmbeddedDriver } from "./embedded-driver";
import { at, businessHours, createFakeClock, makeIds, makeItem, makePolicy, SUNDAY_2AM } from "./testing/fixtures";
import { InMemoryClockStore } from "./testing/in-memory-clock-store";
import { InMemoryTriageStore } from "./testing/in-memory-triage-store";
import { InMemoryWakeupQueue } from "./testing/in-memory-wakeup-queue";

function setup(policy = makePolicy({ customerUpdateCadenceMinutes: 12 * 60 })) {
  const ids = makeIds();
  const store = new InMemoryTriageStore();
  store.addItem({ agencyId: ids.agencyId, item: makeItem(ids), policy });
  const wakeups = new InMemoryWakeupQueue();
  const clock = createFakeClock(SUNDAY_2AM);
  return { ids, store, wakeups, clock };
}

/** Jumps the clock from one due wake-up to the next and ticks, up to `until`. */
async function runUntil(
  driver: { tick(): Promise<number> },
  wakeups: InMemoryWakeupQueue,
  clock: ReturnType<typeof createFakeClock>,
  until: Date,
) {
  for (let guard = 0; guard < 100; guard++) {
    const due = wakeups.nextDueAt();
    if (!due || due > until) return;
    if (due > clock.now()) clock.set(due);
    await driver.tick();
  }
  throw new Error("runUntil did not settle");
}

const summary = (store: InMemoryTriageStore) =>
  store.performed.map(({ at, action }) => `${at.toISOString()} ${action.type}`);

describe("embedded driver", () => {
  it("runs the out-of-hours scenario to done from persisted wake-ups", async () => {
    const { ids, store, wakeups, clock } = setup();
    const driver = createEmbeddedDriver({ store, wakeups, now: clock.now });
    await wakeups.schedule({ flow: "triage", agencyId: ids.agencyId, itemId: ids.itemId, dueAt: SUNDAY_2AM });

    await runUntil(driver, wakeups, clock, at("2026-11-23T11:29:00Z"));
    expect(summary(store)).toEqual([
      "2026-11-22T02:00:00.000Z send_acknowledgement",
      "2026-11-22T02:00:00.000Z escalate",
      "2026-11-22T14:00:00.000Z send_customer_update",
      "2026-11-23T02:00:00.000Z send_customer_update",
      "2026-11-23T11:00:00.000Z remind_and_escalate",
    ]);
    expect(wakeups.list()).toEqual([
      expect.objectContaining({
        flow: "triage",
        dueAt: at("2026-11-23T12:00:00Z"),
        waitingFor: "escalations/escalation.resolved",
      }),
    ]);

    // The client answers at 11:30: the answer is saved and the waiting wake-up is brought forward.
    clock.set(at("2026-11-23T11:30:00Z"));
    store.answerEscalation(ids.itemId, "Refund approved; DM us your order number.", clock.now());
    expect(await wakeups.notify({ event: "escalations/escalation.resolved", itemId: ids.itemId }, clock.now())).toBe(1);
    expect(await driver.tick()).toBe(1);

    expect(summary(store).slice(5)).toEqual([
      "2026-11-23T11:30:00.000Z send_follow_up_reply",
      "2026-11-23T11:30:00.000Z close",
    ]);
    expect(store.getState(ids.itemId).closed).toBe(true);
    expect(wakeups.list()).toEqual([]);
  });

  it("never double-acts: two drivers on one queue, and a crashed claim replayed after its lease", async () => {
    const { ids, store, wakeups, clock } = setup();
    const options = { store, wakeups, now: clock.now, leaseMs: 60_000 };
    const [first, second] = [createEmbeddedDriver(options), createEmbeddedDriver(options)];
    await wakeups.schedule({ flow: "triage", agencyId: ids.agencyId, itemId: ids.itemId, dueAt: SUNDAY_2AM });

    const claimed = await Promise.all([first.tick(), second.tick()]);
    expect(claimed.sort()).toEqual([0, 1]);

    // A process claims the 14:00 wake-up, advances, and dies before rescheduling.
    clock.set(at("2026-11-22T14:00:00Z"));
    const [lost] = await wakeups.claimDue(clock.now(), 1, 60_000);
    await store.advance({ agencyId: lost!.agencyId, itemId: lost!.itemId }, clock.now());
    expect(await first.tick()).toBe(0); // still leased
    clock.set(at("2026-11-22T14:01:00Z"));
    expect(await first.tick()).toBe(1); // lease ran out: advanced again, nothing repeated

    expect(summary(store)).toEqual([
      "2026-11-22T02:00:00.000Z send_acknowledgement",
      "2026-11-22T02:00:00.000Z escalate",
      "2026-11-22T14:00:00.000Z send_customer_update",
    ]);
    expect(wakeups.list()[0]?.dueAt).toEqual(at("2026-11-23T02:00:00Z"));
  });

  it("retries a failed advance later and reports it", async () => {
    const { ids, store, wakeups, clock } = setup();
    const onError = vi.fn();
    const failing = { advance: vi.fn().mockRejectedValueOnce(new Error("database down")) };
    failing.advance.mockImplementation((target, now) => store.advance(target, now));
    const driver = createEmbeddedDriver({ store: failing, wakeups, now: clock.now, onError });
    await wakeups.schedule({ flow: "triage", agencyId: ids.agencyId, itemId: ids.itemId, dueAt: SUNDAY_2AM });

    expect(await driver.tick()).toBe(1);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "database down" }), expect.anything());
    expect(wakeups.list()[0]).toMatchObject({ dueAt: at("2026-11-22T02:01:00Z"), attempts: 1 });

    clock.set(at("2026-11-22T02:01:00Z"));
    expect(await driver.tick()).toBe(1);
    expect(summary(store)).toEqual([
      "2026-11-22T02:01:00.000Z send_acknowledgement",
      "2026-11-22T02:01:00.000Z escalate",
    ]);
    expect(wakeups.list()[0]).toMatchObject({ attempts: 0 });
  });

  it("watches SLA clocks through the same queue", async () => {
    const ids = makeIds();
    const monday = at("2026-11-23T09:00:00Z");
    const clockStore = new InMemoryClockStore();
    clockStore.addClocks({
      agencyId: ids.agencyId,
      itemId: ids.itemId,
      clocks: [
        {
          metric: "first_response",
          startedAt: monday,
          ...computeClockDeadlines({ startedAt: monday, targetMinutes: 60, calendar: businessHours }),
          stoppedAt: null,
          pauses: [],
          atRiskRecordedAt: null,
          breachedRecordedAt: null,
        },
      ],
    });
    const wakeups = new InMemoryWakeupQueue();
    const clock = createFakeClock(monday);
    const driver = createEmbeddedDriver({ store: new InMemoryTriageStore(), clockStore, wakeups, now: clock.now });
    await wakeups.schedule({ flow: "sla-watch", agencyId: ids.agencyId, itemId: ids.itemId, dueAt: monday });

    await runUntil(driver, wakeups, clock, at("2026-11-24T00:00:00Z"));

    expect(clockStore.recorded.map(({ at, action }) => `${at.toISOString()} ${action.type}`)).toEqual([
      "2026-11-23T09:48:00.000Z mark_at_risk",
      "2026-11-23T10:00:00.000Z mark_breached",
    ]);
    expect(wakeups.list()).toEqual([]);
  });

  it("polls on its own once started, and stops cleanly", async () => {
    const { ids, store, wakeups, clock } = setup();
    const driver = createEmbeddedDriver({ store, wakeups, now: clock.now, pollMs: 5 });
    await wakeups.schedule({ flow: "triage", agencyId: ids.agencyId, itemId: ids.itemId, dueAt: SUNDAY_2AM });
    driver.start();
    await vi.waitFor(() => expect(store.performed).toHaveLength(2));
    await driver.stop();
    expect(store.getState(ids.itemId).escalation.status).toBe("open");
  });
});

describe("InMemoryWakeupQueue", () => {
  it("keeps a wake-up notified while it was claimed due, instead of pushing it back", async () => {
    const queue = new InMemoryWakeupQueue();
    const { agencyId, itemId } = makeIds();
    await queue.schedule({ flow: "triage", agencyId, itemId, dueAt: at("2026-11-22T02:00:00Z") });
    const [claimed] = await queue.claimDue(at("2026-11-22T02:00:00Z"), 10, 60_000);
    await queue.reschedule(claimed!.id, {
      dueAt: at("2026-11-22T03:00:00Z"),
      waitingFor: "escalations/escalation.resolved",
      attempts: 0,
    });
    const [again] = await queue.claimDue(at("2026-11-22T03:00:00Z"), 10, 60_000);
    // The answer lands while the advance runs on the old state.
    await queue.notify({ event: "escalations/escalation.resolved", itemId }, at("2026-11-22T03:00:10Z"));
    await queue.reschedule(again!.id, {
      dueAt: at("2026-11-22T09:00:00Z"),
      waitingFor: "escalations/escalation.resolved",
      attempts: 0,
    });
    expect(queue.list()[0]?.dueAt).toEqual(at("2026-11-22T03:00:10Z"));
  });
});
