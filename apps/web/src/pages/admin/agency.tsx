import { agencyBillingDetailsInput } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import { BillingDetailsFields, billingDetailsLabels, billingDetailsValues } from "../../components/billing-details";
import { createForm, FormAlert, SubmitButton, TextField } from "../../components/form";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { toUiError } from "../../errors";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import { SlaPolicyCard } from "./sla-policy";

const agencyKey = (agencyId: string) => [agencyId, "agency", "billing"] as const;

const labels = { legalName: "Legal name", ...billingDetailsLabels };

function valuesOf(details: RouterOutputs["agency"]["billingDetails"] | undefined) {
  return { legalName: details?.legalName ?? "", ...billingDetailsValues(details) };
}

/** The seller's details on every invoice; finalizing an invoice freezes them into it. */
export function AgencyPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<string | null>(null);
  const details = useQuery(() => ({
    queryKey: agencyKey(session.agencyId()),
    queryFn: () => trpc.agency.billingDetails.query(),
  }));
  const save = useMutation(() => ({
    mutationFn: (input: RouterInputs["agency"]["updateBillingDetails"]) =>
      trpc.agency.updateBillingDetails.mutate(input),
    onSuccess: (saved) => queryClient.setQueryData(agencyKey(session.agencyId()), saved),
  }));
  const form = createForm({ initial: valuesOf(undefined), labels, schema: agencyBillingDetailsInput });
  // Fill the form once the details arrive (and again after switching agency).
  createEffect(() => {
    if (details.data) form.reset(valuesOf(details.data));
  });

  return (
    <Page title="Agency" lead="How this agency appears as the seller on its invoices, and its default SLA.">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <Card title="Billing details">
        <QueryStatus
          loading={details.isPending}
          error={details.isError ? toUiError(details.error).message : null}
          what="billing details"
          onRetry={() => void details.refetch()}
        />
        <Show when={details.isSuccess}>
          <form
            class="form"
            noValidate
            aria-label="Agency billing details"
            onSubmit={form.handleSubmit(async (input) => {
              await save.mutateAsync(input);
              setStatus("Billing details saved. Invoices finalized from now on show them.");
            })}
          >
            <FormAlert message={form.formError()} />
            <TextField
              field={form.field("legalName")}
              optional
              hint={`Printed as the seller; when empty, the agency's name (${details.data?.name ?? ""}).`}
            />
            <BillingDetailsFields field={form.field} party="seller" />
            <p class="muted">
              Finalized invoices keep the details they were issued with; changes apply to the next ones.
            </p>
            <div class="form__footer">
              <SubmitButton busy={form.submitting()} label="Save billing details" />
            </div>
          </form>
        </Show>
      </Card>
      <SlaPolicyCard />
    </Page>
  );
}
