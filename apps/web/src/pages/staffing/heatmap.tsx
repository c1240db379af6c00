/**
 * A pool's week as a heatmap: days down, hours across, each cell the moderators the hour needs rostered over those
 * rostered. Plain HTML table and CSS rather than a charting library: 168 cells of two numbers and a state read
 * better as a table (row and column headers, one focusable button per hour for keyboards and screen readers, testable
 * by role), and a library would add weight for nothing a grid of coloured cells cannot show.
 */
import { createMemo, For, Show } from "solid-js";
import type { PoolHour, PoolPlan } from "./staffing-api";
import {
  addDays,
  type CellState,
  cellState,
  cellStateLabels,
  formatHour,
  formatLocalDate,
  formatPeople,
} from "./staffing-format";

const hours = Array.from({ length: 24 }, (_, hour) => hour);

/** The label a cell's button reads: when, what it needs, what is rostered and the state. */
export function hourLabel(hour: PoolHour): string {
  const state = cellStateLabels[cellState(hour)];
  const needs = `needs ${hour.required.scheduled} on the roster, ${formatPeople(hour.rostered)} rostered`;
  const events = hour.events.length > 0 ? `, ${hour.events.join(", ")}` : "";
  return `${formatLocalDate(hour.localDate)} ${formatHour(hour.hour)}: ${needs}, ${state}${events}`;
}

/** The worse of two hours landing on one cell (the repeated hour when clocks go back). */
function worse(a: PoolHour, b: PoolHour): PoolHour {
  const rank = (hour: PoolHour) => ["quiet", "covered", "triage", "short"].indexOf(cellState(hour));
  return rank(b) > rank(a) || (rank(b) === rank(a) && b.gap > a.gap) ? b : a;
}

export function Heatmap(props: {
  pool: PoolPlan;
  weekStart: string;
  selected: string | null;
  onSelect: (hour: PoolHour) => void;
}) {
  const cells = createMemo(() => {
    const map = new Map<string, PoolHour>();
    for (const hour of props.pool.hours) {
      const key = `${hour.localDate} ${hour.hour}`;
      const found = map.get(key);
      map.set(key, found ? worse(found, hour) : hour);
    }
    return map;
  });
  const days = () => Array.from({ length: 7 }, (_, index) => addDays(props.weekStart, index));
  return (
    <div class="heatmap-wrap">
      <table class="heatmap" aria-label={`Required vs rostered moderators: ${props.pool.name}`}>
        <thead>
          <tr>
            <th scope="col">
              <span class="sr-only">Day</span>
            </th>
            <For each={hours}>{(hour) => <th scope="col">{String(hour).padStart(2, "0")}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={days()}>
            {(day) => (
              <tr>
                <th scope="row">{formatLocalDate(day)}</th>
                <For each={hours}>
                  {(hour) => (
                    <td>
                      <Show when={cells().get(`${day} ${hour}`)}>
                        {(cell) => <HeatmapCell hour={cell()} selected={props.selected} onSelect={props.onSelect} />}
                      </Show>
                    </td>
                  )}
                </For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <ul class="heatmap-legend" aria-label="Legend">
        <For each={["covered", "triage", "short", "quiet"] as CellState[]}>
          {(state) => (
            <li>
              <span class={`heatmap__cell heatmap__cell--${state}`} aria-hidden="true" />
              {cellStateLabels[state]}
            </li>
          )}
        </For>
        <li>Each cell: moderators needed on the roster / rostered; underlined: a planned event.</li>
      </ul>
    </div>
  );
}

function HeatmapCell(props: { hour: PoolHour; selected: string | null; onSelect: (hour: PoolHour) => void }) {
  const key = () => new Date(props.hour.startsAt).toISOString();
  return (
    <button
      type="button"
      class={`heatmap__cell heatmap__cell--${cellState(props.hour)}`}
      classList={{ "heatmap__cell--event": props.hour.events.length > 0 }}
      aria-label={hourLabel(props.hour)}
      aria-pressed={props.selected === key() ? "true" : "false"}
      data-state={cellState(props.hour)}
      onClick={() => props.onSelect(props.hour)}
    >
      {props.hour.required.scheduled}
      <small>{formatPeople(props.hour.rostered)}</small>
    </button>
  );
}
