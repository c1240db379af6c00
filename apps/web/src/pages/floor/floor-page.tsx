import type { LiveEvent } from "@parley/contracts";
import { useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, onCleanup, Show } from "solid-js";
import { useSession } from "../../auth";
import { BarChart } from "../../components/bar-chart";
import { CustomerText } from "../../components/customer-text-view";
import { createLiveEvents, LiveIndicator } from "../../components/live";
import { createRefreshGroup } from "../../components/live-refresh";
import { Card, Page, QueryStatusOf } from "../../components/page";
import { formatCount, formatDateTime, plural } from "../../format";
import { type RouterOutputs, trpc } from "../../trpc";
import { formatMinutes } from "../accounts/billing-format";

type Floor = RouterOutputs["floor"]["view"];
type FloorClient = Floor["clients"][number];
type FloorMember = Floor["members"][number];

const floorKey = (agencyId: string) => [agencyId, "floor"] as const;
/** Live events refresh the floor at most this often: a peak sends many, and the view is a summary. */
const floorRefreshGapMs = 10_000;
/** Presence and the clocks move without events: refetched at least this often. */
const floorPollMs = 30_000;

const channelColors = ["#4338ca", "#0e7490", "#b45309", "#7c3aed", "#be123c", "#15803d"];
const awaitingColor = "#b42318";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const rate = (perHour: number | null) => (perHour === null ? "—" : `${formatCount(perHour)}/h`);
const perActiveHour = (value: number | null) => (value === null ? "—" : value.toFixed(1));

const stateLabels: Record<FloorMember["state"], string> = {
  working: "Working",
  idle: "Online, idle",
  offline: "Offline",
};

function FirstResponse(props: { rows: FloorClient["firstResponse"] }) {
  return (
    <Show when={props.rows.length > 0} fallback={<span class="muted">no first responses due today</span>}>
      <ul class="floor__first-response">
        <For each={props.rows}>
          {(row) => (
            <li
              classList={{ "floor__over-target": row.medianMinutes !== null && row.medianMinutes > row.targetMinutes }}
            >
              {row.priority}: {row.medianMinutes === null ? "—" : formatMinutes(row.medianMinutes)} median of{" "}
              {plural(row.responses, "response")}, target {formatMinutes(row.targetMinutes)}
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** A triage step this late or more is flagged: the driver normally takes one up within seconds of its due time. */
const triageLateMs = 60_000;

/** The automatic triage's steps due and not yet taken (acknowledgements, escalations), and how late the oldest is. */
function TriageBacklog(props: { triage: FloorClient["triage"]; at: Date }) {
  const lateMs = () => (props.triage.oldestDueAt ? props.at.getTime() - props.triage.oldestDueAt.getTime() : 0);
  return (
    <Show when={props.triage.waiting > 0} fallback={<span class="muted">up to date</span>}>
      <span classList={{ "floor__over-target": lateMs() >= triageLateMs }}>
        {plural(props.triage.waiting, "step")} waiting, the oldest{" "}
        {lateMs() < 60_000 ? "due under a minute ago" : `${formatMinutes(lateMs() / 60_000)} late`}
      </span>
    </Show>
  );
}

/** A client's last hours: items received per channel (stacked), and items awaiting a first response. */
function ClientCharts(props: { client: FloorClient; labels: string[] }) {
  const incoming = () =>
    props.client.channels.map((channel, index) => ({
      label: channel.name,
      values: channel.incoming,
      color: channelColors[index % channelColors.length] ?? "#4338ca",
    }));
  const awaiting = () => [
    {
      label: "Awaiting a first response",
      values: props.labels.map((_, index) =>
        props.client.channels.reduce((total, channel) => total + (channel.awaiting[index] ?? 0), 0),
      ),
      color: awaitingColor,
    },
  ];
  return (
    <div class="floor__charts">
      <div>
        <h4>Incoming per quarter-hour</h4>
        <BarChart labels={props.labels} series={incoming()} stacked label={`${props.client.clientName}: incoming`} />
      </div>
      <div>
        <h4>Awaiting a first response</h4>
        <BarChart labels={props.labels} series={awaiting()} label={`${props.client.clientName}: awaiting`} />
      </div>
      <details class="floor__figures">
        <summary>Figures</summary>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">From</th>
              <For each={props.client.channels}>{(channel) => <th scope="col">{channel.name}</th>}</For>
              <th scope="col">Usual</th>
              <th scope="col">Awaiting</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.labels}>
              {(label, index) => (
                <tr>
                  <th scope="row">{label}</th>
                  <For each={props.client.channels}>{(channel) => <td>{channel.incoming[index()]}</td>}</For>
                  <td>{props.client.usual ? (props.client.usual[index()] ?? 0).toFixed(1) : "—"}</td>
                  <td>{awaiting()[0]?.values[index()]}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </details>
    </div>
  );
}

function ClientCard(props: { client: FloorClient; labels: string[]; at: Date }) {
  const client = () => props.client;
  return (
    <Card title={client().clientName} class="floor__client">
      <div data-client-id={client().clientId} class="floor__client-body">
        <Show when={client().spike}>
          {(spike) => (
            <div class="alert alert--info floor__spike" role="status">
              <span>
                <strong>Spike</strong> since {formatDateTime(spike().startedAt)}: {rate(spike().lastRatePerHour)} now,
                peak {rate(spike().peakRatePerHour)}, usually {rate(spike().usualPerHour)} —{" "}
                {formatCount(spike().items)} items so far.
              </span>
            </div>
          )}
        </Show>
        <dl class="floor__figures-strip">
          <div>
            <dt>Incoming (last 15 min)</dt>
            <dd data-figure="rate">{rate(client().ratePerHour)}</dd>
          </div>
          <div>
            <dt>Usual now</dt>
            <dd data-figure="usual">
              {client().usualPerHour === null ? "no history yet" : rate(client().usualPerHour)}
            </dd>
          </div>
          <div>
            <dt>Queued</dt>
            <dd data-figure="queued">{client().queued}</dd>
          </div>
          <div>
            <dt>Claimed</dt>
            <dd data-figure="claimed">{client().claimed}</dd>
          </div>
          <div>
            <dt>At risk</dt>
            <dd data-figure="at-risk">
              <a href={`/console?client=${client().clientId}&view=at_risk`}>{client().atRisk}</a>
            </dd>
          </div>
          <div>
            <dt>Breached</dt>
            <dd data-figure="breached">
              <a href={`/console?client=${client().clientId}&view=breached`}>{client().breached}</a>
            </dd>
          </div>
          <div>
            <dt>Automatic triage</dt>
            <dd data-figure="triage">
              <TriageBacklog triage={client().triage} at={props.at} />
            </dd>
          </div>
          <div>
            <dt>First response today</dt>
            <dd>
              <FirstResponse rows={client().firstResponse} />
            </dd>
          </div>
        </dl>
        <ClientCharts client={client()} labels={props.labels} />
      </div>
    </Card>
  );
}

function Members(props: { floor: Floor }) {
  return (
    <Card title="On the floor">
      <p class="muted">
        {perActiveHour(props.floor.handledPerModeratorHour)} handled per moderator-hour today (
        {plural(props.floor.handledToday, "item")} over {props.floor.activeHoursToday} active hours: the quarter-hours
        in which each claimed or handled an item).
      </p>
      <table class="table floor__members">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">State</th>
            <th scope="col">Working on</th>
            <th scope="col">Handled today</th>
            <th scope="col">Per active hour</th>
          </tr>
        </thead>
        <tbody>
          <For
            each={props.floor.members}
            fallback={
              <tr>
                <td colSpan={5}>No moderators in this agency yet.</td>
              </tr>
            }
          >
            {(member) => (
              <tr data-user-id={member.userId} data-state={member.state}>
                <th scope="row">{member.name}</th>
                <td>
                  <span class={`floor__state floor__state--${member.state}`}>{stateLabels[member.state]}</span>
                </td>
                <td>
                  <For each={member.holding} fallback={<span class="muted">—</span>}>
                    {(item) => (
                      <a class="floor__holding" href={`/console/items/${item.itemId}`}>
                        @<CustomerText text={item.authorHandle.replace(/^@/, "")} /> ({item.clientName})
                      </a>
                    )}
                  </For>
                </td>
                <td>{member.handledToday}</td>
                <td>{perActiveHour(member.handledPerHour)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Card>
  );
}

/**
 * The shift lead's floor: every client's incoming rate against its usual rate, spikes, the queue and SLA, and who is
 * online and on what. Live events refresh it (coalesced, at most every 10 s); it also refetches every 30 s, since
 * presence and clocks move without events.
 */
export function FloorPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const floor = useQuery(() => ({
    queryKey: floorKey(session.agencyId()),
    queryFn: () => trpc.floor.view.query(),
    refetchInterval: floorPollMs,
  }));
  const refresh = createRefreshGroup(queryClient, () => floorKey(session.agencyId()), { minGapMs: floorRefreshGapMs });
  const live = createLiveEvents({
    onEvents: (events: LiveEvent[]) => {
      if (events.some((event) => event.agencyId === session.agencyId() && event.type !== "invoice.changed")) {
        refresh.request();
      }
    },
    onReconnect: () => refresh.request(),
  });
  const [now, setNow] = createSignal(Date.now());
  const ticker = setInterval(() => setNow(Date.now()), 1_000);
  onCleanup(() => clearInterval(ticker));
  const labels = () => (floor.data?.buckets ?? []).map((bucket) => timeFormat.format(bucket));
  const openSpikes = () => (floor.data?.spikes ?? []).filter((spike) => spike.endedAt === null);
  const endedSpikes = () => (floor.data?.spikes ?? []).filter((spike) => spike.endedAt !== null);
  const clientName = (id: string) => floor.data?.clients.find((client) => client.clientId === id)?.clientName ?? "";
  return (
    <Page
      title="Floor"
      lead="Every client's traffic against its usual rate for the hour of the week, the queue and the SLA, and who is working what."
      actions={
        <LiveIndicator
          status={live()}
          freshness={{
            behindSince: refresh.behindSince(),
            freshAt: refresh.freshAt(),
            now: now(),
            paceMs: floorRefreshGapMs,
          }}
        />
      }
    >
      <QueryStatusOf query={floor} what="the floor" />
      <Show when={floor.data}>
        {(data) => (
          <div class="floor">
            <For each={openSpikes()}>
              {(spike) => (
                <div class="alert alert--info floor__spike-alert" role="alert" data-client-id={spike.clientId}>
                  <span>
                    <strong>Spike on {clientName(spike.clientId)}</strong> since {formatDateTime(spike.startedAt)}:{" "}
                    {rate(spike.lastRatePerHour)} against a usual {rate(spike.usualPerHour)}.
                  </span>
                </div>
              )}
            </For>
            <Show when={endedSpikes().length > 0}>
              <p class="muted">
                Ended recently:{" "}
                <For each={endedSpikes()}>
                  {(spike, index) => (
                    <>
                      {index() > 0 ? "; " : ""}
                      {clientName(spike.clientId)} {timeFormat.format(spike.startedAt)}–
                      {spike.endedAt ? timeFormat.format(spike.endedAt) : ""} (peak {rate(spike.peakRatePerHour)})
                    </>
                  )}
                </For>
              </p>
            </Show>
            <Members floor={data()} />
            <For each={data().clients}>
              {(client) => <ClientCard client={client} labels={labels()} at={data().at} />}
            </For>
          </div>
        )}
      </Show>
    </Page>
  );
}
