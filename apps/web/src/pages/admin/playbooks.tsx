import { useSearchParams } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, createUniqueId, For, Index, Show } from "solid-js";
import { createStore, produce } from "solid-js/store";
import { useSession } from "../../auth";
import { ClientSelect } from "../../components/client-select";
import { escalationKeys, type PlaybookDocument, type PlaybookView } from "../../components/escalations";
import { FormAlert, SubmitButton } from "../../components/form";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { ActionsHeader } from "../../components/query-table";
import { priorities, riskFlags } from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { keys } from "../../query";
import { trpc } from "../../trpc";

type Calendar = PlaybookDocument["levels"][number]["calendar"];
const calendarOptions: Array<{ value: Calendar; label: string }> = [
  { value: "24x7", label: "24/7" },
  { value: "business_hours", label: "Business hours" },
];

/** The editor's form state: lists and numbers as the user types them; turned into a document on save. */
interface LevelDraft {
  name: string;
  emails: string;
  portalUserIds: string;
  webhookUrl: string;
  respondWithinMinutes: string;
  calendar: Calendar;
}
interface PlaybookDraft {
  name: string;
  active: boolean;
  categories: string;
  keywords: string;
  riskFlags: string[];
  priorities: string[];
  levels: LevelDraft[];
  followUpCadenceMinutes: string;
  autoAcknowledge: boolean;
  acknowledgementTargetMinutes: string;
  acknowledgementCalendar: Calendar;
  autoSendFollowUp: boolean;
}

const emptyLevel = (): LevelDraft => ({
  name: "",
  emails: "",
  portalUserIds: "",
  webhookUrl: "",
  respondWithinMinutes: "60",
  calendar: "24x7",
});

function toDraft(playbook: PlaybookView | null): PlaybookDraft {
  if (!playbook) {
    return {
      name: "",
      active: true,
      categories: "",
      keywords: "",
      riskFlags: [],
      priorities: [],
      levels: [emptyLevel()],
      followUpCadenceMinutes: "",
      autoAcknowledge: false,
      acknowledgementTargetMinutes: "15",
      acknowledgementCalendar: "24x7",
      autoSendFollowUp: false,
    };
  }
  const doc = playbook.document;
  return {
    name: playbook.name,
    active: playbook.active,
    categories: doc.triggers.categories.join(", "),
    keywords: doc.triggers.keywords.join(", "),
    riskFlags: [...doc.triggers.riskFlags],
    priorities: [...doc.triggers.priorities],
    levels: doc.levels.map((level) => ({
      name: level.name ?? "",
      emails: level.contacts.emails.join(", "),
      portalUserIds: level.contacts.portalUserIds.join(", "),
      webhookUrl: level.contacts.webhookUrl ?? "",
      respondWithinMinutes: String(level.respondWithinMinutes),
      calendar: level.calendar,
    })),
    followUpCadenceMinutes: doc.followUpCadenceMinutes === null ? "" : String(doc.followUpCadenceMinutes),
    autoAcknowledge: doc.autoAcknowledge,
    acknowledgementTargetMinutes: String(doc.acknowledgementTargetMinutes),
    acknowledgementCalendar: doc.acknowledgementCalendar,
    autoSendFollowUp: doc.autoSendFollowUp,
  };
}

const list = (text: string) =>
  text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
/** A number as typed; empty or not a number is left out, so the server names the field. */
const minutes = (text: string) => {
  const value = Number(text.trim());
  return text.trim() === "" || !Number.isFinite(value) ? undefined : value;
};

/** The document exactly as the server validates it; it reports problems under `document.…`. */
function toDocument(draft: PlaybookDraft): unknown {
  return {
    triggers: {
      categories: list(draft.categories),
      keywords: list(draft.keywords),
      riskFlags: draft.riskFlags,
      priorities: draft.priorities,
    },
    levels: draft.levels.map((level) => ({
      ...(level.name.trim() ? { name: level.name.trim() } : {}),
      contacts: {
        emails: list(level.emails),
        portalUserIds: list(level.portalUserIds),
        ...(level.webhookUrl.trim() ? { webhookUrl: level.webhookUrl.trim() } : {}),
      },
      respondWithinMinutes: minutes(level.respondWithinMinutes),
      calendar: level.calendar,
    })),
    followUpCadenceMinutes: draft.followUpCadenceMinutes.trim() === "" ? null : minutes(draft.followUpCadenceMinutes),
    autoAcknowledge: draft.autoAcknowledge,
    acknowledgementTargetMinutes: minutes(draft.acknowledgementTargetMinutes),
    acknowledgementCalendar: draft.acknowledgementCalendar,
    autoSendFollowUp: draft.autoSendFollowUp,
  };
}

/** The first server message for `path` or anything under it (`document.triggers.keywords.2` → keywords). */
function errorAt(fields: Record<string, string>, path: string): string | undefined {
  if (fields[path]) return fields[path];
  const key = Object.keys(fields).find((candidate) => candidate.startsWith(`${path}.`));
  return key ? fields[key] : undefined;
}

function FieldError(props: { id: string; message: string | undefined }) {
  return (
    <Show when={props.message}>
      {(message) => (
        <p class="field__error" id={props.id}>
          {message()}
        </p>
      )}
    </Show>
  );
}

/** A text or number input with its label, hint and the server's error for `path`. */
function Input(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  error: string | undefined;
  hint?: string;
  type?: "text" | "number" | "url";
  optional?: boolean;
  span?: boolean;
}) {
  const id = createUniqueId();
  return (
    <div class="field" classList={{ "field--span": props.span }}>
      <label class="field__label" for={id}>
        {props.label}
        <Show when={props.optional}>
          <span class="field__optional"> (optional)</span>
        </Show>
      </label>
      <input
        id={id}
        class="input"
        type={props.type ?? "text"}
        inputMode={props.type === "number" ? "numeric" : undefined}
        value={props.value}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={
          [props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""].join(" ").trim() || undefined
        }
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <Show when={props.hint}>
        <p class="field__hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      </Show>
      <FieldError id={`${id}-error`} message={props.error} />
    </div>
  );
}

function CalendarSelect(props: {
  label: string;
  value: Calendar;
  onChange: (value: Calendar) => void;
  error?: string;
}) {
  const id = createUniqueId();
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {props.label}
      </label>
      <select
        id={id}
        class="input select"
        aria-invalid={props.error ? "true" : undefined}
        onChange={(e) => props.onChange(e.currentTarget.value as Calendar)}
      >
        <For each={calendarOptions}>
          {(option) => (
            <option value={option.value} selected={option.value === props.value}>
              {option.label}
            </option>
          )}
        </For>
      </select>
      <FieldError id={`${id}-error`} message={props.error} />
    </div>
  );
}

function Checks(props: {
  legend: string;
  options: readonly string[];
  value: string[];
  onChange: (value: string[]) => void;
  error?: string;
  hint?: string;
}) {
  return (
    <fieldset class="field playbook__checks">
      <legend class="field__label">{props.legend}</legend>
      <div class="playbook__check-row">
        <For each={props.options}>
          {(option) => (
            <label class="playbook__check">
              <input
                type="checkbox"
                class="checkbox"
                checked={props.value.includes(option)}
                onChange={(e) =>
                  props.onChange(
                    e.currentTarget.checked
                      ? [...props.value, option]
                      : props.value.filter((candidate) => candidate !== option),
                  )
                }
              />{" "}
              {option}
            </label>
          )}
        </For>
      </div>
      <Show when={props.hint}>
        <p class="field__hint">{props.hint}</p>
      </Show>
      <FieldError id={createUniqueId()} message={props.error} />
    </fieldset>
  );
}

function PlaybookEditor(props: {
  clientId: string;
  playbook: PlaybookView | null;
  onSaved: (playbook: PlaybookView) => void;
  onCancel: () => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = createStore<PlaybookDraft>(toDraft(props.playbook));
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const err = (path: string) => errorAt(fields(), path);
  const doc = (path: string) => err(`document.${path}`);

  const save = useMutation(() => ({
    mutationFn: () =>
      trpc.playbooks.save.mutate({
        clientId: props.clientId,
        ...(props.playbook ? { playbookId: props.playbook.id } : {}),
        name: draft.name,
        active: draft.active,
        document: toDocument(draft),
      }),
    onSuccess: (saved: PlaybookView) => {
      void queryClient.invalidateQueries({ queryKey: escalationKeys.playbooks(session.agencyId(), props.clientId) });
      props.onSaved(saved);
    },
    onError: (error: unknown) => {
      const info = toUiError(error);
      setFields(info.fields);
      setFormError(
        Object.keys(info.fields).length > 0 ? "Some fields need attention: see the messages below." : info.message,
      );
    },
  }));

  return (
    <form
      class="form playbook"
      noValidate
      aria-label={props.playbook ? `Edit playbook ${props.playbook.name}` : "New playbook"}
      onSubmit={(e) => {
        e.preventDefault();
        if (save.isPending) return;
        setFields({});
        setFormError(null);
        save.mutate();
      }}
    >
      <FormAlert message={formError()} />
      <div class="form__grid">
        <Input label="Name" value={draft.name} onInput={(value) => setDraft("name", value)} error={err("name")} />
        <div class="field field--checkbox">
          <label class="playbook__check">
            <input
              type="checkbox"
              class="checkbox"
              checked={draft.active}
              onChange={(e) => setDraft("active", e.currentTarget.checked)}
            />{" "}
            Active
          </label>
          <p class="field__hint">Escalations use the first active playbook whose triggers match the item.</p>
        </div>
      </div>

      <h3 class="playbook__section">Triggers</h3>
      <p class="muted">Any of these matches. Leave all empty to match every item of the client.</p>
      <div class="form__grid">
        <Input
          label="Categories"
          value={draft.categories}
          onInput={(value) => setDraft("categories", value)}
          error={doc("triggers.categories")}
          hint="Protocol category keys, separated by commas (e.g. legal_threat, outage)."
          optional
        />
        <Input
          label="Keywords"
          value={draft.keywords}
          onInput={(value) => setDraft("keywords", value)}
          error={doc("triggers.keywords")}
          hint="Words or phrases in the message, separated by commas."
          optional
        />
        <Checks
          legend="Risk flags"
          options={riskFlags}
          value={draft.riskFlags}
          onChange={(value) => setDraft("riskFlags", value)}
          error={doc("triggers.riskFlags")}
        />
        <Checks
          legend="Priorities"
          options={priorities}
          value={draft.priorities}
          onChange={(value) => setDraft("priorities", value)}
          error={doc("triggers.priorities")}
        />
      </div>

      <h3 class="playbook__section">Levels</h3>
      <p class="muted">Who is told first, and who next when nobody responds in time.</p>
      <FieldError id={createUniqueId()} message={fields()["document.levels"]} />
      <ol class="playbook__levels">
        <Index each={draft.levels}>
          {(level, index) => (
            <li class="playbook__level">
              <div class="playbook__level-head">
                <strong>Level {index + 1}</strong>
                <Show when={draft.levels.length > 1}>
                  <button
                    type="button"
                    class="button button--small button--danger-ghost"
                    onClick={() => setDraft("levels", (levels) => levels.filter((_, at) => at !== index))}
                  >
                    Remove level
                  </button>
                </Show>
              </div>
              <div class="form__grid">
                <Input
                  label="Name"
                  value={level().name}
                  onInput={(value) => setDraft("levels", index, "name", value)}
                  error={doc(`levels.${index}.name`)}
                  optional
                />
                <Input
                  label="Respond within (minutes)"
                  type="number"
                  value={level().respondWithinMinutes}
                  onInput={(value) => setDraft("levels", index, "respondWithinMinutes", value)}
                  error={doc(`levels.${index}.respondWithinMinutes`)}
                />
                <CalendarSelect
                  label="Calendar"
                  value={level().calendar}
                  onChange={(value) => setDraft("levels", index, "calendar", value)}
                  error={doc(`levels.${index}.calendar`)}
                />
                <Input
                  label="E-mail contacts"
                  value={level().emails}
                  onInput={(value) => setDraft("levels", index, "emails", value)}
                  error={doc(`levels.${index}.contacts.emails`)}
                  hint="Separated by commas."
                  optional
                />
                <Input
                  label="Portal user ids"
                  value={level().portalUserIds}
                  onInput={(value) => setDraft("levels", index, "portalUserIds", value)}
                  error={doc(`levels.${index}.contacts.portalUserIds`)}
                  hint="The client's stakeholders notified in the portal, separated by commas."
                  optional
                />
                <Input
                  label="Webhook URL"
                  type="url"
                  value={level().webhookUrl}
                  onInput={(value) => setDraft("levels", index, "webhookUrl", value)}
                  error={doc(`levels.${index}.contacts.webhookUrl`)}
                  hint="Receives a signed POST for every notice of this level."
                  optional
                />
              </div>
            </li>
          )}
        </Index>
      </ol>
      <button
        type="button"
        class="button button--small"
        onClick={() =>
          setDraft(
            "levels",
            produce((levels) => void levels.push(emptyLevel())),
          )
        }
      >
        Add level
      </button>

      <h3 class="playbook__section">Acknowledgement and follow-up</h3>
      <div class="form__grid">
        <Input
          label="Acknowledgement target (minutes)"
          type="number"
          value={draft.acknowledgementTargetMinutes}
          onInput={(value) => setDraft("acknowledgementTargetMinutes", value)}
          error={doc("acknowledgementTargetMinutes")}
        />
        <CalendarSelect
          label="Acknowledgement calendar"
          value={draft.acknowledgementCalendar}
          onChange={(value) => setDraft("acknowledgementCalendar", value)}
          error={doc("acknowledgementCalendar")}
        />
        <Input
          label="Follow-up cadence (minutes)"
          type="number"
          value={draft.followUpCadenceMinutes}
          onInput={(value) => setDraft("followUpCadenceMinutes", value)}
          error={doc("followUpCadenceMinutes")}
          hint="How often the customer hears “still on it” while the escalation is open. Empty for never."
          optional
        />
        <div class="field field--checkbox">
          <label class="playbook__check">
            <input
              type="checkbox"
              class="checkbox"
              checked={draft.autoAcknowledge}
              onChange={(e) => setDraft("autoAcknowledge", e.currentTarget.checked)}
            />{" "}
            Acknowledge the customer automatically
          </label>
          <FieldError id={createUniqueId()} message={doc("autoAcknowledge")} />
          <label class="playbook__check">
            <input
              type="checkbox"
              class="checkbox"
              checked={draft.autoSendFollowUp}
              onChange={(e) => setDraft("autoSendFollowUp", e.currentTarget.checked)}
            />{" "}
            Post the client's answer without a moderator reviewing it
          </label>
          <FieldError id={createUniqueId()} message={doc("autoSendFollowUp")} />
        </div>
      </div>
      <div class="form__footer">
        <button type="button" class="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
        <SubmitButton busy={save.isPending} label={props.playbook ? "Save playbook" : "Create playbook"} />
      </div>
    </form>
  );
}

/** Admin → Playbooks: each client's escalation playbooks, and an editor for them. */
export function PlaybooksPage() {
  const session = useSession();
  const filterId = createUniqueId();
  const [status, setStatus] = createSignal<string | null>(null);
  /** null: no editor; "new"; or the id of the playbook being edited. */
  const [editing, setEditing] = createSignal<string | null>(null);

  const clients = useQuery(() => ({
    queryKey: keys.clients(session.agencyId(), false),
    queryFn: () => trpc.clients.list.query({ includeArchived: false }),
  }));
  const [search, setSearch] = useSearchParams<{ client?: string }>();
  const clientId = createMemo(() => search.client || clients.data?.[0]?.id || "");
  const playbooks = useQuery(() => ({
    queryKey: escalationKeys.playbooks(session.agencyId(), clientId()),
    queryFn: () => trpc.playbooks.list.query({ clientId: clientId() }),
    enabled: Boolean(clientId()),
  }));
  const edited = () => (playbooks.data ?? []).find((playbook) => playbook.id === editing()) ?? null;
  /** The editor stays mounted (keeping what was typed) while the list refreshes; it remounts for another playbook. */
  const editorKey = createMemo(() => {
    const key = editing();
    if (key === null) return null;
    return key === "new" || edited() ? `${clientId()}:${key}` : null;
  });

  const EditorCard = () => (
    <Card title={edited() ? `Edit ${edited()?.name}` : "New playbook"}>
      <PlaybookEditor
        clientId={clientId()}
        playbook={edited()}
        onSaved={(saved) => {
          setEditing(null);
          setStatus(`Saved playbook ${saved.name}.`);
        }}
        onCancel={() => setEditing(null)}
      />
    </Card>
  );

  return (
    <Page
      title="Playbooks"
      lead="Who each client wants told when an item is escalated, how fast, and what the customer hears."
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <Card
        title="Playbooks"
        actions={
          <div class="filter">
            <label for={filterId} class="filter__label">
              Client
            </label>
            <ClientSelect
              id={filterId}
              clients={clients.data}
              value={clientId()}
              compact
              onChange={(id) => {
                setEditing(null);
                setSearch({ client: id }, { replace: true });
              }}
            />
          </div>
        }
      >
        <Show
          when={!clients.isSuccess || (clients.data ?? []).length > 0}
          fallback={
            <p class="empty">
              Playbooks belong to a client. <a href="/admin/clients">Create a client</a> first.
            </p>
          }
        >
          <QueryStatus
            loading={playbooks.isPending && Boolean(clientId())}
            error={playbooks.isError ? toUiError(playbooks.error).message : null}
            what="playbooks"
            onRetry={() => void playbooks.refetch()}
          />
          <Show when={playbooks.data}>
            <div class="table-wrap">
              <table class="table" aria-label="Playbooks">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">State</th>
                    <th scope="col">Levels</th>
                    <th scope="col">Updated</th>
                    <ActionsHeader />
                  </tr>
                </thead>
                <tbody>
                  <For
                    each={playbooks.data}
                    fallback={
                      <tr>
                        <td colSpan={5} class="muted">
                          No playbooks yet: this client's items cannot be escalated until one is added.
                        </td>
                      </tr>
                    }
                  >
                    {(playbook) => (
                      <tr>
                        <td class="cell--primary">{playbook.name}</td>
                        <td>
                          <span class="badge" classList={{ "badge--success": playbook.active }}>
                            {playbook.active ? "Active" : "Inactive"}
                          </span>
                        </td>
                        <td>{playbook.document.levels.length}</td>
                        <td>{formatDateTime(playbook.updatedAt)}</td>
                        <td class="cell--end">
                          <button type="button" class="button button--small" onClick={() => setEditing(playbook.id)}>
                            Edit
                          </button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
          <Show when={clientId() && editing() === null}>
            <div class="form__footer">
              <button type="button" class="button button--primary" onClick={() => setEditing("new")}>
                New playbook
              </button>
            </div>
          </Show>
        </Show>
      </Card>
      <Show when={editorKey()} keyed>
        {(_key) => <EditorCard />}
      </Show>
    </Page>
  );
}
