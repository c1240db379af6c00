import { useParams } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createSignal, For, Index, Show } from "solid-js";
import { useSession } from "../../auth";
import {
  CheckboxField,
  checkedByServer,
  createForm,
  FormAlert,
  SubmitButton,
  TextAreaField,
  TextField,
  TimeZoneField,
} from "../../components/form";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { toUiError } from "../../errors";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";

type BusinessHours = RouterOutputs["clients"]["businessHours"];
type Calendar = NonNullable<BusinessHours["versions"][number]["calendar"]>;
type Span = [string, string];

const weekdays = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
] as const;
type Weekday = (typeof weekdays)[number][0];

interface Values {
  effectiveFrom: string;
  aroundTheClock: boolean;
  timeZone: string;
  weekly: Record<Weekday, string>;
  /** One date a line (or separated by commas or spaces): add one at a time, or paste a list. */
  holidays: string;
  newHoliday: string;
  overrides: Array<{ date: string; spans: string }>;
}

/** "09:00-12:00, 13:00-18:00" → spans; a piece that is not "start-end" is kept whole so the server names it. */
function parseSpans(text: string): Span[] {
  return text
    .split(/[,;]/)
    .map((piece) => piece.trim())
    .filter(Boolean)
    .map((piece) => {
      const [start = "", end = ""] = piece.split(/\s*[-–]\s*/);
      return [start, end];
    });
}
const formatSpans = (spans: readonly (readonly [string, string])[] | undefined) =>
  (spans ?? []).map(([start, end]) => `${start}–${end}`).join(", ");
const parseDates = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((date) => date.trim())
    .filter(Boolean);

function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(),
  );
}

function valuesOf(hours: BusinessHours | undefined): Values {
  const latest = hours?.versions.at(-1);
  const calendar: Calendar | null = latest ? latest.calendar : null;
  return {
    effectiveFrom: hours ? todayIn(hours.timeZone) : "",
    aroundTheClock: Boolean(latest) && calendar === null,
    timeZone: calendar?.timeZone ?? hours?.timeZone ?? "",
    weekly: Object.fromEntries(
      weekdays.map(([day]) => [day, calendar ? formatSpans(calendar.weekly[day]) : ""]),
    ) as Record<Weekday, string>,
    holidays: (calendar?.holidays ?? []).join("\n"),
    newHoliday: "",
    overrides: Object.entries(calendar?.overrides ?? {}).map(([date, spans]) => ({ date, spans: formatSpans(spans) })),
  };
}

function toInput(clientId: string, values: Values): RouterInputs["clients"]["saveBusinessHours"] {
  if (values.aroundTheClock) return { clientId, effectiveFrom: values.effectiveFrom, calendar: null };
  const weekly: Partial<Record<Weekday, Span[]>> = {};
  for (const [day] of weekdays) {
    const spans = parseSpans(values.weekly[day]);
    if (spans.length > 0) weekly[day] = spans;
  }
  return {
    clientId,
    effectiveFrom: values.effectiveFrom,
    calendar: {
      timeZone: values.timeZone,
      weekly,
      holidays: parseDates(values.holidays),
      overrides: Object.fromEntries(values.overrides.map((row) => [row.date, parseSpans(row.spans)])),
    },
  };
}

const labels = {
  effectiveFrom: "Applies from",
  aroundTheClock: "Covered around the clock (no business hours)",
  timeZone: "Time zone",
  holidays: "Holidays",
  newHoliday: "Add a holiday",
  ...Object.fromEntries(weekdays.map(([day, name]) => [`weekly.${day}`, name])),
};

/** Admin → client → Business hours: a new version from a chosen date, and the next 14 days as they will be. */
export function BusinessHoursPage() {
  const params = useParams<{ clientId: string }>();
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<string | null>(null);
  const key = () => [session.agencyId(), "clients", params.clientId, "businessHours"] as const;
  const hours = useQuery(() => ({
    queryKey: key(),
    queryFn: () => trpc.clients.businessHours.query({ clientId: params.clientId }),
  }));
  const save = useMutation(() => ({
    mutationFn: (input: RouterInputs["clients"]["saveBusinessHours"]) => trpc.clients.saveBusinessHours.mutate(input),
    onSuccess: (saved) => queryClient.setQueryData(key(), saved),
  }));
  let overrideDates: () => string[] = () => [];
  const form = createForm<Values, RouterInputs["clients"]["saveBusinessHours"]>({
    id: "business-hours",
    initial: valuesOf(undefined),
    labels: labels as never,
    schema: checkedByServer(),
    toInput: (values) => toInput(params.clientId, values),
    // The server's paths are the input's: calendar.weekly.mon.0.1 → the Monday field, an override by its date.
    pathOf: (path: string): string => {
      const parts = path.split(".");
      if (parts[0] !== "calendar") return path;
      if (parts[1] === "weekly") return `weekly.${parts[2]}`;
      if (parts[1] === "holidays") return "holidays";
      if (parts[1] === "overrides") {
        const index = overrideDates().indexOf(parts[2] ?? "");
        return index < 0 ? "overrides" : `overrides.${index}.${parts.length > 3 ? "spans" : "date"}`;
      }
      return parts.slice(1).join(".");
    },
    groupOf: (path) => (path.startsWith("weekly.") || path.startsWith("overrides.") ? path : path.split(".")[0]!),
  });
  overrideDates = () => form.values.overrides.map((row) => row.date);
  createEffect(() => {
    if (hours.data) form.reset(valuesOf(hours.data));
  });
  const addHoliday = () => {
    const date = form.values.newHoliday.trim();
    if (!date) return;
    const dates = parseDates(form.values.holidays);
    if (!dates.includes(date)) form.set("holidays", [...dates, date].join("\n"));
    form.set("newHoliday", "");
  };

  return (
    <Page
      title={hours.data ? `Business hours — ${hours.data.clientName}` : "Business hours"}
      lead="The hours business-hours SLA targets count and outside which items are out of hours. A change applies from the date you choose; clocks already running and months already past keep the hours they had."
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <QueryStatus
        loading={hours.isPending}
        error={hours.isError ? toUiError(hours.error).message : null}
        what="business hours"
        onRetry={() => void hours.refetch()}
      />
      <Show when={hours.data}>
        {(data) => (
          <>
            <Card title="In force">
              <p>
                <Show
                  when={data().current}
                  fallback={<>No business hours set: {data().clientName} is covered around the clock.</>}
                >
                  {(current) => (
                    <>
                      Version {current().version}, from {current().effectiveFrom}
                      {current().calendar ? ` (${current().calendar?.timeZone})` : " — around the clock"}.
                    </>
                  )}
                </Show>
                <For each={data().upcoming}>
                  {(version) => (
                    <>
                      {" "}
                      Version {version.version} applies from {version.effectiveFrom}.
                    </>
                  )}
                </For>
              </p>
            </Card>
            <Card title="Next 14 days">
              <table class="table" aria-label="Next 14 days">
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Day</th>
                    <th scope="col">Open</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={data().preview}>
                    {(day) => (
                      <tr>
                        <td>{day.date}</td>
                        <td>{day.weekday}</td>
                        <td>
                          {day.note === "holiday"
                            ? "Closed (holiday)"
                            : day.spans.length === 0
                              ? "Closed"
                              : `${formatSpans(day.spans)}${day.note === "override" ? " (date override)" : ""}`}
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Card>
          </>
        )}
      </Show>
      <Show when={hours.isSuccess}>
        <Card title="Change the hours">
          <form
            class="form"
            noValidate
            aria-label="Business hours"
            onSubmit={form.handleSubmit(async (input) => {
              const saved = await save.mutateAsync(input);
              const version = saved.versions.at(-1);
              setStatus(`Business hours saved: version ${version?.version}, from ${version?.effectiveFrom}.`);
            })}
          >
            <FormAlert message={form.formError()} />
            <TextField
              field={form.field("effectiveFrom")}
              type="date"
              hint={`Today (${hours.data?.timeZone}) or later; today applies from now on.`}
            />
            <CheckboxField field={form.field("aroundTheClock")} />
            <Show when={!form.values.aroundTheClock}>
              <TimeZoneField field={form.field("timeZone")} />
              <fieldset class="fieldset">
                <legend>Weekly hours</legend>
                <p class="muted">
                  Spans as “09:00–12:00, 13:00–18:00”; an end before its start runs overnight (“22:00–02:00”); 24:00
                  ends the day. Leave a day empty when closed.
                </p>
                <For each={weekdays}>{([day]) => <TextField field={form.field(`weekly.${day}`)} />}</For>
              </fieldset>
              <fieldset class="fieldset">
                <legend>Holidays</legend>
                <div class="form__row">
                  <TextField field={form.field("newHoliday")} type="date" />
                  <div class="form__submit">
                    <button type="button" class="button" onClick={addHoliday}>
                      Add holiday
                    </button>
                  </div>
                </div>
                <TextAreaField
                  field={form.field("holidays")}
                  rows={4}
                  optional
                  hint="One date (YYYY-MM-DD) a line; paste a whole list here."
                />
              </fieldset>
              <fieldset class="fieldset">
                <legend>Date overrides</legend>
                <Index each={form.values.overrides}>
                  {(_, index) => (
                    <div class="form__row">
                      <TextField
                        field={form.field(`overrides.${index}.date`, `Override ${index + 1} date`)}
                        type="date"
                      />
                      <TextField
                        field={form.field(`overrides.${index}.spans`, `Override ${index + 1} hours`)}
                        hint="Empty: closed that day."
                      />
                      <div class="form__submit">
                        <button
                          type="button"
                          class="button button--small button--danger-ghost"
                          onClick={() => form.removeRow("overrides", index)}
                        >
                          Remove<span class="sr-only"> override {index + 1}</span>
                        </button>
                      </div>
                    </div>
                  )}
                </Index>
                <button type="button" class="button" onClick={() => form.addRow("overrides", { date: "", spans: "" })}>
                  Add a date override
                </button>
              </fieldset>
            </Show>
            <div class="form__footer">
              <SubmitButton busy={form.submitting()} label="Save business hours" />
            </div>
          </form>
        </Card>
      </Show>
    </Page>
  );
}
