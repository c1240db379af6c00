import { useQuery } from "@tanstack/solid-query";
import { createMemo, createUniqueId, For, Show } from "solid-js";
import { useSession } from "../../auth";
import {
  itemStatuses,
  itemStatusLabels,
  type Priority,
  priorities,
  type QueueCount,
  type QueueFilters,
  riskFlags,
  workKeys,
} from "../../components/work";
import { toUiError } from "../../errors";
import { keys } from "../../query";
import { platformLabels } from "../../roles";
import { trpc } from "../../trpc";

export type FilterName = "client" | "channel" | "priority" | "status" | "risk" | "view" | "sort";

function CountRow(props: { count: QueueCount; active: boolean; onPick: () => void }) {
  const label = () =>
    `${props.count.clientName}, ${props.count.queued} queued, ${props.count.claimed} claimed` +
    `, ${priorities.map((p) => `${p} ${props.count.byPriority[p] ?? 0}`).join(", ")}`;
  return (
    <li>
      <button
        type="button"
        class="queue-count"
        classList={{ "queue-count--active": props.active }}
        aria-pressed={props.active}
        aria-label={label()}
        title={`Show only ${props.count.clientName}`}
        onClick={() => props.onPick()}
      >
        <span class="queue-count__name">{props.count.clientName}</span>
        <span class="queue-count__total">
          <span class="queue-count__queued">{props.count.queued}</span>
          <span class="queue-count__unit"> queued</span>
        </span>
        <span class="queue-count__prios" aria-hidden="true">
          <For each={priorities}>
            {(priority) => (
              <span class={`prio prio--${priority}`} classList={{ "prio--zero": !props.count.byPriority[priority] }}>
                {priority} {props.count.byPriority[priority] ?? 0}
              </span>
            )}
          </For>
          <Show when={props.count.claimed > 0}>
            <span class="queue-count__claimed">{props.count.claimed} claimed</span>
          </Show>
        </span>
      </button>
    </li>
  );
}

/** Waiting, claimed and held items per client the member works on, kept current by the console's live events. */
export function useQueueCounts() {
  const session = useSession();
  return useQuery(() => ({
    queryKey: workKeys.counts(session.agencyId()),
    queryFn: (): Promise<QueueCount[]> => trpc.queue.counts.query({}),
    staleTime: 10_000,
  }));
}

/** Left column: live counts per client (click to filter) and the queue filters. */
export function QueueSidebar(props: {
  filters: QueueFilters;
  onFilter: (name: FilterName, value: string | null) => void;
  onClear: () => void;
}) {
  const session = useSession();
  const ids = { client: createUniqueId(), channel: createUniqueId(), priority: createUniqueId() };
  const more = { status: createUniqueId(), risk: createUniqueId() };

  const counts = useQueueCounts();
  const channels = useQuery(() => ({
    queryKey: keys.channels(session.agencyId(), props.filters.clientId ?? null),
    queryFn: () => {
      const clientId = props.filters.clientId;
      return trpc.channels.list.query(clientId ? { clientId } : {});
    },
  }));

  const totals = createMemo(() => {
    const rows = counts.data ?? [];
    const byPriority = Object.fromEntries(
      priorities.map((p) => [p, rows.reduce((sum, row) => sum + (row.byPriority[p] ?? 0), 0)]),
    ) as Record<Priority, number>;
    return {
      clientId: "",
      clientName: "All clients",
      queued: rows.reduce((sum, row) => sum + row.queued, 0),
      claimed: rows.reduce((sum, row) => sum + row.claimed, 0),
      mine: rows.reduce((sum, row) => sum + row.mine, 0),
      lastP1At: null,
      byPriority,
      spike: null,
    } satisfies QueueCount;
  });
  const anyFilter = () =>
    Object.entries(props.filters).some(
      ([name, value]) =>
        Boolean(value) && name !== "view" && name !== "sort" && !(name === "status" && value === "queued"),
    );
  /** The views of held items and of clocks cut across statuses: the status filter does not apply to them. */
  const byStatus = () => !props.filters.view;

  return (
    <aside class="console__side" aria-label="Queues and filters">
      <section aria-labelledby="queue-counts-title">
        <h2 class="console__heading" id="queue-counts-title">
          Queues
        </h2>
        <Show when={counts.isError}>
          <div class="alert alert--error" role="alert">
            <span>Couldn't load the counts: {toUiError(counts.error).message}</span>
            <button type="button" class="button button--small" onClick={() => void counts.refetch()}>
              Try again
            </button>
          </div>
        </Show>
        <Show when={counts.isPending}>
          <p class="muted loading">
            <span class="spinner" aria-hidden="true" /> Loading…
          </p>
        </Show>
        <Show when={counts.isSuccess}>
          <Show
            when={(counts.data ?? []).length > 0}
            fallback={<p class="muted">You have no clients assigned yet. Ask an agency admin.</p>}
          >
            <ul class="queue-counts" aria-label="Queue counts per client">
              <CountRow
                count={totals()}
                active={!props.filters.clientId}
                onPick={() => props.onFilter("client", null)}
              />
              <For each={counts.data ?? []}>
                {(count) => (
                  <CountRow
                    count={count}
                    active={props.filters.clientId === count.clientId}
                    onPick={() => props.onFilter("client", count.clientId)}
                  />
                )}
              </For>
            </ul>
          </Show>
        </Show>
      </section>

      <section class="filters" aria-labelledby="queue-filters-title">
        <div class="console__heading-row">
          <h2 class="console__heading" id="queue-filters-title">
            Filters
          </h2>
          <Show when={anyFilter()}>
            <button type="button" class="button button--ghost button--small" onClick={() => props.onClear()}>
              Clear
            </button>
          </Show>
        </div>
        <div class="field">
          <label class="field__label" for={ids.client}>
            Client
          </label>
          <select
            id={ids.client}
            class="input select"
            onChange={(e) => props.onFilter("client", e.currentTarget.value || null)}
          >
            <option value="" selected={!props.filters.clientId}>
              All clients
            </option>
            <For each={counts.data ?? []}>
              {(count) => (
                <option value={count.clientId} selected={count.clientId === props.filters.clientId}>
                  {count.clientName}
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label class="field__label" for={ids.channel}>
            Channel
          </label>
          <select
            id={ids.channel}
            class="input select"
            onChange={(e) => props.onFilter("channel", e.currentTarget.value || null)}
          >
            <option value="" selected={!props.filters.channelId}>
              All channels
            </option>
            <For each={channels.data ?? []}>
              {(channel) => (
                <option value={channel.id} selected={channel.id === props.filters.channelId}>
                  {channel.displayName} ({platformLabels[channel.platform]})
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label class="field__label" for={ids.priority}>
            Priority
          </label>
          <select
            id={ids.priority}
            class="input select"
            onChange={(e) => props.onFilter("priority", e.currentTarget.value || null)}
          >
            <option value="" selected={!props.filters.priority}>
              Any priority
            </option>
            <For each={priorities}>
              {(priority) => (
                <option value={priority} selected={priority === props.filters.priority}>
                  {priority}
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label class="field__label" for={more.status}>
            Status
          </label>
          <select
            id={more.status}
            class="input select"
            disabled={!byStatus()}
            title={byStatus() ? undefined : "This view shows items of every status"}
            onChange={(e) =>
              props.onFilter("status", e.currentTarget.value === "queued" ? null : e.currentTarget.value)
            }
          >
            <For each={itemStatuses}>
              {(status) => (
                <option value={status} selected={status === (props.filters.status ?? "queued")}>
                  {status === "queued" ? "Queued (waiting)" : itemStatusLabels[status]}
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label class="field__label" for={more.risk}>
            Risk flag
          </label>
          <select
            id={more.risk}
            class="input select"
            onChange={(e) => props.onFilter("risk", e.currentTarget.value || null)}
          >
            <option value="" selected={!props.filters.riskFlag}>
              Any or none
            </option>
            <For each={riskFlags}>
              {(flag) => (
                <option value={flag} selected={flag === props.filters.riskFlag}>
                  {flag}
                </option>
              )}
            </For>
          </select>
        </div>
      </section>
    </aside>
  );
}
