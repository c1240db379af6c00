import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/solid-query";
import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import { useSession } from "../../auth";
import { Card, QueryStatusOf } from "../../components/page";
import { HeaderCells, ListTable, LoadMore } from "../../components/query-table";
import { formatDateTime, plural } from "../../format";
import { canEnter } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import { formatLocalDate, formatPercent } from "../accounts/billing-format";
import { CountButton, DrillDownCard } from "./drill-down-card";

type Insight = RouterOutputs["reports"]["insight"];
type InsightFigures = Insight["current"];
type InsightFigure = RouterInputs["reports"]["insightItems"]["figure"];
type InsightItem = RouterOutputs["reports"]["insightItems"]["items"][number];
type Filters = RouterInputs["reports"]["insight"];

/** Each figure a drill-down lists: its name and its count. */
const insightFigures: Record<InsightFigure, { label: string; count: (of: InsightFigures) => number }> = {
  purchase_intent: { label: "Purchase intent", count: (of) => of.purchaseIntent },
  product_feedback: { label: "Product feedback", count: (of) => of.productFeedback },
  satisfied: { label: "Satisfied with the service", count: (of) => of.satisfied },
  dissatisfied: { label: "Dissatisfied with the service", count: (of) => of.dissatisfied },
  answered: { label: "Answered conversations", count: (of) => of.conversationsAnswered },
  thanked: { label: "Thanked after the reply", count: (of) => of.conversationsThanked },
};
const labelFigures = ["purchase_intent", "product_feedback", "satisfied", "dissatisfied"] as const;

interface InsightDrill {
  figure: InsightFigure;
  period: "current" | "previous";
}

const periodText = (period: { from: string; to: string }) =>
  `${formatLocalDate(period.from)} – ${formatLocalDate(period.to)}`;

/** "+3", "−2", "±0". */
const signed = (value: number) => (value > 0 ? `+${value}` : value < 0 ? `−${-value}` : "±0");

function gratitudeText(index: number | null): string {
  return index === null ? "—" : formatPercent(index * 100);
}

/** The change of the gratitude index in percentage points, or nothing to compare. */
function gratitudeTrend(insight: Insight): string {
  const now = insight.current.gratitudeIndex;
  const before = insight.previousPeriod.gratitudeIndex;
  if (now === null || before === null) return "no answered conversations to compare";
  const points = Math.round((now - before) * 1000) / 10;
  return `${points > 0 ? "+" : points < 0 ? "−" : "±"}${Math.abs(points)} points`;
}

const pageSize = 50;

/** The items behind an insight figure, with the phrase that labelled each; staff open each in the console. */
function InsightItems(props: { filters: Filters; drill: InsightDrill; count: number; onClose: () => void }) {
  const session = useSession();
  const input = () => ({ ...props.filters, figure: props.drill.figure, period: props.drill.period, limit: pageSize });
  const items = useInfiniteQuery(() => ({
    queryKey: [session.agencyId(), "reports", "insightItems", input()],
    queryFn: ({ pageParam }: { pageParam: number }) =>
      trpc.reports.insightItems.query({ ...input(), offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last: { nextOffset: number | null }) => last.nextOffset ?? undefined,
  }));
  const rows = createMemo(() => (items.data?.pages ?? []).flatMap((page) => page.items));
  const title = () =>
    `${insightFigures[props.drill.figure].label}${props.drill.period === "previous" ? " · previous period" : ""}`;
  const opensConsole = () => canEnter(session.role(), "console");
  return (
    <DrillDownCard title={title()} onClose={() => props.onClose()}>
      <p class="muted" data-testid="insight-drill-down-count">
        {plural(props.count, "item")} counted
      </p>
      <QueryStatusOf query={items} what="the items" />
      <Show when={items.isSuccess}>
        <ListTable
          compact
          rows={rows()}
          label={`Items: ${title()}`}
          empty="No items."
          columns={<HeaderCells names={["Received", "Client", "Channel", "Customer", "Text", "Why"]} />}
        >
          {(item: InsightItem) => (
            <tr>
              <th scope="row">
                <Show when={opensConsole()} fallback={formatDateTime(item.receivedAt)}>
                  <a href={`/console/items/${item.id}`}>{formatDateTime(item.receivedAt)}</a>
                </Show>
              </th>
              <td>{item.clientName}</td>
              <td>{item.channelName}</td>
              <td>{item.authorHandle}</td>
              <td>{item.text}</td>
              <td>
                <For each={Object.entries(item.evidence)}>
                  {([label, phrase]) => (
                    <span class="muted">
                      {label.replace("_", " ")}: “{phrase}”{" "}
                    </span>
                  )}
                </For>
              </td>
            </tr>
          )}
        </ListTable>
        <LoadMore query={items} />
      </Show>
    </DrillDownCard>
  );
}

/**
 * Beyond sentiment: the gratitude index (share of answered conversations where the customer then thanked) and the
 * counts of purchase intent, product feedback and satisfaction, each against the previous period, every count
 * listing its items.
 */
export function InsightPanel(props: { filters: Filters }) {
  const session = useSession();
  const insight = useQuery(() => ({
    queryKey: [session.agencyId(), "reports", "insight", props.filters],
    queryFn: () => trpc.reports.insight.query(props.filters),
    placeholderData: keepPreviousData,
  }));
  const [drill, setDrill] = createSignal<InsightDrill | null>(null);
  createEffect(
    on(
      () => JSON.stringify(props.filters),
      () => setDrill(null),
      { defer: true },
    ),
  );
  const open = (figure: InsightFigure, period: InsightDrill["period"] = "current") => setDrill({ figure, period });
  return (
    <>
      <QueryStatusOf query={insight} what="the insight figures" />
      <Show when={insight.data}>
        {(data) => (
          <Card title="Insight: gratitude, intent, feedback, satisfaction">
            <div class="report-tiles">
              <section class="report-tile" aria-label="Gratitude index">
                <h2 class="report-tile__title">Gratitude index</h2>
                <div class="report-tile__body">
                  <p class="report-tile__value" data-testid="gratitude-index">
                    {gratitudeText(data().current.gratitudeIndex)}
                  </p>
                  <p class="muted">
                    <CountButton
                      count={data().current.conversationsThanked}
                      label={insightFigures.thanked.label}
                      onClick={() => open("thanked")}
                    />{" "}
                    thanked of{" "}
                    <CountButton
                      count={data().current.conversationsAnswered}
                      label={insightFigures.answered.label}
                      onClick={() => open("answered")}
                    />{" "}
                    answered conversations
                  </p>
                  <p class="muted">
                    {gratitudeTrend(data())} vs {periodText(data().previous)} (
                    {gratitudeText(data().previousPeriod.gratitudeIndex)})
                  </p>
                </div>
              </section>
            </div>
            <ListTable
              compact
              rows={[...labelFigures]}
              label="Insight counts"
              columns={
                <HeaderCells names={["What customers said", "This period", periodText(data().previous), "Change"]} />
              }
            >
              {(figure) => (
                <tr>
                  <th scope="row">{insightFigures[figure].label}</th>
                  <td>
                    <CountButton
                      count={insightFigures[figure].count(data().current)}
                      label={insightFigures[figure].label}
                      onClick={() => open(figure)}
                    />
                  </td>
                  <td>
                    <CountButton
                      count={insightFigures[figure].count(data().previousPeriod)}
                      label={`${insightFigures[figure].label}, previous period`}
                      onClick={() => open(figure, "previous")}
                    />
                  </td>
                  <td>
                    {signed(
                      insightFigures[figure].count(data().current) -
                        insightFigures[figure].count(data().previousPeriod),
                    )}
                  </td>
                </tr>
              )}
            </ListTable>
            <p class="muted">
              Read from the customers' words by phrase rules in English, French, German and Spanish (“thanks for
              nothing” is not gratitude). The labels are rarely wrong but miss many phrasings: read the counts as lower
              bounds. A conversation is thanked when the customer wrote a thanks in the same thread within 7 days after
              the brand's confirmed reply.
            </p>
            <Show when={drill()}>
              {(open) => (
                <InsightItems
                  filters={props.filters}
                  drill={open()}
                  count={insightFigures[open().figure].count(
                    open().period === "current" ? data().current : data().previousPeriod,
                  )}
                  onClose={() => setDrill(null)}
                />
              )}
            </Show>
          </Card>
        )}
      </Show>
    </>
  );
}
