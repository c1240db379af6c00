import { QueryClient, QueryObserver } from "@tanstack/solid-query";
import { createRoot } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRefreshGroup, type RefreshGroup } from "./live-refresh";

/** A watched query whose fetches the test answers by hand, recording each start and each cancellation. */
function setUp() {
  const queryClient = new QueryClient();
  const fetches: Array<{ resolve: (value: number) => void; aborted: () => boolean }> = [];
  const observer = new QueryObserver(queryClient, {
    queryKey: ["agency", "work", "counts"],
    queryFn: ({ signal }) =>
      new Promise<number>((resolve) => {
        fetches.push({ resolve, aborted: () => signal.aborted });
      }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const unsubscribe = observer.subscribe(() => {});
  let group!: RefreshGroup;
  const dispose = createRoot((disposeRoot) => {
    group = createRefreshGroup(queryClient, () => ["agency", "work", "counts"], { minGapMs: 500 });
    return disposeRoot;
  });
  return {
    group,
    fetches,
    /** Answers the latest fetch and lets the group see it land. */
    async land(value: number) {
      fetches.at(-1)?.resolve(value);
      await vi.advanceTimersByTimeAsync(0);
    },
    close() {
      dispose();
      unsubscribe();
      queryClient.clear();
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-05T12:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createRefreshGroup", () => {
  it("never cancels a fetch in flight: events during it make one more refresh once it lands", async () => {
    const { group, fetches, land, close } = setUp();
    // An event while the page's own first fetch is out: that fetch is joined, not cancelled and restarted, and
    // as it began before the event, one more follows it.
    group.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetches).toHaveLength(1);
    expect(fetches[0]?.aborted()).toBe(false);
    await land(1);
    expect(fetches).toHaveLength(2);
    expect(group.behindSince()).not.toBeNull();
    await land(2);
    expect(group.behindSince()).toBeNull();

    group.request();
    await vi.advanceTimersByTimeAsync(500);
    expect(fetches).toHaveLength(3);
    // A burst of events while that refetch is slow: nothing cancelled, nothing started.
    for (let n = 0; n < 50; n++) {
      group.request();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(fetches).toHaveLength(3);
    expect(fetches[2]?.aborted()).toBe(false);
    await land(3);
    // Exactly one more, for the events that came during the slow one.
    await vi.advanceTimersByTimeAsync(500);
    expect(fetches).toHaveLength(4);
    await land(4);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fetches).toHaveLength(4);
    close();
  });

  it("starts refreshes at most every minGapMs however fast events come", async () => {
    const { group, fetches, land, close } = setUp();
    await land(0);
    for (let n = 0; n < 100; n++) {
      group.request();
      if (fetches.length > 1) await land(n);
      await vi.advanceTimersByTimeAsync(20);
    }
    // 2 s of events every 20 ms: a refresh every 500 ms (and the first at once), not 100.
    expect(fetches.length - 1).toBeGreaterThanOrEqual(4);
    expect(fetches.length - 1).toBeLessThanOrEqual(5);
    close();
  });

  it("says since when it is behind, and is current once a refresh started after the last event lands", async () => {
    const { group, land, close } = setUp();
    await land(0);
    expect(group.behindSince()).toBeNull();
    const asked = Date.now();
    group.request();
    expect(group.behindSince()).toBe(asked);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3_000);
    group.request(); // arrives while the first refresh is still out
    expect(group.behindSince()).toBe(asked);
    await land(1);
    // The first refresh covered the first event only: still behind, since the second.
    expect(group.behindSince()).toBe(asked + 3_000);
    expect(group.freshAt()).toBe(asked);
    await vi.advanceTimersByTimeAsync(500);
    await land(2);
    expect(group.behindSince()).toBeNull();
    close();
  });
});
