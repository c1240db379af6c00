import { createMemo, createSignal, For, onCleanup, Show } from "solid-js";
import { CustomerText } from "../../components/customer-text-view";
import { clockMetricLabels, msLeftNow, slaStateNow } from "../../components/escalations";
import { QueryStatus } from "../../components/page";
import { SlaClock, useSlaBoard } from "../../components/sla-clock";
import { humanize } from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime, plural } from "../../format";

/** Open items by time left (ticking every second) and today's breaches; refreshed by the portal's live events. */
export function SlaBoardCard() {
  const board = useSlaBoard();
  const [now, setNow] = createSignal(Date.now());
  const ticker = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(ticker));

  const open = createMemo(() => {
    const data = board.data;
    if (!data) return [];
    return [...data.open].sort((a, b) => msLeftNow(a, data.at, now()) - msLeftNow(b, data.at, now()));
  });
  const counts = () => {
    const data = board.data;
    const tally = { at_risk: 0, breached: 0 };
    if (!data) return tally;
    for (const entry of data.open) {
      const state = slaStateNow(entry, data.at, now());
      if (state === "at_risk" || state === "breached") tally[state] += 1;
    }
    return tally;
  };

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
              {plural(data().open.length, "open item")} ·{" "}
              <span class="sla-text--at_risk">{counts().at_risk} at risk</span> ·{" "}
              <span class="sla-text--breached">{counts().breached} breached</span> ·{" "}
              {plural(data().breachesToday.length, "breach", "breaches")} today
            </p>
            <ul class="sla-board__list" aria-label="Open items by time left">
              <For each={open()} fallback={<li class="muted">No open items with a running clock.</li>}>
                {(entry) => (
                  <li class="sla-board__row">
                    <SlaClock entry={entry} boardAt={data().at} now={now()} />
                    <span class="sla-board__what">
                      <span class={`prio prio--${entry.priority}`}>{entry.priority}</span>{" "}
                      <span class="muted">{clockMetricLabels[entry.metric] ?? humanize(entry.metric)} ·</span>{" "}
                      <CustomerText text={entry.authorHandle} />
                    </span>
                    <span class="sla-board__excerpt">
                      <CustomerText text={entry.excerpt} />
                    </span>
                  </li>
                )}
              </For>
            </ul>
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
                          due {formatDateTime(breach.dueAt)}, breached {formatDateTime(breach.breachedAt)}
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
