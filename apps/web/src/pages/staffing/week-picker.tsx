import { useSearchParams } from "@solidjs/router";
import { type Accessor, createMemo, createSignal, createUniqueId, For, type JSX } from "solid-js";
import { addDays } from "./staffing-format";

/**
 * The week a staffing page shows, kept in the address (`?week=2026-12-07`) so a reload, a bookmark or the back
 * button keeps it; none: the server's default week. `weeks` lists the picker's choices from that default
 * (`step` 7 ahead, -7 back), remembered from the last answer so the list stays while another week loads.
 */
export function useStaffingWeek(options: { count: number; step: 7 | -7 }) {
  const [params, setParams] = useSearchParams<{ week?: string }>();
  const [defaultWeek, setDefaultWeek] = createSignal<string>();
  const week: Accessor<string | undefined> = () => params.week || undefined;
  const weeks = createMemo(() => {
    const first = defaultWeek();
    return first ? Array.from({ length: options.count }, (_, index) => addDays(first, options.step * index)) : [];
  });
  return {
    week,
    weeks,
    /** Note an answer's default week (the first choice). */
    answered: (view: { defaultWeekStart: string }) => setDefaultWeek(view.defaultWeekStart),
    choose: (weekStart: string | undefined) => setParams({ week: weekStart }),
  };
}

/** The toolbar's week select: the default week first (chosen by removing `?week`), then the others. */
export function WeekPicker(props: {
  choice: ReturnType<typeof useStaffingWeek>;
  label: (weekStart: string, index: number) => string;
  children?: JSX.Element;
}) {
  const selectId = createUniqueId();
  return (
    <div class="staffing-toolbar">
      <label for={selectId}>Week</label>
      <select
        id={selectId}
        class="input select select--compact"
        onChange={(event) => props.choice.choose(event.currentTarget.value || undefined)}
      >
        <For each={props.choice.weeks()}>
          {(start, index) => (
            <option
              value={index() === 0 ? "" : start}
              selected={(props.choice.week() ?? props.choice.weeks()[0]) === start}
            >
              {props.label(start, index())}
            </option>
          )}
        </For>
      </select>
      {props.children}
    </div>
  );
}
