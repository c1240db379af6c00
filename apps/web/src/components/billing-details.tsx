import { clientBillingDetailsInput } from "@parley/contracts";
import { useMutation, useQueryClient } from "@tanstack/solid-query";
import { useSession } from "../auth";
import { afterChange, keys } from "../query";
import { trpc } from "../trpc";
import { type ClientView, storeSavedClient } from "./clients";
import { FormDialog } from "./dialog";
import { createForm, type FieldBinding, TextAreaField, TextField } from "./form";

type BillingDetailsView = ClientView["billing"];

/** The billing details every party on an invoice has: the agency as the seller, a client as the buyer. */
export const billingDetailsLabels = {
  billingAddress: "Billing address",
  taxId: "Tax ID",
  billingEmail: "Billing e-mail",
};

/** Form values of stored billing details (unset: empty). */
export function billingDetailsValues(details: BillingDetailsView | undefined) {
  return {
    billingAddress: details?.billingAddress ?? "",
    taxId: details?.taxId ?? "",
    billingEmail: details?.billingEmail ?? "",
  };
}

/** Address, tax id and e-mail, each with what it is for on the invoice. */
export function BillingDetailsFields(props: {
  field: (name: keyof typeof billingDetailsLabels) => FieldBinding;
  party: "seller" | "buyer";
}) {
  return (
    <>
      <TextAreaField
        field={props.field("billingAddress")}
        optional
        rows={4}
        hint={`Printed on invoices as the ${props.party}: one line per line, at most 8 lines.`}
      />
      <TextField field={props.field("taxId")} optional hint="VAT number or other tax id, e.g. GB 123 4567 89." />
      <TextField
        field={props.field("billingEmail")}
        type="email"
        optional
        hint={props.party === "buyer" ? "Where invoices go." : "Printed on invoices."}
      />
    </>
  );
}

/** Saves a client's billing details (clients.updateBillingDetails) unless they are unchanged; the client as saved. */
export async function saveClientBillingDetails(client: ClientView, details: BillingDetailsView): Promise<ClientView> {
  const unchanged = (Object.keys(billingDetailsLabels) as Array<keyof BillingDetailsView>).every(
    (key) => details[key] === client.billing[key],
  );
  return unchanged ? client : trpc.clients.updateBillingDetails.mutate({ clientId: client.id, ...details });
}

/** A client's billing details alone (the Accounts area: account managers bill, admins run the agency). */
export function ClientBillingDialog(props: {
  client: ClientView;
  onClose: () => void;
  onSaved: (client: ClientView) => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const form = createForm({
    initial: billingDetailsValues(props.client.billing),
    labels: billingDetailsLabels,
    schema: clientBillingDetailsInput,
    toInput: (values) => ({ clientId: props.client.id, ...values }),
  });
  const save = useMutation(() => ({
    mutationFn: (details: BillingDetailsView) => saveClientBillingDetails(props.client, details),
    ...afterChange(queryClient, {
      stale: () => [keys.allClients(session.agencyId())],
      update: (saved: ClientView) => storeSavedClient(queryClient, session.agencyId(), saved),
    }),
  }));
  return (
    <FormDialog
      title={`Billing details of ${props.client.name}`}
      description="Printed on its invoices as the buyer and sent to Stripe. Finalized invoices keep the details they were issued with."
      label={`Billing details of ${props.client.name}`}
      error={form.formError()}
      busy={form.submitting()}
      submitLabel="Save billing details"
      onSubmit={form.handleSubmit(async ({ billingAddress, taxId, billingEmail }) => {
        props.onSaved(await save.mutateAsync({ billingAddress, taxId, billingEmail }));
      })}
      onClose={props.onClose}
    >
      <BillingDetailsFields field={form.field} party="buyer" />
    </FormDialog>
  );
}
