import { formatZonedTime } from "@parley/contracts";
import { createMemo, createSignal, For, onCleanup, Show } from "solid-js";
import { CustomerText } from "../../components/customer-text-view";
import { clockMetricLabels, msLeftNow, type SlaBoardEntry } from "../../components/escalations";
import { QueryStatus } from "../../components/page";
import { SlaClock, useSlaBoard } from "../../components/sla-clock";
import { humanize } from "../../components/work";
import { toUiError } from "../../errors";
import { plural } from "../../format";

/**
 * Open items, one row per item with its running clocks (ticking every second), most pressing first, a page at a
 * time; the summary counts every open item, not only this page. Refreshed by the portal's live events.
 */
export function SlaBoardCard() {
  const [page, setPage] = createSignal(0);
  const board = useSlaBoard(() => undefined, page);
  const [now, setNow] = createSignal(Date.now());
  const ticker = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(ticker));

  const rows = createMemo(() => {
    const data = board.data;
    if (!data) return [];
    const worst = (clocks: readonly { msLeft: number; state: SlaBoardEntry["state"] }[]) =>
      Math.min(...clocks.map((clock) => msLeftNow(clock, data.at, now())));
    return [...data.items].sort((a, b) => worst(a.clocks) - worst(b.clocks));
  });

  return (
    <div class="sla-board">
      <QueryStatus
        loading={board.isPending}
        error={board.isError ? toUiError(board.error).message : null}
        what="the SLA board"
        onRetry={() => void board.refetch()}
      />
      <Show when={board.data}>
        {(data) => (
          <>
            <p class="sla-board__summary">
              {plural(data().totals.openItems, "open item")} ·{" "}
              <span class="sla-text--at_risk">{data().totals.atRisk} at risk</span> ·{" "}
              <span class="sla-text--breached">{data().totals.breached} breached</span> · {data().totals.paused} paused
              · {plural(data().breachesToday.length, "breach", "breaches")} today
            </p>
            <ul class="sla-board__list" aria-label="Open items by time left">
              <For each={rows()} fallback={<li class="muted">No open items with a running clock.</li>}>
                {(item) => (
                  <li class="sla-board__row">
                    <span class="sla-board__clocks">
                      <For each={item.clocks}>
                        {(entry) => <SlaClock entry={entry} boardAt={data().at} now={now()} showMetric />}
                      </For>
                    </span>
                    <span class="sla-board__what">
                      <span class={`prio prio--${item.priority}`}>{item.priority}</span>{" "}
                      <CustomerText text={item.authorHandle} />
                    </span>
                    <span class="sla-board__excerpt">
                      <CustomerText text={item.excerpt} />
                    </span>
                  </li>
                )}
              </For>
            </ul>
            <Show when={data().pageCount > 1}>
              <nav class="pager" aria-label="SLA board pages">
                <button
                  type="button"
                  class="button button--small"
                  disabled={page() === 0}
                  onClick={() => setPage(page() - 1)}
                >
                  Previous
                </button>
                <span class="muted">
                  Page {data().page + 1} of {data().pageCount}
                </span>
                <button
                  type="button"
                  class="button button--small"
                  disabled={page() + 1 >= data().pageCount}
                  onClick={() => setPage(page() + 1)}
                >
                  Next
                </button>
              </nav>
            </Show>
            <Show when={data().breachesToday.length > 0}>
              <details class="disclosure">
                <summary>Breaches today ({data().breachesToday.length})</summary>
                <ul class="sla-board__breaches">
                  <For each={data().breachesToday}>
                    {(breach) => (
                      <li>
                        <span class="sla-text--breached">
                          {clockMetricLabels[breach.metric] ?? humanize(breach.metric)}
                        </span>{" "}
                        <span class="muted">
                          due {formatZonedTime(breach.dueAt, breach.timeZone)}, breached{" "}
                          {formatZonedTime(breach.breachedAt, breach.timeZone)}
                        </span>
                      </li>
                    )}
                  </For>
                </ul>
              </details>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
