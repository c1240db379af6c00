/**
 * Report cells: a report's rows summed per local date, local hour, channel, priority and side of business hours, with
 * each duration's values kept whole, and each moderator's work per local date, channel and priority. A report's
 * figures are added up from cells and its medians and 90th percentiles taken over the cells' values, here, for every
 * grouping at once (`figureGroups`): the same value PostgreSQL's `percentile_cont` gives, without sorting a month of
 * rows once per grouping and duration (184 ms of a 40,000-item month). Cells are built from the report's rows when
 * read (`figureCellsOf`), and the facts sweep writes those of a settled client-day with its facts (`report_cells`,
 * `report_moderator_cells`, and `report_backlog_cells` for the backlog), so a report of fresh days reads a few
 * thousand cells instead of a month of rows.
 */

import { type SQL, sql } from "drizzle-orm";
import type { ReportFilters, ReportPeriod, ReportReader } from "./report-rows";
import { channelAndPriorityFilters, onFactDays, reportFigures, secondsToAnswer } from "./report-rows";

/** The figures that add up, by cell column, with the count each cell keeps of its rows (`r`). */
const countedFigures: ReadonlyArray<readonly [name: string, count: SQL]> = [
  ["items_in", sql`count(*)`],
  ["acknowledged_count", sql`count(*) filter (where ${reportFigures.acknowledged})`],
  ["useful_answer_count", sql`count(*) filter (where ${reportFigures.useful_answer})`],
  ["replies_sent", sql`coalesce(sum(r.replies_sent), 0)`],
  ["first_response_count", sql`count(r.first_response_seconds)`],
  ["first_response_met", sql`count(*) filter (where r.first_response_standing = 'met')`],
  ["first_response_breached", sql`count(*) filter (where r.first_response_standing = 'breached')`],
  ["resolution_count", sql`count(r.resolution_seconds)`],
  ["resolution_met", sql`count(*) filter (where r.resolution_standing = 'met')`],
  ["resolution_breached", sql`count(*) filter (where r.resolution_standing = 'breached')`],
  ["hidden", sql`count(*) filter (where ${reportFigures.hidden})`],
  ["deleted", sql`count(*) filter (where ${reportFigures.deleted})`],
  ["no_action", sql`count(*) filter (where ${reportFigures.no_action})`],
  ["escalated", sql`count(*) filter (where ${reportFigures.escalated})`],
  ["client_answer_count", sql`count(r.escalation_answered_at)`],
  ["handled", sql`count(*) filter (where ${reportFigures.handled})`],
  ["handling_count", sql`count(*) filter (where ${reportFigures.handling_measured})`],
];

/** The durations a report takes the median and 90th percentile of, by name, with each row's seconds. */
const durationFigures: ReadonlyArray<readonly [name: DurationName, seconds: SQL]> = [
  ["acknowledged", secondsToAnswer("acknowledged_at")],
  ["useful_answer", secondsToAnswer("useful_answer_at")],
  ["first_response", sql`r.first_response_seconds`],
  ["resolution", sql`r.resolution_seconds`],
  ["client_answer", sql`extract(epoch from r.escalation_answered_at - r.escalated_at)::float8`],
  ["handling", sql`r.handling_seconds`],
];
export type DurationName =
  | "acknowledged"
  | "useful_answer"
  | "first_response"
  | "resolution"
  | "client_answer"
  | "handling";

/** The clocks whose running ones are judged when read: their due instants are kept. */
const runningClocks = ["first_response", "resolution"] as const;

/**
 * `report_rows`, the columns of the report's rows (`r`) its cells read, materialized once (prefix with a comma): `r`'s
 * other columns (the moderators' names, a look-up per row) are never computed.
 */
export const reportCellRows = sql`report_rows as materialized (
    select r.client_id, r.received_at, r.created_at, r.local_date, r.local_hour, r.channel_id, r.priority, r.in_hours,
      r.status, r.moderation_action, r.acknowledged_at, r.useful_answer_at, r.replies_sent, r.first_response_standing,
      r.first_response_due_at, r.first_response_seconds, r.resolution_standing, r.resolution_due_at,
      r.resolution_seconds, r.escalated_at, r.escalation_answered_at, r.handlers, r.handling_seconds,
      r.claim_moderator_ids, r.claim_seconds, r.work_moderator_ids, r.work_hours, r.open_until
    from r
  )`;

const cellKeys = sql`r.client_id, (r.received_at at time zone 'UTC')::date, r.local_date, r.local_hour, r.channel_id,
  r.priority, r.in_hours`;

/** The columns of `report_cells` after its keys, in its order. */
const cellValueColumns = [
  ...countedFigures.map(([name]) => name),
  "first_response_running_due",
  "resolution_running_due",
  ...durationFigures.map(([name]) => `${name}_seconds`),
];
export const reportCellColumns = sql.raw(
  ["client_id", "day", "local_date", "local_hour", "channel_id", "priority", "in_hours", ...cellValueColumns].join(
    ", ",
  ),
);

/** The report's rows (`report_rows`) as cells, in `reportCellColumns`' order. */
export const figureCellsOf = sql`select ${cellKeys}, ${sql.join(
  [
    ...countedFigures.map(([, count]) => sql`${count}::int`),
    ...runningClocks.map((clock) => {
      const [due, standing] = [sql.raw(`r.${clock}_due_at`), sql.raw(`r.${clock}_standing`)];
      return sql`coalesce(array_agg(${due}) filter (where ${standing} = 'running'), '{}')`;
    }),
    ...durationFigures.map(
      ([, seconds]) => sql`coalesce(array_agg(${seconds}) filter (where ${seconds} is not null), '{}')`,
    ),
  ],
  sql`, `,
)}
  from report_rows r group by ${cellKeys}`;

/** The columns of `report_moderator_cells`, in its order. */
export const reportModeratorCellColumns = sql.raw(
  "client_id, day, local_date, channel_id, priority, moderator_id, handled, claim_seconds, work_hours",
);

/**
 * The moderators' work on the report's rows (`report_rows`) as cells, in `reportModeratorCellColumns`' order: each
 * handler's items, each measured claim's seconds and each distinct clock hour worked. The arrays are unnested in the
 * select list (zipped, a row per element), which costs a fraction of a lateral `unnest` per row.
 */
export const moderatorCellsOf = sql`select w.client_id, w.day, w.local_date, w.channel_id, w.priority, w.moderator_id,
    count(*) filter (where w.handled)::int,
    coalesce(array_agg(w.seconds) filter (where w.seconds is not null), '{}'),
    coalesce(array_agg(distinct w.hour) filter (where w.hour is not null), '{}')
  from (
    select r.client_id, (r.received_at at time zone 'UTC')::date as day, r.local_date, r.channel_id, r.priority,
      unnest(r.handlers) as moderator_id, true as handled, null::float8 as seconds, null::timestamptz as hour
    from report_rows r
    union all
    select r.client_id, (r.received_at at time zone 'UTC')::date, r.local_date, r.channel_id, r.priority,
      unnest(r.claim_moderator_ids), false, unnest(r.claim_seconds), null
    from report_rows r
    union all
    select r.client_id, (r.received_at at time zone 'UTC')::date, r.local_date, r.channel_id, r.priority,
      unnest(r.work_moderator_ids), false, null, unnest(r.work_hours)
    from report_rows r
  ) w
  group by w.client_id, w.day, w.local_date, w.channel_id, w.priority, w.moderator_id`;

/**
 * The stored cells (alias `c`) of a report: those of its clients' fresh days (`factSpans`, whole UTC days) within
 * its local dates and filters. A cell of a fresh day and a local date of the period holds exactly the period's items
 * of that day; the others are built from rows.
 */
export function storedCellsWhere(
  reader: ReportReader,
  filters: ReportFilters,
  periods: ReadonlyArray<ReportPeriod>,
): SQL {
  return sql.join(
    [
      sql`c.agency_id = ${reader.agencyId}`,
      onFactDays("c", periods),
      sql`c.local_date between ${filters.from}::date and ${filters.to}::date`,
      ...channelAndPriorityFilters("c", filters),
    ],
    sql` and `,
  );
}

/** A cell as the report's statement returns it (JSON). */
export interface FigureCell extends Record<string, unknown> {
  local_date: string;
  local_hour: number;
  channel_id: string;
  channel_name: string;
  client_name: string;
  platform: string;
  priority: string;
  in_hours: boolean;
  first_response_running_due: string[];
  resolution_running_due: string[];
}

export interface ModeratorCell {
  moderator_id: string;
  handled: number;
  claim_seconds: number[];
  work_hours: string[];
}

/** The median and 90th percentile of `values[from, to)` (reordered in place), as `percentile_cont` computes them. */
export function medianAndP90(values: Float64Array, from = 0, to = values.length): [number | null, number | null] {
  if (to <= from) return [null, null];
  return [percentileWithin(values, from, to, 0.5), percentileWithin(values, from, to, 0.9)];
}

/**
 * The `fraction` percentile of `values[from, to)` by linear interpolation between the two closest ranks
 * (`percentile_cont`'s definition and arithmetic), found by selection rather than a sort.
 */
function percentileWithin(values: Float64Array, from: number, to: number, fraction: number): number {
  const position = fraction * (to - from - 1);
  const rank = Math.floor(position);
  selectRank(values, from, to, from + rank);
  const low = values[from + rank] as number;
  if (position === rank) return low;
  let high = Number.POSITIVE_INFINITY;
  for (let at = from + rank + 1; at < to; at++) high = Math.min(high, values[at] as number);
  return low + (position - rank) * (high - low);
}

/** Reorders `values[from, to)` so that `values[rank]` is the value of that rank, smaller ones before it (Hoare). */
function selectRank(values: Float64Array, from: number, to: number, rank: number): void {
  let low = from;
  let high = to - 1;
  while (high > low) {
    const pivot = values[(low + high) >>> 1] as number;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (rank <= j) high = j;
    else if (rank >= i) low = i;
    else return;
  }
}

/** The report's groupings, each with the key its cells are grouped by ('' for the whole period). */
const groupings = {
  total: () => "",
  day: (cell: FigureCell) => cell.local_date,
  hour: (cell: FigureCell) => String(cell.local_hour),
  channel: (cell: FigureCell) => cell.channel_id,
  priority: (cell: FigureCell) => cell.priority,
  business_hours: (cell: FigureCell) => String(cell.in_hours),
} as const;
export type FigureDimension = keyof typeof groupings;

/** One group's figures: its cells' counts summed, each duration's median and 90th percentile, names from a cell. */
export interface FigureGroup {
  dimension: FigureDimension;
  key: string;
  channelName: string;
  clientName: string;
  platform: string;
  counts: Record<string, number>;
  percentiles: Record<DurationName, [number | null, number | null]>;
}

/**
 * Every grouping's groups of the cells, with running clocks past due at `now` counted breached (the report's instant,
 * as `clockState` judges a row). Each duration's values are laid out once, cell after cell, and each grouping copies
 * them group after group into one buffer, in which each group's percentiles are selected.
 */
export function figureGroups(cells: readonly FigureCell[], now: Date): FigureGroup[] {
  const durations = durationFigures.map(([name]) => laidOut(cells, `${name}_seconds`));
  const groups: FigureGroup[] = [];
  for (const [dimension, keyOf] of Object.entries(groupings) as Array<
    [FigureDimension, (cell: FigureCell) => string]
  >) {
    const indexOf = new Map<string, number>();
    const members: number[][] = [];
    cells.forEach((cell, at) => {
      const key = keyOf(cell);
      let index = indexOf.get(key);
      if (index === undefined) {
        index = members.length;
        indexOf.set(key, index);
        members.push([]);
      }
      members[index]?.push(at);
    });
    const percentiles = durations.map((duration) => groupPercentiles(duration, members));
    for (const [key, index] of indexOf) {
      const list = members[index] as number[];
      const first = cells[list[0] as number] as FigureCell;
      groups.push({
        dimension,
        key,
        channelName: first.channel_name,
        clientName: first.client_name,
        platform: first.platform,
        counts: groupCounts(
          list.map((at) => cells[at] as FigureCell),
          now.getTime(),
        ),
        percentiles: Object.fromEntries(
          durationFigures.map(([name], at) => [name, percentiles[at]?.[index] ?? [null, null]]),
        ) as FigureGroup["percentiles"],
      });
    }
  }
  return groups;
}

/** One column's values of every cell, cell after cell: cell `n`'s are `values[offsets[n], offsets[n + 1])`. */
function laidOut(cells: readonly FigureCell[], column: string): { values: Float64Array; offsets: Int32Array } {
  const offsets = new Int32Array(cells.length + 1);
  cells.forEach((cell, at) => {
    offsets[at + 1] = (offsets[at] as number) + (cell[column] as number[]).length;
  });
  const values = new Float64Array(offsets[cells.length] as number);
  let next = 0;
  for (const cell of cells) for (const value of cell[column] as number[]) values[next++] = value;
  return { values, offsets };
}

/** Each group's median and 90th percentile of a laid-out duration (`members`: each group's cells). */
function groupPercentiles(
  { values, offsets }: { values: Float64Array; offsets: Int32Array },
  members: readonly number[][],
): Array<[number | null, number | null]> {
  const buffer = new Float64Array(values.length);
  let next = 0;
  return members.map((cells) => {
    const from = next;
    for (const cell of cells) {
      for (let at = offsets[cell] as number; at < (offsets[cell + 1] as number); at++)
        buffer[next++] = values[at] as number;
    }
    return medianAndP90(buffer, from, next);
  });
}

/** A group's counts: its cells' summed, and its running clocks past due at `now` added to the breached ones. */
function groupCounts(cells: readonly FigureCell[], now: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name] of countedFigures) {
    let total = 0;
    for (const cell of cells) total += cell[name] as number;
    counts[name] = total;
  }
  for (const clock of runningClocks) {
    const column = `${clock}_running_due`;
    let pastDue = 0;
    for (const cell of cells) for (const due of cell[column] as string[]) if (now > Date.parse(due)) pastDue++;
    counts[`${clock}_breached`] = (counts[`${clock}_breached`] ?? 0) + pastDue;
  }
  return counts;
}

/** The columns of `report_backlog_cells`, in its order. */
export const reportBacklogCellColumns = sql.raw(
  "client_id, day, channel_id, priority, open_until_latest, received_at, open_until",
);

/** The items of the report's rows (`report_rows`) that were ever open, as backlog cells. */
export const backlogCellsOf = sql`select r.client_id, (r.received_at at time zone 'UTC')::date, r.channel_id,
    r.priority, max(r.open_until), array_agg(r.received_at order by r.received_at),
    array_agg(r.open_until order by r.received_at)
  from report_rows r where r.open_until > r.received_at
  group by r.client_id, (r.received_at at time zone 'UTC')::date, r.channel_id, r.priority`;
