import { channelCreateInput, channelUpdateInput, deliveryProblemDays, platforms } from "@parley/contracts";
import { useSearchParams } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createMemo, createSignal, createUniqueId, on, Show } from "solid-js";
import { useSession } from "../../auth";
import { ClientSelect } from "../../components/client-select";
import { type ClientView, useClients } from "../../components/clients";
import { ConfirmDialog, FormDialog } from "../../components/dialog";
import { createForm, FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "../../components/form";
import { OnceSecret } from "../../components/once-secret";
import { Card, Page, StatusMessage } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { formatRelative } from "../../components/work";
import { formatDate, formatDateTime } from "../../format";
import { keys } from "../../query";
import { platformLabels } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import { credentialsHintFor, ingestSecretUseFor } from "./channel-credentials";

type ChannelView = RouterOutputs["channels"]["update"];

/** A channel's outbound deliveries lately: fine, or how many failed or wait for a retry, and the latest error. */
function DeliveryHealth(props: { delivery: RouterOutputs["channels"]["list"][number]["delivery"] }) {
  const counts = () =>
    [
      props.delivery.failed > 0 ? `${props.delivery.failed} failed` : null,
      props.delivery.retrying > 0 ? `${props.delivery.retrying} retrying` : null,
    ]
      .filter(Boolean)
      .join(" · ");
  return (
    <Show when={props.delivery.lastError} fallback={<span class="muted">No problems</span>}>
      {(error) => (
        <div class="delivery-health">
          <span
            class="badge"
            classList={{ "badge--danger": props.delivery.failed > 0, "badge--warning": props.delivery.failed === 0 }}
          >
            {counts()}
          </span>
          <p class="delivery-health__error">
            {error().message}{" "}
            <span class="muted" title={formatDateTime(error().at)}>
              · {formatRelative(error().at)}
            </span>
          </p>
        </div>
      )}
    </Show>
  );
}

/** "key=value" per line -> record; the first malformed line is reported. */
function parseCredentials(text: string): { credentials?: Record<string, string>; error?: string } {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length === 0) return {};
  const credentials: Record<string, string> = {};
  for (const [index, line] of lines.entries()) {
    const at = line.indexOf("=");
    const key = at === -1 ? "" : line.slice(0, at).trim();
    if (!key) return { error: `line ${index + 1} must look like key=value` };
    credentials[key] = line.slice(at + 1).trim();
  }
  return { credentials };
}

/** The check the schema can't express: every credentials line is "key=value". */
function validateCredentials(values: { credentials: string }): Record<string, string> {
  const { error } = parseCredentials(values.credentials);
  return error ? { credentials: error } : {};
}

const platformOptions = platforms.map((platform) => ({ value: platform, label: platformLabels[platform] }));

function EditChannelDialog(props: {
  channel: ChannelView;
  onClose: () => void;
  onSaved: (channel: ChannelView) => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const form = createForm({
    initial: {
      displayName: props.channel.displayName,
      externalAccountId: props.channel.externalAccountId,
      credentials: "",
    },
    labels: { displayName: "Display name", externalAccountId: "External account ID", credentials: "New credentials" },
    schema: channelUpdateInput,
    toInput: (values) => ({
      channelId: props.channel.id,
      displayName: values.displayName,
      externalAccountId: values.externalAccountId,
      credentials: parseCredentials(values.credentials).credentials,
    }),
    validate: validateCredentials,
  });
  const update = useMutation(() => ({
    mutationFn: (input: RouterInputs["channels"]["update"]) => trpc.channels.update.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.allChannels(session.agencyId()) }),
  }));
  return (
    <FormDialog
      title={`Edit ${props.channel.displayName}`}
      label="Edit channel"
      error={form.formError()}
      busy={form.submitting()}
      submitLabel="Save changes"
      onSubmit={form.handleSubmit(async (input) => props.onSaved(await update.mutateAsync(input)))}
      onClose={props.onClose}
    >
      <TextField field={form.field("displayName")} />
      <TextField field={form.field("externalAccountId")} spellcheck={false} />
      <TextAreaField
        field={form.field("credentials")}
        optional
        hint={`${props.channel.hasCredentials ? "Leave empty to keep the stored credentials. " : ""}${credentialsHintFor(props.channel.platform)}`}
      />
    </FormDialog>
  );
}

/** Creating a channel: its ingest secret comes back once, for the page to show. */
function NewChannelCard(props: {
  /** The client the list is filtered to: pre-selected for the next new channel. */
  clientFilter: string | null;
  clients: ClientView[] | undefined;
  clientsLoaded: boolean;
  onCreated: (created: RouterOutputs["channels"]["create"]) => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const activeClients = () => (props.clients ?? []).filter((client) => client.status === "active");
  const create = useMutation(() => ({
    mutationFn: (input: RouterInputs["channels"]["create"]) => trpc.channels.create.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.allChannels(session.agencyId()) }),
  }));
  const form = createForm({
    initial: {
      clientId: props.clientFilter ?? "",
      platform: "",
      displayName: "",
      externalAccountId: "",
      credentials: "",
    },
    labels: {
      clientId: "Client",
      platform: "Platform",
      displayName: "Display name",
      externalAccountId: "External account ID",
      credentials: "Credentials",
    },
    schema: channelCreateInput,
    emptyMessages: { clientId: "must be chosen", platform: "must be chosen" },
    toInput: (values) => ({
      clientId: values.clientId,
      platform: values.platform,
      displayName: values.displayName,
      externalAccountId: values.externalAccountId,
      credentials: parseCredentials(values.credentials).credentials,
    }),
    validate: validateCredentials,
  });

  // Picking a client in the filter pre-selects it for the next new channel.
  createEffect(
    on(
      () => props.clientFilter,
      (clientId) => {
        if (clientId) form.field("clientId").set(clientId);
      },
    ),
  );

  return (
    <Card title="New channel">
      <Show
        when={!props.clientsLoaded || activeClients().length > 0}
        fallback={
          <p class="empty">
            Channels belong to a client. <a href="/admin/clients">Create a client</a> first.
          </p>
        }
      >
        <form
          class="form"
          noValidate
          aria-label="New channel"
          onSubmit={form.handleSubmit(async (input) => {
            const created = await create.mutateAsync(input);
            form.reset({ clientId: input.clientId, platform: input.platform });
            props.onCreated(created);
          })}
        >
          <FormAlert message={form.formError()} />
          <div class="form__grid">
            <SelectField
              field={form.field("clientId")}
              placeholder="Choose a client…"
              options={activeClients().map((client) => ({ value: client.id, label: client.name }))}
            />
            <SelectField field={form.field("platform")} placeholder="Choose a platform…" options={platformOptions} />
            <TextField field={form.field("displayName")} placeholder="Acme on Instagram" />
            <TextField
              field={form.field("externalAccountId")}
              spellcheck={false}
              hint="The account's id on the platform (page id, handle, forum category…)."
            />
            <TextAreaField
              field={form.field("credentials")}
              optional
              hint={credentialsHintFor(form.field("platform").value() as ChannelView["platform"] | "")}
              class="field--span"
            />
          </div>
          <div class="form__footer">
            <SubmitButton busy={form.submitting()} label="Create channel" busyLabel="Creating…" />
          </div>
        </form>
      </Show>
    </Card>
  );
}

export function ChannelsPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const filterId = createUniqueId();
  const [status, setStatus] = createSignal<string | null>(null);
  const [secret, setSecret] = createSignal<{ channel: ChannelView; ingestSecret: string; rotated: boolean } | null>(
    null,
  );
  const [editing, setEditing] = createSignal<ChannelView | null>(null);
  const [rotating, setRotating] = createSignal<ChannelView | null>(null);

  /** The client filter lives in the route (`/admin/channels?client=<id>`), so it can be linked to. */
  const [search, setSearch] = useSearchParams<{ client?: string }>();
  const clientFilter = () => search.client || null;

  const clients = useClients(() => true);
  const clientName = createMemo(() => new Map((clients.data ?? []).map((client) => [client.id, client.name])));

  const channels = useQuery(() => ({
    queryKey: keys.channels(session.agencyId(), clientFilter()),
    queryFn: () => {
      const clientId = clientFilter();
      return trpc.channels.list.query(clientId ? { clientId } : {});
    },
  }));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: keys.allChannels(session.agencyId()) });

  const rotate = useMutation(() => ({
    mutationFn: (channelId: string) => trpc.channels.rotateSecret.mutate({ channelId }),
    onSuccess: invalidate,
  }));

  const dismissSecret = () => {
    setSecret(null);
    rotate.reset();
  };

  return (
    <Page title="Channels" lead="Each client's accounts on the platforms we moderate, and their ingest secrets.">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />

      <Show when={secret()}>
        {(shown) => (
          <OnceSecret
            title={`Ingest secret for ${shown().channel.displayName}`}
            label="Ingest secret"
            secret={shown().ingestSecret}
            description={ingestSecretUseFor(shown().channel.platform, shown().rotated)}
            onDismiss={dismissSecret}
          />
        )}
      </Show>

      <NewChannelCard
        clientFilter={clientFilter()}
        clients={clients.data}
        clientsLoaded={clients.isSuccess}
        onCreated={(created) => {
          setStatus(null);
          setSecret({ ...created, rotated: false });
        }}
      />

      <Card
        title="All channels"
        actions={
          <div class="filter">
            <label for={filterId} class="filter__label">
              Show channels for
            </label>
            <ClientSelect
              id={filterId}
              clients={clients.data}
              value={clientFilter() ?? ""}
              all
              compact
              onChange={(clientId) => setSearch({ client: clientId }, { replace: true })}
            />
          </div>
        }
      >
        <QueryTable
          query={channels}
          what="channels"
          label="Channels"
          empty={`No channels ${clientFilter() ? "for this client " : ""}yet.`}
          columns={
            <>
              <th scope="col">Display name</th>
              <th scope="col">Client</th>
              <th scope="col">Platform</th>
              <th scope="col">External account ID</th>
              <th scope="col">Credentials</th>
              <th scope="col">Deliveries ({deliveryProblemDays} days)</th>
              <th scope="col">Created</th>
              <ActionsHeader />
            </>
          }
        >
          {(channel) => (
            <tr>
              <td class="cell--primary">{channel.displayName}</td>
              <td>{clientName().get(channel.clientId) ?? "—"}</td>
              <td>
                <span class={`platform platform--${channel.platform}`}>{platformLabels[channel.platform]}</span>
              </td>
              <td class="mono">{channel.externalAccountId}</td>
              <td>{channel.hasCredentials ? "Stored" : "None"}</td>
              <td>
                <Show when={channel.incident}>
                  {(incident) => (
                    <p class="delivery-health__error">
                      <span class="badge badge--danger">Incident</span> since {formatDateTime(incident().openedAt)}
                      {incident().reason ? ` — ${incident().reason}` : ""}
                    </p>
                  )}
                </Show>
                <DeliveryHealth delivery={channel.delivery} />
              </td>
              <td>{formatDate(channel.createdAt)}</td>
              <td class="cell--actions">
                <button type="button" class="button button--small" onClick={() => setEditing(channel)}>
                  Edit<span class="sr-only"> {channel.displayName}</span>
                </button>
                <button type="button" class="button button--small" onClick={() => setRotating(channel)}>
                  Rotate secret<span class="sr-only"> of {channel.displayName}</span>
                </button>
              </td>
            </tr>
          )}
        </QueryTable>
      </Card>

      <Show when={editing()}>
        {(channel) => (
          <EditChannelDialog
            channel={channel()}
            onClose={() => setEditing(null)}
            onSaved={(saved) => {
              setEditing(null);
              setStatus(`Channel “${saved.displayName}” saved.`);
            }}
          />
        )}
      </Show>
      <Show when={rotating()}>
        {(channel) => (
          <ConfirmDialog
            title={`Rotate the secret of ${channel().displayName}?`}
            description="A new secret is issued and the current one stops working at once: deliveries signed with it will be rejected until the connector is updated."
            confirmLabel="Rotate secret"
            danger
            onConfirm={async () => {
              const rotated = await rotate.mutateAsync(channel().id);
              setStatus(null);
              setSecret({ ...rotated, rotated: true });
            }}
            onClose={() => setRotating(null)}
          />
        )}
      </Show>
    </Page>
  );
}
