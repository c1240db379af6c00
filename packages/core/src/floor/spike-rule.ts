/**
 * When a client's incoming items make a spike, and when it is over. Pure: no I/O, no clock reads.
 *
 * The usual count μ of the detection window (the last `windowMinutes`) is the client's arrivals forecast
 * (staffing/forecast.ts: its hour-of-week profile fitted on the last weeks, planned events applied) prorated to the
 * window, so a Monday-morning peak the client has every week is usual on Monday mornings. Arrivals in a window are
 * taken as Poisson with mean μ: an ordinary window lies within a few √μ of μ. A spike starts when the window's
 * count n reaches all three of
 *   - `minItems` (20): a handful of items is no incident, whatever the ratio;
 *   - `ratio` × μ (2×): a surge in proportion, not noise on a busy hour;
 *   - μ + `z` √μ (z = 4): beyond what chance gives (for Poisson, P(N ≥ μ + 4√μ) is about 10⁻⁴ at μ = 10);
 * and it is over when n falls below any of the lower bars `endMinItems` (10), `endRatio` × μ (1.5×) and
 * μ + `endZ` √μ (2√μ) — the gap between the two bars keeps a rate hovering at the threshold from raising and
 * ending alerts in turn. A client with less than a week of history has no usual rate and is not judged.
 */

export interface SpikeRule {
  windowMinutes: number;
  minItems: number;
  ratio: number;
  z: number;
  endMinItems: number;
  endRatio: number;
  endZ: number;
}

export const spikeRule: SpikeRule = {
  windowMinutes: 15,
  minItems: 20,
  ratio: 2,
  z: 4,
  endMinItems: 10,
  endRatio: 1.5,
  endZ: 2,
};

/** The count in a window with usual count `usual` from which a spike starts. */
export function spikeStartThreshold(usual: number, rule: SpikeRule = spikeRule): number {
  return Math.max(rule.minItems, rule.ratio * usual, usual + rule.z * Math.sqrt(usual));
}

/** The count below which an open spike is over. */
export function spikeEndThreshold(usual: number, rule: SpikeRule = spikeRule): number {
  return Math.max(rule.endMinItems, rule.endRatio * usual, usual + rule.endZ * Math.sqrt(usual));
}

/** `start` / `end`: the spike begins or is over now; `continue`: still open; `none`: no spike. */
export type SpikeDecision = "start" | "continue" | "end" | "none";

export function judgeSpike(input: { observed: number; usual: number; open: boolean; rule?: SpikeRule }): SpikeDecision {
  const rule = input.rule ?? spikeRule;
  if (input.open) return input.observed < spikeEndThreshold(input.usual, rule) ? "end" : "continue";
  return input.observed >= spikeStartThreshold(input.usual, rule) ? "start" : "none";
}

/** Expected arrivals in `[from, to)` from hourly forecasts (each hour's expected count spread evenly over it). */
export function usualInWindow(
  hours: ReadonlyArray<{ hourStart: number; expected: number }>,
  window: { from: number; to: number },
): number {
  const hourMs = 3_600_000;
  return hours.reduce((total, hour) => {
    const overlap = Math.min(window.to, hour.hourStart + hourMs) - Math.max(window.from, hour.hourStart);
    return overlap > 0 ? total + (hour.expected * overlap) / hourMs : total;
  }, 0);
}

/** Items per hour of a count over `windowMinutes`. */
export function perHour(count: number, windowMinutes: number): number {
  return (count * 60) / windowMinutes;
}

/**
 * The instant an open spike's stored item count runs to: the start of the spike's minute at its latest look
 * (`updatedAt`; the start itself in its first minute). The watcher recounts at the first look of each new minute of
 * the spike, up to that minute's start, so a reader adds only the items received since.
 */
export function spikeItemsCountedTo(spike: { startedAt: Date; updatedAt: Date }): Date {
  const minutes = Math.max(0, Math.floor((spike.updatedAt.getTime() - spike.startedAt.getTime()) / 60_000));
  return new Date(spike.startedAt.getTime() + minutes * 60_000);
}
