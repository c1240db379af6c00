import { useQuery } from "@tanstack/solid-query";
import { For, Show } from "solid-js";
import { useSession } from "../../auth";
import { Card, Page, QueryStatusOf } from "../../components/page";
import { HeaderCells, ListTable } from "../../components/query-table";
import { trpc } from "../../trpc";
import type { ReviewFigures } from "./staffing-api";
import { staffingKeys } from "./staffing-api";
import { formatLocalDate, formatPeople } from "./staffing-format";
import { useStaffingWeek, WeekPicker } from "./week-picker";

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
  const choice = useStaffingWeek({ count: weeksBack, step: -7 });
  const review = useQuery(() => ({
    queryKey: staffingKeys.review(session.agencyId(), choice.week()),
    queryFn: async () => {
      const week = choice.week();
      const result = await trpc.staffing.review.query(week ? { weekStart: week } : {});
      choice.answered(result);
      return result;
    },
  }));
  return (
    <Page
      title="Planned vs actual"
      lead="For a past week, the plan as it stood at the week's start against what happened, so you can trust the model or see where it is wrong. A moderator counts as online in an hour they claimed or acted on an item."
    >
      <WeekPicker
        choice={choice}
        label={(start, index) =>
          `${index === 0 ? "Last week" : `${index + 1} weeks ago`} (from ${formatLocalDate(start)})`
        }
      />
      <QueryStatusOf query={review} what="the review" />
      <Show when={review.data}>
        {(data) => (
          <For each={data().pools}>
            {(pool) => (
              <Card title={pool.name}>
                <ListTable
                  compact
                  rows={pool.days}
                  label={`Planned vs actual: ${pool.name}`}
                  columns={
                    <HeaderCells
                      names={[
                        "Day",
                        "Items forecast",
                        "Items arrived",
                        "Hours needed (plan)",
                        "Hours needed (actual items)",
                        "Hours rostered",
                        "Hours online",
                        "Hours short (plan)",
                        "Hours short (online)",
                        "First response met",
                      ]}
                    />
                  }
                  foot={
                    <tfoot>
                      <Row label="Week" figures={pool.totals} total />
                    </tfoot>
                  }
                >
                  {(day) => <Row label={formatLocalDate(day.date)} figures={day} />}
                </ListTable>
              </Card>
            )}
          </For>
        )}
      </Show>
    </Page>
  );
}
