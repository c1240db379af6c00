import { type ApiKeyScope, apiKeyScopes } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { useClients } from "../../components/clients";
import { ConfirmDialog } from "../../components/dialog";
import {
  CheckboxField,
  checkedByServer,
  createForm,
  FormAlert,
  SelectField,
  SubmitButton,
  TextField,
} from "../../components/form";
import { OnceSecret } from "../../components/once-secret";
import { Card, Page, StatusMessage } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { formatDateTime } from "../../format";
import { afterChange } from "../../query";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";

type ApiKey = RouterOutputs["apiKeys"]["list"][number];
type ApiKeyCreated = RouterOutputs["apiKeys"]["create"];

/** What each scope lets a key do on `/v1`, in words. */
const scopeLabels: Record<ApiKeyScope, string> = {
  "items:read": "Read items",
  "invoices:read": "Read invoices",
  "reports:read": "Read SLA reports",
  ingest: "Push items into channels (ingest)",
};
/** Form field of each scope's checkbox (a field name holds no colon). */
const scopeFields = {
  "items:read": "scope_items_read",
  "invoices:read": "scope_invoices_read",
  "reports:read": "scope_reports_read",
  ingest: "scope_ingest",
} as const satisfies Record<ApiKeyScope, string>;
const scopeField = (scope: ApiKeyScope) => scopeFields[scope];

const apiKeysKey = (agencyId: string) => [agencyId, "apiKeys"] as const;

function statusOf(key: ApiKey, now: Date): string {
  if (key.revokedAt) return `Revoked ${formatDateTime(key.revokedAt)}`;
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now.getTime()) return "Expired";
  return "Active";
}

/**
 * Admin → API keys: keys for the public API (`/v1`), each with its scopes, optionally for one client and until a
 * date. The secret is shown once, at creation; revoking stops a key at once.
 */
export function ApiKeysPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const clients = useClients();
  const [status, setStatus] = createSignal<string | null>(null);
  const [created, setCreated] = createSignal<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = createSignal<ApiKey | null>(null);
  const apiKeys = useQuery(() => ({
    queryKey: apiKeysKey(session.agencyId()),
    queryFn: () => trpc.apiKeys.list.query(),
  }));
  const create = useMutation(() => ({
    mutationFn: (input: RouterInputs["apiKeys"]["create"]) => trpc.apiKeys.create.mutate(input),
    ...afterChange(queryClient, { stale: () => [apiKeysKey(session.agencyId())] }),
  }));
  const revoke = useMutation(() => ({
    mutationFn: (apiKeyId: string) => trpc.apiKeys.revoke.mutate({ apiKeyId }),
    ...afterChange(queryClient, { stale: () => [apiKeysKey(session.agencyId())] }),
  }));
  const clientName = (clientId: string | null) =>
    clientId === null ? "All clients" : (clients.data?.find((c) => c.id === clientId)?.name ?? "A client");

  const form = createForm({
    initial: {
      name: "",
      scope_items_read: true,
      scope_invoices_read: false,
      scope_reports_read: false,
      scope_ingest: false,
      clientId: "",
      expiresOn: "",
    },
    labels: {
      name: "Name",
      ...Object.fromEntries(apiKeyScopes.map((scope) => [scopeField(scope), scopeLabels[scope]])),
      clientId: "Client",
      expiresOn: "Expires on",
    },
    // The scopes' rules (at least one, a real client, a future expiry) live on the server, which names the field.
    schema: checkedByServer<RouterInputs["apiKeys"]["create"]>(),
    toInput: (values) => ({
      name: values.name,
      scopes: apiKeyScopes.filter((scope) => values[scopeField(scope)]),
      clientId: values.clientId || null,
      // The start of that day where the admin is.
      expiresAt: values.expiresOn ? new Date(`${values.expiresOn}T00:00:00`) : null,
    }),
    pathOf: (path) =>
      path.startsWith("scopes") ? scopeField("items:read") : path === "expiresAt" ? "expiresOn" : path,
  });

  return (
    <Page
      title="API keys"
      lead="Keys for the public API (/v1, documented at /v1/openapi.json): each reads or ingests only what its scopes allow."
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <Show when={created()}>
        {(shown) => (
          <OnceSecret
            title={`API key “${shown().key.name}”`}
            label="API key"
            secret={shown().secret}
            description="Send it as `Authorization: Bearer <key>`. Only its fingerprint is stored."
            onDismiss={() => setCreated(null)}
          />
        )}
      </Show>
      <Card title="New API key">
        <form
          class="form"
          noValidate
          aria-label="New API key"
          onSubmit={form.handleSubmit(async (input) => {
            const result = await create.mutateAsync(input);
            form.reset();
            setCreated(result);
          })}
        >
          <FormAlert message={form.formError()} />
          <TextField field={form.field("name")} hint="What uses it, e.g. “Data warehouse”." />
          <fieldset class="accounts-fieldset">
            <legend class="field__label">Scopes</legend>
            <For each={apiKeyScopes}>{(scope) => <CheckboxField field={form.field(scopeField(scope))} />}</For>
          </fieldset>
          <div class="form__row">
            <SelectField
              field={form.field("clientId")}
              placeholder="All clients"
              options={(clients.data ?? []).map((client) => ({ value: client.id, label: client.name }))}
              hint="A key for one client sees only that client's items, invoices and channels."
              class="field--grow"
            />
            <TextField field={form.field("expiresOn")} type="date" optional hint="Empty: it never expires." />
          </div>
          <div class="form__submit">
            <SubmitButton busy={form.submitting()} label="Create API key" busyLabel="Creating…" />
          </div>
        </form>
      </Card>
      <Card title="Keys">
        <QueryTable
          query={apiKeys}
          what="API keys"
          label="API keys"
          empty="No API keys yet."
          columns={
            <>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Client</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Requests</th>
              <th scope="col">Status</th>
              <ActionsHeader />
            </>
          }
        >
          {(key) => (
            <tr>
              <td class="cell--primary">{key.name}</td>
              <td class="mono">{key.prefix}…</td>
              <td>{key.scopes.join(", ")}</td>
              <td>{clientName(key.clientId)}</td>
              <td>{key.expiresAt ? formatDateTime(key.expiresAt) : "Never"}</td>
              <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</td>
              <td>{key.requestCount}</td>
              <td>{statusOf(key, new Date())}</td>
              <td class="cell--actions">
                <Show when={!key.revokedAt}>
                  <button
                    type="button"
                    class="button button--small button--danger-ghost"
                    onClick={() => setRevoking(key)}
                  >
                    Revoke<span class="sr-only"> {key.name}</span>
                  </button>
                </Show>
              </td>
            </tr>
          )}
        </QueryTable>
      </Card>
      <Show when={revoking()}>
        {(key) => (
          <ConfirmDialog
            title={`Revoke “${key().name}”?`}
            confirmLabel="Revoke key"
            description="Whatever uses it gets 401 from now on. This cannot be undone."
            danger
            onConfirm={async () => {
              await revoke.mutateAsync(key().id);
              setStatus(`API key “${key().name}” revoked: it stops working at once.`);
            }}
            onClose={() => setRevoking(null)}
          />
        )}
      </Show>
    </Page>
  );
}
