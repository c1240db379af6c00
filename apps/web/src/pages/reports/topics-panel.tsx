import { keepPreviousData, useQuery } from "@tanstack/solid-query";
import { createEffect, createSignal, For, on, Show } from "solid-js";
import { useSession } from "../../auth";
import { useClients } from "../../components/clients";
import { Card, QueryStatusOf } from "../../components/page";
import { HeaderCells, ListTable } from "../../components/query-table";
import { formatDateTime, plural } from "../../format";
import { canEnter } from "../../roles";
import { type RouterOutputs, trpc } from "../../trpc";
import { todayIn } from "../accounts/billing-format";
import { DrillDownCard } from "./drill-down-card";

type Topics = RouterOutputs["reports"]["topics"];
type Topic = Topics["topics"][number];

/** Seven local days ending today in `timeZone`: the portal's "this week". */
function lastSevenDays(timeZone: string | undefined): { from: string; to: string } {
  const to = todayIn(timeZone);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 864e5).toISOString().slice(0, 10);
  return { from, to };
}

/** "↑ 200 %", "↓ 50 %", "→ 0 %"; "new" or "none before" when the four weeks before had none. */
function TrendCell(props: { topic: Topic }) {
  const percent = () => props.topic.trendPercent;
  return (
    <Show
      when={percent() !== null}
      fallback={<span class="muted">{props.topic.volume > 0 ? "none before" : "—"}</span>}
    >
      <span
        class={`badge ${(percent() ?? 0) >= 25 ? "badge--danger" : (percent() ?? 0) <= -25 ? "badge--success" : ""}`}
        title={`${props.topic.previousFourWeeks} in the four weeks before`}
      >
        {(percent() ?? 0) > 0 ? "↑" : (percent() ?? 0) < 0 ? "↓" : "→"} {Math.abs(percent() ?? 0)} %
      </span>
    </Show>
  );
}

/** An item's excerpt, linked to the item for those who open items in the console. */
function ItemExcerpt(props: { itemId: string; excerpt: string }) {
  const session = useSession();
  return (
    <Show when={canEnter(session.role(), "console")} fallback={<span>{props.excerpt}</span>}>
      <a href={`/console/items/${props.itemId}`}>{props.excerpt}</a>
    </Show>
  );
}

function TopicsTable(props: { label: string; topics: Topic[]; onOpen: (topic: Topic) => void; empty: string }) {
  return (
    <ListTable
      compact
      rows={props.topics}
      label={props.label}
      empty={props.empty}
      columns={<HeaderCells names={["Topic", "Items", "Trend", "Four weeks before", "Examples"]} />}
    >
      {(topic) => (
        <tr>
          <th scope="row">
            {topic.label}{" "}
            <Show when={topic.newThisWeek}>
              <span class="badge badge--warning">new this week</span>
            </Show>
          </th>
          <td>
            <button
              type="button"
              class="button button--ghost button--small"
              aria-label={`List the ${plural(topic.volume, "item")}: ${topic.label}`}
              onClick={() => props.onOpen(topic)}
            >
              {topic.volume}
            </button>
          </td>
          <td>
            <TrendCell topic={topic} />
          </td>
          <td>{topic.previousFourWeeks}</td>
          <td>
            <ul class="topic-examples">
              <For each={topic.examples}>
                {(example) => (
                  <li>
                    <ItemExcerpt itemId={example.itemId} excerpt={example.excerpt} />
                  </li>
                )}
              </For>
            </ul>
          </td>
        </tr>
      )}
    </ListTable>
  );
}

/** The items behind one topic (its volume), the newest first. */
function TopicItems(props: {
  clientId: string;
  period: { from: string; to: string };
  topic: Topic;
  onClose: () => void;
}) {
  const session = useSession();
  const input = () => ({ clientId: props.clientId, ...props.period, topicKey: props.topic.key, limit: 500 });
  const items = useQuery(() => ({
    queryKey: [session.agencyId(), "reports", "topicItems", input()],
    queryFn: () => trpc.reports.topicItems.query(input()),
  }));
  return (
    <DrillDownCard title={props.topic.label} onClose={() => props.onClose()}>
      <QueryStatusOf query={items} what="the topic's items" />
      <Show when={items.data}>
        {(data) => (
          <>
            <p class="muted" data-testid="topic-items-count">
              {plural(data().total, "item")} in this topic
              {data().total > data().items.length ? ` (the newest ${data().items.length} listed)` : ""}
            </p>
            <ListTable
              compact
              rows={data().items}
              label={`Items: ${props.topic.label}`}
              empty="No items."
              columns={<HeaderCells names={["Received", "Text", "Category"]} />}
            >
              {(item) => (
                <tr>
                  <th scope="row">{formatDateTime(item.receivedAt)}</th>
                  <td>
                    <ItemExcerpt itemId={item.itemId} excerpt={item.excerpt} />
                  </td>
                  <td>{item.categoryKey ?? "—"}</td>
                </tr>
              )}
            </ListTable>
          </>
        )}
      </Show>
    </DrillDownCard>
  );
}

/**
 * A client's recurring topics over the period: topics found in the items' text and the protocol's categories, each
 * with its volume, trend against the four weeks before, a "new this week" badge and examples; a topic's count lists
 * its items. Without a client chosen it uses the reader's only client (a stakeholder's), or asks for one; without a
 * period, the last seven days in the client's zone (the portal).
 */
export function TopicsPanel(props: {
  clientId?: string;
  period?: { from: string; to: string };
  /** In the portal: folded to its heading on a phone, like the other sections below what needs action. */
  foldedOnPhone?: boolean;
}) {
  const session = useSession();
  const clients = useClients();
  const client = () => {
    const list = clients.data ?? [];
    return props.clientId
      ? list.find((candidate) => candidate.id === props.clientId)
      : list.length === 1
        ? list[0]
        : undefined;
  };
  const period = () => props.period ?? lastSevenDays(client()?.timeZone);
  const input = () => {
    const chosen = client();
    return chosen ? { clientId: chosen.id, ...period() } : null;
  };
  const topics = useQuery(() => ({
    queryKey: [session.agencyId(), "reports", "topics", input()],
    queryFn: () => trpc.reports.topics.query(input() as NonNullable<ReturnType<typeof input>>),
    enabled: input() !== null,
    placeholderData: keepPreviousData,
  }));
  const [open, setOpen] = createSignal<Topic | null>(null);
  createEffect(on(input, () => setOpen(null), { defer: true }));
  return (
    <Card title="Recurring topics" id="topics" foldedOnPhone={props.foldedOnPhone}>
      <p class="muted">
        What customers keep raising: topics found in the items' text (in Parley; no text leaves it) and the protocol's
        categories, with the trend against the average week of the four weeks before. Spam and the brand's own posts are
        left out.
      </p>
      <Show when={input()} fallback={<p class="empty">Choose a client to see its recurring topics.</p>}>
        <QueryStatusOf query={topics} what="the topics" />
        <Show when={topics.data}>
          {(data) => (
            <>
              <p class="muted" data-testid="topics-analysed">
                {data().clientName}: {plural(data().itemsInPeriod, "item")} from {data().from} to {data().to}
              </p>
              <TopicsTable
                label="Topics found in the text"
                topics={data().topics}
                onOpen={setOpen}
                empty="No recurring topic in this period."
              />
              <details class="disclosure" open>
                <summary>The protocol's categories</summary>
                <TopicsTable
                  label="The protocol's categories"
                  topics={data().categories}
                  onOpen={setOpen}
                  empty="No categorised items in this period."
                />
              </details>
            </>
          )}
        </Show>
        <Show when={open()}>
          {(topic) => (
            <TopicItems
              clientId={input()?.clientId ?? ""}
              period={period()}
              topic={topic()}
              onClose={() => setOpen(null)}
            />
          )}
        </Show>
      </Show>
    </Card>
  );
}
