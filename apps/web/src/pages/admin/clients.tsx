import { clientBillingDetailsInput, clientCreateInput, clientUpdateInput, isValidTimeZone } from "@parley/contracts";
import { useMutation, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import {
  BillingDetailsFields,
  billingDetailsLabels,
  billingDetailsValues,
  saveClientBillingDetails,
} from "../../components/billing-details";
import { type ClientView, storeSavedClient, useClients } from "../../components/clients";
import { ConfirmDialog, FormDialog } from "../../components/dialog";
import { createForm, FormAlert, SubmitButton, TextField, TimeZoneField } from "../../components/form";
import { Card, Page, StatusMessage } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { browserTimeZone, formatDate } from "../../format";
import { afterChange, keys } from "../../query";
import { type RouterInputs, trpc } from "../../trpc";

function defaultTimeZone(): string {
  const zone = browserTimeZone();
  return zone && isValidTimeZone(zone) ? zone : "";
}

/** Name and time zone (clients.update) plus the billing details printed on its invoices (clients.updateBillingDetails). */
const editClientInput = clientUpdateInput.extend(clientBillingDetailsInput.shape);
type EditClientInput = RouterInputs["clients"]["update"] & RouterInputs["clients"]["updateBillingDetails"];

function EditClientDialog(props: { client: ClientView; onClose: () => void; onSaved: (client: ClientView) => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const form = createForm({
    initial: {
      name: props.client.name,
      timeZone: props.client.timeZone,
      ...billingDetailsValues(props.client.billing),
    },
    labels: { name: "Name", timeZone: "Time zone", ...billingDetailsLabels },
    schema: editClientInput,
    toInput: (values) => ({ clientId: props.client.id, ...values }),
  });
  const update = useMutation(() => ({
    mutationFn: async (input: EditClientInput) => {
      const { clientId, name, timeZone, billingAddress, taxId, billingEmail } = input;
      const renamed =
        name !== props.client.name || timeZone !== props.client.timeZone
          ? await trpc.clients.update.mutate({ clientId, name, timeZone })
          : props.client;
      return saveClientBillingDetails(renamed, { billingAddress, taxId, billingEmail });
    },
    ...afterChange(queryClient, {
      stale: () => [keys.allClients(session.agencyId())],
      update: (saved: ClientView) => storeSavedClient(queryClient, session.agencyId(), saved),
    }),
  }));
  return (
    <FormDialog
      title={`Edit ${props.client.name}`}
      label="Edit client"
      error={form.formError()}
      busy={form.submitting()}
      submitLabel="Save changes"
      onSubmit={form.handleSubmit(async (input) => {
        const saved = await update.mutateAsync(input);
        props.onSaved(saved);
      })}
      onClose={props.onClose}
    >
      <TextField field={form.field("name")} />
      <TimeZoneField field={form.field("timeZone")} />
      <BillingDetailsFields field={form.field} party="buyer" />
    </FormDialog>
  );
}

export function ClientsPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [showArchived, setShowArchived] = createSignal(false);
  const [status, setStatus] = createSignal<string | null>(null);
  const [editing, setEditing] = createSignal<ClientView | null>(null);
  const [archiving, setArchiving] = createSignal<ClientView | null>(null);

  const clients = useClients(showArchived);

  const create = useMutation(() => ({
    mutationFn: (input: { name: string; timeZone: string }) => trpc.clients.create.mutate(input),
    ...afterChange(queryClient, { stale: () => [keys.allClients(session.agencyId())] }),
  }));
  const archive = useMutation(() => ({
    mutationFn: (clientId: string) => trpc.clients.archive.mutate({ clientId }),
    ...afterChange(queryClient, { stale: () => [keys.allClients(session.agencyId())] }),
  }));

  const form = createForm({
    initial: { name: "", timeZone: defaultTimeZone() },
    labels: { name: "Name", timeZone: "Time zone" },
    schema: clientCreateInput,
  });

  return (
    <Page title="Clients" lead="The brands this agency moderates and answers for.">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />

      <Card title="New client">
        <form
          class="form form--inline"
          noValidate
          aria-label="New client"
          onSubmit={form.handleSubmit(async (input) => {
            const client = await create.mutateAsync(input);
            form.reset({ timeZone: form.values.timeZone });
            setStatus(`Client “${client.name}” created.`);
          })}
        >
          <FormAlert message={form.formError()} />
          <div class="form__row">
            <TextField field={form.field("name")} class="field--grow" />
            <TimeZoneField field={form.field("timeZone")} class="field--grow" />
            <div class="form__submit">
              <SubmitButton busy={form.submitting()} label="Create client" busyLabel="Creating…" />
            </div>
          </div>
        </form>
      </Card>

      <Card
        title="All clients"
        actions={
          <label class="toggle">
            <input
              type="checkbox"
              class="checkbox"
              checked={showArchived()}
              onChange={(e) => setShowArchived(e.currentTarget.checked)}
            />
            Show archived
          </label>
        }
      >
        <QueryTable
          query={clients}
          what="clients"
          label="Clients"
          empty="No clients yet. Create the first one above."
          columns={
            <>
              <th scope="col">Name</th>
              <th scope="col">Time zone</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <ActionsHeader />
            </>
          }
        >
          {(client) => (
            <tr classList={{ "row--muted": client.status === "archived" }}>
              <td class="cell--primary">{client.name}</td>
              <td>{client.timeZone}</td>
              <td>
                <span class="badge" classList={{ "badge--success": client.status === "active" }}>
                  {client.status === "active" ? "Active" : "Archived"}
                </span>
              </td>
              <td>{formatDate(client.createdAt)}</td>
              <td class="cell--actions">
                <a class="button button--small button--ghost" href={`/admin/channels?client=${client.id}`}>
                  Channels<span class="sr-only"> of {client.name}</span>
                </a>
                <a class="button button--small button--ghost" href={`/admin/clients/${client.id}/business-hours`}>
                  Business hours<span class="sr-only"> of {client.name}</span>
                </a>
                <Show when={client.status === "active"}>
                  <button type="button" class="button button--small" onClick={() => setEditing(client)}>
                    Edit<span class="sr-only"> {client.name}</span>
                  </button>
                  <button
                    type="button"
                    class="button button--small button--danger-ghost"
                    onClick={() => setArchiving(client)}
                  >
                    Archive<span class="sr-only"> {client.name}</span>
                  </button>
                </Show>
              </td>
            </tr>
          )}
        </QueryTable>
      </Card>

      <Show when={editing()}>
        {(client) => (
          <EditClientDialog
            client={client()}
            onClose={() => setEditing(null)}
            onSaved={(saved) => {
              setEditing(null);
              setStatus(`Client “${saved.name}” saved.`);
            }}
          />
        )}
      </Show>
      <Show when={archiving()}>
        {(client) => (
          <ConfirmDialog
            title={`Archive ${client().name}?`}
            description="Archived clients drop out of day-to-day lists and work. Their history, channels and reports are kept."
            confirmLabel="Archive client"
            danger
            onConfirm={async () => {
              const archived = await archive.mutateAsync(client().id);
              setStatus(`Client “${archived.name}” archived.`);
            }}
            onClose={() => setArchiving(null)}
          />
        )}
      </Show>
    </Page>
  );
}
