import { type RouteSectionProps, useNavigate } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { ConfirmDialog, Dialog, FormDialog } from "../../components/dialog";
import { createForm, type Schema, TextAreaField } from "../../components/form";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { ListTable } from "../../components/query-table";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
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
import { formatLocalDate, formatMinutes, formatMonth, formatPercent, formatUnitPrice, money } from "./billing-format";
import { InvoiceStatusBadge, PaymentBadge } from "./invoice-badges";

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
                  <th scope="col">Where</th>
                  <th scope="col">Item</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(item) => (
                    <tr>
                      <td>{formatDateTime(item.receivedAt)}</td>
                      <td>
                        {item.channel}
                        <Show when={item.authorHandle}>
                          <span class="muted"> · {item.authorHandle}</span>
                        </Show>
                      </td>
                      <td class="accounts-excerpt">{item.excerpt || <span class="muted">(no text)</span>}</td>
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

/** Every SLA target of the contract and how the month went, missed or not. */
function SlaSummary(props: { rows: SlaSummaryRow[] }) {
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
          <td class="accounts-num">{formatPercent(row.compliancePercent)}</td>
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

/** The reason is printed on the credit note; the server checks it again (its rule lives in core). */
const creditNoteReason: Schema<{ reason: string }> = {
  safeParse(data) {
    const reason = String((data as { reason?: unknown }).reason ?? "").trim();
    return reason
      ? { success: true, data: { reason } }
      : {
          success: false,
          error: { issues: [{ path: ["reason"], message: "is required: it is printed on the credit note." }] },
        };
  },
};

/** A credit note needs a reason; it corrects a finalized invoice without editing it. */
function CreditNoteDialog(props: { invoice: InvoiceDetail; onClose: () => void; onCreated: (id: string) => void }) {
  const form = createForm({ initial: { reason: "" }, labels: { reason: "Reason" }, schema: creditNoteReason });
  return (
    <FormDialog
      title={`Credit note for ${props.invoice.number ?? "this invoice"}`}
      description="A credit note cancels this finalized invoice in full; issue a new invoice for the corrected amounts."
      label="Credit note"
      error={form.formError()}
      busy={form.submitting()}
      submitLabel="Create credit note"
      busyLabel="Creating…"
      danger
      onSubmit={form.handleSubmit(async ({ reason }) => {
        const { creditNote } = await trpc.invoices.creditNote.mutate({ invoiceId: props.invoice.id, reason });
        props.onCreated(creditNote.id);
      })}
      onClose={props.onClose}
    >
      <TextAreaField field={form.field("reason")} rows={3} />
    </FormDialog>
  );
}

function EvidenceCell(props: { evidence: CreditEvidence; onDrill: () => void }) {
  const breached = () => props.evidence.total - props.evidence.met;
  return (
    <div class="accounts-evidence">
      <span>
        {props.evidence.met} of {props.evidence.total} met · {formatPercent(props.evidence.compliancePercent)} against a{" "}
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

/** One page per invoice: moving to another invoice (e.g. its credit note) starts afresh. */
export function InvoiceReviewPage(props: RouteSectionProps) {
  return (
    <Show when={props.params.invoiceId} keyed>
      {(id) => <InvoiceReview invoiceId={id} />}
    </Show>
  );
}

function InvoiceReview(props: { invoiceId: string }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const invoiceId = () => props.invoiceId;
  const [status, setStatus] = createSignal<string | null>(null);
  const [actionError, setActionError] = createSignal<string | null>(null);
  const [finalizing, setFinalizing] = createSignal(false);
  const [creditNote, setCreditNote] = createSignal(false);
  const [drill, setDrill] = createSignal<CreditEvidence | null>(null);

  const invoice = useQuery(() => ({
    queryKey: accountsKeys.invoice(session.agencyId(), invoiceId()),
    queryFn: () => trpc.invoices.get.query({ invoiceId: invoiceId() }),
  }));
  const data = () => invoice.data;
  const clientName = () => data()?.clientName ?? "Client";
  const period = () => data()?.periodStart.slice(0, 7) ?? "";
  const isDraft = () => data()?.status === "draft";
  const downloads = () => invoiceDownloads(invoiceId());

  const refreshAll = () => queryClient.invalidateQueries({ queryKey: accountsKeys.all(session.agencyId()) });

  const refresh = useMutation(() => ({
    mutationFn: () => trpc.invoices.refresh.mutate({ invoiceId: invoiceId() }),
    onSuccess: refreshAll,
  }));
  const push = useMutation(() => ({
    mutationFn: () => trpc.invoices.pushToStripe.mutate({ invoiceId: invoiceId() }),
    onSuccess: refreshAll,
  }));

  const run = async (action: () => Promise<unknown>, done: string) => {
    setActionError(null);
    setStatus(null);
    try {
      await action();
      setStatus(done);
    } catch (err) {
      setActionError(toUiError(err).message);
    }
  };

  const lines = () => [...(data()?.lines ?? [])].sort((a, b) => a.position - b.position);

  return (
    <Page
      title={
        data()
          ? `${data()?.kind === "credit_note" ? "Credit note" : "Invoice"} ${data()?.number ?? "draft"} · ${clientName()}`
          : "Invoice"
      }
      lead={
        data()
          ? `${formatMonth(period())} (${formatLocalDate(data()?.periodStart ?? "")} to ${formatLocalDate(data()?.periodEnd ?? "")}, end exclusive)`
          : undefined
      }
      actions={
        <a class="button button--ghost" href={`/accounts/invoices?period=${period()}`}>
          Back to invoices
        </a>
      }
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <Show when={actionError()}>
        {(message) => (
          <div class="alert alert--error" role="alert">
            <span>{message()}</span>
            <button type="button" class="button button--small button--ghost" onClick={() => setActionError(null)}>
              Dismiss
            </button>
          </div>
        )}
      </Show>
      <QueryStatus
        loading={invoice.isPending}
        error={invoice.isError ? toUiError(invoice.error).message : null}
        what="the invoice"
        onRetry={() => void invoice.refetch()}
      />

      <Show when={data()}>
        {(current) => (
          <>
            <Card>
              <div class="accounts-invoice-head">
                <dl class="accounts-facts">
                  <div>
                    <dt>Status</dt>
                    <dd>
                      <InvoiceStatusBadge invoice={current()} />
                      <Show when={current().finalizedAt}>
                        {(at) => <span class="muted"> {formatDateTime(at())}</span>}
                      </Show>
                    </dd>
                  </div>
                  <div>
                    <dt>Number</dt>
                    <dd class="mono">{current().number ?? "Assigned when finalized"}</dd>
                  </div>
                  <div>
                    <dt>Stripe</dt>
                    <dd>
                      <PaymentBadge status={current().paymentStatus} />
                      <Show when={current().stripeInvoiceId}>{(id) => <span class="mono muted"> {id()}</span>}</Show>
                    </dd>
                  </div>
                  <Show when={current().dueOn}>
                    {(dueOn) => (
                      <div>
                        <dt>Due date</dt>
                        <dd>{formatLocalDate(dueOn())}</dd>
                      </div>
                    )}
                  </Show>
                  <div>
                    <dt>Total due</dt>
                    <dd class="accounts-total">{money(current().totalMinor, current().currency)}</dd>
                  </div>
                </dl>
                <div class="accounts-actions">
                  <Show when={isDraft()}>
                    <button
                      type="button"
                      class="button"
                      aria-disabled={refresh.isPending ? "true" : undefined}
                      onClick={() => {
                        if (!refresh.isPending)
                          void run(() => refresh.mutateAsync(), "Draft recomputed from the latest data.");
                      }}
                    >
                      {refresh.isPending ? "Refreshing…" : "Refresh"}
                    </button>
                    <button type="button" class="button button--primary" onClick={() => setFinalizing(true)}>
                      Finalize
                    </button>
                  </Show>
                  <a class="button" href={downloads().pdf} download="">
                    Download PDF
                  </a>
                  <a class="button" href={downloads().csv} download="">
                    Download CSV
                  </a>
                  {/* Credit notes have no SLA evidence and are not pushed to Stripe (both answer 409). */}
                  <Show when={current().kind === "invoice"}>
                    <a class="button" href={downloads().evidenceCsv} download="">
                      Download evidence CSV
                    </a>
                  </Show>
                  <Show when={!isDraft()}>
                    <Show
                      when={
                        current().kind === "invoice" &&
                        (current().paymentStatus === "none" || !current().stripeInvoiceId)
                      }
                    >
                      <button
                        type="button"
                        class="button"
                        aria-disabled={push.isPending ? "true" : undefined}
                        onClick={() => {
                          if (!push.isPending) void run(() => push.mutateAsync(), "Pushed to Stripe.");
                        }}
                      >
                        {push.isPending ? "Pushing…" : "Push to Stripe"}
                      </button>
                    </Show>
                    <Show when={current().kind === "invoice"}>
                      <button type="button" class="button button--danger-ghost" onClick={() => setCreditNote(true)}>
                        Credit note
                      </button>
                    </Show>
                  </Show>
                </div>
              </div>
              <Show when={isDraft()}>
                <p class="muted accounts-draft-note">
                  A draft is recomputed from the month's items, clocks and escalations; push to Stripe once it is
                  finalized.
                </p>
              </Show>
            </Card>

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
                      <td class="accounts-num">{money(current().feesMinor, current().currency)}</td>
                    </tr>
                    <tr>
                      <th scope="row" colSpan={4}>
                        Service credits
                      </th>
                      <td class="accounts-num">
                        {current().creditsMinor !== 0
                          ? money(creditsAmount(current().creditsMinor), current().currency)
                          : "—"}
                      </td>
                    </tr>
                    <tr class="accounts-total-row">
                      <th scope="row" colSpan={4}>
                        Total due
                      </th>
                      <td class="accounts-num">{money(current().totalMinor, current().currency)}</td>
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
                    <td class="accounts-num">{unitPrice(line, current().currency)}</td>
                    <td class="accounts-num">{money(line.amountMinor, current().currency)}</td>
                  </tr>
                )}
              </ListTable>
            </Card>

            <Show when={(current().evidence?.slaSummary ?? []).length > 0}>
              <Card title="SLA summary">
                <SlaSummary rows={current().evidence?.slaSummary ?? []} />
              </Card>
            </Show>
            <Show when={current().evidence?.reason}>
              {(reason) => (
                <Card title="Reason">
                  <p>
                    {reason()}
                    <Show when={current().evidence?.corrects}>
                      {(corrects) => (
                        <>
                          {" "}
                          (corrects{" "}
                          <a href={`/accounts/invoices/${corrects().id}`}>{corrects().number ?? "an invoice"}</a>)
                        </>
                      )}
                    </Show>
                  </p>
                </Card>
              )}
            </Show>

            <Show when={finalizing()}>
              <ConfirmDialog
                title={`Finalize the invoice of ${clientName()}?`}
                description="Numbers are assigned and the invoice can no longer change. Corrections then need a credit note and a new invoice."
                confirmLabel="Finalize invoice"
                onConfirm={async () => {
                  await trpc.invoices.finalize.mutate({ invoiceId: invoiceId() });
                  await refreshAll();
                  setStatus("Invoice finalized: its number is assigned and it can no longer change.");
                }}
                onClose={() => setFinalizing(false)}
              />
            </Show>
            <Show when={creditNote()}>
              <CreditNoteDialog
                invoice={current()}
                onClose={() => setCreditNote(false)}
                onCreated={(id) => {
                  setCreditNote(false);
                  void refreshAll();
                  navigate(`/accounts/invoices/${id}`);
                }}
              />
            </Show>
            <Show when={drill()}>
              {(evidence) => (
                <BreachedItemsDialog invoiceId={invoiceId()} evidence={evidence()} onClose={() => setDrill(null)} />
              )}
            </Show>
          </>
        )}
      </Show>
    </Page>
  );
}
