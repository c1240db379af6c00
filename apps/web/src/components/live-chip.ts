/** `reconnecting`: the stream was open and broke; the browser (or Parley, slower each time) is reconnecting. */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "offline";

/** How long a page's shown data trails what its live events announced (`RefreshGroup`), at `now`. */
export interface Freshness {
  /** Since when a requested refresh has not landed; null when nothing is outstanding. */
  behindSince: number | null;
  /** When the data shown was last known current. */
  freshAt: number;
  now: number;
  /**
   * How long the page waits between refreshes by design (its refresh group's `minGapMs`; 0 when it refreshes at
   * once): a view that refreshes every 10 s is not behind for being 8 s old.
   */
  paceMs?: number;
}

/** What the chip shows: its tone (a CSS modifier), its words and its tooltip. */
export interface LiveChip {
  tone: LiveStatus | "behind";
  label: string;
  hint: string;
}

const labels: Record<LiveStatus, string> = {
  live: "Live",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  offline: "Offline, retrying",
};

const hints: Record<LiveStatus, string> = {
  live: "Updates arrive as they happen.",
  connecting: "Connecting to live updates…",
  reconnecting: "Live updates broke off; Parley is reconnecting. What you see may be out of date.",
  offline: "Live updates are interrupted; Parley keeps retrying. What you see may be out of date.",
};

/** How long past its pace a requested refresh may be outstanding before the chip stops saying "Live". */
export const behindAfterMs = 2_000;

/**
 * The truth about live updates: "Live" while they flow and what is shown is current (within the page's pace);
 * "Updated n s ago" once a refresh they asked for is more than `behindAfterMs` late; the stream's state otherwise.
 */
export function liveChip(status: LiveStatus, freshness?: Freshness): LiveChip {
  const paceMs = freshness?.paceMs ?? 0;
  const paced = (hint: string) =>
    paceMs > 0 ? `${hint} This view refreshes at most every ${Math.round(paceMs / 1000)} s.` : hint;
  if (
    status === "live" &&
    freshness &&
    freshness.behindSince !== null &&
    freshness.now - freshness.behindSince >= paceMs + behindAfterMs
  ) {
    const seconds = Math.max(0, Math.round((freshness.now - freshness.freshAt) / 1000));
    return {
      tone: "behind",
      label: `Updated ${seconds} s ago`,
      hint: "Changes arrived that are not shown yet; refreshing.",
    };
  }
  return { tone: status, label: labels[status], hint: status === "live" ? paced(hints.live) : hints[status] };
}
