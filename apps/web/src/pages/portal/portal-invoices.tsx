import { useQuery } from "@tanstack/solid-query";
import { For, Show } from "solid-js";
import { useSession } from "../../auth";
import { QueryStatus } from "../../components/page";
import { toUiError } from "../../errors";
import { formatDate } from "../../format";
import { trpc } from "../../trpc";
import { invoiceDownloads } from "../accounts/billing";
import { formatMonth, money } from "../accounts/billing-format";

export const portalInvoicesKey = (agencyId: string) => [agencyId, "portal", "invoices"] as const;

/** The client's finalized invoices (stakeholders only ever see finalized ones), with PDF and CSV downloads. */
export function PortalInvoices() {
  const session = useSession();
  const invoices = useQuery(() => ({
    queryKey: portalInvoicesKey(session.agencyId()),
    queryFn: () => trpc.invoices.list.query({ status: "finalized" }),
    staleTime: 60_000,
  }));

  return (
    <div class="portal-invoices">
      <QueryStatus
        loading={invoices.isPending}
        error={invoices.isError ? toUiError(invoices.error).message : null}
        what="invoices"
        onRetry={() => void invoices.refetch()}
      />
      <Show when={invoices.data}>
        <ul class="portal-invoices__list" aria-label="Invoices">
          <For each={invoices.data} fallback={<li class="muted">No finalized invoices yet.</li>}>
            {(invoice) => (
              <li class="portal-invoices__row">
                <span class="portal-invoices__what">
                  <span class="cell--primary">{invoice.number ?? formatMonth(invoice.period)}</span>{" "}
                  <span class="muted">
                    {invoice.kind === "invoice" ? formatMonth(invoice.period) : "Credit note"}
                    <Show when={invoice.finalizedAt}>{(at) => <> · {formatDate(at())}</>}</Show>
                  </span>
                </span>
                <span class="portal-invoices__total">{money(invoice.totalMinor, invoice.currency)}</span>
                <span class="portal-invoices__links">
                  <a class="button button--small button--ghost" href={invoiceDownloads(invoice.id).pdf} rel="external">
                    PDF
                  </a>
                  <a class="button button--small button--ghost" href={invoiceDownloads(invoice.id).csv} rel="external">
                    CSV
                  </a>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
