import { useSearchParams } from "@solidjs/router";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/solid-query";
import { createEffect, createMemo, createUniqueId, For, type JSX, on, Show } from "solid-js";
import { useSession } from "../../auth";
import { BarChart } from "../../components/bar-chart";
import { ClientSelect } from "../../components/client-select";
import { useClients } from "../../components/clients";
import { Card, Page, QueryStatusOf } from "../../components/page";
import { HeaderCells, ListTable } from "../../components/query-table";
import { formatDateTime, plural } from "../../format";
import { canEnter } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import { formatLocalDate, formatMinutes, formatPercent, todayIn } from "../accounts/billing-format";
import { InsightPanel } from "./insight-panel";
import {
  isLocalDate,
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

/** A drill-down: the items behind a figure, in total or for one day or priority (a chart's bar). */
interface DrillDown {
  figure: Figure;
  date?: string;
  priority?: Priority;
}

/**
 * The report's choices, kept in the address so a report can be linked and Back returns to the last one:
 * `?from=&to=&client=` and the open drill-down `&figure=&date=&priority=`. No dates: this month.
 */
function useReportChoices() {
  const [params, setParams] = useSearchParams<{
    from?: string;
    to?: string;
    client?: string;
    figure?: string;
    date?: string;
    priority?: string;
  }>();
  const today = todayIn();
  const period = createMemo<ReportPeriod>(() =>
    isLocalDate(params.from) && isLocalDate(params.to)
      ? { from: params.from, to: params.to }
      : presetPeriod("this_month", today),
  );
  const drillDown = createMemo<DrillDown | null>(() =>
    isFigure(params.figure)
      ? {
          figure: params.figure,
          date: isLocalDate(params.date) ? params.date : undefined,
          priority: isPriority(params.priority) ? params.priority : undefined,
        }
      : null,
  );
  const closed = { figure: undefined, date: undefined, priority: undefined };
  return {
    today,
    period,
    preset: () => presetOf(period(), today),
    clientId: () => params.client || undefined,
    drillDown,
    setPeriod: (next: ReportPeriod) => setParams({ ...next, ...closed }),
    setClient: (clientId: string) => setParams({ client: clientId || undefined, ...closed }),
    open: (next: DrillDown) => setParams({ figure: next.figure, date: next.date, priority: next.priority }),
    close: () => setParams(closed),
  };
}
type ReportChoices = ReturnType<typeof useReportChoices>;

/** The period (presets or custom dates), the client and the export of what is shown. */
function ReportToolbar(props: { choices: ReportChoices; clients: ReturnType<typeof useClients> }) {
  const presetId = createUniqueId();
  const fromId = createUniqueId();
  const toId = createUniqueId();
  const clientId = createUniqueId();
  const choices = () => props.choices;
  const choosePreset = (preset: PeriodPreset) => {
    if (preset !== "custom") choices().setPeriod(presetPeriod(preset, choices().today));
  };
  const setDate = (end: "from" | "to", value: string) => {
    if (isLocalDate(value)) choices().setPeriod({ ...choices().period(), [end]: value });
  };
  const exportHref = () => {
    const query = new URLSearchParams(choices().period() as unknown as Record<string, string>);
    const client = choices().clientId();
    if (client) query.set("clientId", client);
    const open = choices().drillDown();
    if (open) {
      query.set("figure", open.figure);
      if (open.priority) query.set("priority", open.priority);
    }
    return `/v1/reports/items.csv?${query}`;
  };
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
      <a class="button button--small" href={exportHref()} download="">
        Export CSV
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

/** A count that opens its items: the tables' drill-down buttons beside the charts. */
function CountButton(props: { count: number; label: string; onClick: () => void }) {
  return (
    <button
      type="button"
      class="button button--ghost button--small"
      aria-label={`List the ${plural(props.count, "item")}: ${props.label}`}
      disabled={props.count === 0}
      onClick={() => props.onClick()}
    >
      {props.count}
    </button>
  );
}

function ReportTiles(props: { totals: Figures; onOpen: (drill: DrillDown) => void }) {
  const t = () => props.totals;
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

const complianceSeries = ["first_response_met", "first_response_breached"] as const;

/** First response met and breached per priority: the chart, and the same bars as a table. */
function FirstResponseByPriority(props: { report: Report; onOpen: (drill: DrillDown) => void }) {
  const rows = () => props.report.byPriority;
  return (
    <Card title="First response per priority">
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

const pageSize = 50;
const clockLabels = { met: "Met", breached: "Breached", running: "Running" } as const;

/** The items behind the open figure, a page at a time; staff open each in the console. */
function ReportItems(props: { choices: ReportChoices; drill: DrillDown; report: Report }) {
  const session = useSession();
  const input = () => {
    const clientId = props.choices.clientId();
    return {
      ...props.choices.period(),
      ...(clientId ? { clientIds: [clientId] } : {}),
      figure: props.drill.figure,
      date: props.drill.date,
      priority: props.drill.priority,
      limit: pageSize,
    };
  };
  const items = useInfiniteQuery(() => ({
    queryKey: [session.agencyId(), "reports", "items", input()],
    queryFn: ({ pageParam }: { pageParam: string | undefined }) =>
      trpc.reports.items.query({ ...input(), cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
  }));
  const rows = createMemo(() => (items.data?.pages ?? []).flatMap((page) => page.items));
  const group = () => {
    if (props.drill.date) return props.report.byDay.find((day) => day.date === props.drill.date);
    if (props.drill.priority) return props.report.byPriority.find((row) => row.priority === props.drill.priority);
    return props.report.totals;
  };
  const count = () => {
    const of = group();
    return of ? figures[props.drill.figure].count(of) : 0;
  };
  const title = () =>
    [
      figures[props.drill.figure].label,
      props.drill.date ? formatLocalDate(props.drill.date) : undefined,
      props.drill.priority,
    ]
      .filter(Boolean)
      .join(" · ");
  const opensConsole = () => canEnter(session.role(), "console");
  // Each figure or bar opened brings its list into view and focus, where keyboard and screen-reader users continue.
  let region!: HTMLDivElement;
  createEffect(
    on(title, () => {
      region.scrollIntoView({ block: "start" });
      region.focus({ preventScroll: true });
    }),
  );
  return (
    <div ref={region} tabIndex={-1} class="report-items">
      <Card
        title={`Items: ${title()}`}
        actions={
          <button type="button" class="button button--small button--ghost" onClick={() => props.choices.close()}>
            Close
          </button>
        }
      >
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
          <Show when={items.hasNextPage}>
            <div class="pager">
              <button
                type="button"
                class="button"
                aria-disabled={items.isFetchingNextPage ? "true" : undefined}
                onClick={() => void items.fetchNextPage()}
              >
                {items.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            </div>
          </Show>
        </Show>
      </Card>
    </div>
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
  const filters = () => {
    const clientId = choices.clientId();
    return { ...choices.period(), ...(clientId ? { clientIds: [clientId] } : {}) };
  };
  const report = useQuery(() => ({
    queryKey: [session.agencyId(), "reports", "summary", filters()],
    queryFn: () => trpc.reports.summary.query(filters()),
    // Another period or client replaces the figures once they arrive, without emptying the screen meanwhile.
    placeholderData: keepPreviousData,
  }));
  return (
    <Page
      title="Reports"
      lead="Each item counts on its client's local date. Acknowledgement is the first public reply of any kind; a useful answer is the first reply that is not an acknowledgement, both timed from when the customer wrote."
    >
      <ReportToolbar choices={choices} clients={clients} />
      <QueryStatusOf query={report} what="the report" />
      <Show when={report.data}>
        {(data) => (
          <>
            <ReportTiles totals={data().totals} onOpen={choices.open} />
            <div class="report-charts">
              <ItemsPerDay report={data()} onOpen={choices.open} />
              <FirstResponseByPriority report={data()} onOpen={choices.open} />
            </div>
            <Show when={choices.drillDown()}>
              {(drill) => <ReportItems choices={choices} drill={drill()} report={data()} />}
            </Show>
            <InsightPanel filters={filters()} />
            <TopicsPanel clientId={choices.clientId()} period={choices.period()} />
          </>
        )}
      </Show>
    </Page>
  );
}
