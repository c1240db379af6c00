import { channelCreateInput, channelUpdateInput, deliveryProblemDays, platforms } from "@parley/contracts";
import { useSearchParams } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createMemo, createSignal, createUniqueId, For, on, Show } from "solid-js";
import { useSession } from "../../auth";
import { ClientSelect } from "../../components/client-select";
import { type ClientView, useClients } from "../../components/clients";
import { CopyField } from "../../components/copy-field";
import { ConfirmDialog, Dialog, FormDialog } from "../../components/dialog";
import {
  createForm,
  type Form,
  FormAlert,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
} from "../../components/form";
import { OnceSecret } from "../../components/once-secret";
import { Card, Page, StatusMessage } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { formatRelative } from "../../components/work";
import { toUiError } from "../../errors";
import { formatDate, formatDateTime } from "../../format";
import { afterChange, keys } from "../../query";
import { platformLabels } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import {
  connectionAddressesFor,
  credentialFieldsFor,
  credentialKeys,
  credentialsHintFor,
  ingestSecretUseFor,
} from "./channel-credentials";

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

/** The credential values as the form holds them: the key=value box, and one input per platform field. */
interface CredentialValues {
  credentials: string;
  fields: Record<string, string>;
}

const emptyFields = (): Record<string, string> => Object.fromEntries(credentialKeys.map((key) => [key, ""]));

/**
 * The credentials to send: the platform's fields (a secret left empty is left out, so the stored one is kept; a
 * cleared URL or name is sent empty, which removes it), or the key=value lines where the platform has no fields.
 */
function credentialsOf(platform: ChannelView["platform"] | "", values: CredentialValues, creating: boolean) {
  const fields = credentialFieldsFor(platform);
  if (fields.length === 0) return parseCredentials(values.credentials).credentials;
  const entries = fields.flatMap((field) => {
    const value = (values.fields[field.key] ?? "").trim();
    return value || (!field.secret && !creating) ? [[field.key, value]] : [];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The server names a credential `credentials.<key>`: a platform field's message goes on its own input. */
const credentialPathOf = (inputPath: string) => {
  const key = /^credentials\.(\w+)/.exec(inputPath)?.[1];
  return key && credentialKeys.includes(key) ? `fields.${key}` : inputPath;
};

/** One input per credential of the platform (secrets write-only), or the key=value box for the others. */
function CredentialInputs<V extends CredentialValues>(props: {
  form: Form<V, unknown>;
  platform: ChannelView["platform"] | "";
  /** Editing: which keys are stored, so a secret's input says whether leaving it empty keeps one. */
  storedKeys?: readonly string[];
  hasCredentials?: boolean;
}) {
  const form = props.form as unknown as Form<CredentialValues, unknown>;
  const fields = () => credentialFieldsFor(props.platform);
  return (
    <Show
      when={fields().length > 0}
      fallback={
        <TextAreaField
          field={form.field("credentials", props.storedKeys ? "New credentials" : "Credentials")}
          optional
          hint={`${props.hasCredentials ? "Leave empty to keep the stored credentials. " : ""}${credentialsHintFor(props.platform)}`}
          class="field--span"
        />
      }
    >
      <For each={fields()}>
        {(field) => {
          const stored = () => props.storedKeys?.includes(field.key) ?? false;
          const note = () =>
            field.secret && props.storedKeys ? (stored() ? "Stored: leave empty to keep it. " : "Not set yet. ") : "";
          return (
            <TextField
              field={form.field(`fields.${field.key}`, field.label)}
              type={field.secret ? "password" : field.url ? "url" : "text"}
              autocomplete={field.secret ? "new-password" : "off"}
              spellcheck={false}
              optional={!field.required}
              hint={`${note()}${field.hint}`}
            />
          );
        }}
      </For>
    </Show>
  );
}

const platformOptions = platforms.map((platform) => ({ value: platform, label: platformLabels[platform] }));

/** `channels.connection`: which credentials a channel has stored, and the values that are not secrets. */
function useChannelConnection(channelId: () => string) {
  const session = useSession();
  return useQuery(() => ({
    queryKey: [...keys.allChannels(session.agencyId()), "connection", channelId()],
    queryFn: () => trpc.channels.connection.query({ channelId: channelId() }),
  }));
}

function EditChannelDialog(props: {
  channel: ChannelView;
  onClose: () => void;
  onSaved: (channel: ChannelView) => void;
}) {
  const connection = useChannelConnection(() => props.channel.id);
  return (
    <Show
      when={connection.data}
      fallback={
        <Dialog title={`Edit ${props.channel.displayName}`} onClose={props.onClose}>
          <p class="muted">{connection.isError ? "The channel's credentials could not be read." : "Loading…"}</p>
        </Dialog>
      }
    >
      {(stored) => <EditChannelForm {...props} connection={stored()} />}
    </Show>
  );
}

function EditChannelForm(props: {
  channel: ChannelView;
  connection: RouterOutputs["channels"]["connection"];
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
      fields: { ...emptyFields(), ...props.connection.values },
    },
    labels: { displayName: "Display name", externalAccountId: "External account ID", credentials: "New credentials" },
    schema: channelUpdateInput,
    toInput: (values) => ({
      channelId: props.channel.id,
      displayName: values.displayName,
      externalAccountId: values.externalAccountId,
      credentials: credentialsOf(props.channel.platform, values, false),
    }),
    validate: validateCredentials,
    pathOf: credentialPathOf,
  });
  const update = useMutation(() => ({
    mutationFn: (input: RouterInputs["channels"]["update"]) => trpc.channels.update.mutate(input),
    ...afterChange(queryClient, { stale: () => [keys.allChannels(session.agencyId())] }),
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
      <CredentialInputs
        form={form}
        platform={props.channel.platform}
        storedKeys={props.connection.storedKeys}
        hasCredentials={props.channel.hasCredentials}
      />
    </FormDialog>
  );
}

/**
 * Connecting a channel: the addresses to paste into the platform (with Copy buttons) and **Test connection**, which
 * tries the stored credentials against the platform and says what it found.
 */
function ConnectChannelDialog(props: { channel: ChannelView; onClose: () => void }) {
  const connection = useChannelConnection(() => props.channel.id);
  const test = useMutation(() => ({
    mutationFn: () => trpc.channels.testConnection.mutate({ channelId: props.channel.id }),
  }));
  const addresses = () =>
    connectionAddressesFor({
      platform: props.channel.platform,
      channelId: props.channel.id,
      origin: window.location.origin,
      verifyToken: connection.data?.values.verifyToken,
    });
  const meta = () => props.channel.platform === "facebook" || props.channel.platform === "instagram";
  return (
    <Dialog title={`Connect ${props.channel.displayName}`} onClose={props.onClose} wide>
      <div class="connect">
        <For each={addresses()} fallback={<p class="muted">Sandbox channels need nothing pasted anywhere.</p>}>
          {(address) => (
            <div>
              <CopyField label={address.label} value={address.value} />
              <p class="field__hint">{address.hint}</p>
            </div>
          )}
        </For>
        <Show when={meta() && connection.isSuccess && !connection.data?.values.verifyToken}>
          <p class="alert alert--warning">
            No verify token yet: Edit the channel and choose one, then paste it into Meta.
          </p>
        </Show>
        <div class="connect__test">
          <button
            type="button"
            class="button button--primary"
            aria-disabled={test.isPending ? "true" : undefined}
            onClick={() => {
              if (!test.isPending) test.mutate();
            }}
          >
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
          <div role="status" class="connect__result">
            <Show when={test.data}>
              {(result) => (
                <p class="alert" classList={{ "alert--success": result().ok, "alert--error": !result().ok }}>
                  {result().message}
                </p>
              )}
            </Show>
            <Show when={test.isError}>
              <p class="alert alert--error">{toUiError(test.error).message}</p>
            </Show>
          </div>
        </div>
      </div>
    </Dialog>
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
    ...afterChange(queryClient, { stale: () => [keys.allChannels(session.agencyId())] }),
  }));
  const form = createForm({
    initial: {
      clientId: props.clientFilter ?? "",
      platform: "",
      displayName: "",
      externalAccountId: "",
      credentials: "",
      fields: emptyFields(),
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
      credentials: credentialsOf(values.platform as ChannelView["platform"] | "", values, true),
    }),
    validate: (values) =>
      credentialFieldsFor(values.platform as ChannelView["platform"] | "").length > 0
        ? {}
        : validateCredentials(values),
    pathOf: credentialPathOf,
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
            <CredentialInputs form={form} platform={form.values.platform as ChannelView["platform"] | ""} />
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
  const [connecting, setConnecting] = createSignal<ChannelView | null>(null);

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

  const rotate = useMutation(() => ({
    mutationFn: (channelId: string) => trpc.channels.rotateSecret.mutate({ channelId }),
    ...afterChange(queryClient, { stale: () => [keys.allChannels(session.agencyId())] }),
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
                <button type="button" class="button button--small" onClick={() => setConnecting(channel)}>
                  Connect<span class="sr-only"> {channel.displayName}</span>
                </button>
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
      <Show when={connecting()}>
        {(channel) => <ConnectChannelDialog channel={channel()} onClose={() => setConnecting(null)} />}
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
