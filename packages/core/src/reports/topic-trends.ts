/**
 * A topic's figures over a period, from the local dates of its items (pure): volume in the period, the average
 * week of the four weeks before it, the trend between the two, and whether it is new this week.
 */

/** Weeks before the period a topic's trend compares with. */
export const trendWeeks = 4;

/** Local dates ("YYYY-MM-DD") `days` after `date` (before, when negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 864e5).toISOString().slice(0, 10);
}

/** The first local date of the weeks a period's trend compares with. */
export function trendWindowStart(from: string): string {
  return addDays(from, -7 * trendWeeks);
}

export interface TopicTrend {
  /** Items in the period. */
  volume: number;
  /** Items in the four weeks before the period. */
  previousFourWeeks: number;
  /** The period's volume per week, against the average week before it, in percent; null when there was none before. */
  trendPercent: number | null;
  /** Items in the period's last seven days and none in the weeks before them (the four weeks before the period included). */
  newThisWeek: boolean;
  /** At least `minRising` items and new, or up by at least `risingPercent` on the weeks before. */
  rising: boolean;
}

export const risingRule = { minRising: 3, risingPercent: 25 };

export function measureTopicTrend(localDates: readonly string[], period: { from: string; to: string }): TopicTrend {
  const windowStart = trendWindowStart(period.from);
  const lastWeekStart = addDays(period.to, -6);
  let volume = 0;
  let previousFourWeeks = 0;
  let lastWeek = 0;
  let beforeLastWeek = 0;
  for (const date of localDates) {
    if (date < windowStart || date > period.to) continue;
    if (date >= period.from) volume++;
    else previousFourWeeks++;
    if (date >= lastWeekStart) lastWeek++;
    else beforeLastWeek++;
  }
  const days = (Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / 864e5 + 1;
  const weeklyBefore = previousFourWeeks / trendWeeks;
  const trendPercent = weeklyBefore === 0 ? null : Math.round(((volume * 7) / days / weeklyBefore - 1) * 100);
  const newThisWeek = lastWeek > 0 && beforeLastWeek === 0;
  const rising =
    volume >= risingRule.minRising &&
    (newThisWeek || trendPercent === null || trendPercent >= risingRule.risingPercent);
  return { volume, previousFourWeeks, trendPercent, newThisWeek, rising };
}
