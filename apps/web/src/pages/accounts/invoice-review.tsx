import { type RouteSectionProps, useNavigate } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import { ConfirmDialog, FormDialog } from "../../components/dialog";
import { createForm, type Schema, TextAreaField } from "../../components/form";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { afterChange, refreshInBackground } from "../../query";
import { type RouterOutputs, trpc } from "../../trpc";
import { accountsKeys, type InvoiceDetail, invoiceDownloads } from "./billing";
import { formatLocalDate, formatMonth, money } from "./billing-format";
import { InvoiceStatusBadge, PaymentBadge } from "./invoice-badges";
import { InvoiceLines, SlaSummary } from "./invoice-lines";

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

/** Status, number, Stripe, due date and total; then what can be done with the invoice in that state. */
type InvoiceActions = RouterOutputs["invoices"]["actions"];

/** Why Push to Stripe is missing: the owner is told how to set it up, everyone else whom to ask. */
function StripeNotConfigured(props: { owner: boolean }) {
  return (
    <p class="muted accounts-draft-note" data-testid="stripe-not-configured">
      <Show
        when={props.owner}
        fallback="Stripe isn't set up on this server, so invoices can't be pushed to it. Ask the agency's owner."
      >
        Stripe isn't set up on this server. To push finalized invoices to Stripe, set <code>STRIPE_SECRET_KEY</code>{" "}
        (and <code>STRIPE_WEBHOOK_SECRET</code> for payment updates at <code>/webhooks/stripe</code>) in the server's
        environment and restart it; docs/DEPLOY.md explains each step.
      </Show>
    </p>
  );
}

function InvoiceHead(props: {
  invoice: InvoiceDetail;
  actions: InvoiceActions | undefined;
  owner: boolean;
  refreshing: boolean;
  pushing: boolean;
  onRefresh: () => void;
  onFinalize: () => void;
  onPush: () => void;
  onCreditNote: () => void;
}) {
  const invoice = () => props.invoice;
  const isDraft = () => invoice().status === "draft";
  const downloads = () => invoiceDownloads(invoice().id);
  return (
    <Card>
      <div class="accounts-invoice-head">
        <dl class="accounts-facts">
          <div>
            <dt>Status</dt>
            <dd>
              <InvoiceStatusBadge invoice={invoice()} />
              <Show when={invoice().finalizedAt}>{(at) => <span class="muted"> {formatDateTime(at())}</span>}</Show>
            </dd>
          </div>
          <div>
            <dt>Number</dt>
            <dd class="mono">{invoice().number ?? "Assigned when finalized"}</dd>
          </div>
          <div>
            <dt>Stripe</dt>
            <dd>
              <PaymentBadge status={invoice().paymentStatus} />
              <Show when={invoice().stripeInvoiceId}>{(id) => <span class="mono muted"> {id()}</span>}</Show>
            </dd>
          </div>
          <Show when={invoice().dueOn}>
            {(dueOn) => (
              <div>
                <dt>Due date</dt>
                <dd>{formatLocalDate(dueOn())}</dd>
              </div>
            )}
          </Show>
          <div>
            <dt>Total due</dt>
            <dd class="accounts-total">{money(invoice().totalMinor, invoice().currency)}</dd>
          </div>
        </dl>
        <div class="accounts-actions">
          <Show when={isDraft()}>
            <button
              type="button"
              class="button"
              aria-disabled={props.refreshing ? "true" : undefined}
              onClick={() => props.onRefresh()}
            >
              {props.refreshing ? "Refreshing…" : "Refresh"}
            </button>
            <Show when={props.actions?.finalize.available}>
              <button type="button" class="button button--primary" onClick={() => props.onFinalize()}>
                Finalize
              </button>
            </Show>
          </Show>
          <a class="button" href={downloads().pdf} download="">
            Download PDF
          </a>
          <a class="button" href={downloads().csv} download="">
            Download CSV
          </a>
          {/* Credit notes have no SLA evidence and are not pushed to Stripe (both answer 409). */}
          <Show when={invoice().kind === "invoice"}>
            <a class="button" href={downloads().evidenceCsv} download="">
              Download evidence CSV
            </a>
          </Show>
          <Show when={!isDraft() && invoice().kind === "invoice"}>
            <Show
              when={
                props.actions?.pushToStripe.configured &&
                (invoice().paymentStatus === "none" || !invoice().stripeInvoiceId)
              }
            >
              <button
                type="button"
                class="button"
                aria-disabled={props.pushing ? "true" : undefined}
                onClick={() => props.onPush()}
              >
                {props.pushing ? "Pushing…" : "Push to Stripe"}
              </button>
            </Show>
            <button type="button" class="button button--danger-ghost" onClick={() => props.onCreditNote()}>
              Credit note
            </button>
          </Show>
        </div>
      </div>
      <Show when={isDraft()}>
        <p class="muted accounts-draft-note">
          A draft is recomputed from the month's items, clocks and escalations; push to Stripe once it is finalized.
        </p>
      </Show>
      <Show when={props.actions?.finalize.finalizableFrom}>
        {(from) => (
          <p class="muted accounts-draft-note" data-testid="finalize-from">
            The month isn't over yet in the client's time zone: Finalize is offered from {formatDateTime(from())}.
          </p>
        )}
      </Show>
      <Show when={props.actions && !props.actions.pushToStripe.configured && invoice().kind === "invoice"}>
        <StripeNotConfigured owner={props.owner} />
      </Show>
    </Card>
  );
}

/** What a credit note corrects, and why. */
function CreditNoteReason(props: { invoice: InvoiceDetail }) {
  return (
    <Show when={props.invoice.evidence.reason}>
      {(reason) => (
        <Card title="Reason">
          <p>
            {reason()}
            <Show when={props.invoice.evidence.corrects}>
              {(corrects) => (
                <>
                  {" "}
                  (corrects <a href={`/accounts/invoices/${corrects().id}`}>{corrects().number ?? "an invoice"}</a>)
                </>
              )}
            </Show>
          </p>
        </Card>
      )}
    </Show>
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

  const invoice = useQuery(() => ({
    queryKey: accountsKeys.invoice(session.agencyId(), invoiceId()),
    queryFn: () => trpc.invoices.get.query({ invoiceId: invoiceId() }),
  }));
  const actions = useQuery(() => ({
    queryKey: [...accountsKeys.invoice(session.agencyId(), invoiceId()), "actions"],
    queryFn: () => trpc.invoices.actions.query({ invoiceId: invoiceId() }),
  }));
  const [pushing, setPushing] = createSignal(false);
  const data = () => invoice.data;
  const clientName = () => data()?.clientName ?? "Client";
  const period = () => data()?.periodStart.slice(0, 7) ?? "";

  const stale = () => [accountsKeys.all(session.agencyId())];
  const refreshAll = () => refreshInBackground(queryClient, stale());
  const refresh = useMutation(() => ({
    mutationFn: () => trpc.invoices.refresh.mutate({ invoiceId: invoiceId() }),
    ...afterChange(queryClient, { stale }),
  }));
  const push = useMutation(() => ({
    mutationFn: () => trpc.invoices.pushToStripe.mutate({ invoiceId: invoiceId() }),
    ...afterChange(queryClient, { stale }),
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
            <InvoiceHead
              invoice={current()}
              actions={actions.data}
              owner={session.role() === "owner"}
              refreshing={refresh.isPending}
              pushing={push.isPending}
              onRefresh={() => {
                if (!refresh.isPending) void run(() => refresh.mutateAsync(), "Draft recomputed from the latest data.");
              }}
              onFinalize={() => setFinalizing(true)}
              onPush={() => setPushing(true)}
              onCreditNote={() => setCreditNote(true)}
            />
            <InvoiceLines invoice={current()} />
            <Show when={current().evidence.slaSummary.length > 0}>
              <Card title="SLA summary">
                <SlaSummary rows={current().evidence.slaSummary} />
              </Card>
            </Show>
            <CreditNoteReason invoice={current()} />

            <Show when={finalizing()}>
              <ConfirmDialog
                title={`Finalize the invoice of ${clientName()}?`}
                description="Numbers are assigned and the invoice can no longer change. Corrections then need a credit note and a new invoice."
                confirmLabel="Finalize invoice"
                onConfirm={async () => {
                  await trpc.invoices.finalize.mutate({ invoiceId: invoiceId() });
                  refreshAll();
                  setStatus("Invoice finalized: its number is assigned and it can no longer change.");
                }}
                onClose={() => setFinalizing(false)}
              />
            </Show>
            <Show when={pushing()}>
              <ConfirmDialog
                title={`Push the invoice of ${clientName()} to Stripe?`}
                description="Stripe creates the invoice for the client's customer and sends it; payments then update its status here."
                confirmLabel="Push to Stripe"
                onConfirm={() => run(() => push.mutateAsync(), "Pushed to Stripe.")}
                onClose={() => setPushing(false)}
              />
            </Show>
            <Show when={creditNote()}>
              <CreditNoteDialog
                invoice={current()}
                onClose={() => setCreditNote(false)}
                onCreated={(id) => {
                  setCreditNote(false);
                  refreshAll();
                  navigate(`/accounts/invoices/${id}`);
                }}
              />
            </Show>
          </>
        )}
      </Show>
    </Page>
  );
}
