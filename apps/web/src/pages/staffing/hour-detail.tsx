import { For, Show } from "solid-js";
import type { PoolHour, StaffingPlan } from "./staffing-api";
import {
  formatHour,
  formatLocalDate,
  formatPeople,
  formatPercent,
  formatSeconds,
  formatTarget,
} from "./staffing-format";

/** One hour of a pool: demand by client, what it needs and why, what is rostered, the cover and the risks. */
export function HourDetail(props: { hour: PoolHour; plan: StaffingPlan }) {
  const clientName = (id: string) => props.plan.clients.find((client) => client.id === id)?.name ?? id;
  const hour = () => props.hour;
  return (
    <section class="hour-detail" aria-label="Selected hour">
      <h3>
        {formatLocalDate(hour().localDate)}, {formatHour(hour().hour)}–{formatHour((hour().hour + 1) % 24)}
      </h3>
      <dl>
        <dt>Expected items</dt>
        <dd>
          {hour().arrivals.toFixed(1)}{" "}
          <span class="muted">
            (
            {hour()
              .byClient.map((entry) => `${clientName(entry.clientId)} ${entry.arrivals.toFixed(1)}`)
              .join(", ")}
            )
          </span>
        </dd>
        <Show when={hour().events.length > 0}>
          <dt>Planned events</dt>
          <dd>{hour().events.join(", ")}</dd>
        </Show>
        <dt>Workload</dt>
        <dd>
          {hour().trafficErlangs.toFixed(2)} erlangs at {formatSeconds(hour().ahtSeconds)} an item
        </dd>
        <dt>Needed</dt>
        <dd>
          {hour().required.agents} answering, {hour().required.scheduled} on the roster
          <Show
            when={hour().required.governing}
            fallback={<span class="muted"> (no target runs: keeping up with the work)</span>}
          >
            {(target) => (
              <span class="muted">
                {" "}
                for {clientName(target().clientId)}'s {formatTarget(target())}, expected{" "}
                {formatPercent(hour().required.serviceLevel)}
              </span>
            )}
          </Show>
        </dd>
        <dt>Rostered</dt>
        <dd>
          {formatPeople(hour().rostered)} <span class="muted">({hour().productive} answering after shrinkage)</span>
        </dd>
      </dl>
      <Show when={hour().suggestion}>
        {(suggestion) => (
          <div
            class={`staffing-cover${suggestion().mode === "add_moderators" ? " staffing-cover--short" : ""}`}
            role="note"
          >
            <strong>Short by {formatPeople(hour().gap)}.</strong>{" "}
            <Show
              when={suggestion().mode === "triage_only"}
              fallback={
                <>
                  Even triage-only cover needs {hour().triage.scheduled} on the roster: add{" "}
                  {suggestion().mode === "add_moderators" ? (suggestion() as { missing: number }).missing : 0} or hand
                  the overspill to another team.
                </>
              }
            >
              Suggested cover: triage-only (acknowledge, escalate, follow up) — it needs {hour().triage.scheduled} on
              the roster to hold the targets.
            </Show>
          </div>
        )}
      </Show>
      <Show when={hour().atRisk.length > 0}>
        <p class="staffing-cover staffing-cover--short">
          <strong>SLAs at risk:</strong>{" "}
          <For each={hour().atRisk}>
            {(risk, index) => (
              <>
                {index() > 0 ? "; " : ""}
                {clientName(risk.clientId)} ({formatTarget(risk)}: expected {formatPercent(risk.expectedServiceLevel)})
              </>
            )}
          </For>
        </p>
      </Show>
    </section>
  );
}
