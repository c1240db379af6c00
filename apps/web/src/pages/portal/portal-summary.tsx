import { formatCompliancePercent, meetsComplianceTarget } from "@parley/contracts/billing";
import { useQuery } from "@tanstack/solid-query";
import { For, Show } from "solid-js";
import { useSession } from "../../auth";
import { useClients } from "../../components/clients";
import { clockMetricLabels, escalationKeys, type SlaMonthTarget } from "../../components/escalations";
import { priorities } from "../../components/work";
import { trpc } from "../../trpc";

/** A month's decided clocks of one priority, per metric, against the contract's compliance target. */
function PriorityTile(props: { priority: string; targets: SlaMonthTarget[] }) {
  return (
    <li class="summary-strip__tile">
      <span class={`prio prio--${props.priority}`}>{props.priority}</span>
      <For each={props.targets}>
        {(target) => {
          const count = { met: target.met, total: target.decided };
          const state = () =>
            target.decided === 0 || target.targetPercent === null
              ? "none"
              : meetsComplianceTarget(count, target.targetPercent)
                ? "met"
                : "missed";
          return (
            <span class="summary-strip__metric" data-state={state()}>
              {clockMetricLabels[target.metric] ?? target.metric}:{" "}
              <strong>{target.decided === 0 ? "—" : `${formatCompliancePercent(count)} %`}</strong>
              <Show when={target.targetPercent !== null}> of {target.targetPercent} %</Show>
            </span>
          );
        }}
      </For>
    </li>
  );
}

/**
 * The portal's first screen: this month's compliance against target per priority, open escalations, drafts waiting
 * for approval and today's volume, per client the stakeholder sees (`sla.month` and `sla.summary`).
 */
function ClientSummaryStrip(props: { clientId: string; clientName: string; showName: boolean }) {
  const session = useSession();
  const month = useQuery(() => ({
    queryKey: escalationKeys.slaMonth(session.agencyId(), props.clientId, undefined),
    queryFn: () => trpc.sla.month.query({ clientId: props.clientId }),
  }));
  const summary = useQuery(() => ({
    queryKey: [...escalationKeys.sla(session.agencyId()), "summary", props.clientId],
    queryFn: () => trpc.sla.summary.query({ clientId: props.clientId }),
    refetchInterval: 60_000,
  }));
  const byPriority = () =>
    priorities
      .map((priority) => ({
        priority,
        targets: (month.data?.targets ?? []).filter((target) => target.priority === priority),
      }))
      .filter((group) => group.targets.length > 0);
  return (
    <section class="summary-strip" aria-label={`Summary for ${props.clientName}`}>
      <Show when={props.showName}>
        <h2 class="summary-strip__client">{props.clientName}</h2>
      </Show>
      <ul class="summary-strip__counts">
        <li>
          <a href="#escalations" class="summary-strip__count">
            <strong data-testid="summary-open-escalations">{summary.data?.openEscalations ?? "…"}</strong> open
            escalations
          </a>
        </li>
        <li>
          <a href="#approvals" class="summary-strip__count">
            <strong data-testid="summary-awaiting-approval">{summary.data?.awaitingApproval ?? "…"}</strong> drafts
            awaiting approval
          </a>
        </li>
        <li class="summary-strip__count">
          <strong data-testid="summary-received-today">{summary.data?.receivedToday ?? "…"}</strong> items today
        </li>
      </ul>
      <Show when={month.data}>
        {(data) => (
          <>
            <p class="muted summary-strip__caption">
              Compliance in {data().month} so far{data().contractInForce ? ", against the contract's targets" : ""}:
            </p>
            <ul class="summary-strip__tiles" aria-label="Compliance this month by priority">
              <For each={byPriority()} fallback={<li class="muted">No clocks decided this month yet.</li>}>
                {(group) => <PriorityTile priority={group.priority} targets={group.targets} />}
              </For>
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}

export function PortalSummary() {
  const clients = useClients();
  return (
    <For each={clients.data ?? []}>
      {(client) => (
        <ClientSummaryStrip clientId={client.id} clientName={client.name} showName={(clients.data?.length ?? 0) > 1} />
      )}
    </For>
  );
}
