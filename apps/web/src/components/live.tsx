import { type LiveEvent, type LiveEventType, liveEventTypes } from "@parley/contracts";
import { type Accessor, createSignal, onCleanup, onMount } from "solid-js";

/** `reconnecting`: the stream was open and broke; the browser (or Parley, slower each time) is reconnecting. */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "offline";

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

const liveLabels: Record<LiveStatus, string> = {
  live: "Live",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  offline: "Offline, retrying",
};

const liveHints: Record<LiveStatus, string> = {
  live: "Updates arrive as they happen.",
  connecting: "Connecting to live updates…",
  reconnecting: "Live updates broke off; Parley is reconnecting. What you see may be out of date.",
  offline: "Live updates are interrupted; Parley keeps retrying. What you see may be out of date.",
};

/** How long a requested refresh may be outstanding before the chip stops saying "Live". */
const behindAfterMs = 2_000;

/**
 * A small dot and words telling the truth about live updates: "Live" while they flow and what is shown is current;
 * "Updated n s ago" when a refresh they asked for has not landed for a while (`freshness`); "Reconnecting…" when
 * the stream broke.
 */
export function LiveIndicator(props: {
  status: LiveStatus;
  freshness?: { behindSince: number | null; freshAt: number; now: number };
}) {
  const behind = () => {
    const fresh = props.freshness;
    if (props.status !== "live" || !fresh || fresh.behindSince === null) return null;
    return fresh.now - fresh.behindSince >= behindAfterMs
      ? Math.max(0, Math.round((fresh.now - fresh.freshAt) / 1000))
      : null;
  };
  return (
    <span
      class={`live live--${behind() === null ? props.status : "behind"}`}
      title={behind() === null ? liveHints[props.status] : "Changes arrived that are not shown yet; refreshing."}
      role="status"
    >
      <span class="live__dot" aria-hidden="true" />
      {behind() === null ? liveLabels[props.status] : `Updated ${behind()} s ago`}
    </span>
  );
}
