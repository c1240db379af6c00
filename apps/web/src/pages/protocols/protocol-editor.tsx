import { defaultMaxReplyLength, type Platform, platforms } from "@parley/contracts";
import { useQuery } from "@tanstack/solid-query";
import { createEffect, createSignal, For, Index, on, onCleanup, Show } from "solid-js";
import { CheckGroup } from "../../components/check-group";
import {
  asSentence,
  checkedByServer,
  createForm,
  type Form,
  FormAlert,
  SelectField,
  SubmitButton,
  TextAreaField,
  TextField,
} from "../../components/form";
import { priorities, riskFlags } from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime, plural } from "../../format";
import { platformLabels } from "../../roles";
import { type RouterOutputs, trpc } from "../../trpc";

export type ProtocolView = RouterOutputs["protocols"]["version"];
export type ProtocolDocument = ProtocolView["document"];
type Authority = ProtocolDocument["defaultCategory"]["authority"];
type RuleKind = ProtocolDocument["moderationRules"][number]["kind"];

export const authorityOptions: Array<{ value: Authority; label: string }> = [
  { value: "respond", label: "Respond (moderators answer)" },
  { value: "approval", label: "Approval (the client approves drafts)" },
  { value: "triage", label: "Triage (acknowledge and escalate)" },
];
const ruleKindOptions: Array<{ value: RuleKind; label: string }> = [
  { value: "profanity", label: "Profanity" },
  { value: "links", label: "Links" },
  { value: "personal_data", label: "Personal data" },
  { value: "spam", label: "Spam" },
];
const actionOptions = [
  { value: "hide", label: "Hide" },
  { value: "delete", label: "Delete" },
  { value: "flag", label: "Flag for a moderator" },
];
const personalDataOptions = [
  { value: "email", label: "E-mail addresses" },
  { value: "phone", label: "Phone numbers" },
  { value: "payment_card", label: "Payment cards" },
];
const priorityOptions = priorities.map((value) => ({ value, label: value }));

/** The editor's values: lists as the user types them (one per line, or separated by commas), joined on save. */
interface CategoryDraft {
  key: string;
  name: string;
  priority: string;
  authority: string;
  riskFlags: string[];
  keywords: string;
  phrases: string;
  patterns: string;
  languages: string;
}
interface AnswerDraft {
  id: string;
  categoryKey: string;
  platforms: string[];
  text: string;
}
interface PhraseDraft {
  phrase: string;
  reason: string;
}
interface RuleDraft {
  kind: string;
  action: string;
  words: string;
  personalData: string[];
  patterns: string;
}
export interface ProtocolDraft {
  voiceGuidelines: string;
  defaultCategory: { key: string; priority: string; authority: string };
  categories: CategoryDraft[];
  approvedAnswers: AnswerDraft[];
  forbiddenPhrases: PhraseDraft[];
  moderationRules: RuleDraft[];
  acknowledgementTemplates: string;
  /** Per platform, as typed: empty for the platform's default. */
  maxReplyLength: Record<Platform, string>;
  maskPersonalData: string[];
}

const emptyCategory = (): CategoryDraft => ({
  key: "",
  name: "",
  priority: "P3",
  authority: "respond",
  riskFlags: [],
  keywords: "",
  phrases: "",
  patterns: "",
  languages: "",
});
const emptyRule = (): RuleDraft => ({ kind: "links", action: "hide", words: "", personalData: [], patterns: "" });

const lines = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
const commaList = (text: string) =>
  text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
const replyLengthDraft = (limits: Partial<Record<Platform, number>>): Record<Platform, string> =>
  Object.fromEntries(platforms.map((platform) => [platform, String(limits[platform] ?? "")])) as Record<
    Platform,
    string
  >;

/** The limits typed (numbers as numbers; anything else as typed, for the server to name what is wrong). */
function replyLengthLimits(draft: Record<Platform, string>): Record<string, unknown> {
  const limits: Record<string, unknown> = {};
  for (const platform of platforms) {
    const typed = draft[platform].trim();
    if (typed !== "") limits[platform] = /^-?\d+(\.\d+)?$/.test(typed) ? Number(typed) : typed;
  }
  return limits;
}

/** A list the document may leave out: absent when empty, so an untouched category saves as it was. */
const optionalList = (values: string[]) => (values.length > 0 ? values : undefined);

export function toDraft(document: ProtocolDocument | null): ProtocolDraft {
  if (!document) {
    return {
      voiceGuidelines: "",
      defaultCategory: { key: "general", priority: "P3", authority: "respond" },
      categories: [],
      approvedAnswers: [],
      forbiddenPhrases: [],
      moderationRules: [],
      acknowledgementTemplates: "",
      maxReplyLength: replyLengthDraft({}),
      maskPersonalData: [],
    };
  }
  return {
    voiceGuidelines: document.voiceGuidelines,
    defaultCategory: { ...document.defaultCategory },
    categories: document.categories.map((category) => ({
      key: category.key,
      name: category.name,
      priority: category.priority,
      authority: category.authority,
      riskFlags: [...category.riskFlags],
      keywords: (category.match.keywords ?? []).join(", "),
      phrases: (category.match.phrases ?? []).join("\n"),
      patterns: (category.match.patterns ?? []).join("\n"),
      languages: (category.match.languages ?? []).join(", "),
    })),
    approvedAnswers: document.approvedAnswers.map((answer) => ({
      id: answer.id,
      categoryKey: answer.categoryKey,
      platforms: [...(answer.platforms ?? [])],
      text: answer.text,
    })),
    forbiddenPhrases: document.forbiddenPhrases.map((entry) => ({ ...entry })),
    moderationRules: document.moderationRules.map((rule) => ({
      kind: rule.kind,
      action: rule.action,
      words: rule.kind === "profanity" ? rule.words.join(", ") : "",
      personalData: rule.kind === "personal_data" ? [...rule.personalData] : [],
      patterns: rule.kind === "spam" ? rule.patterns.join("\n") : "",
    })),
    acknowledgementTemplates: document.acknowledgementTemplates.join("\n"),
    maxReplyLength: replyLengthDraft(document.maxReplyLength),
    maskPersonalData: [...document.maskPersonalData],
  };
}

/** The document as the server validates it (`protocols.save`). */
export function toDocument(draft: ProtocolDraft): unknown {
  return {
    categories: draft.categories.map((category) => ({
      key: category.key.trim(),
      name: category.name.trim(),
      match: {
        keywords: optionalList(commaList(category.keywords)),
        phrases: optionalList(lines(category.phrases)),
        patterns: optionalList(lines(category.patterns)),
        languages: optionalList(commaList(category.languages)),
      },
      priority: category.priority,
      riskFlags: category.riskFlags,
      authority: category.authority,
    })),
    defaultCategory: { ...draft.defaultCategory, key: draft.defaultCategory.key.trim() },
    moderationRules: draft.moderationRules.map((rule) => {
      switch (rule.kind) {
        case "profanity":
          return { kind: rule.kind, action: rule.action, words: commaList(rule.words) };
        case "personal_data":
          return { kind: rule.kind, action: rule.action, personalData: rule.personalData };
        case "spam":
          return { kind: rule.kind, action: rule.action, patterns: lines(rule.patterns) };
        default:
          return { kind: rule.kind, action: rule.action };
      }
    }),
    forbiddenPhrases: draft.forbiddenPhrases.map((entry) => ({ phrase: entry.phrase, reason: entry.reason })),
    approvedAnswers: draft.approvedAnswers.map((answer) => ({
      id: answer.id.trim(),
      categoryKey: answer.categoryKey,
      platforms: optionalList(answer.platforms),
      text: answer.text,
    })),
    acknowledgementTemplates: lines(draft.acknowledgementTemplates),
    maxReplyLength: replyLengthLimits(draft.maxReplyLength),
    maskPersonalData: draft.maskPersonalData,
    voiceGuidelines: draft.voiceGuidelines,
  };
}

/** Where the server's message about `document.…` sits in the values: a category's match lists are its own inputs. */
export function draftPathOf(inputPath: string): string {
  const path = inputPath.replace(/^document\./, "");
  const match = /^categories\.(\d+)\.match(?:\.(\w+))?/.exec(path);
  if (match) return `categories.${match[1]}.${match[2] ?? "keywords"}`;
  return path;
}

type ProtocolForm = Form<ProtocolDraft, { clientId: string; document: unknown }>;

/** The protocol's choice of some of `options` (risk flags, platforms, personal data kinds). */
function Ticks(props: {
  form: ProtocolForm;
  path: string;
  legend: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  hint?: string;
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
      onChange={(next) => props.form.set(props.path as "maskPersonalData", next)}
      error={props.form.error(props.path as "maskPersonalData", props.legend)}
      hint={props.hint}
    />
  );
}

/** A row's heading with its Remove button. */
function RowHead(props: { title: string; removeLabel: string; onRemove: () => void }) {
  return (
    <div class="playbook__level-head">
      <strong>{props.title}</strong>
      <button type="button" class="button button--small button--danger-ghost" onClick={() => props.onRemove()}>
        {props.removeLabel}
      </button>
    </div>
  );
}

function CategoryFields(props: { form: ProtocolForm; index: number }) {
  const at = (field: keyof CategoryDraft, label: string) =>
    props.form.field(`categories.${props.index}.${field}`, label);
  const title = () => props.form.values.categories[props.index]?.name || `Category ${props.index + 1}`;
  return (
    <li class="playbook__level">
      <RowHead
        title={title()}
        removeLabel={`Remove category ${title()}`}
        onRemove={() => props.form.removeRow("categories", props.index)}
      />
      <div class="form__grid">
        <TextField field={at("name", "Name")} />
        <TextField field={at("key", "Key")} hint="A slug such as account_hacked; approved answers name it." />
        <SelectField field={at("priority", "Priority")} options={priorityOptions} />
        <SelectField field={at("authority", "Authority")} options={authorityOptions} />
        <TextField
          field={at("keywords", "Keywords")}
          hint="Separated by commas; refund* matches any ending."
          optional
        />
        <TextAreaField field={at("phrases", "Phrases")} hint="One per line." rows={2} optional />
        <TextAreaField field={at("patterns", "Patterns")} hint="Regular expressions, one per line." rows={2} optional />
        <TextField field={at("languages", "Languages")} hint="ISO codes such as en, fr; empty for all." optional />
        <Ticks
          form={props.form}
          path={`categories.${props.index}.riskFlags`}
          legend="Risk flags"
          options={riskFlags.map((value) => ({ value, label: value }))}
        />
      </div>
    </li>
  );
}

function AnswerFields(props: { form: ProtocolForm; index: number }) {
  const at = (field: keyof AnswerDraft, label: string) =>
    props.form.field(`approvedAnswers.${props.index}.${field}`, label);
  const categoryOptions = () => [
    ...props.form.values.categories
      .filter((category) => category.key.trim())
      .map((category) => ({ value: category.key.trim(), label: category.name || category.key })),
    { value: props.form.values.defaultCategory.key, label: `${props.form.values.defaultCategory.key} (default)` },
  ];
  return (
    <li class="playbook__level">
      <RowHead
        title={`Approved answer ${props.index + 1}`}
        removeLabel={`Remove approved answer ${props.index + 1}`}
        onRemove={() => props.form.removeRow("approvedAnswers", props.index)}
      />
      <div class="form__grid">
        <SelectField
          field={at("categoryKey", "Category")}
          options={categoryOptions()}
          placeholder="Choose a category…"
        />
        <TextField field={at("id", "Id")} hint="A slug such as refund_window." />
        <TextAreaField field={at("text", "Text")} rows={3} class="protocol-editor__wide" />
        <Ticks
          form={props.form}
          path={`approvedAnswers.${props.index}.platforms`}
          legend="Platforms"
          options={platforms.map((value) => ({ value, label: platformLabels[value] }))}
          hint="None ticked: every platform."
        />
      </div>
    </li>
  );
}

const previewDelayMs = 300;

/** What a forbidden phrase matches, asked of the server as the phrase or the test sentence changes (debounced). */
function PhrasePreview(props: { clientId: string; phrase: string; sample: string }) {
  const [asked, setAsked] = createSignal({ phrase: "", sample: "" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on([() => props.phrase.trim(), () => props.sample], ([phrase, sample]) => {
      clearTimeout(timer);
      timer = setTimeout(() => setAsked({ phrase, sample }), previewDelayMs);
    }),
  );
  onCleanup(() => clearTimeout(timer));
  const preview = useQuery(() => ({
    queryKey: ["protocol-phrase-preview", props.clientId, asked()],
    queryFn: () => trpc.protocols.previewPhrase.query({ clientId: props.clientId, ...asked() }),
    enabled: asked().phrase.length > 0,
    staleTime: 60_000,
  }));
  return (
    <div class="protocol-preview" aria-live="polite">
      <Show when={preview.isError}>
        <p class="muted">Preview unavailable: {toUiError(preview.error).message}</p>
      </Show>
      <Show when={asked().phrase ? preview.data : undefined}>
        {(data) => (
          <>
            <Show when={data().sampleMatches !== null}>
              <p classList={{ "check--warn": data().sampleMatches === true }} class="protocol-preview__line">
                {data().sampleMatches ? "Blocks the test sentence." : "Does not match the test sentence."}
              </p>
            </Show>
            <p class="muted protocol-preview__line">
              {data().checked === 0
                ? "No replies sent yet to test it against."
                : `Would have blocked ${data().matched} of the last ${plural(data().checked, "reply", "replies")} sent.`}
            </p>
            <Show when={data().examples.length > 0}>
              <ul class="protocol-preview__examples">
                <For each={data().examples}>
                  {(example) => (
                    <li>
                      <bdi dir="auto">{example.text}</bdi> <span class="muted">· {formatDateTime(example.sentAt)}</span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}

function PhraseFields(props: { form: ProtocolForm; index: number; clientId: string; sample: string }) {
  const at = (field: keyof PhraseDraft, label: string) =>
    props.form.field(`forbiddenPhrases.${props.index}.${field}`, label);
  return (
    <li class="playbook__level">
      <RowHead
        title={`Forbidden phrase ${props.index + 1}`}
        removeLabel={`Remove forbidden phrase ${props.index + 1}`}
        onRemove={() => props.form.removeRow("forbiddenPhrases", props.index)}
      />
      <div class="form__grid">
        <TextField
          field={at("phrase", "Phrase")}
          hint="Word forms match too: “guaranteed return” forbids “we guarantee a return”."
        />
        <TextField field={at("reason", "Reason")} hint="Shown to the moderator whose reply it blocks." />
      </div>
      <PhrasePreview
        clientId={props.clientId}
        phrase={props.form.values.forbiddenPhrases[props.index]?.phrase ?? ""}
        sample={props.sample}
      />
    </li>
  );
}

function RuleFields(props: { form: ProtocolForm; index: number }) {
  const at = (field: keyof RuleDraft, label: string) =>
    props.form.field(`moderationRules.${props.index}.${field}`, label);
  const kind = () => props.form.values.moderationRules[props.index]?.kind;
  return (
    <li class="playbook__level">
      <RowHead
        title={`Moderation rule ${props.index + 1}`}
        removeLabel={`Remove moderation rule ${props.index + 1}`}
        onRemove={() => props.form.removeRow("moderationRules", props.index)}
      />
      <div class="form__grid">
        <SelectField field={at("kind", "When the message has")} options={ruleKindOptions} />
        <SelectField field={at("action", "Action")} options={actionOptions} />
        <Show when={kind() === "profanity"}>
          <TextField field={at("words", "Words")} hint="Separated by commas; a trailing * matches any ending." />
        </Show>
        <Show when={kind() === "spam"}>
          <TextAreaField field={at("patterns", "Spam patterns")} hint="Regular expressions, one per line." rows={2} />
        </Show>
        <Show when={kind() === "personal_data"}>
          <Ticks
            form={props.form}
            path={`moderationRules.${props.index}.personalData`}
            legend="Personal data kinds"
            options={personalDataOptions}
          />
        </Show>
      </div>
    </li>
  );
}

/**
 * The protocol editor (agency owners and admins; the client's admins): every part of the document, checked by the
 * server on save, each message on its field. Saving makes a new version, live at once; one that changes nothing is
 * refused.
 */
export function ProtocolEditor(props: {
  clientId: string;
  active: ProtocolView | null;
  onSaved: (saved: ProtocolView) => void;
}) {
  const base = () => props.active?.document ?? null;
  const form = createForm({
    id: "protocol",
    initial: toDraft(base()),
    schema: checkedByServer<{ clientId: string; document: unknown }>(),
    toInput: (draft) => ({ clientId: props.clientId, document: toDocument(draft) }),
    pathOf: draftPathOf,
    wording: asSentence,
  });
  const [sample, setSample] = createSignal("");
  const nextVersion = () => (props.active?.version ?? 0) + 1;

  return (
    <form
      class="form playbook protocol-editor"
      noValidate
      aria-label="Edit the protocol"
      onSubmit={form.handleSubmit(async (input) => props.onSaved(await trpc.protocols.save.mutate(input)))}
    >
      <FormAlert message={form.formError()} />

      <h3 class="playbook__section">Voice</h3>
      <TextAreaField
        field={form.field("voiceGuidelines", "Voice guidelines")}
        hint="How the brand sounds; moderators see it beside every item."
        rows={4}
        optional
      />

      <h3 class="playbook__section">Categories</h3>
      <p class="muted">
        An item is filed under the first category it matches with the highest priority; the authority says what a
        moderator may do with it.
      </p>
      <Show when={form.error("categories", "Categories")}>{(message) => <p class="field__error">{message()}</p>}</Show>
      <ol class="playbook__levels">
        <Index each={form.values.categories}>{(_row, index) => <CategoryFields form={form} index={index} />}</Index>
      </ol>
      <button type="button" class="button button--small" onClick={() => form.addRow("categories", emptyCategory())}>
        Add category
      </button>
      <div class="form__grid protocol-editor__default">
        <TextField
          field={form.field("defaultCategory.key", "Default category key")}
          hint="For items no category matches."
        />
        <SelectField field={form.field("defaultCategory.priority", "Default priority")} options={priorityOptions} />
        <SelectField field={form.field("defaultCategory.authority", "Default authority")} options={authorityOptions} />
      </div>

      <h3 class="playbook__section">Approved answers</h3>
      <p class="muted">Texts moderators may post as they are, each for one category.</p>
      <ol class="playbook__levels">
        <Index each={form.values.approvedAnswers}>{(_row, index) => <AnswerFields form={form} index={index} />}</Index>
      </ol>
      <button
        type="button"
        class="button button--small"
        onClick={() => form.addRow("approvedAnswers", { id: "", categoryKey: "", platforms: [], text: "" })}
      >
        Add approved answer
      </button>

      <h3 class="playbook__section">Forbidden phrases</h3>
      <p class="muted">
        A reply that says one of these is blocked, with the reason. Each phrase shows what it matches.
      </p>
      <div class="field">
        <label class="field__label" for="protocol-sample">
          Test sentence <span class="field__optional">(optional)</span>
        </label>
        <input
          id="protocol-sample"
          class="input"
          type="text"
          autocomplete="off"
          placeholder="We guarantee a return on every order"
          value={sample()}
          onInput={(e) => setSample(e.currentTarget.value)}
        />
      </div>
      <ol class="playbook__levels">
        <Index each={form.values.forbiddenPhrases}>
          {(_row, index) => <PhraseFields form={form} index={index} clientId={props.clientId} sample={sample()} />}
        </Index>
      </ol>
      <button
        type="button"
        class="button button--small"
        onClick={() => form.addRow("forbiddenPhrases", { phrase: "", reason: "" })}
      >
        Add forbidden phrase
      </button>

      <h3 class="playbook__section">Moderation rules</h3>
      <p class="muted">What happens to incoming messages with profanity, links, personal data or spam.</p>
      <ol class="playbook__levels">
        <Index each={form.values.moderationRules}>{(_row, index) => <RuleFields form={form} index={index} />}</Index>
      </ol>
      <button type="button" class="button button--small" onClick={() => form.addRow("moderationRules", emptyRule())}>
        Add moderation rule
      </button>

      <h3 class="playbook__section">Acknowledgements and personal data</h3>
      <div class="form__grid">
        <TextAreaField
          field={form.field("acknowledgementTemplates", "Acknowledgement templates")}
          hint="One per line; at least two when a category is triage-only, so a channel never sees one twice in a row."
          rows={3}
          optional
        />
        <Ticks
          form={form}
          path="maskPersonalData"
          legend="Also mask at ingest"
          options={personalDataOptions.filter((option) => option.value !== "payment_card")}
          hint="Card numbers and IBANs are always masked."
        />
      </div>

      <h3 class="playbook__section">Maximum reply length</h3>
      <p class="muted">
        Characters a reply may have on each platform; empty keeps the platform's default (shown). The composer counts
        down to it.
      </p>
      <fieldset class="form__grid protocol-editor__lengths" aria-label="Maximum reply length per platform">
        <For each={platforms}>
          {(platform) => (
            <TextField
              field={form.field(`maxReplyLength.${platform}`, platformLabels[platform])}
              inputmode="numeric"
              placeholder={String(defaultMaxReplyLength[platform])}
              unit="characters"
              optional
            />
          )}
        </For>
      </fieldset>

      <div class="form__footer">
        <SubmitButton busy={form.submitting()} label={`Save as version ${nextVersion()}`} />
      </div>
    </form>
  );
}
