import type { QueryClient, QueryKey } from "@tanstack/solid-query";
import { createSignal, onCleanup } from "solid-js";

/**
 * One group of queries live events make stale (the counts, the queue's pages, the open item), refreshed so that
 * what a console shows converges on the truth at any event rate:
 *
 * - a fetch in flight is never cancelled (TanStack's `invalidateQueries` would cancel it, and a refetch slower than
 *   the gap between event batches would then never land: the counts froze while saying "Live");
 * - events during a fetch mark the group dirty, and one more refresh follows when it lands;
 * - refreshes start at most every `minGapMs`, so a peak costs a console a few requests a second, not one per event.
 */
export interface RefreshGroup {
  /** Something changed: refresh (now, or after the fetch in flight, or once `minGapMs` has passed). */
  request(): void;
  /** When the data shown was last known current: the start of the last refresh that landed after every request. */
  freshAt(): number;
  /** Since when a requested refresh has not landed; null when nothing is outstanding. */
  behindSince(): number | null;
}

/** A refresh that failed (the server unreachable, or a fetch cancelled by another caller) is tried again after this. */
const retryAfterFailureMs = 5_000;

export function createRefreshGroup(
  queryClient: QueryClient,
  queryKey: () => QueryKey,
  options: { minGapMs: number },
): RefreshGroup {
  const [freshAt, setFreshAt] = createSignal(Date.now());
  const [behindSince, setBehindSince] = createSignal<number | null>(null);
  let running = false;
  let dirty = false;
  /** The first request since the running refresh started (null: none): what that refresh does not cover. */
  let uncoveredSince: number | null = null;
  let lastStart = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const run = async () => {
    timer = undefined;
    if (disposed) return;
    running = true;
    dirty = false;
    uncoveredSince = null;
    const startedAt = Date.now();
    lastStart = startedAt;
    let failed = false;
    try {
      const key = queryKey();
      // A fetch already out (the page's first, or one an action started) is joined, never cancelled; but it began
      // before this refresh, so its answer may predate what was asked for: one more fetch follows it.
      const joined = queryClient.isFetching({ queryKey: key, type: "active" }) > 0;
      const refetch = () =>
        queryClient.refetchQueries({ queryKey: key, type: "active" }, { cancelRefetch: false, throwOnError: true });
      // Inactive queries (another filter's pages) are only marked stale; active ones refetch.
      await queryClient.invalidateQueries({ queryKey: key, refetchType: "none" });
      await refetch();
      if (joined) await refetch();
      setFreshAt(startedAt);
      // Requests made before this refresh started are covered; any since wait for the next one.
      setBehindSince(uncoveredSince);
    } catch {
      // The data shown stays as it was (the chip tells how old it is); tried again soon, or at the next request.
      failed = true;
    } finally {
      running = false;
    }
    if (dirty) schedule();
    else if (failed && !disposed) timer = setTimeout(() => void run(), retryAfterFailureMs);
  };

  function schedule() {
    if (running || timer !== undefined || disposed) return;
    const wait = Math.max(0, lastStart + options.minGapMs - Date.now());
    timer = setTimeout(() => void run(), wait);
  }

  onCleanup(() => {
    disposed = true;
    clearTimeout(timer);
  });

  return {
    request() {
      const now = Date.now();
      if (behindSince() === null) setBehindSince(now);
      if (running) {
        dirty = true;
        uncoveredSince ??= now;
      } else schedule();
    },
    freshAt,
    behindSince,
  };
}
