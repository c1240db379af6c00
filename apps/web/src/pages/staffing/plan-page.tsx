import { plannedEventInput } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { createForm, FormAlert, SelectField, SubmitButton, TextField } from "../../components/form";
import { Card, Page, QueryStatusOf, StatusMessage } from "../../components/page";
import { HeaderCells, ListTable } from "../../components/query-table";
import { formatDateTime, plural } from "../../format";
import { afterChange } from "../../query";
import { trpc } from "../../trpc";
import { Heatmap } from "./heatmap";
import { HourDetail } from "./hour-detail";
import type { PlannedEvent, PoolHour, PoolPlan, StaffingPlan } from "./staffing-api";
import { staffingKeys } from "./staffing-api";
import { downloadText, formatLocalDate, formatPeople, formatSeconds, staffingPlanCsv } from "./staffing-format";
import { useStaffingWeek, WeekPicker } from "./week-picker";

/** Weeks ahead the week picker offers (the server plans up to 8). */
const weeksAhead = 8;

function weekLabel(weekStart: string, index: number): string {
  const when = index === 0 ? "This week" : index === 1 ? "Next week" : `In ${index} weeks`;
  return `${when} (from ${formatLocalDate(weekStart)})`;
}

/** The plan of a week: a heatmap per pool, the selected hour's detail, the planned events, CSV. */
export function StaffingPlanPage() {
  const session = useSession();
  const choice = useStaffingWeek({ count: weeksAhead + 1, step: 7 });
  const plan = useQuery(() => ({
    queryKey: staffingKeys.plan(session.agencyId(), choice.week()),
    queryFn: async () => {
      const week = choice.week();
      const result = await trpc.staffing.plan.query(week ? { weekStart: week } : {});
      choice.answered(result);
      return result;
    },
    staleTime: 60_000,
  }));

  return (
    <Page
      title="Staffing"
      lead="Moderators needed each hour for every pool of clients that share moderators, against each client's contract: forecast from the clients' history and planned events, handling times measured from real work, and the roster."
    >
      <WeekPicker choice={choice} label={weekLabel}>
        <Show when={plan.data}>
          {(data) => (
            <button
              type="button"
              class="button button--small button--ghost"
              onClick={() => downloadText(staffingPlanCsv(data()), `staffing-plan-${data().weekStart}.csv`)}
            >
              Download CSV
            </button>
          )}
        </Show>
      </WeekPicker>
      <QueryStatusOf query={plan} what="the staffing plan" />
      <Show when={plan.data}>
        {(data) => (
          <>
            <p class="muted">
              Times are {data().timeZone}. Planned with {data().settings.shrinkagePercent} % shrinkage and occupancy
              capped at {data().settings.maxOccupancyPercent} %; forecast from the last {data().forecastHistoryWeeks}{" "}
              weeks.
            </p>
            <For each={data().pools} fallback={<p class="muted">No clients to plan.</p>}>
              {(pool) => <PoolCard pool={pool} plan={data()} />}
            </For>
            <PlannedEventsCard plan={data()} />
          </>
        )}
      </Show>
    </Page>
  );
}

function PoolCard(props: { pool: PoolPlan; plan: StaffingPlan }) {
  const [selected, setSelected] = createSignal<PoolHour | null>(null);
  // A refetched plan brings new hour objects: keep showing the same hour.
  const current = () => {
    const chosen = selected();
    if (!chosen) return null;
    const at = new Date(chosen.startsAt).getTime();
    return props.pool.hours.find((hour) => new Date(hour.startsAt).getTime() === at) ?? null;
  };
  const totals = () => props.pool.totals;
  return (
    <Card title={props.pool.name}>
      <ul class="staffing-facts" aria-label={`Week totals: ${props.pool.name}`}>
        <li>
          <strong>{plural(props.pool.moderators.length, "moderator")}</strong>
          <Show when={props.pool.crossSkilled < props.pool.moderators.length}>
            {" "}
            ({props.pool.crossSkilled} can work every client of the pool)
          </Show>
        </li>
        <li>
          Needed <strong>{formatPeople(totals().requiredHours)}</strong> moderator-hours, rostered{" "}
          <strong>{formatPeople(totals().rosteredHours)}</strong>
        </li>
        <li>
          Short <strong>{formatPeople(totals().gapHours)}</strong> moderator-hours in{" "}
          {plural(totals().hoursShort, "hour")}
        </li>
        <Show when={props.pool.clients.length > 1}>
          <li>
            Pooling saves <strong>{formatPeople(totals().standaloneHours - totals().requiredHours)}</strong>{" "}
            moderator-hours ({formatPeople(totals().standaloneHours)} planned apart)
          </li>
        </Show>
      </ul>
      <p class="muted">
        Handling time:{" "}
        {props.pool.clients
          .map((client) => {
            const planned = props.plan.clients.find((candidate) => candidate.id === client.id);
            return `${client.name} ${formatSeconds(planned?.ahtSeconds)}`;
          })
          .join(", ")}
      </p>
      <Heatmap
        pool={props.pool}
        weekStart={props.plan.weekStart}
        selected={current() ? new Date(current()?.startsAt ?? 0).toISOString() : null}
        onSelect={setSelected}
      />
      <Show
        when={current()}
        fallback={<p class="muted">Choose an hour to see its demand, what it needs, the cover and the risks.</p>}
      >
        {(hour) => <HourDetail hour={hour()} plan={props.plan} />}
      </Show>
    </Card>
  );
}

const eventLabels = {
  clientId: "Client",
  name: "Event",
  date: "Date",
  startTime: "Starts at",
  durationMinutes: "Duration (hours)",
  multiplier: "Expected volume ×",
};

/** Planned surges: a launch on a date, its expected multiplier and duration; the plan applies them at once. */
function PlannedEventsCard(props: { plan: StaffingPlan }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<string | null>(null);
  const events = useQuery(() => ({
    queryKey: staffingKeys.events(session.agencyId()),
    queryFn: () => trpc.staffing.events.query(),
  }));
  const create = useMutation(() => ({
    mutationFn: (input: Parameters<typeof trpc.staffing.createEvent.mutate>[0]) =>
      trpc.staffing.createEvent.mutate(input),
    ...afterChange(queryClient, { stale: () => [staffingKeys.all(session.agencyId())] }),
  }));
  const remove = useMutation(() => ({
    mutationFn: (eventId: string) => trpc.staffing.deleteEvent.mutate({ eventId }),
    ...afterChange(queryClient, { stale: () => [staffingKeys.all(session.agencyId())] }),
  }));
  const form = createForm({
    initial: { clientId: "", name: "", date: "", startTime: "12:00", durationMinutes: "6", multiplier: "2" },
    labels: eventLabels,
    schema: plannedEventInput,
    emptyMessages: { clientId: "is required: choose a client" },
    toInput: (values) => ({
      clientId: values.clientId,
      name: values.name,
      date: values.date,
      startTime: values.startTime,
      // The field takes hours; the input is in minutes.
      durationMinutes:
        values.durationMinutes.trim() === "" ? Number.NaN : Math.round(Number(values.durationMinutes) * 60),
      multiplier: values.multiplier.trim() === "" ? Number.NaN : Number(values.multiplier),
    }),
  });
  return (
    <Card title="Planned events">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <form
        class="form"
        noValidate
        aria-label="Plan an event"
        onSubmit={form.handleSubmit(async (input) => {
          const saved = await create.mutateAsync(input);
          setStatus(
            `${saved.name} planned for ${saved.clientName}: ×${saved.multiplier} from ${formatDateTime(saved.startsAt)}.`,
          );
          form.reset();
        })}
      >
        <FormAlert message={form.formError()} />
        <div class="form__grid">
          <SelectField
            field={form.field("clientId")}
            placeholder="Choose a client…"
            options={props.plan.clients.map((client) => ({ value: client.id, label: client.name }))}
          />
          <TextField field={form.field("name")} placeholder="Season launch" />
          <TextField field={form.field("date")} placeholder="YYYY-MM-DD" hint={`A date in ${props.plan.timeZone}.`} />
          <TextField field={form.field("startTime")} placeholder="HH:MM" />
          <TextField field={form.field("durationMinutes")} hint="In hours: from 0.25 (15 minutes) to 336 (14 days)." />
          <TextField field={form.field("multiplier")} hint="5 = five times the usual volume." />
        </div>
        <div class="form__footer">
          <SubmitButton busy={form.submitting()} label="Plan event" busyLabel="Planning…" />
        </div>
      </form>
      <QueryStatusOf query={events} what="planned events" />
      <Show when={(events.data?.length ?? 0) > 0}>
        <ListTable
          compact
          rows={events.data ?? []}
          label="Planned events"
          columns={<HeaderCells names={["Event", "Client", "From", "Until", "Volume"]} actions />}
        >
          {(event: PlannedEvent) => (
            <tr>
              <th scope="row" class="cell--primary">
                {event.name}
              </th>
              <td>{event.clientName}</td>
              <td>{formatDateTime(event.startsAt)}</td>
              <td>{formatDateTime(event.endsAt)}</td>
              <td>×{event.multiplier}</td>
              <td class="cell--actions">
                <button
                  type="button"
                  class="button button--small button--danger-ghost"
                  aria-label={`Remove ${event.name}`}
                  onClick={() => remove.mutate(event.id)}
                >
                  Remove
                </button>
              </td>
            </tr>
          )}
        </ListTable>
      </Show>
    </Card>
  );
}
