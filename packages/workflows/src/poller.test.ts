import { afterEach, describe, expect, it, vi } from "vitest";
import { createPoller } from "./poller";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createPoller", () => {
  it("runs at start and then every interval, counted from the end of a run; a failure is reported and polling goes on", async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let runs = 0;
    const poller = createPoller({
      everyMs: 1000,
      run: async () => {
        runs += 1;
        if (runs === 2) throw new Error("database away");
      },
      onError: (error) => errors.push(error),
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    expect(poller.lastRunAt).toBeInstanceOf(Date);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    expect(errors).toEqual([new Error("database away")]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(3);
    await poller.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(3);
    expect(poller.running).toBe(false);
  });

  it("waits `firstAfterMs` before the first run", async () => {
    vi.useFakeTimers();
    let runs = 0;
    const poller = createPoller({ everyMs: 1000, firstAfterMs: 500, run: async () => void runs++, onError: () => {} });
    poller.start();
    await vi.advanceTimersByTimeAsync(499);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await poller.stop();
  });

  it("runs again at once, without the minute's pause, while a run says there is more", async () => {
    const third = deferred();
    let runs = 0;
    const poller = createPoller({
      everyMs: 60_000,
      run: async () => {
        runs += 1;
        if (runs === 3) third.resolve();
        return runs < 3;
      },
      onError: () => {},
    });
    poller.start();
    await third.promise;
    await poller.stop();
    expect(runs).toBe(3);
  });

  it("never runs twice at once: runNow joins the run under way, and stop waits for it", async () => {
    const gate = deferred();
    let runs = 0;
    let ended = false;
    const poller = createPoller({
      everyMs: 60_000,
      run: async () => {
        runs += 1;
        await gate.promise;
        ended = true;
      },
      onError: () => {},
    });
    const first = poller.runNow();
    const second = poller.runNow();
    expect(runs).toBe(1);
    const stopped = poller.stop();
    gate.resolve();
    await Promise.all([first, second, stopped]);
    expect(ended).toBe(true);
    expect(runs).toBe(1);
  });
});
