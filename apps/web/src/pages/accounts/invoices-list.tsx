import { useSearchParams } from "@solidjs/router";
import { useQuery, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, createUniqueId, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { ClientSelect } from "../../components/client-select";
import { type ClientView, useClients } from "../../components/clients";
import { Card, Page } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { toUiError } from "../../errors";
import { trpc } from "../../trpc";
import { accountsKeys, creditsAmount, describeDraftOutcome, type InvoiceStatus, type InvoiceSummary } from "./billing";
import { formatMonth, isMonth, money, monthOf, shiftMonth } from "./billing-format";
import { InvoiceStatusBadge, PaymentBadge } from "./invoice-badges";

interface DraftRun {
  period: string;
  total: number;
  done: number;
  running: boolean;
  results: Array<{ clientId: string; name: string; ok: boolean; text: string; invoiceId: string | null }>;
}

/** Sums of the listed invoices per currency (a list may mix currencies). */
function totalsByCurrency(invoices: InvoiceSummary[]) {
  const sums = new Map<string, { fees: number; credits: number; total: number; count: number }>();
  for (const invoice of invoices) {
    const sum = sums.get(invoice.currency) ?? { fees: 0, credits: 0, total: 0, count: 0 };
    sum.fees += invoice.feesMinor;
    sum.credits += invoice.creditsMinor;
    sum.total += invoice.totalMinor;
    sum.count += 1;
    sums.set(invoice.currency, sum);
  }
  return [...sums.entries()].map(([currency, sum]) => ({ currency, ...sum }));
}

/** Calls `invoices.createDrafts` client by client, so the bar moves as each one completes. */
function CreateDrafts(props: { period: string; clients: ClientView[]; onDone: () => void }) {
  const [run, setRun] = createSignal<DraftRun | null>(null);
  const progressId = createUniqueId();
  const names = createMemo(() => new Map(props.clients.map((client) => [client.id, client.name])));

  const start = async () => {
    if (run()?.running) return;
    const period = props.period;
    const clientIds = props.clients.filter((client) => client.status === "active").map((client) => client.id);
    setRun({ period, total: clientIds.length, done: 0, running: true, results: [] });
    for (const clientId of clientIds) {
      const name = names().get(clientId) ?? clientId;
      let entry: DraftRun["results"][number];
      try {
        const [outcome] = await trpc.invoices.createDrafts.mutate({ period, clientIds: [clientId] });
        if (!outcome) throw new Error(`No draft outcome for ${name}`);
        const invoiceId = outcome.status === "skipped" ? null : outcome.invoice.id;
        entry = { clientId, name, ok: true, text: describeDraftOutcome(outcome), invoiceId };
      } catch (err) {
        entry = { clientId, name, ok: false, text: toUiError(err).message, invoiceId: null };
      }
      setRun((prev) => prev && { ...prev, done: prev.done + 1, results: [...prev.results, entry] });
    }
    setRun((prev) => prev && { ...prev, running: false });
    props.onDone();
  };

  const failed = () => run()?.results.filter((result) => !result.ok).length ?? 0;

  return (
    <div class="accounts-drafts">
      <button
        type="button"
        class="button button--primary"
        aria-disabled={run()?.running || props.clients.length === 0 ? "true" : undefined}
        onClick={() => {
          if (props.clients.length > 0) void start();
        }}
      >
        Create drafts for {formatMonth(props.period)}
      </button>
      <Show when={run()}>
        {(current) => (
          <div class="accounts-drafts__run">
            <label for={progressId} class="accounts-drafts__label">
              {current().running
                ? `Creating drafts for ${formatMonth(current().period)}: ${current().done} of ${current().total} clients`
                : `Drafts for ${formatMonth(current().period)}: ${current().done} of ${current().total} clients done${failed() > 0 ? `, ${failed()} failed` : ""}`}
            </label>
            <progress id={progressId} class="progress-bar" max={Math.max(current().total, 1)} value={current().done}>
              {current().done} of {current().total}
            </progress>
            <ul class="accounts-drafts__results" aria-live="polite">
              <For each={current().results}>
                {(result) => (
                  <li classList={{ "accounts-drafts__result--failed": !result.ok }}>
                    <span class="cell--primary">{result.name}</span>: {result.text}
                    <Show when={result.invoiceId}>
                      {" "}
                      <a href={`/accounts/invoices/${result.invoiceId}`}>
                        Review<span class="sr-only"> the draft of {result.name}</span>
                      </a>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </div>
        )}
      </Show>
    </div>
  );
}

export function InvoicesPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const monthId = createUniqueId();
  const statusId = createUniqueId();
  const clientFilterId = createUniqueId();

  const [search, setSearch] = useSearchParams<{ period?: string; status?: string; client?: string }>();
  const period = () => {
    const value = search.period ?? "";
    return isMonth(value) ? value : shiftMonth(monthOf(new Date()), -1);
  };
  const status = (): InvoiceStatus | undefined => {
    const value = search.status;
    return value === "draft" || value === "finalized" ? value : undefined;
  };
  const clientId = () => search.client ?? "";
  const setFilter = (name: "period" | "status" | "client", value: string) =>
    setSearch({ period: period(), [name]: value }, { replace: true });

  const clients = useClients();

  const input = () => ({ period: period(), status: status(), clientId: clientId() || undefined });
  const invoices = useQuery(() => ({
    queryKey: accountsKeys.invoices(session.agencyId(), input()),
    queryFn: () => trpc.invoices.list.query(input()),
  }));

  return (
    <Page
      title="Invoices"
      lead="Monthly invoices by client: review the drafts, finalize them, export them and push them to Stripe."
    >
      <Card>
        <div class="accounts-filters">
          <div class="field">
            <label class="field__label" for={monthId}>
              Month
            </label>
            <div class="accounts-month">
              <button
                type="button"
                class="button button--small button--ghost"
                onClick={() => setFilter("period", shiftMonth(period(), -1))}
              >
                <span aria-hidden="true">‹</span>
                <span class="sr-only">Previous month</span>
              </button>
              <input
                id={monthId}
                class="input"
                type="month"
                value={period()}
                onChange={(e) => {
                  if (isMonth(e.currentTarget.value)) setFilter("period", e.currentTarget.value);
                }}
              />
              <button
                type="button"
                class="button button--small button--ghost"
                onClick={() => setFilter("period", shiftMonth(period(), 1))}
              >
                <span aria-hidden="true">›</span>
                <span class="sr-only">Next month</span>
              </button>
            </div>
          </div>
          <div class="field">
            <label class="field__label" for={statusId}>
              Status
            </label>
            <select id={statusId} class="input select" onChange={(e) => setFilter("status", e.currentTarget.value)}>
              <option value="" selected={!status()}>
                All
              </option>
              <option value="draft" selected={status() === "draft"}>
                Draft
              </option>
              <option value="finalized" selected={status() === "finalized"}>
                Finalized
              </option>
            </select>
          </div>
          <div class="field">
            <label class="field__label" for={clientFilterId}>
              Client
            </label>
            <ClientSelect
              id={clientFilterId}
              clients={clients.data}
              value={clientId()}
              all
              onChange={(id) => setFilter("client", id)}
            />
          </div>
        </div>
        <CreateDrafts
          period={period()}
          clients={(clients.data ?? []).filter((client) => !clientId() || client.id === clientId())}
          onDone={() => void queryClient.invalidateQueries({ queryKey: accountsKeys.all(session.agencyId()) })}
        />
      </Card>

      <Card title={`${formatMonth(period())}${status() ? ` · ${status() === "draft" ? "drafts" : "finalized"}` : ""}`}>
        <QueryTable
          query={invoices}
          what="invoices"
          label="Invoices"
          empty={`No invoices for ${formatMonth(period())} yet. Create the drafts above.`}
          columns={
            <>
              <th scope="col">Client</th>
              <th scope="col">Number</th>
              <th scope="col">Period</th>
              <th scope="col">Status</th>
              <th scope="col">Stripe</th>
              <th scope="col" class="accounts-num">
                Fees
              </th>
              <th scope="col" class="accounts-num">
                Credits
              </th>
              <th scope="col" class="accounts-num">
                Total
              </th>
              <ActionsHeader />
            </>
          }
          foot={
            <tfoot>
              <For each={totalsByCurrency(invoices.data ?? [])}>
                {(sum) => (
                  <tr>
                    <th scope="row" colSpan={5}>
                      Total {sum.currency} ({sum.count} {sum.count === 1 ? "invoice" : "invoices"})
                    </th>
                    <td class="accounts-num">{money(sum.fees, sum.currency)}</td>
                    <td class="accounts-num">
                      {sum.credits !== 0 ? money(creditsAmount(sum.credits), sum.currency) : "—"}
                    </td>
                    <td class="accounts-num cell--primary">{money(sum.total, sum.currency)}</td>
                    <td />
                  </tr>
                )}
              </For>
            </tfoot>
          }
        >
          {(invoice) => {
            const name = () => invoice.clientName;
            return (
              <tr>
                <th scope="row" class="cell--primary">
                  {name()}
                </th>
                <td class="mono accounts-nowrap">{invoice.number ?? "—"}</td>
                <td class="accounts-nowrap">{formatMonth(invoice.periodStart.slice(0, 7))}</td>
                <td>
                  <InvoiceStatusBadge invoice={invoice} />
                </td>
                <td>
                  <PaymentBadge status={invoice.paymentStatus} />
                </td>
                <td class="accounts-num">{money(invoice.feesMinor, invoice.currency)}</td>
                <td class="accounts-num">
                  {invoice.creditsMinor !== 0 ? money(creditsAmount(invoice.creditsMinor), invoice.currency) : "—"}
                </td>
                <td class="accounts-num cell--primary">{money(invoice.totalMinor, invoice.currency)}</td>
                <td class="cell--actions">
                  <a class="button button--small" href={`/accounts/invoices/${invoice.id}`}>
                    {invoice.status === "draft" ? "Review" : "Open"}
                    <span class="sr-only">
                      {" "}
                      the {invoice.kind === "credit_note" ? "credit note" : "invoice"} of {name()}
                    </span>
                  </a>
                </td>
              </tr>
            );
          }}
        </QueryTable>
      </Card>
    </Page>
  );
}
