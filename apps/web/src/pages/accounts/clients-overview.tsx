import { contractForPeriod } from "@parley/contracts/billing";
import { useQuery } from "@tanstack/solid-query";
import { createMemo, createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import { ClientBillingDialog } from "../../components/billing-details";
import { type ClientView, useClients } from "../../components/clients";
import { monthlyReportDownloads } from "../../components/monthly-reports";
import { Card, Page, StatusMessage } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { SlaMonthCard } from "../../components/sla-month";
import { toUiError } from "../../errors";
import { trpc } from "../../trpc";
import { accountsKeys, type InvoiceSummary, standingInvoice } from "./billing";
import { formatLocalDate, formatMonth, money, monthOf, shiftMonth, todayIn } from "./billing-format";
import { InvoiceStatusBadge } from "./invoice-badges";

/** The contract in force today (the client's date), in one cell. */
function ContractCell(props: { client: ClientView }) {
  const session = useSession();
  const contracts = useQuery(() => ({
    queryKey: accountsKeys.contracts(session.agencyId(), props.client.id),
    queryFn: () => trpc.contracts.list.query({ clientId: props.client.id }),
  }));
  const inForce = createMemo(() => {
    try {
      return contractForPeriod(contracts.data ?? [], todayIn(props.client.timeZone));
    } catch {
      return null;
    }
  });
  return (
    <Show
      when={contracts.isSuccess}
      fallback={
        <span class="muted">{contracts.isError ? `Couldn't load: ${toUiError(contracts.error).message}` : "…"}</span>
      }
    >
      <Show
        when={inForce()}
        fallback={
          <span class="muted">
            No contract in force
            <Show when={(contracts.data ?? []).length > 0}> ({contracts.data?.length} on file)</Show>
          </span>
        }
      >
        {(contract) => (
          <span>
            {money(contract().terms.retainerMinor, contract().currency)} / month
            <span class="muted">
              {" "}
              · since {formatLocalDate(contract().validFrom)}
              {contract().validTo ? `, until ${formatLocalDate(contract().validTo ?? "")} (exclusive)` : ""}
            </span>
          </span>
        )}
      </Show>
    </Show>
  );
}

/** Where the client's invoice of one month stands, from the query listing that month's invoices. */
function InvoiceCell(props: {
  invoices: { data: InvoiceSummary[] | undefined; isPending: boolean; isError: boolean };
  clientId: string;
}) {
  const invoice = () =>
    standingInvoice((props.invoices.data ?? []).filter((listed) => listed.clientId === props.clientId));
  return (
    <Show
      when={!props.invoices.isPending && !props.invoices.isError}
      fallback={<span class="muted">{props.invoices.isError ? "Unavailable" : "…"}</span>}
    >
      <Show when={invoice()} fallback={<span class="muted">No invoice</span>}>
        {(found) => (
          <a class="accounts-invoice-cell" href={`/accounts/invoices/${found().id}`}>
            <InvoiceStatusBadge invoice={found()} />
            <span>{money(found().totalMinor, found().currency)}</span>
          </a>
        )}
      </Show>
    </Show>
  );
}

export function ClientsOverviewPage() {
  const session = useSession();
  const [billing, setBilling] = createSignal<ClientView | null>(null);
  const [status, setStatus] = createSignal<string | null>(null);
  const thisMonth = monthOf(new Date());
  const lastMonth = shiftMonth(thisMonth, -1);

  const clients = useClients();
  const current = useQuery(() => ({
    queryKey: accountsKeys.invoices(session.agencyId(), { period: thisMonth }),
    queryFn: () => trpc.invoices.list.query({ period: thisMonth }),
  }));
  const previous = useQuery(() => ({
    queryKey: accountsKeys.invoices(session.agencyId(), { period: lastMonth }),
    queryFn: () => trpc.invoices.list.query({ period: lastMonth }),
  }));

  return (
    <Page
      title="Accounts"
      lead="Contracts and invoices of your clients: the contract in force, and where this and last month's invoices stand."
      actions={
        <a class="button button--primary" href={`/accounts/invoices?period=${lastMonth}`}>
          Invoices for {formatMonth(lastMonth)}
        </a>
      }
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <Card title="Clients">
        <Show when={current.isError || previous.isError}>
          <div class="alert alert--info" role="status">
            Invoice status is unavailable: {toUiError(current.error ?? previous.error).message}
          </div>
        </Show>
        <QueryTable
          query={clients}
          what="clients"
          label="Clients and contracts"
          empty="No clients are assigned to you yet."
          columns={
            <>
              <th scope="col">Client</th>
              <th scope="col">Contract in force</th>
              <th scope="col">{formatMonth(thisMonth)}</th>
              <th scope="col">{formatMonth(lastMonth)}</th>
              <ActionsHeader />
            </>
          }
        >
          {(client) => (
            <tr>
              <th scope="row" class="cell--primary">
                {client.name}
                <span class="muted accounts-zone"> {client.timeZone}</span>
              </th>
              <td>
                <ContractCell client={client} />
              </td>
              <td>
                <InvoiceCell invoices={current} clientId={client.id} />
              </td>
              <td>
                <InvoiceCell invoices={previous} clientId={client.id} />
              </td>
              <td class="cell--actions">
                <a class="button button--small" href={`/accounts/clients/${client.id}/contract`}>
                  Contract<span class="sr-only"> of {client.name}</span>
                </a>
                <a class="button button--small button--ghost" href={`/accounts/invoices?client=${client.id}`}>
                  Invoices<span class="sr-only"> of {client.name}</span>
                </a>
                <a
                  class="button button--small button--ghost"
                  href={monthlyReportDownloads(client.id, lastMonth).pdf}
                  rel="external"
                >
                  Report {formatMonth(lastMonth)}
                  <span class="sr-only"> of {client.name} (PDF)</span>
                </a>
                <button type="button" class="button button--small button--ghost" onClick={() => setBilling(client)}>
                  Billing details<span class="sr-only"> of {client.name}</span>
                </button>
              </td>
            </tr>
          )}
        </QueryTable>
      </Card>
      <Card title="SLA this month">
        <SlaMonthCard />
      </Card>
      <Show when={billing()}>
        {(client) => (
          <ClientBillingDialog
            client={client()}
            onClose={() => setBilling(null)}
            onSaved={(saved) => {
              setBilling(null);
              setStatus(`Billing details of ${saved.name} saved. Invoices finalized from now on show them.`);
            }}
          />
        )}
      </Show>
    </Page>
  );
}
