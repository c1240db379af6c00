import { formatZonedTime } from "@parley/contracts";
import { formatCompliancePercent } from "@parley/contracts/billing";
import { useQuery } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { CustomerText } from "../../components/customer-text-view";
import { Dialog } from "../../components/dialog";
import { Card, QueryStatus } from "../../components/page";
import { ListTable } from "../../components/query-table";
import { toUiError } from "../../errors";
import { trpc } from "../../trpc";
import {
  accountsKeys,
  type CreditEvidence,
  creditsAmount,
  type InvoiceDetail,
  type InvoiceLine,
  invoiceDownloads,
  type SlaSummaryRow,
} from "./billing";
import { formatMinutes, formatPercent, formatUnitPrice, money } from "./billing-format";

const metricLabels: Record<string, string> = { first_response: "first response", resolution: "resolution" };

function unitPrice(line: InvoiceLine, currency: string): string {
  const value = line.unitPriceMinor;
  return Number.isInteger(value) ? money(value, currency) : formatUnitPrice(value, currency);
}

function targetName(evidence: Pick<CreditEvidence, "priority" | "metric">): string {
  return `${evidence.priority} ${metricLabels[evidence.metric] ?? evidence.metric}`;
}

/** The breached items behind one credit line. */
function BreachedItemsDialog(props: { invoiceId: string; evidence: CreditEvidence; onClose: () => void }) {
  const session = useSession();
  const items = useQuery(() => ({
    queryKey: accountsKeys.breached(
      session.agencyId(),
      props.invoiceId,
      props.evidence.priority,
      props.evidence.metric,
    ),
    queryFn: () =>
      trpc.invoices.breachedItems.query({
        invoiceId: props.invoiceId,
        priority: props.evidence.priority,
        metric: props.evidence.metric,
      }),
  }));
  const rows = () => items.data?.items ?? [];
  // In the client's zone, named: the contract's hours are the client's.
  const when = (at: Date) => formatZonedTime(at, items.data?.timeZone ?? "UTC");
  return (
    <Dialog
      title={`Breached items: ${targetName(props.evidence)}`}
      description={`${props.evidence.total - props.evidence.met} of ${props.evidence.total} items missed the ${targetName(props.evidence)} target this month.`}
      onClose={props.onClose}
      wide
    >
      <QueryStatus
        loading={items.isPending}
        error={items.isError ? toUiError(items.error).message : null}
        what="the breached items"
        onRetry={() => void items.refetch()}
      />
      <Show when={items.isSuccess}>
        <Show when={rows().length > 0} fallback={<p class="empty">No breached items.</p>}>
          <Show when={(items.data?.total ?? 0) > rows().length}>
            <p class="muted">
              Showing the first {rows().length} of {items.data?.total}; the evidence CSV lists every item.
            </p>
          </Show>
          <div class="table-wrap accounts-breached">
            <table class="table table--compact" aria-label="Breached items">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Due</th>
                  <th scope="col">Answered</th>
                  <th scope="col">Where</th>
                  <th scope="col">Item</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(item) => (
                    <tr>
                      <td>{when(item.receivedAt)}</td>
                      <td>{item.dueAt ? when(item.dueAt) : "—"}</td>
                      <td>{item.stoppedAt ? when(item.stoppedAt) : "not yet"}</td>
                      <td>
                        {item.channel}
                        <Show when={item.authorHandle}>
                          {(handle) => (
                            <span class="muted">
                              {" "}
                              · <CustomerText text={handle()} />
                            </span>
                          )}
                        </Show>
                      </td>
                      <td class="accounts-excerpt">
                        {item.excerpt ? <CustomerText text={item.excerpt} /> : <span class="muted">(no text)</span>}
                      </td>
                      <td>{item.status.replaceAll("_", " ")}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
      </Show>
      <div class="dialog__actions">
        <a class="button button--ghost" href={invoiceDownloads(props.invoiceId).evidenceCsv} download="">
          Download evidence CSV
        </a>
        <button type="button" class="button" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

function EvidenceCell(props: { evidence: CreditEvidence; onDrill: () => void }) {
  const breached = () => props.evidence.total - props.evidence.met;
  return (
    <div class="accounts-evidence">
      <span>
        {props.evidence.met} of {props.evidence.total} met · {formatCompliancePercent(props.evidence)} % against a{" "}
        {formatPercent(props.evidence.targetPercent)} target
      </span>
      <span class="muted">
        <Show when={props.evidence.tier} fallback={<>No credit tier applies</>}>
          {(tier) => (
            <>
              Tier [{formatPercent(tier().fromPercent)}, {formatPercent(tier().toPercent)}) →{" "}
              {formatPercent(props.evidence.creditPercent)} of fees
            </>
          )}
        </Show>
        <Show when={props.evidence.capped}> · capped</Show>
      </span>
      <Show when={breached() > 0}>
        <button type="button" class="button button--small button--ghost" onClick={() => props.onDrill()}>
          {breached()} breached {breached() === 1 ? "item" : "items"}
          <span class="sr-only"> for {targetName(props.evidence)}</span>
        </button>
      </Show>
    </div>
  );
}

/** The invoice's lines with fees, credits and total; a credit line opens the items behind it. */
export function InvoiceLines(props: { invoice: InvoiceDetail }) {
  const [drill, setDrill] = createSignal<CreditEvidence | null>(null);
  const lines = () => [...props.invoice.lines].sort((a, b) => a.position - b.position);
  return (
    <>
      <Card title="Lines">
        <ListTable
          rows={lines()}
          label="Invoice lines"
          columns={
            <>
              <th scope="col">#</th>
              <th scope="col">Description</th>
              <th scope="col" class="accounts-num">
                Quantity
              </th>
              <th scope="col" class="accounts-num">
                Unit price
              </th>
              <th scope="col" class="accounts-num">
                Amount
              </th>
            </>
          }
          foot={
            <tfoot>
              <tr>
                <th scope="row" colSpan={4}>
                  Fees
                </th>
                <td class="accounts-num">{money(props.invoice.feesMinor, props.invoice.currency)}</td>
              </tr>
              <tr>
                <th scope="row" colSpan={4}>
                  Service credits
                </th>
                <td class="accounts-num">
                  {props.invoice.creditsMinor !== 0
                    ? money(creditsAmount(props.invoice.creditsMinor), props.invoice.currency)
                    : "—"}
                </td>
              </tr>
              <tr class="accounts-total-row">
                <th scope="row" colSpan={4}>
                  Total due
                </th>
                <td class="accounts-num">{money(props.invoice.totalMinor, props.invoice.currency)}</td>
              </tr>
            </tfoot>
          }
        >
          {(line) => (
            <tr classList={{ "accounts-line--credit": line.kind === "service_credit" }}>
              <td>{line.position}</td>
              <td>
                <span class="accounts-line__description">{line.description}</span>
                <Show when={line.kind === "service_credit"}>
                  {" "}
                  <span class="badge badge--accent">Service credit</span>
                </Show>
                <Show when={line.evidence}>
                  {(evidence) => <EvidenceCell evidence={evidence()} onDrill={() => setDrill(evidence())} />}
                </Show>
              </td>
              <td class="accounts-num">{line.quantity.toLocaleString("en-GB")}</td>
              <td class="accounts-num">{unitPrice(line, props.invoice.currency)}</td>
              <td class="accounts-num">{money(line.amountMinor, props.invoice.currency)}</td>
            </tr>
          )}
        </ListTable>
      </Card>
      <Show when={drill()}>
        {(evidence) => (
          <BreachedItemsDialog invoiceId={props.invoice.id} evidence={evidence()} onClose={() => setDrill(null)} />
        )}
      </Show>
    </>
  );
}

/** Every SLA target of the contract and how the month went, missed or not. */
export function SlaSummary(props: { rows: SlaSummaryRow[] }) {
  return (
    <ListTable
      rows={props.rows}
      label="SLA summary"
      compact
      columns={
        <>
          <th scope="col">Target</th>
          <th scope="col" class="accounts-num">
            Within
          </th>
          <th scope="col" class="accounts-num">
            Met
          </th>
          <th scope="col" class="accounts-num">
            Compliance
          </th>
          <th scope="col" class="accounts-num">
            Target
          </th>
          <th scope="col">Result</th>
        </>
      }
    >
      {(row) => (
        <tr>
          <th scope="row">{targetName(row)}</th>
          <td class="accounts-num">
            {formatMinutes(row.targetMinutes)}
            <span class="muted"> {row.calendar === "business_hours" ? "business" : "24x7"}</span>
          </td>
          <td class="accounts-num">
            {row.met} of {row.total}
          </td>
          <td class="accounts-num">{formatCompliancePercent(row)} %</td>
          <td class="accounts-num">{formatPercent(row.targetPercent)}</td>
          <td>
            <span class="badge" classList={{ "badge--success": !row.missed, "badge--danger": row.missed }}>
              {row.missed ? "Missed" : "Met"}
            </span>
          </td>
        </tr>
      )}
    </ListTable>
  );
}
