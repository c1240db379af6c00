import { useQuery } from "@tanstack/solid-query";
import { createMemo, createSignal, createUniqueId, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { Card, Page, QueryStatus } from "../../components/page";
import { toUiError } from "../../errors";
import { trpc } from "../../trpc";
import type { ReviewFigures } from "./staffing-api";
import { staffingKeys } from "./staffing-api";
import { addDays, formatLocalDate, formatPeople } from "./staffing-format";

/** Weeks back the review goes (the forecast's history). */
const weeksBack = 12;

function Row(props: { label: string; figures: ReviewFigures; total?: boolean }) {
  const compliance = () =>
    props.figures.compliancePercent === null
      ? "—"
      : `${props.figures.compliancePercent.toFixed(1)} % (${props.figures.clocksMet} of ${props.figures.clocksDecided})`;
  return (
    <tr class={props.total ? "cell--primary" : undefined}>
      <th scope="row">{props.label}</th>
      <td class="staffing-num">{props.figures.plannedArrivals.toFixed(0)}</td>
      <td class="staffing-num">{props.figures.actualArrivals}</td>
      <td class="staffing-num">{formatPeople(props.figures.plannedRequiredHours)}</td>
      <td class="staffing-num">{formatPeople(props.figures.actualRequiredHours)}</td>
      <td class="staffing-num">{formatPeople(props.figures.rosteredHours)}</td>
      <td class="staffing-num">{props.figures.onlineHours}</td>
      <td class="staffing-num">{props.figures.plannedHoursShort}</td>
      <td class="staffing-num">{props.figures.actualHoursShort}</td>
      <td class="staffing-num">{compliance()}</td>
    </tr>
  );
}

/** Planned vs actual for a past week: arrivals, moderators (needed, rostered, online) and compliance achieved. */
export function StaffingReviewPage() {
  const session = useSession();
  const selectId = createUniqueId();
  const [week, setWeek] = createSignal<string>();
  const [lastWeek, setLastWeek] = createSignal<string>();
  const review = useQuery(() => ({
    queryKey: staffingKeys.review(session.agencyId(), week()),
    queryFn: async () => {
      const result = await trpc.staffing.review.query(week() ? { weekStart: week() } : {});
      if (!week()) setLastWeek(result.weekStart);
      return result;
    },
  }));
  const weeks = createMemo(() => {
    const first = lastWeek() ?? review.data?.weekStart;
    return first ? Array.from({ length: weeksBack }, (_, index) => addDays(first, -7 * index)) : [];
  });
  return (
    <Page
      title="Planned vs actual"
      lead="For a past week, the plan as it stood at the week's start against what happened, so you can trust the model or see where it is wrong. A moderator counts as online in an hour they claimed or acted on an item."
    >
      <div class="staffing-toolbar">
        <label for={selectId}>Week</label>
        <select
          id={selectId}
          class="input select select--compact"
          onChange={(event) => setWeek(event.currentTarget.value || undefined)}
        >
          <For each={weeks()}>
            {(start, index) => (
              <option value={index() === 0 ? "" : start} selected={(week() ?? weeks()[0]) === start}>
                {index() === 0 ? "Last week" : `${index() + 1} weeks ago`} (from {formatLocalDate(start)})
              </option>
            )}
          </For>
        </select>
      </div>
      <QueryStatus
        loading={review.isPending}
        error={review.isError ? toUiError(review.error).message : null}
        what="the review"
        onRetry={() => void review.refetch()}
      />
      <Show when={review.data}>
        {(data) => (
          <For each={data().pools}>
            {(pool) => (
              <Card title={pool.name}>
                <div class="table-wrap">
                  <table class="table table--compact" aria-label={`Planned vs actual: ${pool.name}`}>
                    <thead>
                      <tr>
                        <th scope="col">Day</th>
                        <th scope="col">Items forecast</th>
                        <th scope="col">Items arrived</th>
                        <th scope="col">Hours needed (plan)</th>
                        <th scope="col">Hours needed (actual items)</th>
                        <th scope="col">Hours rostered</th>
                        <th scope="col">Hours online</th>
                        <th scope="col">Hours short (plan)</th>
                        <th scope="col">Hours short (online)</th>
                        <th scope="col">First response met</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={pool.days}>{(day) => <Row label={formatLocalDate(day.date)} figures={day} />}</For>
                      <Row label="Week" figures={pool.totals} total />
                    </tbody>
                  </table>
                </div>
              </Card>
            )}
          </For>
        )}
      </Show>
    </Page>
  );
}
