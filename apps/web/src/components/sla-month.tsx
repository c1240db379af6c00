import { numberCell, textCell, writeCsv } from "@parley/contracts";
import { formatCompliancePercent, meetsComplianceTarget } from "@parley/contracts/billing";
import { useQuery } from "@tanstack/solid-query";
import { createMemo, createSignal, createUniqueId, For, Show } from "solid-js";
import { useSession } from "../auth";
import { toUiError } from "../errors";
import { plural } from "../format";
import { formatMinutes, formatMonth, formatPercent, monthOf, shiftMonth } from "../pages/accounts/billing-format";
import { trpc } from "../trpc";
import { ClientSelect } from "./client-select";
import { useClients } from "./clients";
import { clockMetricLabels, escalationKeys, type SlaMonth, type SlaMonthTarget } from "./escalations";
import { QueryStatus } from "./page";

/** How many months back the month picker goes. */
const monthsShown = 6;

const metricName = (target: Pick<SlaMonthTarget, "metric">) => clockMetricLabels[target.metric] ?? target.metric;

/** The month's table as CSV (`writeCsv`), one row per priority and metric. */
function slaMonthCsv(month: SlaMonth): string {
  const header = ["client", "month", "priority", "metric", "decided", "met", "attainment_percent", "target_percent"];
  const rows = month.targets.map((target) => [
    textCell(month.clientName),
    textCell(month.month),
    textCell(target.priority),
    textCell(target.metric),
    numberCell(target.decided),
    numberCell(target.met),
    target.decided === 0 ? null : numberCell(formatCompliancePercent({ met: target.met, total: target.decided })),
    target.targetPercent === null ? null : numberCell(target.targetPercent),
  ]);
  return writeCsv(header, rows);
}

function downloadCsv(month: SlaMonth): void {
  const url = URL.createObjectURL(new Blob([slaMonthCsv(month)], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `sla-${month.clientName.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase()}-${month.month}.csv`;
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * One target as a bar: the share met so far, with the contract's target marked on it. `pending` (clocks not judged
 * yet) is left out where the caller does not count them (Reports).
 */
export function TargetBar(props: { target: Omit<SlaMonthTarget, "pending"> & { pending?: number } }) {
  const attained = () => props.target.attainmentPercent;
  const count = () => ({ met: props.target.met, total: props.target.decided });
  /** The one display rule of compliance (truncated to 2 decimals), as the invoice, PDF and CSV print it. */
  const shown = () => `${formatCompliancePercent(count())} %`;
  const missed = () =>
    props.target.decided > 0 &&
    props.target.targetPercent !== null &&
    !meetsComplianceTarget(count(), props.target.targetPercent);
  const label = () => {
    const value = attained();
    const met = value === null ? "nothing decided yet" : `${shown()} met`;
    const target =
      props.target.targetPercent === null ? "no target" : `target ${formatPercent(props.target.targetPercent)}`;
    return `${props.target.priority} ${metricName(props.target)}: ${met}, ${target}`;
  };
  return (
    <li class="sla-month__row">
      <span class="sla-month__name">
        <span class={`prio prio--${props.target.priority}`}>{props.target.priority}</span> {metricName(props.target)}
        <Show when={props.target.targetMinutes}>
          {(minutes) => <span class="muted"> · within {formatMinutes(minutes())}</span>}
        </Show>
      </span>
      <div class={`sla-month__bar${missed() ? " sla-month__bar--missed" : ""}`}>
        <meter class="sla-month__meter" min={0} max={100} value={attained() ?? 0} aria-label={label()} />
        <Show when={props.target.targetPercent}>
          {(target) => (
            <span class="sla-month__target" style={{ left: `${target()}%` }} title={`Target ${target()} %`} />
          )}
        </Show>
      </div>
      <span class="sla-month__figures">
        <Show when={attained() !== null} fallback={<span class="muted">Nothing decided yet</span>}>
          <strong class={missed() ? "sla-text--breached" : undefined}>{shown()}</strong>{" "}
          <span class="muted">
            ({props.target.met} of {props.target.decided} met)
          </span>
        </Show>
        <Show when={props.target.targetPercent !== null}>
          <span class="muted"> · target {formatPercent(props.target.targetPercent ?? 0)}</span>
        </Show>
        <Show when={props.target.pending}>
          {(pending) => <span class="muted"> · {plural(pending(), "clock")} still running</span>}
        </Show>
      </span>
    </li>
  );
}

/**
 * A client's month of SLA results so far against its contract's targets (what its invoice will count), as bars,
 * with the table as a CSV download; a choice of client when the caller has several (Accounts; a stakeholder of
 * several brands). The portal's live events refresh it (its key is under `escalationKeys.sla`).
 */
export function SlaMonthCard() {
  const session = useSession();
  const clientSelectId = createUniqueId();
  const monthSelectId = createUniqueId();
  const clients = useClients();
  const [chosenClient, setChosenClient] = createSignal<string>();
  const clientId = () => chosenClient() ?? clients.data?.[0]?.id;
  const [month, setMonth] = createSignal<string>();
  const months = createMemo(() =>
    Array.from({ length: monthsShown }, (_, back) => shiftMonth(monthOf(new Date()), -back)),
  );
  const result = useQuery(() => ({
    queryKey: escalationKeys.slaMonth(session.agencyId(), clientId() ?? "", month()),
    queryFn: () => trpc.sla.month.query({ clientId: clientId() ?? "", ...(month() ? { month: month() } : {}) }),
    enabled: clientId() !== undefined,
    staleTime: 30_000,
  }));

  return (
    <div class="sla-month">
      <div class="sla-month__controls">
        <Show when={(clients.data?.length ?? 0) > 1}>
          <label class="sr-only" for={clientSelectId}>
            Client
          </label>
          <ClientSelect
            id={clientSelectId}
            clients={clients.data}
            value={clientId() ?? ""}
            onChange={setChosenClient}
            compact
          />
        </Show>
        <label class="sr-only" for={monthSelectId}>
          Month
        </label>
        <select
          id={monthSelectId}
          class="input select select--compact"
          onChange={(event) => setMonth(event.currentTarget.value || undefined)}
        >
          <For each={months()}>
            {(value, index) => (
              <option value={index() === 0 ? "" : value} selected={(month() ?? "") === (index() === 0 ? "" : value)}>
                {index() === 0 ? "This month" : formatMonth(value)}
              </option>
            )}
          </For>
        </select>
        <Show when={result.data}>
          {(data) => (
            <button type="button" class="button button--small button--ghost" onClick={() => downloadCsv(data())}>
              Download CSV
            </button>
          )}
        </Show>
      </div>
      <QueryStatus
        loading={result.isPending && clientId() !== undefined}
        error={result.isError ? toUiError(result.error).message : null}
        what="the month's SLA"
        onRetry={() => void result.refetch()}
      />
      <Show when={result.data}>
        {(data) => (
          <>
            <p class="muted sla-month__lead">
              {data().clientName} · {formatMonth(data().month)} · as the invoice will count it
              <Show when={!data().contractInForce}> (no contract in force: no targets)</Show>
            </p>
            <ul class="sla-month__list" aria-label={`SLA results of ${formatMonth(data().month)}`}>
              <For each={data().targets} fallback={<li class="muted">No SLA clocks this month.</li>}>
                {(target) => <TargetBar target={target} />}
              </For>
            </ul>
          </>
        )}
      </Show>
    </div>
  );
}
