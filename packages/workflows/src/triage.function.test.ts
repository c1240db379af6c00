import { InngestTestEngine, mockCtx } from "@inngest/test";
import type { TriageAction, TriageStore } from "@parley/core/escalations";
import type { AdvanceResult, Wakeup } from "@parley/core/kernel";
import type { Context } from "inngest";
import { describe, expect, it, vi } from "vitest";
import { createInngestClient } from "./client";
import { at, createFakeClock, makeIds, makeItem, makePolicy, SUNDAY_2AM } from "./testing/fixtures";
import { InMemoryTriageStore } from "./testing/in-memory-triage-store";
import { createTriageFunction } from "./triage.function";

const inngest = createInngestClient({ isDev: true });

type WaitResult = { name: string; data: Record<string, unknown> } | null;

/**
 * The test engine re-runs the handler from the top for every new step, so a mocked
 * `waitForEvent` is called again on each replay: answer by step id, and keep side effects
 * idempotent.
 */
function createEngine(
  fn: ReturnType<typeof createTriageFunction>,
  onWait: (stepId: string, options: { event: string; timeout: Date; match: string }) => WaitResult,
) {
  const waits = new Map<string, { event: string; timeout: Date; match: string }>();
  const engine = new InngestTestEngine({
    function: fn,
    transformCtx: (rawCtx: Context.Any) => {
      const ctx = mockCtx(rawCtx);
      ctx.step.waitForEvent = vi.fn(
        async (stepId: string, options: { event: string; timeout: Date; match: string }) => {
          waits.set(stepId, options);
          return onWait(stepId, options);
        },
      ) as unknown as typeof ctx.step.waitForEvent;
      return ctx;
    },
  });
  return { engine, waits };
}

function recordingStore(store: TriageStore) {
  const returned: Array<{ at: Date; next: Wakeup; actions: string[] }> = [];
  const advance = vi.fn(async (target: Parameters<TriageStore["advance"]>[0], now: Date) => {
    const result: AdvanceResult<TriageAction> = await store.advance(target, now);
    returned.push({ at: now, next: result.next, actions: result.actions.map((action) => action.type) });
    return result;
  });
  return { store: { advance }, advance, returned };
}

describe("triage function (Inngest, @inngest/test)", () => {
  it("on timeout reminds and moves up a level; on the answer follows up and closes", async () => {
    const ids = makeIds();
    const memory = new InMemoryTriageStore();
    memory.addItem({ agencyId: ids.agencyId, item: makeItem(ids), policy: makePolicy() });
    const { store, advance, returned } = recordingStore(memory);
    const clock = createFakeClock(SUNDAY_2AM);
    const answer = "We've recalled batch 42; DM us your order number.";

    const fn = createTriageFunction({ inngest, store, now: clock.now });
    const { engine, waits } = createEngine(fn, (stepId, options) => {
      if (stepId === "wait-0") {
        // Nobody answers before the timeout: time jumps to it and the wait yields null.
        clock.set(options.timeout);
        return null;
      }
      // Level 2 answers half an hour into its hour.
      clock.set(at("2026-11-23T11:30:00Z"));
      memory.answerEscalation(ids.itemId, answer, clock.now());
      return { name: "escalations/escalation.resolved", data: { itemId: ids.itemId } };
    });

    const { result } = await engine.execute({ events: [{ name: "moderation/item.received", data: ids }] });

    expect(result).toEqual({ status: "done", advances: 3 });
    expect(advance.mock.calls).toEqual([
      [{ agencyId: ids.agencyId, itemId: ids.itemId }, SUNDAY_2AM],
      [{ agencyId: ids.agencyId, itemId: ids.itemId }, at("2026-11-23T11:00:00Z")],
      [{ agencyId: ids.agencyId, itemId: ids.itemId }, at("2026-11-23T11:30:00Z")],
    ]);
    expect(returned).toEqual([
      {
        at: SUNDAY_2AM,
        actions: ["send_acknowledgement", "escalate"],
        next: { kind: "event", event: "escalations/escalation.resolved", timeoutAt: at("2026-11-23T11:00:00Z") },
      },
      {
        at: at("2026-11-23T11:00:00Z"),
        actions: ["remind_and_escalate"],
        next: { kind: "event", event: "escalations/escalation.resolved", timeoutAt: at("2026-11-23T12:00:00Z") },
      },
      { at: at("2026-11-23T11:30:00Z"), actions: ["send_follow_up_reply", "close"], next: { kind: "done" } },
    ]);
    expect(Object.fromEntries(waits)).toEqual({
      "wait-0": { event: "escalations/escalation.resolved", timeout: at("2026-11-23T11:00:00Z"), match: "data.itemId" },
      "wait-1": { event: "escalations/escalation.resolved", timeout: at("2026-11-23T12:00:00Z"), match: "data.itemId" },
    });
    expect(memory.performed.map(({ action }) => action.type)).toEqual([
      "send_acknowledgement",
      "escalate",
      "remind_and_escalate",
      "send_follow_up_reply",
      "close",
    ]);
    expect(memory.getState(ids.itemId).closed).toBe(true);
  });

  it("sleeps until an 'at' wake-up (mocked through steps) and stops when done", async () => {
    const ids = makeIds();
    const script: Wakeup[] = [
      { kind: "at", at: at("2026-11-22T02:15:00Z") },
      { kind: "event", event: "escalations/escalation.resolved", timeoutAt: at("2026-11-23T11:00:00Z") },
      { kind: "done" },
    ];
    const advance = vi.fn(async (): Promise<AdvanceResult<TriageAction>> => ({ next: script.shift()!, actions: [] }));
    const fn = createTriageFunction({ inngest, store: { advance }, now: () => SUNDAY_2AM });
    const { engine } = createEngine(fn, () => null);

    const { result, ctx } = await engine.execute({
      events: [{ name: "moderation/item.received", data: ids }],
      steps: [{ id: "sleep-0", handler: () => undefined }],
    });

    expect(result).toEqual({ status: "done", advances: 3 });
    expect(advance).toHaveBeenCalledTimes(3);
    expect(ctx.step.sleepUntil).toHaveBeenCalledWith("sleep-0", "2026-11-22T02:15:00.000Z");
    expect(ctx.step.run.mock.calls.map(([id]) => id)).toEqual(
      expect.arrayContaining(["advance-0", "advance-1", "advance-2"]),
    );
  });

  it("rejects a trigger whose payload does not match the catalogue", async () => {
    const silent = { info() {}, warn() {}, error() {}, debug() {} };
    const quietInngest = createInngestClient({ isDev: true, logger: silent });
    const fn = createTriageFunction({ inngest: quietInngest, store: new InMemoryTriageStore() });
    const { engine } = createEngine(fn, () => null);
    const { error } = await engine.execute({
      events: [{ name: "moderation/item.received", data: { itemId: "not-a-uuid" } }],
    });
    expect(error).toMatchObject({
      name: "EventValidationError",
      message: expect.stringContaining("itemId: Invalid UUID"),
    });
  });
});
