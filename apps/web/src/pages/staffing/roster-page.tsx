import { rosterExceptionInput, rosterShiftInput, rosterWeekdays } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { useClients } from "../../components/clients";
import { createForm, FormAlert, SelectField, SubmitButton, TextField } from "../../components/form";
import { Card, Page, QueryStatusOf, StatusMessage } from "../../components/page";
import { HeaderCells, ListTable } from "../../components/query-table";
import { formatDateTime } from "../../format";
import { afterChange, refreshInBackground } from "../../query";
import { trpc } from "../../trpc";
import type { Roster, RosterModerator } from "./staffing-api";
import { staffingKeys } from "./staffing-api";
import { weekdayLabels } from "./staffing-format";

/** The roster: each moderator's weekly shifts and one-off exceptions, in the agency's time zone. */
export function StaffingRosterPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<string | null>(null);
  const roster = useQuery(() => ({
    queryKey: staffingKeys.roster(session.agencyId()),
    queryFn: () => trpc.staffing.roster.query(),
  }));
  const clients = useClients();
  const clientNames = (ids: readonly string[]) =>
    ids
      .map((id) => clients.data?.find((client) => client.id === id)?.name ?? "")
      .filter(Boolean)
      .join(", ");
  const stale = () => [staffingKeys.all(session.agencyId())];
  const refresh = () => refreshInBackground(queryClient, stale());
  const endShift = useMutation(() => ({
    mutationFn: (shiftId: string) => trpc.staffing.endShift.mutate({ shiftId }),
    ...afterChange(queryClient, { stale }),
  }));
  const deleteException = useMutation(() => ({
    mutationFn: (exceptionId: string) => trpc.staffing.deleteException.mutate({ exceptionId }),
    ...afterChange(queryClient, { stale }),
  }));
  return (
    <Page
      title="Roster"
      lead="Who works which hours: weekly shifts, plus absences and extra shifts. Shifts are in the agency's time zone; one that ends at or before its start runs past midnight."
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <QueryStatusOf query={roster} what="the roster" />
      <Show when={roster.data}>
        {(data) => (
          <>
            <Card title="Weekly shifts">
              <p class="muted">Times are {data().timeZone}. Removing a shift ends it today; past weeks keep it.</p>
              <ListTable
                compact
                rows={data().moderators}
                label="Weekly shifts"
                empty="No moderators work your clients yet."
                columns={<HeaderCells names={["Moderator", "Clients", "Shifts"]} />}
              >
                {(moderator) => (
                  <tr>
                    <th scope="row" class="cell--primary">
                      {moderator.name}
                    </th>
                    <td>{clientNames(moderator.clientIds)}</td>
                    <td>
                      <For each={moderator.shifts} fallback={<span class="muted">None</span>}>
                        {(shift) => (
                          <span class="chip">
                            {weekdayLabels[shift.weekday]?.slice(0, 3)} {shift.startTime}–{shift.endTime}
                            <button
                              type="button"
                              class="chip__remove"
                              aria-label={`Remove ${moderator.name}'s ${weekdayLabels[shift.weekday]} ${shift.startTime}–${shift.endTime} shift`}
                              onClick={() => endShift.mutate(shift.id)}
                            >
                              ×
                            </button>
                          </span>
                        )}
                      </For>
                    </td>
                  </tr>
                )}
              </ListTable>
              <ShiftForm
                roster={data()}
                onSaved={(message) => {
                  setStatus(message);
                  refresh();
                }}
              />
            </Card>
            <Card title="Absences and extra shifts">
              <ExceptionList moderators={data().moderators} onDelete={(id) => deleteException.mutate(id)} />
              <ExceptionForm
                roster={data()}
                onSaved={(message) => {
                  setStatus(message);
                  refresh();
                }}
              />
            </Card>
          </>
        )}
      </Show>
    </Page>
  );
}

function moderatorOptions(roster: Roster) {
  return roster.moderators.map((moderator) => ({ value: moderator.membershipId, label: moderator.name }));
}

function ShiftForm(props: { roster: Roster; onSaved: (message: string) => void }) {
  const form = createForm({
    initial: { membershipId: "", weekday: "mon", startTime: "09:00", endTime: "17:00" },
    labels: { membershipId: "Moderator", weekday: "Day", startTime: "From", endTime: "Until" },
    schema: rosterShiftInput,
    emptyMessages: { membershipId: "is required: choose a moderator" },
  });
  return (
    <form
      class="form"
      noValidate
      aria-label="Add a weekly shift"
      onSubmit={form.handleSubmit(async (input) => {
        const shift = await trpc.staffing.addShift.mutate(input);
        const name = props.roster.moderators.find((m) => m.membershipId === input.membershipId)?.name ?? "";
        props.onSaved(`${name} now works ${weekdayLabels[shift.weekday]}s ${shift.startTime}–${shift.endTime}.`);
        form.reset();
      })}
    >
      <FormAlert message={form.formError()} />
      <div class="form__grid">
        <SelectField
          field={form.field("membershipId")}
          placeholder="Choose a moderator…"
          options={moderatorOptions(props.roster)}
        />
        <SelectField
          field={form.field("weekday")}
          options={rosterWeekdays.map((day) => ({ value: day, label: weekdayLabels[day] ?? day }))}
        />
        <TextField field={form.field("startTime")} placeholder="HH:MM" />
        <TextField field={form.field("endTime")} placeholder="HH:MM" />
      </div>
      <div class="form__footer">
        <SubmitButton busy={form.submitting()} label="Add shift" busyLabel="Adding…" />
      </div>
    </form>
  );
}

function ExceptionList(props: { moderators: RosterModerator[]; onDelete: (exceptionId: string) => void }) {
  const rows = () =>
    props.moderators.flatMap((moderator) => moderator.exceptions.map((exception) => ({ moderator, exception })));
  return (
    <ListTable
      compact
      rows={rows()}
      label="Absences and extra shifts"
      empty="No absences or extra shifts from the last week on."
      columns={<HeaderCells names={["Moderator", "Kind", "From", "Until", "Note"]} actions />}
    >
      {({ moderator, exception }) => (
        <tr>
          <th scope="row">{moderator.name}</th>
          <td>{exception.kind === "absence" ? "Absence" : "Extra shift"}</td>
          <td>{formatDateTime(exception.startsAt)}</td>
          <td>{formatDateTime(exception.endsAt)}</td>
          <td>{exception.note ?? ""}</td>
          <td class="cell--actions">
            <button
              type="button"
              class="button button--small button--danger-ghost"
              onClick={() => props.onDelete(exception.id)}
            >
              Remove
            </button>
          </td>
        </tr>
      )}
    </ListTable>
  );
}

function ExceptionForm(props: { roster: Roster; onSaved: (message: string) => void }) {
  const form = createForm({
    initial: {
      membershipId: "",
      kind: "absence",
      startDate: props.roster.today,
      startTime: "09:00",
      endDate: props.roster.today,
      endTime: "17:00",
      note: "",
    },
    labels: {
      membershipId: "Moderator",
      kind: "Kind",
      startDate: "From date",
      startTime: "From",
      endDate: "Until date",
      endTime: "Until",
      note: "Note",
    },
    schema: rosterExceptionInput,
    emptyMessages: { membershipId: "is required: choose a moderator" },
  });
  return (
    <form
      class="form"
      noValidate
      aria-label="Add an absence or extra shift"
      onSubmit={form.handleSubmit(async (input) => {
        await trpc.staffing.addException.mutate(input);
        props.onSaved(input.kind === "absence" ? "Absence recorded." : "Extra shift added.");
        form.reset();
      })}
    >
      <FormAlert message={form.formError()} />
      <div class="form__grid">
        <SelectField
          field={form.field("membershipId")}
          placeholder="Choose a moderator…"
          options={moderatorOptions(props.roster)}
        />
        <SelectField
          field={form.field("kind")}
          options={[
            { value: "absence", label: "Absence (off shift)" },
            { value: "extra", label: "Extra shift" },
          ]}
        />
        <TextField field={form.field("startDate")} placeholder="YYYY-MM-DD" />
        <TextField field={form.field("startTime")} placeholder="HH:MM" />
        <TextField field={form.field("endDate")} placeholder="YYYY-MM-DD" />
        <TextField field={form.field("endTime")} placeholder="HH:MM" />
        <TextField field={form.field("note")} optional />
      </div>
      <div class="form__footer">
        <SubmitButton busy={form.submitting()} label="Add" busyLabel="Adding…" />
      </div>
    </form>
  );
}
