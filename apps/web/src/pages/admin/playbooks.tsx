import { useSearchParams } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, createUniqueId, For, Index, Show } from "solid-js";
import { useSession } from "../../auth";
import { CheckGroup, type CheckOption } from "../../components/check-group";
import { ClientSelect } from "../../components/client-select";
import { useClients } from "../../components/clients";
import { escalationKeys, type PlaybookDocument, type PlaybookView } from "../../components/escalations";
import {
  asSentence,
  CheckboxField,
  checkedByServer,
  createForm,
  type Form,
  FormAlert,
  SelectField,
  SubmitButton,
  TextField,
} from "../../components/form";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { ActionsHeader } from "../../components/query-table";
import { priorities, riskFlags } from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { afterChange } from "../../query";
import { type RouterOutputs, trpc } from "../../trpc";

type Calendar = PlaybookDocument["levels"][number]["calendar"];
const calendarOptions: Array<{ value: Calendar; label: string }> = [
  { value: "24x7", label: "24/7" },
  { value: "business_hours", label: "Business hours" },
];

/** The editor's form state: lists and numbers as the user types them; turned into a document on save. */
interface LevelDraft {
  name: string;
  emails: string;
  portalUserIds: string[];
  webhookUrl: string;
  respondWithinMinutes: string;
  calendar: Calendar;
}
interface PlaybookDraft {
  name: string;
  active: boolean;
  categories: string[];
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
  portalUserIds: [],
  webhookUrl: "",
  respondWithinMinutes: "60",
  calendar: "24x7",
});

function toDraft(playbook: PlaybookView | null): PlaybookDraft {
  if (!playbook) {
    return {
      name: "",
      active: true,
      categories: [],
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
    categories: [...doc.triggers.categories],
    keywords: doc.triggers.keywords.join(", "),
    riskFlags: [...doc.triggers.riskFlags],
    priorities: [...doc.triggers.priorities],
    levels: doc.levels.map((level) => ({
      name: level.name ?? "",
      emails: level.contacts.emails.join(", "),
      portalUserIds: [...level.contacts.portalUserIds],
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
      categories: draft.categories,
      keywords: list(draft.keywords),
      riskFlags: draft.riskFlags,
      priorities: draft.priorities,
    },
    levels: draft.levels.map((level) => ({
      ...(level.name.trim() ? { name: level.name.trim() } : {}),
      contacts: {
        emails: list(level.emails),
        portalUserIds: level.portalUserIds,
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

/** Where the server's message about `document.…` sits in the draft: lists of triggers and contacts are one input each. */
function draftPathOf(inputPath: string): string {
  const path = inputPath.replace(/^document\./, "");
  const trigger = /^triggers\.(\w+)/.exec(path);
  if (trigger) return trigger[1] ?? path;
  const contact = /^levels\.(\d+)\.contacts\.(\w+)/.exec(path);
  return contact ? `levels.${contact[1]}.${contact[2]}` : path;
}

type PlaybookForm = Form<PlaybookDraft, ReturnType<typeof toSaveInput>>;

function toSaveInput(draft: PlaybookDraft) {
  return { name: draft.name, active: draft.active, document: toDocument(draft) };
}

type PlaybookOptions = RouterOutputs["playbooks"]["options"];
const plainOptions = (values: readonly string[]): CheckOption[] => values.map((value) => ({ value, label: value }));

/** A playbook's choice of some of `options` (risk flags, priorities, categories, portal users). */
function Checks(props: {
  form: PlaybookForm;
  path: "riskFlags" | "priorities" | "categories" | `levels.${number}.portalUserIds`;
  legend: string;
  options: readonly CheckOption[];
  empty?: string;
}) {
  const chosen = (): string[] =>
    props.path
      .split(".")
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], props.form.values) as string[];
  return (
    <CheckGroup
      legend={props.legend}
      options={props.options}
      chosen={chosen()}
      onChange={(next) => props.form.set(props.path as "categories", next)}
      error={props.form.error(props.path as "categories", props.legend)}
      empty={props.empty}
    />
  );
}

function LevelFields(props: { form: PlaybookForm; index: number; options: PlaybookOptions | undefined }) {
  const field = (key: keyof LevelDraft, label: string) => props.form.field(`levels.${props.index}.${key}`, label);
  return (
    <li class="playbook__level">
      <div class="playbook__level-head">
        <strong>Level {props.index + 1}</strong>
        <Show when={props.form.values.levels.length > 1}>
          <button
            type="button"
            class="button button--small button--danger-ghost"
            onClick={() => props.form.removeRow("levels", props.index)}
          >
            Remove level
          </button>
        </Show>
      </div>
      <div class="form__grid">
        <TextField field={field("name", "Name")} optional />
        <TextField
          field={field("respondWithinMinutes", "Respond within (minutes)")}
          type="number"
          inputmode="numeric"
        />
        <SelectField field={field("calendar", "Calendar")} options={calendarOptions} />
        <TextField field={field("emails", "E-mail contacts")} hint="Separated by commas." optional />
        <Checks
          form={props.form}
          path={`levels.${props.index}.portalUserIds`}
          legend="Portal contacts"
          options={(props.options?.portalUsers ?? []).map((user) => ({
            value: user.userId,
            label: `${user.name} (${user.email})`,
          }))}
          empty="This client has no stakeholders who see escalations. None chosen: every one of them is told."
        />
        <TextField
          field={field("webhookUrl", "Webhook URL")}
          type="url"
          hint="Receives a signed POST for every notice of this level."
          optional
        />
      </div>
    </li>
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
  const options = useQuery(() => ({
    queryKey: [...escalationKeys.playbooks(session.agencyId(), props.clientId), "options"],
    queryFn: () => trpc.playbooks.options.query({ clientId: props.clientId }),
  }));
  // The document's schema is the server's (core): its messages arrive with the answer, under `document.…`.
  const form = createForm({
    initial: toDraft(props.playbook),
    schema: checkedByServer<ReturnType<typeof toSaveInput>>(),
    toInput: toSaveInput,
    pathOf: draftPathOf,
    wording: asSentence,
  });
  const save = useMutation(() => ({
    mutationFn: (input: ReturnType<typeof toSaveInput>) =>
      trpc.playbooks.save.mutate({
        clientId: props.clientId,
        ...(props.playbook ? { playbookId: props.playbook.id } : {}),
        ...input,
      }),
    ...afterChange(queryClient, { stale: () => [escalationKeys.playbooks(session.agencyId(), props.clientId)] }),
  }));

  return (
    <form
      class="form playbook"
      noValidate
      aria-label={props.playbook ? `Edit playbook ${props.playbook.name}` : "New playbook"}
      onSubmit={form.handleSubmit(async (input) => props.onSaved(await save.mutateAsync(input)))}
    >
      <FormAlert message={form.formError()} />
      <div class="form__grid">
        <TextField field={form.field("name", "Name")} />
        <CheckboxField
          field={form.field("active", "Active")}
          hint="Escalations use the first active playbook whose triggers match the item."
        />
      </div>

      <h3 class="playbook__section">Triggers</h3>
      <p class="muted">Any of these matches. Leave all empty to match every item of the client.</p>
      <div class="form__grid">
        <Checks
          form={form}
          path="categories"
          legend="Categories"
          options={(options.data?.categories ?? []).map((category) => ({
            value: category.key,
            label: category.name,
          }))}
          empty="This client has no protocol yet, so no categories to choose."
        />
        <TextField
          field={form.field("keywords", "Keywords")}
          hint="Words or phrases in the message, separated by commas."
          optional
        />
        <Checks form={form} path="riskFlags" legend="Risk flags" options={plainOptions(riskFlags)} />
        <Checks form={form} path="priorities" legend="Priorities" options={plainOptions(priorities)} />
      </div>

      <h3 class="playbook__section">Levels</h3>
      <p class="muted">Who is told first, and who next when nobody responds in time.</p>
      <Show when={form.error("levels", "Levels")}>{(message) => <p class="field__error">{message()}</p>}</Show>
      <ol class="playbook__levels">
        <Index each={form.values.levels}>
          {(_level, index) => <LevelFields form={form} index={index} options={options.data} />}
        </Index>
      </ol>
      <button type="button" class="button button--small" onClick={() => form.addRow("levels", emptyLevel())}>
        Add level
      </button>

      <h3 class="playbook__section">Acknowledgement and follow-up</h3>
      <div class="form__grid">
        <TextField
          field={form.field("acknowledgementTargetMinutes", "Acknowledgement target (minutes)")}
          type="number"
          inputmode="numeric"
        />
        <SelectField
          field={form.field("acknowledgementCalendar", "Acknowledgement calendar")}
          options={calendarOptions}
        />
        <TextField
          field={form.field("followUpCadenceMinutes", "Follow-up cadence (minutes)")}
          type="number"
          inputmode="numeric"
          hint="How often the customer hears “still on it” while the escalation is open. Empty for never."
          optional
        />
        <div>
          <CheckboxField field={form.field("autoAcknowledge", "Acknowledge the customer automatically")} />
          <CheckboxField
            field={form.field("autoSendFollowUp", "Post the client's answer without a moderator reviewing it")}
          />
        </div>
      </div>
      <div class="form__footer">
        <button type="button" class="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
        <SubmitButton busy={form.submitting()} label={props.playbook ? "Save playbook" : "Create playbook"} />
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

  const clients = useClients();
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
