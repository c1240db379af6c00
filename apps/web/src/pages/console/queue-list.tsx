import { createEffect, For, on, Show } from "solid-js";
import { CustomerText } from "../../components/customer-text-view";
import { confirmedStatusLabel, DeliveryBadge } from "../../components/delivery-state";
import { SlaClock } from "../../components/sla-clock";
import {
  formatCountdown,
  formatRelative,
  humanize,
  itemStatusLabels,
  kindLabels,
  type QueueItem,
} from "../../components/work";
import { formatDateTime } from "../../format";
import { platformLabels } from "../../roles";

function excerpt(text: string, max = 180): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function ClaimState(props: { item: QueueItem; me: string; now: number }) {
  const left = () =>
    props.item.claimExpiresAt ? Math.round((props.item.claimExpiresAt.getTime() - props.now) / 1000) : null;
  const status = () =>
    confirmedStatusLabel(props.item.status, props.item.delivery, itemStatusLabels[props.item.status]);
  return (
    <Show
      when={props.item.status === "claimed"}
      fallback={
        <>
          <span
            class="badge"
            classList={{ "badge--warning": status().tone === "pending", "badge--danger": status().tone === "failed" }}
          >
            {status().label}
          </span>
          <Show when={props.item.delivery?.state !== "sent"}>
            <DeliveryBadge delivery={props.item.delivery} />
          </Show>
        </>
      }
    >
      <span
        class="badge"
        classList={{ "badge--accent": props.item.claimedBy === props.me }}
        title={props.item.holderName ? `Claimed by ${props.item.holderName}` : undefined}
      >
        {props.item.claimedBy === props.me ? "Yours" : (props.item.holderName ?? "Claimed")}
        <Show when={left() !== null && (left() ?? 0) > 0}> · {formatCountdown(left() ?? 0)}</Show>
      </span>
    </Show>
  );
}

/** A listed row: the queue's item with the instant its page (and so its clock) was read. */
export type ListedItem = QueueItem & { clockAt: Date };

/** The centre column: the queue, with a highlighted row (j/k), the open item, and checkboxes for bulk actions. */
export function QueueList(props: {
  items: ListedItem[];
  me: string;
  now: number;
  selectedId: string | null;
  openId: string | null;
  checked: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  onToggle: (id: string, checked: boolean) => void;
  onToggleAll: (checked: boolean) => void;
}) {
  const rows = new Map<string, HTMLTableRowElement>();
  // Keep the highlighted row in view as j/k move it.
  createEffect(
    on(
      () => props.selectedId,
      (id) => {
        if (id) rows.get(id)?.scrollIntoView({ block: "nearest" });
      },
    ),
  );
  const allChecked = () => props.items.length > 0 && props.items.every((item) => props.checked.has(item.id));

  return (
    <div class="table-wrap queue-table-wrap">
      <table class="table table--compact queue-table" aria-label="Queue">
        <thead>
          <tr>
            <th scope="col" class="cell--check">
              <input
                type="checkbox"
                class="checkbox"
                aria-label="Select all listed items"
                checked={allChecked()}
                onChange={(e) => props.onToggleAll(e.currentTarget.checked)}
              />
            </th>
            <th scope="col">Prio</th>
            <th scope="col">Item</th>
            <th scope="col" class="cell--end">
              Status
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={props.items}>
            {(item) => (
              <tr
                ref={(el) => rows.set(item.id, el)}
                class="queue-row"
                classList={{
                  "queue-row--selected": props.selectedId === item.id,
                  "queue-row--open": props.openId === item.id,
                  [`queue-row--${item.priority}`]: true,
                }}
                aria-current={props.openId === item.id ? "true" : undefined}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest("input, button, a")) return;
                  props.onSelect(item.id);
                  props.onOpen(item.id);
                }}
              >
                <td class="cell--check">
                  <input
                    type="checkbox"
                    class="checkbox"
                    aria-label={`Select item from ${item.authorHandle}`}
                    checked={props.checked.has(item.id)}
                    onChange={(e) => props.onToggle(item.id, e.currentTarget.checked)}
                  />
                </td>
                <td>
                  <span class={`prio prio--${item.priority}`}>{item.priority}</span>
                </td>
                <td class="queue-row__main">
                  <p class="queue-row__meta">
                    <span class="queue-row__author">
                      <CustomerText text={item.authorHandle} />
                    </span>
                    <span> · {kindLabels[item.kind] ?? item.kind} · </span>
                    <span class="queue-row__client">{item.clientName}</span>
                    <span class={`platform platform--${item.platform}`} title={platformLabels[item.platform]}>
                      {item.channelName}
                    </span>
                  </p>
                  <button
                    type="button"
                    class="row-link"
                    onClick={() => {
                      props.onSelect(item.id);
                      props.onOpen(item.id);
                    }}
                  >
                    <span class="sr-only">
                      Open item from <CustomerText text={item.authorHandle} />:{" "}
                    </span>
                    <span class="queue-row__body">
                      <CustomerText text={excerpt(item.body)} />
                    </span>
                  </button>
                  <span class="tags">
                    <span class="tag">{humanize(item.categoryKey)}</span>
                    <For each={item.riskFlags}>{(flag) => <span class="tag tag--risk">{flag}</span>}</For>
                    <Show when={item.authority !== "respond"}>
                      <span class={`tag tag--authority-${item.authority}`}>{item.authority}</span>
                    </Show>
                    <Show when={item.moderationAction}>
                      {(action) => <span class="tag tag--moderation">suggests {action()}</span>}
                    </Show>
                  </span>
                </td>
                <td class="cell--end queue-row__side">
                  <ClaimState item={item} me={props.me} now={props.now} />
                  <Show
                    when={item.clock}
                    fallback={
                      <span class="sla-clock sla-clock--none" title="No SLA clock runs for this item">
                        No SLA clock
                      </span>
                    }
                  >
                    {(entry) => <SlaClock entry={entry()} boardAt={item.clockAt} now={props.now} />}
                  </Show>
                  <span class="queue-row__time" title={formatDateTime(item.receivedAt)}>
                    {formatRelative(item.receivedAt, props.now)}
                  </span>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
