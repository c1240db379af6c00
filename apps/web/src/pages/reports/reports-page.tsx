import { useSearchParams } from "@solidjs/router";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/solid-query";
import { createMemo, createUniqueId, For, type JSX, Show } from "solid-js";
import { useSession } from "../../auth";
import { BarChart } from "../../components/bar-chart";
import { ClientSelect } from "../../components/client-select";
import { useClients } from "../../components/clients";
import { clockMetricLabels } from "../../components/escalations";
import { Card, Page, QueryStatusOf } from "../../components/page";
import { HeaderCells, ListTable, LoadMore } from "../../components/query-table";
import { TargetBar } from "../../components/sla-month";
import { formatDateTime, plural } from "../../format";
import { canEnter } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import { formatLocalDate, formatMinutes, formatPercent, todayIn } from "../accounts/billing-format";
import { CountButton, DrillDownCard } from "./drill-down-card";
import { InsightPanel } from "./insight-panel";
import {
  isLocalDate,
  namedPeriod,
  type PeriodPreset,
  periodPresetLabels,
  presetOf,
  presetPeriod,
  type ReportPeriod,
} from "./report-period";
import { TopicsPanel } from "./topics-panel";

type Report = RouterOutputs["reports"]["summary"];
type Figures = Report["totals"];
type Duration = Figures["acknowledged"];
type Figure = NonNullable<RouterInputs["reports"]["items"]["figure"]>;
type Priority = Report["byPriority"][number]["priority"];
type ReportItem = RouterOutputs["reports"]["items"]["items"][number];
type ContractTarget = NonNullable<Report["contractTargets"]>[number];

/** Each figure a drill-down lists: its name and its count in a group of figures (the same predicate server-side). */
const figures: Record<Figure, { label: string; count: (of: Figures) => number }> = {
  items_in: { label: "Items in", count: (of) => of.itemsIn },
  acknowledged: { label: "Acknowledged", count: (of) => of.acknowledged.count },
  not_acknowledged: { label: "Not acknowledged", count: (of) => of.itemsIn - of.acknowledged.count },
  useful_answer: { label: "Useful answer given", count: (of) => of.usefulAnswer.count },
  first_response_met: { label: "First response met", count: (of) => of.firstResponse.met },
  first_response_breached: { label: "First response breached", count: (of) => of.firstResponse.breached },
  resolution_met: { label: "Resolution met", count: (of) => of.resolution.met },
  resolution_breached: { label: "Resolution breached", count: (of) => of.resolution.breached },
  hidden: { label: "Hidden", count: (of) => of.hidden },
  deleted: { label: "Deleted", count: (of) => of.deleted },
  no_action: { label: "No action", count: (of) => of.noAction },
  escalated: { label: "Escalated", count: (of) => of.escalated },
  handled: { label: "Handled by a moderator", count: (of) => of.handled },
  handling_measured: { label: "Handling time measured", count: (of) => of.handlingTime.count },
  // A backlog point's count is the point's own (`drillCount`), not a group's figure.
  backlog: { label: "Open", count: () => 0 },
};
const isFigure = (value: string | undefined): value is Figure => value !== undefined && value in figures;
const priorities = ["P1", "P2", "P3", "P4"] as const satisfies readonly Priority[];
const isPriority = (value: string | undefined): value is Priority =>
  priorities.includes(value as (typeof priorities)[number]);

const chartColors = { items: "#4338ca", met: "#067647", breached: "#b42318" };

/** "42 s", "35 min", "1 h 42 min"; "—" for none. */
function formatSeconds(seconds: number | null): string {
  if (seconds === null) return "—";
  return seconds < 60 ? `${Math.round(seconds)} s` : formatMinutes(seconds / 60);
}

/** An instant in the item's client's time zone, the zone its report dates are counted in. */
function formatInZone(value: Date | null, timeZone: string): string {
  if (!value) return "—";
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone }).format(value);
  } catch {
    return formatDateTime(value);
  }
}

const share = (part: number, whole: number) => (whole === 0 ? "—" : formatPercent((part / whole) * 100));

/**
 * A drill-down: the items behind a figure, in total or for a chart's bar or point — one day, hour of day, channel,
 * priority, side of business hours or moderator; `backlog`: the items open at the end of `date` (and `hour`).
 */
interface DrillDown {
  figure: Figure;
  date?: string;
  hour?: number;
  priority?: Priority;
  channelId?: string;
  inHours?: boolean;
  handledBy?: string;
}

const isHour = (value: string | undefined) => value !== undefined && /^(1?\d|2[0-3])$/.test(value);
const isId = (value: string | undefined): value is string => value !== undefined && /^[0-9a-f-]{36}$/.test(value);

/**
 * The report's choices, kept in the address so a report can be linked and Back returns to the last one:
 * `?from=&to=&client=&channel=&priorities=&moderator=` and the open drill-down
 * `&figure=&date=&hour=&priority=&onChannel=&inHours=&handledBy=`. Without dates, `period=` may name a preset or a
 * month (`namedPeriod`: `?period=last_month`, `?period=2026-11`); neither: this month.
 */
function useReportChoices() {
  const [params, setParams] = useSearchParams<{
    from?: string;
    to?: string;
    period?: string;
    client?: string;
    channel?: string;
    priorities?: string;
    moderator?: string;
    figure?: string;
    date?: string;
    hour?: string;
    priority?: string;
    onChannel?: string;
    inHours?: string;
    handledBy?: string;
  }>();
  const clients = useClients();
  /**
   * Today where the report's items are judged (each in its client's zone): the chosen client's date, else the
   * furthest on of the clients the reader sees, so "this month" and "last 7 days" end on every client's today.
   */
  const today = () => {
    const seen = (clients.data ?? []).filter((client) => !params.client || client.id === params.client);
    return (
      seen
        .map((client) => todayIn(client.timeZone))
        .sort()
        .at(-1) ?? todayIn()
    );
  };
  const period = createMemo<ReportPeriod>(() =>
    isLocalDate(params.from) && isLocalDate(params.to)
      ? { from: params.from, to: params.to }
      : (namedPeriod(params.period, today()) ?? presetPeriod("this_month", today())),
  );
  const drillDown = createMemo<DrillDown | null>(() =>
    isFigure(params.figure)
      ? {
          figure: params.figure,
          date: isLocalDate(params.date) ? params.date : undefined,
          hour: isHour(params.hour) ? Number(params.hour) : undefined,
          priority: isPriority(params.priority) ? params.priority : undefined,
          channelId: isId(params.onChannel) ? params.onChannel : undefined,
          inHours: params.inHours === "true" ? true : params.inHours === "false" ? false : undefined,
          handledBy: isId(params.handledBy) ? params.handledBy : undefined,
        }
      : null,
  );
  const closed = {
    figure: undefined,
    date: undefined,
    hour: undefined,
    priority: undefined,
    onChannel: undefined,
    inHours: undefined,
    handledBy: undefined,
  };
  const priorityFilter = () => (isPriority(params.priorities) ? params.priorities : undefined);
  return {
    today,
    period,
    preset: () => presetOf(period(), today()),
    clientId: () => params.client || undefined,
    channelId: () => (isId(params.channel) ? params.channel : undefined),
    priority: priorityFilter,
    moderatorId: () => (isId(params.moderator) ? params.moderator : undefined),
    /** The report's filters as the server takes them (the summary, the drill-downs and the exports). */
    filters: () => {
      const clientId = params.client || undefined;
      const channelId = isId(params.channel) ? params.channel : undefined;
      const priority = priorityFilter();
      const moderatorId = isId(params.moderator) ? params.moderator : undefined;
      return {
        ...period(),
        ...(clientId ? { clientIds: [clientId] } : {}),
        ...(channelId ? { channelIds: [channelId] } : {}),
        ...(priority ? { priorities: [priority] } : {}),
        ...(moderatorId ? { moderatorId } : {}),
      };
    },
    drillDown,
    setPeriod: (next: ReportPeriod) => setParams({ ...next, period: undefined, ...closed }),
    setClient: (clientId: string) => setParams({ client: clientId || undefined, channel: undefined, ...closed }),
    setFilter: (name: "channel" | "priorities" | "moderator", value: string) =>
      setParams({ [name]: value || undefined, ...closed }),
    open: (next: DrillDown) =>
      setParams({
        ...closed,
        figure: next.figure,
        date: next.date,
        hour: next.hour === undefined ? undefined : String(next.hour),
        priority: next.priority,
        onChannel: next.channelId,
        inHours: next.inHours === undefined ? undefined : String(next.inHours),
        handledBy: next.handledBy,
      }),
    close: () => setParams(closed),
  };
}
type ReportChoices = ReturnType<typeof useReportChoices>;

/** The query of an export link: the report's filters, and the open drill-down's figure and narrowing. */
function exportQuery(choices: ReportChoices, withDrill: boolean): URLSearchParams {
  const query = new URLSearchParams(choices.period() as unknown as Record<string, string>);
  const set = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) query.set(name, String(value));
  };
  set("clientId", choices.clientId());
  set("channelId", choices.channelId());
  set("moderatorId", choices.moderatorId());
  const open = withDrill ? choices.drillDown() : null;
  // A drill-down's priority or channel narrows like the filter of the same name.
  set("priority", open?.priority ?? choices.priority());
  if (open) {
    set("figure", open.figure);
    set("date", open.date);
    set("hour", open.hour);
    if (open.channelId) query.set("channelId", open.channelId);
    set("inHours", open.inHours);
    set("handledBy", open.handledBy);
  }
  return query;
}

/** The period (presets or custom dates), the client, channel, priority and moderator, and the exports. */
function ReportToolbar(props: {
  choices: ReportChoices;
  clients: ReturnType<typeof useClients>;
  report: Report | undefined;
}) {
  const presetId = createUniqueId();
  const fromId = createUniqueId();
  const toId = createUniqueId();
  const clientId = createUniqueId();
  const channelId = createUniqueId();
  const priorityId = createUniqueId();
  const moderatorId = createUniqueId();
  // The choices come from the report (the channels that had items, the moderators who handled some), keeping the
  // chosen one listed while it narrows the report.
  const channels = createMemo<Array<{ id: string; name: string }>>((previous) => {
    const shown = (props.report?.byChannel ?? []).map((row) => ({
      id: row.channelId,
      name: (props.clients.data?.length ?? 0) > 1 ? `${row.clientName} · ${row.channelName}` : row.channelName,
    }));
    const chosen = props.choices.channelId();
    const kept = previous.find((channel) => channel.id === chosen);
    return kept && !shown.some((channel) => channel.id === chosen) ? [...shown, kept] : shown;
  }, []);
  const moderators = createMemo<Array<{ id: string; name: string }>>((previous) => {
    const shown = (props.report?.byModerator ?? []).map((row) => ({ id: row.moderatorId, name: row.moderatorName }));
    const chosen = props.choices.moderatorId();
    const kept = previous.find((moderator) => moderator.id === chosen);
    return kept && !shown.some((moderator) => moderator.id === chosen) ? [...shown, kept] : shown;
  }, []);
  const choices = () => props.choices;
  const choosePreset = (preset: PeriodPreset) => {
    if (preset !== "custom") choices().setPeriod(presetPeriod(preset, choices().today()));
  };
  const setDate = (end: "from" | "to", value: string) => {
    if (isLocalDate(value)) choices().setPeriod({ ...choices().period(), [end]: value });
  };
  const exportHref = () => `/v1/reports/items.csv?${exportQuery(choices(), true)}`;
  const summaryHref = () => `/v1/reports/summary.csv?${exportQuery(choices(), false)}`;
  return (
    <div class="reports-toolbar">
      <label for={presetId}>Period</label>
      <select
        id={presetId}
        class="input select select--compact"
        onChange={(event) => choosePreset(event.currentTarget.value as PeriodPreset)}
      >
        <For each={Object.entries(periodPresetLabels) as Array<[PeriodPreset, string]>}>
          {([preset, label]) => (
            <option value={preset} selected={choices().preset() === preset}>
              {label}
            </option>
          )}
        </For>
      </select>
      <label for={fromId}>From</label>
      <input
        id={fromId}
        type="date"
        class="input input--date"
        value={choices().period().from}
        max={choices().period().to}
        onChange={(event) => setDate("from", event.currentTarget.value)}
      />
      <label for={toId}>To</label>
      <input
        id={toId}
        type="date"
        class="input input--date"
        value={choices().period().to}
        min={choices().period().from}
        onChange={(event) => setDate("to", event.currentTarget.value)}
      />
      <Show when={(props.clients.data?.length ?? 0) > 1}>
        <label for={clientId}>Client</label>
        <ClientSelect
          id={clientId}
          clients={props.clients.data}
          value={choices().clientId() ?? ""}
          onChange={(value) => choices().setClient(value)}
          all
          compact
        />
      </Show>
      <label for={channelId}>Channel</label>
      <select
        id={channelId}
        class="input select select--compact"
        onChange={(event) => choices().setFilter("channel", event.currentTarget.value)}
      >
        <option value="" selected={!choices().channelId()}>
          All channels
        </option>
        <For each={channels()}>
          {(channel) => (
            <option value={channel.id} selected={choices().channelId() === channel.id}>
              {channel.name}
            </option>
          )}
        </For>
      </select>
      <label for={priorityId}>Priority</label>
      <select
        id={priorityId}
        class="input select select--compact"
        onChange={(event) => choices().setFilter("priorities", event.currentTarget.value)}
      >
        <option value="" selected={!choices().priority()}>
          All priorities
        </option>
        <For each={priorities}>
          {(priority) => (
            <option value={priority} selected={choices().priority() === priority}>
              {priority}
            </option>
          )}
        </For>
      </select>
      <label for={moderatorId}>Moderator</label>
      <select
        id={moderatorId}
        class="input select select--compact"
        onChange={(event) => choices().setFilter("moderator", event.currentTarget.value)}
      >
        <option value="" selected={!choices().moderatorId()}>
          Any moderator
        </option>
        <For each={moderators()}>
          {(moderator) => (
            <option value={moderator.id} selected={choices().moderatorId() === moderator.id}>
              {moderator.name}
            </option>
          )}
        </For>
      </select>
      <a class="button button--small" href={exportHref()} download="">
        Export CSV
      </a>
      <a class="button button--small button--ghost" href={summaryHref()} download="">
        Export summary
      </a>
    </div>
  );
}

/** One figure as a tile: its value, what it means, and a button listing the items behind it. */
function Tile(props: {
  title: string;
  children: JSX.Element;
  drill?: { figure: Figure; count: number };
  onOpen: (drill: DrillDown) => void;
}) {
  return (
    <section class="report-tile" aria-label={props.title}>
      <h2 class="report-tile__title">{props.title}</h2>
      <div class="report-tile__body">{props.children}</div>
      <Show when={props.drill}>
        {(drill) => (
          <button
            type="button"
            class="button button--ghost button--small"
            aria-label={`List the ${plural(drill().count, "item")}: ${figures[drill().figure].label}`}
            onClick={() => props.onOpen({ figure: drill().figure })}
          >
            List items
          </button>
        )}
      </Show>
    </section>
  );
}

function DurationValues(props: { duration: Duration }) {
  return (
    <dl class="report-tile__pairs">
      <div>
        <dt>Median</dt>
        <dd>{formatSeconds(props.duration.medianSeconds)}</dd>
      </div>
      <div>
        <dt>p90</dt>
        <dd>{formatSeconds(props.duration.p90Seconds)}</dd>
      </div>
    </dl>
  );
}

function ReportTiles(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const t = () => props.report.totals;
  const work = () => props.report.moderatorWork;
  const decided = () => t().firstResponse.met + t().firstResponse.breached;
  const resolved = () => t().resolution.met + t().resolution.breached;
  return (
    <div class="report-tiles">
      <Tile title="Items in" drill={{ figure: "items_in", count: t().itemsIn }} onOpen={props.onOpen}>
        <p class="report-tile__value">{t().itemsIn}</p>
        <p class="muted">{plural(t().repliesSent, "reply", "replies")} sent</p>
      </Tile>
      <Tile
        title="Acknowledgement"
        drill={{ figure: "acknowledged", count: t().acknowledged.count }}
        onOpen={props.onOpen}
      >
        <DurationValues duration={t().acknowledged} />
        <p class="muted">First public reply of any kind · {t().acknowledged.count} acknowledged</p>
      </Tile>
      <Tile
        title="Useful answer"
        drill={{ figure: "useful_answer", count: t().usefulAnswer.count }}
        onOpen={props.onOpen}
      >
        <DurationValues duration={t().usefulAnswer} />
        <p class="muted">First reply that is not an acknowledgement · {t().usefulAnswer.count} answered</p>
      </Tile>
      <Tile
        title="First response"
        drill={{ figure: "first_response_breached", count: t().firstResponse.breached }}
        onOpen={props.onOpen}
      >
        <p class="report-tile__value">{share(t().firstResponse.met, decided())}</p>
        <p class="muted">
          {t().firstResponse.met} met of {decided()} decided · {t().firstResponse.breached} breached · median{" "}
          {formatSeconds(t().firstResponse.medianSeconds)}
        </p>
      </Tile>
      <Tile
        title="Resolution"
        drill={{ figure: "resolution_breached", count: t().resolution.breached }}
        onOpen={props.onOpen}
      >
        <p class="report-tile__value">{share(t().resolution.met, resolved())}</p>
        <p class="muted">
          {t().resolution.met} met of {resolved()} decided · median {formatSeconds(t().resolution.medianSeconds)}
        </p>
      </Tile>
      <Tile title="Escalations" drill={{ figure: "escalated", count: t().escalated }} onOpen={props.onOpen}>
        <p class="report-tile__value">{t().escalated}</p>
        <p class="muted">
          Client answered {t().clientAnswer.count}: median {formatSeconds(t().clientAnswer.medianSeconds)}, p90{" "}
          {formatSeconds(t().clientAnswer.p90Seconds)}
        </p>
      </Tile>
      <Tile
        title="Handling time"
        drill={{ figure: "handling_measured", count: t().handlingTime.count }}
        onOpen={props.onOpen}
      >
        <DurationValues duration={t().handlingTime} />
        <p class="muted">Claim → the moderator's action · {t().handlingTime.count} measured</p>
      </Tile>
      <Tile title="Handled per moderator-hour" drill={{ figure: "handled", count: t().handled }} onOpen={props.onOpen}>
        <p class="report-tile__value">{work().handledPerHour === null ? "—" : work().handledPerHour?.toFixed(1)}</p>
        <p class="muted">
          {plural(t().handled, "item")} handled · {plural(work().activeHours, "active hour")}
        </p>
      </Tile>
      <Tile title="Hidden, deleted, no action" onOpen={props.onOpen}>
        <dl class="report-tile__pairs">
          <For each={["hidden", "deleted", "no_action"] as const}>
            {(figure) => (
              <div>
                <dt>{figures[figure].label}</dt>
                <dd>
                  <CountButton
                    count={figures[figure].count(t())}
                    label={figures[figure].label}
                    onClick={() => props.onOpen({ figure })}
                  />
                </dd>
              </div>
            )}
          </For>
        </dl>
      </Tile>
    </div>
  );
}

/** Items per day: the chart, and the same bars as a table under a disclosure. */
function ItemsPerDay(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const days = () => props.report.byDay;
  return (
    <Card title="Items per day">
      <BarChart
        label="Items per day"
        labels={days().map((day) => formatLocalDate(day.date))}
        series={[{ label: "Items in", values: days().map((day) => day.itemsIn), color: chartColors.items }]}
        onBarClick={({ index }) => {
          const day = days()[index];
          if (day) props.onOpen({ figure: "items_in", date: day.date });
        }}
      />
      <details class="disclosure">
        <summary>Items per day as a table</summary>
        <ListTable compact rows={days()} label="Items per day" columns={<HeaderCells names={["Day", "Items in"]} />}>
          {(day) => (
            <tr>
              <th scope="row">{formatLocalDate(day.date)}</th>
              <td>
                <CountButton
                  count={day.itemsIn}
                  label={`Items in on ${formatLocalDate(day.date)}`}
                  onClick={() => props.onOpen({ figure: "items_in", date: day.date })}
                />
              </td>
            </tr>
          )}
        </ListTable>
      </details>
    </Card>
  );
}

/** "09:00" for hour 9. */
const hourLabel = (hour: number) => `${String(hour).padStart(2, "0")}:00`;

/** Items per hour of the day (the client's local time): the chart, and the same bars as a table. */
function ItemsPerHour(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const hours = () => props.report.byHour;
  return (
    <Card title="Items per hour of the day">
      <BarChart
        label="Items per hour of the day"
        labels={hours().map((row) => hourLabel(row.hour))}
        series={[{ label: "Items in", values: hours().map((row) => row.itemsIn), color: chartColors.items }]}
        onBarClick={({ index }) => {
          const row = hours()[index];
          if (row) props.onOpen({ figure: "items_in", hour: row.hour });
        }}
      />
      <details class="disclosure">
        <summary>Items per hour as a table</summary>
        <ListTable
          compact
          rows={hours()}
          label="Items per hour of the day"
          columns={<HeaderCells names={["Hour", "Items in", "Acknowledgement median"]} />}
        >
          {(row) => (
            <tr>
              <th scope="row">{hourLabel(row.hour)}</th>
              <td>
                <CountButton
                  count={row.itemsIn}
                  label={`Items in at ${hourLabel(row.hour)}`}
                  onClick={() => props.onOpen({ figure: "items_in", hour: row.hour })}
                />
              </td>
              <td>{formatSeconds(row.acknowledged.medianSeconds)}</td>
            </tr>
          )}
        </ListTable>
      </details>
    </Card>
  );
}

/** Items and breaches per channel: the chart, and the same bars as a table with the answer times. */
function ItemsPerChannel(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const rows = () => props.report.byChannel;
  const name = (row: Report["byChannel"][number]) => `${row.clientName} · ${row.channelName}`;
  return (
    <Card title="Channels" class="report-card--wide">
      <BarChart
        label="Items per channel"
        labels={rows().map((row) => row.channelName)}
        series={[{ label: "Items in", values: rows().map((row) => row.itemsIn), color: chartColors.items }]}
        onBarClick={({ index }) => {
          const row = rows()[index];
          if (row) props.onOpen({ figure: "items_in", channelId: row.channelId });
        }}
      />
      <ListTable
        compact
        rows={rows()}
        label="Channels"
        empty="No items in this period."
        columns={<HeaderCells names={["Channel", "Items in", "Acknowledgement median", "Useful answer median"]} />}
      >
        {(row) => (
          <tr>
            <th scope="row">{name(row)}</th>
            <td>
              <CountButton
                count={row.itemsIn}
                label={`Items in on ${name(row)}`}
                onClick={() => props.onOpen({ figure: "items_in", channelId: row.channelId })}
              />
            </td>
            <td>{formatSeconds(row.acknowledged.medianSeconds)}</td>
            <td>{formatSeconds(row.usefulAnswer.medianSeconds)}</td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

const backlogLabel = (point: Report["backlog"][number]) =>
  point.hour === null ? formatLocalDate(point.date) : hourLabel(point.hour + 1 === 24 ? 0 : point.hour + 1);

/** Open items at the end of each day (or hour): a line whose points list the items open then. */
function BacklogOverTime(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const points = () => props.report.backlog;
  const open = (point: Report["backlog"][number]) =>
    props.onOpen({ figure: "backlog", date: point.date, hour: point.hour ?? undefined });
  return (
    <Card title="Backlog">
      <Show when={points().length > 0} fallback={<p class="muted">No day of this period has ended yet.</p>}>
        <BarChart
          line
          label="Open items at the end of each day"
          labels={points().map(backlogLabel)}
          series={[{ label: "Open", values: points().map((point) => point.open), color: chartColors.items }]}
          onBarClick={({ index }) => {
            const point = points()[index];
            if (point) open(point);
          }}
        />
        <details class="disclosure">
          <summary>Backlog as a table</summary>
          <ListTable compact rows={points()} label="Backlog" columns={<HeaderCells names={["End of", "Open"]} />}>
            {(point) => (
              <tr>
                <th scope="row">{backlogLabel(point)}</th>
                <td>
                  <CountButton
                    count={point.open}
                    label={`Open at the end of ${backlogLabel(point)}`}
                    onClick={() => open(point)}
                  />
                </td>
              </tr>
            )}
          </ListTable>
        </details>
      </Show>
    </Card>
  );
}

const sideLabel = (inHours: boolean) => (inHours ? "In business hours" : "Out of hours");

/** In business hours vs out of hours: items and first responses met and breached on each side. */
function BusinessHoursSplit(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const sides = () => props.report.byBusinessHours;
  const series = ["items_in", "first_response_met", "first_response_breached"] as const;
  const colors = [chartColors.items, chartColors.met, chartColors.breached];
  return (
    <Card title="In and out of business hours" class="report-card--wide">
      <BarChart
        label="Items, first responses met and breached, in and out of business hours"
        labels={sides().map((side) => sideLabel(side.inHours))}
        series={series.map((figure, index) => ({
          label: figures[figure].label,
          values: sides().map((side) => figures[figure].count(side)),
          color: colors[index] ?? chartColors.items,
        }))}
        onBarClick={({ seriesIndex, index }) => {
          const side = sides()[index];
          const figure = series[seriesIndex];
          if (side && figure) props.onOpen({ figure, inHours: side.inHours });
        }}
      />
      <ListTable
        compact
        rows={sides()}
        label="In and out of business hours"
        empty="No items in this period."
        columns={<HeaderCells names={["", "Items in", "Acknowledgement median", "First response breached"]} />}
      >
        {(side) => (
          <tr>
            <th scope="row">{sideLabel(side.inHours)}</th>
            <td>
              <CountButton
                count={side.itemsIn}
                label={`Items in ${sideLabel(side.inHours).toLowerCase()}`}
                onClick={() => props.onOpen({ figure: "items_in", inHours: side.inHours })}
              />
            </td>
            <td>{formatSeconds(side.acknowledged.medianSeconds)}</td>
            <td>
              <CountButton
                count={side.firstResponse.breached}
                label={`First response breached ${sideLabel(side.inHours).toLowerCase()}`}
                onClick={() => props.onOpen({ figure: "first_response_breached", inHours: side.inHours })}
              />
            </td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

/** Each moderator's work: items handled, handling time, active hours and handled per hour. */
function ModeratorsTable(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  return (
    <Card title="Moderators" class="report-card--wide">
      <ListTable
        compact
        rows={props.report.byModerator}
        label="Moderators"
        empty="No moderator handled an item of this period."
        columns={
          <HeaderCells
            names={["Moderator", "Handled", "Handling median", "Handling p90", "Active hours", "Per hour"]}
          />
        }
      >
        {(row) => (
          <tr>
            <th scope="row">{row.moderatorName}</th>
            <td>
              <CountButton
                count={row.handled}
                label={`Handled by ${row.moderatorName}`}
                onClick={() => props.onOpen({ figure: "handled", handledBy: row.moderatorId })}
              />
            </td>
            <td>{formatSeconds(row.handlingTime.medianSeconds)}</td>
            <td>{formatSeconds(row.handlingTime.p90Seconds)}</td>
            <td>{row.activeHours}</td>
            <td>{row.handledPerHour === null ? "—" : row.handledPerHour.toFixed(1)}</td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

const complianceSeries = ["first_response_met", "first_response_breached"] as const;

/** First response met and breached per priority: the chart, and the same bars as a table. */
function FirstResponseByPriority(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const rows = () => props.report.byPriority;
  return (
    <Card title="First response per priority" class="report-card--wide">
      <BarChart
        label="First response met and breached per priority"
        labels={rows().map((row) => row.priority)}
        series={[
          { label: "Met", values: rows().map((row) => row.firstResponse.met), color: chartColors.met },
          { label: "Breached", values: rows().map((row) => row.firstResponse.breached), color: chartColors.breached },
        ]}
        onBarClick={({ seriesIndex, index }) => {
          const row = rows()[index];
          const figure = complianceSeries[seriesIndex];
          if (row && figure) props.onOpen({ figure, priority: row.priority });
        }}
      />
      <ListTable
        compact
        rows={rows()}
        label="First response per priority"
        empty="No items with a priority in this period."
        columns={<HeaderCells names={["Priority", "Met", "Breached", "Compliance"]} />}
      >
        {(row) => (
          <tr>
            <th scope="row">
              <span class={`prio prio--${row.priority}`}>{row.priority}</span>
            </th>
            <For each={complianceSeries}>
              {(figure) => (
                <td>
                  <CountButton
                    count={figures[figure].count(row)}
                    label={`${figures[figure].label} ${row.priority}`}
                    onClick={() => props.onOpen({ figure, priority: row.priority })}
                  />
                </td>
              )}
            </For>
            <td>{share(row.firstResponse.met, row.firstResponse.met + row.firstResponse.breached)}</td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

const breachedFigure = { first_response: "first_response_breached", resolution: "resolution_breached" } as const;

/**
 * A one-client report's compliance per priority against the contract in force on its first day: the SLA month's
 * bars (the share met, the target marked), and each target's breached items one click away.
 */
function ComplianceAgainstContract(props: {
  report: Report;
  targets: ContractTarget[];
  onOpen: (drill: DrillDown) => void;
}) {
  const rows = () =>
    [...props.targets]
      .sort((a, b) => a.priority.localeCompare(b.priority) || a.metric.localeCompare(b.metric))
      .map((target) => {
        const of = props.report.byPriority.find((row) => row.priority === target.priority);
        const clock = target.metric === "first_response" ? of?.firstResponse : of?.resolution;
        const met = clock?.met ?? 0;
        const breached = clock?.breached ?? 0;
        const decided = met + breached;
        return {
          target,
          breached,
          bar: {
            priority: target.priority,
            metric: target.metric,
            decided,
            met,
            attainmentPercent: decided === 0 ? null : (met / decided) * 100,
            targetPercent: target.complianceTargetPercent,
            targetMinutes: target.minutes,
          },
        };
      });
  return (
    <Card title="SLA against the contract">
      <ul class="sla-month__list" aria-label="Compliance per priority against the contract">
        <For each={rows()}>{(row) => <TargetBar target={row.bar} />}</For>
      </ul>
      <ListTable
        compact
        rows={rows()}
        label="Breaches per target"
        empty="The contract sets no targets."
        columns={<HeaderCells names={["Target", "Within", "Breached"]} />}
      >
        {(row) => (
          <tr>
            <th scope="row">
              <span class={`prio prio--${row.target.priority}`}>{row.target.priority}</span>{" "}
              {clockMetricLabels[row.target.metric] ?? row.target.metric}
            </th>
            <td>{formatMinutes(row.target.minutes)}</td>
            <td>
              <CountButton
                count={row.breached}
                label={`${figures[breachedFigure[row.target.metric]].label} ${row.target.priority}`}
                onClick={() =>
                  props.onOpen({ figure: breachedFigure[row.target.metric], priority: row.target.priority })
                }
              />
            </td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

const pageSize = 50;
const clockLabels = { met: "Met", breached: "Breached", running: "Running" } as const;

/** The items behind the open figure, a page at a time; staff open each in the console. */
function ReportItems(props: { choices: ReportChoices; drill: DrillDown; report: Report }) {
  const session = useSession();
  const input = () => ({
    ...props.choices.filters(),
    ...props.drill,
    limit: pageSize,
  });
  const items = useInfiniteQuery(() => ({
    queryKey: [session.agencyId(), "reports", "items", input()],
    queryFn: ({ pageParam }: { pageParam: string | undefined }) =>
      trpc.reports.items.query({ ...input(), cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
  }));
  const rows = createMemo(() => (items.data?.pages ?? []).flatMap((page) => page.items));
  const group = (): Figures | undefined => {
    const drill = props.drill;
    if (drill.date) return props.report.byDay.find((day) => day.date === drill.date);
    if (drill.hour !== undefined) return props.report.byHour.find((row) => row.hour === drill.hour);
    if (drill.channelId) return props.report.byChannel.find((row) => row.channelId === drill.channelId);
    if (drill.priority) return props.report.byPriority.find((row) => row.priority === drill.priority);
    if (drill.inHours !== undefined) return props.report.byBusinessHours.find((row) => row.inHours === drill.inHours);
    return props.report.totals;
  };
  const count = () => {
    const drill = props.drill;
    if (drill.figure === "backlog") {
      const point = props.report.backlog.find(
        (candidate) => candidate.date === drill.date && (candidate.hour ?? undefined) === drill.hour,
      );
      return point?.open ?? 0;
    }
    if (drill.handledBy) {
      return props.report.byModerator.find((row) => row.moderatorId === drill.handledBy)?.handled ?? 0;
    }
    const of = group();
    return of ? figures[drill.figure].count(of) : 0;
  };
  const title = () => {
    const drill = props.drill;
    const point = drill.figure === "backlog" && drill.date ? `end of ${formatLocalDate(drill.date)}` : undefined;
    return [
      figures[drill.figure].label,
      point ?? (drill.date ? formatLocalDate(drill.date) : undefined),
      drill.hour === undefined ? undefined : hourLabel(drill.hour),
      drill.channelId
        ? props.report.byChannel.find((row) => row.channelId === drill.channelId)?.channelName
        : undefined,
      drill.priority,
      drill.inHours === undefined ? undefined : sideLabel(drill.inHours),
      drill.handledBy
        ? props.report.byModerator.find((row) => row.moderatorId === drill.handledBy)?.moderatorName
        : undefined,
    ]
      .filter(Boolean)
      .join(" · ");
  };
  const opensConsole = () => canEnter(session.role(), "console");
  return (
    <DrillDownCard title={title()} onClose={() => props.choices.close()}>
      <p class="muted" data-testid="drill-down-count">
        {plural(count(), "item")} counted
      </p>
      <QueryStatusOf query={items} what="the items" />
      <Show when={items.isSuccess}>
        <ListTable
          compact
          rows={rows()}
          label={`Items: ${title()}`}
          empty="No items."
          columns={
            <HeaderCells
              names={[
                "Received (client's time)",
                "Client",
                "Channel",
                "Customer",
                "Priority",
                "Acknowledged",
                "Useful answer",
                "First response",
              ]}
            />
          }
        >
          {(item: ReportItem) => (
            <tr>
              <th scope="row">
                <Show when={opensConsole()} fallback={formatInZone(item.receivedAt, item.timeZone)}>
                  <a href={`/console/items/${item.id}`}>{formatInZone(item.receivedAt, item.timeZone)}</a>
                </Show>
              </th>
              <td>{item.clientName}</td>
              <td>{item.channelName}</td>
              <td>{item.authorHandle}</td>
              <td>
                <span class={`prio prio--${item.priority}`}>{item.priority}</span>
              </td>
              <td>{formatInZone(item.acknowledgedAt, item.timeZone)}</td>
              <td>{formatInZone(item.usefulAnswerAt, item.timeZone)}</td>
              <td>{item.firstResponseState ? clockLabels[item.firstResponseState] : "—"}</td>
            </tr>
          )}
        </ListTable>
        <LoadMore query={items} />
      </Show>
    </DrillDownCard>
  );
}

/**
 * Reports: a period's figures for one client or all the reader sees (a stakeholder: their own client, as the server
 * scopes it), charts whose bars list the items behind them, and the per-item export.
 */
export function ReportsPage() {
  const session = useSession();
  const choices = useReportChoices();
  const clients = useClients();
  const report = useQuery(() => ({
    queryKey: [session.agencyId(), "reports", "summary", choices.filters()],
    queryFn: () => trpc.reports.summary.query(choices.filters()),
    // Another period or client replaces the figures once they arrive, without emptying the screen meanwhile.
    placeholderData: keepPreviousData,
  }));
  return (
    <Page
      title="Reports"
      lead="Each item counts on its client's local date. Acknowledgement is the first public reply of any kind; a useful answer is the first reply that is not an acknowledgement, both timed from when the customer wrote."
    >
      <ReportToolbar choices={choices} clients={clients} report={report.data} />
      <QueryStatusOf query={report} what="the report" />
      <Show when={report.data}>
        {(data) => (
          <>
            <ReportTiles report={data()} onOpen={choices.open} />
            {/* Until another choice's figures arrive, the previous ones stay, dimmed and marked busy. */}
            <div class="report-charts" aria-busy={report.isPlaceholderData ? "true" : "false"}>
              {/* Each wide card (two grid columns) is followed by a narrow one, which fills the column beside it. */}
              <ItemsPerDay report={data()} onOpen={choices.open} />
              <FirstResponseByPriority report={data()} onOpen={choices.open} />
              <ItemsPerChannel report={data()} onOpen={choices.open} />
              <Show when={data().contractTargets}>
                {(targets) => <ComplianceAgainstContract report={data()} targets={targets()} onOpen={choices.open} />}
              </Show>
              <BusinessHoursSplit report={data()} onOpen={choices.open} />
              <BacklogOverTime report={data()} onOpen={choices.open} />
              <ModeratorsTable report={data()} onOpen={choices.open} />
              <ItemsPerHour report={data()} onOpen={choices.open} />
            </div>
            <Show when={choices.drillDown()}>
              {(drill) => <ReportItems choices={choices} drill={drill()} report={data()} />}
            </Show>
            <InsightPanel filters={choices.filters()} />
            <TopicsPanel clientId={choices.clientId()} period={choices.period()} />
          </>
        )}
      </Show>
    </Page>
  );
}
