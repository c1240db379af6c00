import { type LiveEvent, type LiveEventType, liveEventTypes } from "@parley/contracts";
import { type Accessor, createSignal, onCleanup, onMount } from "solid-js";
import { type Freshness, type LiveStatus, liveChip } from "./live-chip";

const isLiveEventType = (value: unknown): value is LiveEventType => liveEventTypes.some((type) => type === value);

/** The event in a message's data, or null for anything else (a type no listener knows is dropped here). */
function parseEvent(data: unknown, named?: LiveEventType): LiveEvent | null {
  if (typeof data !== "string") return null;
  try {
    const value = JSON.parse(data) as Partial<Record<keyof LiveEvent, unknown>> | null;
    if (typeof value !== "object" || value === null) return null;
    const type = isLiveEventType(value.type) ? value.type : named;
    if (!type || typeof value.agencyId !== "string") return null;
    return {
      type,
      agencyId: value.agencyId,
      clientId: typeof value.clientId === "string" ? value.clientId : null,
      subjectId: typeof value.subjectId === "string" ? value.subjectId : undefined,
    };
  } catch {
    return null;
  }
}

/** Waits before a fresh connection after the browser gave up (it retries on its own while it can). */
const backoffMs = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Subscribes to the server's live events for as long as the calling component lives. Events arriving close
 * together are handed over in one batch (a peak sends many; one refetch serves them all). After a broken
 * connection comes back, `onReconnect` runs: events may have been missed, so callers refresh what they show.
 */
export function createLiveEvents(options: {
  onEvents: (events: LiveEvent[]) => void;
  onReconnect: () => void;
  batchMs?: number;
}): Accessor<LiveStatus> {
  const [status, setStatus] = createSignal<LiveStatus>("connecting");
  let source: EventSource | null = null;
  let pending: LiveEvent[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let wasOpen = false;
  let disposed = false;

  const flush = () => {
    flushTimer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length > 0 && !disposed) options.onEvents(batch);
  };

  const receive = (message: MessageEvent, named?: LiveEventType) => {
    const event = parseEvent(message.data, named);
    if (!event) return;
    pending.push(event);
    flushTimer ??= setTimeout(flush, options.batchMs ?? 150);
  };

  const connect = () => {
    if (disposed) return;
    setStatus(wasOpen ? "reconnecting" : "connecting");
    const next = new EventSource("/events", { withCredentials: true });
    source = next;
    next.onopen = () => {
      setStatus("live");
      attempt = 0;
      if (wasOpen) options.onReconnect();
      wasOpen = true;
    };
    next.onmessage = (message) => receive(message);
    // Named events (`event: queue.changed`) do not reach onmessage.
    for (const type of liveEventTypes) next.addEventListener(type, (message) => receive(message as MessageEvent, type));
    next.onerror = () => {
      if (next.readyState === EventSource.CLOSED) {
        // The browser won't retry (e.g. the answer was not an event stream): reconnect ourselves, slower each time.
        setStatus(wasOpen ? "reconnecting" : "offline");
        next.close();
        const delay = backoffMs[Math.min(attempt, backoffMs.length - 1)] ?? 30_000;
        attempt += 1;
        retryTimer = setTimeout(connect, delay);
      } else {
        setStatus(wasOpen ? "reconnecting" : "connecting");
      }
    };
  };

  onMount(connect);
  onCleanup(() => {
    disposed = true;
    clearTimeout(flushTimer);
    clearTimeout(retryTimer);
    source?.close();
  });
  return status;
}

/**
 * A small dot and words telling the truth about live updates (`liveChip`): "Live", "Updated n s ago" when a refresh
 * they asked for is late, or the stream's state.
 */
export function LiveIndicator(props: { status: LiveStatus; freshness?: Freshness }) {
  const chip = () => liveChip(props.status, props.freshness);
  return (
    <span class={`live live--${chip().tone}`} title={chip().hint} role="status">
      <span class="live__dot" aria-hidden="true" />
      {chip().label}
    </span>
  );
}
