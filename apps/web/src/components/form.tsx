/**
 * Forms whose field messages are the server's: the same zod inputs from @parley/contracts run live
 * (after a field is left, or once a submit was tried), and the server's `details.fields` land on the
 * same inputs. Each message is shown as "<Label> <message>" ("Name is required").
 */
import { fieldMessages } from "@parley/contracts";
import { createMemo, createSignal, createUniqueId, For, type JSX, Show } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { toUiError } from "../errors";
import { timeZones } from "../format";

interface Issue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}
/** The part of a zod schema the forms use (structural, so the web app needs no zod import of its own). */
export interface Schema<Out> {
  safeParse(data: unknown): { success: true; data: Out } | { success: false; error: { issues: ReadonlyArray<Issue> } };
}

type FieldValue = string | boolean;
type Values = Record<string, FieldValue>;

export interface FieldBinding {
  id: string;
  name: string;
  label: string;
  errorId: string;
  hintId: string;
  value: () => FieldValue;
  set: (value: FieldValue) => void;
  blur: () => void;
  error: () => string | undefined;
}

export interface FormOptions<V extends Values, Out> {
  initial: V;
  labels: { [K in keyof V & string]: string };
  schema: Schema<Out>;
  /** Builds the procedure input from the field values (default: the values as they are). */
  toInput?: (values: V) => unknown;
  /** Checks the schema can't express (e.g. "key=value" lines); field -> message. */
  validate?: (values: V) => Record<string, string>;
  /** Friendlier message for a field that is still empty (e.g. an unchosen select). */
  emptyMessages?: Partial<{ [K in keyof V & string]: string }>;
}

function describe(label: string, message: string): string {
  return /^[A-Z]/.test(message) ? message : `${label} ${message}`;
}

export function createForm<V extends Values, Out>(options: FormOptions<V, Out>) {
  const formId = createUniqueId();
  const [values, setValues] = createStore<V>({ ...options.initial });
  const [touched, setTouched] = createSignal<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = createSignal(false);
  const [serverFields, setServerFields] = createSignal<Record<string, string>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [submitting, setSubmitting] = createSignal(false);
  const names = Object.keys(options.initial) as Array<keyof V & string>;

  /** Maps an issue or server path ("credentials.token", "timeZone") onto one of this form's fields. */
  const fieldOf = (path: string): (keyof V & string) | undefined => {
    if (names.includes(path as keyof V & string)) return path as keyof V & string;
    const head = path.split(".")[0] ?? "";
    return names.includes(head as keyof V & string) ? (head as keyof V & string) : undefined;
  };

  const parse = () => options.schema.safeParse(options.toInput ? options.toInput(values) : { ...values });

  const liveErrors = createMemo(() => {
    const result = parse();
    const errors: Record<string, string> = {};
    if (!result.success) {
      for (const [path, message] of Object.entries(fieldMessages(result.error.issues))) {
        const name = fieldOf(path);
        if (name) errors[name] ??= message;
      }
    }
    for (const [name, message] of Object.entries(options.validate?.(values) ?? {})) errors[name] ??= message;
    return errors;
  });

  const error = (name: keyof V & string): string | undefined => {
    const label = options.labels[name];
    const server = serverFields()[name];
    if (server) return describe(label, server);
    if (!attempted() && !touched().has(name)) return undefined;
    const live = liveErrors()[name];
    if (!live) return undefined;
    const value = values[name];
    const empty = options.emptyMessages?.[name];
    return describe(label, empty && value === "" ? empty : live);
  };

  const focusFirstInvalid = (form: HTMLFormElement | null) => {
    const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.focus();
  };

  /** Puts a failed call's field messages on their inputs and the rest in the form's alert. */
  const applyError = (err: unknown) => {
    const info = toUiError(err);
    const mine: Record<string, string> = {};
    const others: string[] = [];
    for (const [path, message] of Object.entries(info.fields)) {
      const name = fieldOf(path);
      if (name) mine[name] ??= message;
      else others.push(`${path}: ${message}`);
    }
    setServerFields(mine);
    if (others.length > 0) {
      const listed = others.every((line) => info.message.includes(line));
      setFormError(listed ? info.message : `${info.message} (${others.join("; ")})`);
    } else if (Object.keys(mine).length > 0) setFormError("Please correct the highlighted fields.");
    else setFormError(info.message);
  };

  return {
    id: formId,
    values,
    submitting,
    formError,
    setFormError,
    error,
    applyError,
    set<K extends keyof V & string>(name: K, value: V[K]) {
      setValues((prev) => ({ ...prev, [name]: value }));
      if (serverFields()[name]) setServerFields(({ [name]: _dropped, ...rest }) => rest);
    },
    reset(next?: Partial<V>) {
      setValues(reconcile({ ...options.initial, ...next }));
      setTouched(new Set<string>());
      setAttempted(false);
      setServerFields({});
      setFormError(null);
    },
    field(name: keyof V & string): FieldBinding {
      const id = `${formId}-${name}`;
      return {
        id,
        name,
        label: options.labels[name],
        errorId: `${id}-error`,
        hintId: `${id}-hint`,
        value: () => values[name] as FieldValue,
        set: (value) => {
          setValues((prev) => ({ ...prev, [name]: value }));
          if (serverFields()[name]) setServerFields(({ [name]: _dropped, ...rest }) => rest);
        },
        blur: () => setTouched((prev) => new Set(prev).add(name)),
        error: () => error(name),
      };
    },
    /** onSubmit handler: validates live, then calls `action` with the parsed input. */
    handleSubmit(action: (input: Out) => Promise<unknown>) {
      return async (event: SubmitEvent) => {
        event.preventDefault();
        const form = event.currentTarget as HTMLFormElement | null;
        if (submitting()) return;
        setAttempted(true);
        setServerFields({});
        setFormError(null);
        const result = parse();
        if (!result.success || Object.keys(liveErrors()).length > 0) {
          focusFirstInvalid(form);
          return;
        }
        setSubmitting(true);
        try {
          await action(result.data);
          setAttempted(false);
        } catch (err) {
          applyError(err);
          focusFirstInvalid(form);
        } finally {
          setSubmitting(false);
        }
      };
    },
  };
}

function describedBy(field: FieldBinding, hint: boolean): string | undefined {
  const ids = [hint ? field.hintId : "", field.error() ? field.errorId : ""].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

function FieldShell(props: {
  field: FieldBinding;
  hint?: string;
  optional?: boolean;
  class?: string;
  children: JSX.Element;
}) {
  return (
    <div class={`field ${props.class ?? ""}`} classList={{ "field--invalid": Boolean(props.field.error()) }}>
      <label class="field__label" for={props.field.id}>
        {props.field.label}
        <Show when={props.optional}>
          <span class="field__optional"> (optional)</span>
        </Show>
      </label>
      {props.children}
      <Show when={props.hint}>
        <p class="field__hint" id={props.field.hintId}>
          {props.hint}
        </p>
      </Show>
      <Show when={props.field.error()}>
        {(message) => (
          <p class="field__error" id={props.field.errorId}>
            {message()}
          </p>
        )}
      </Show>
    </div>
  );
}

export function TextField(props: {
  field: FieldBinding;
  type?: "text" | "email" | "password" | "search";
  hint?: string;
  optional?: boolean;
  autocomplete?: string;
  placeholder?: string;
  list?: string;
  spellcheck?: boolean;
  class?: string;
}) {
  return (
    <FieldShell field={props.field} hint={props.hint} optional={props.optional} class={props.class}>
      <input
        class="input"
        id={props.field.id}
        name={props.field.name}
        type={props.type ?? "text"}
        value={String(props.field.value())}
        autocomplete={props.autocomplete ?? "off"}
        placeholder={props.placeholder}
        list={props.list}
        spellcheck={props.spellcheck}
        aria-invalid={props.field.error() ? "true" : "false"}
        aria-describedby={describedBy(props.field, Boolean(props.hint))}
        onInput={(e) => props.field.set(e.currentTarget.value)}
        onBlur={() => props.field.blur()}
      />
    </FieldShell>
  );
}

export function TextAreaField(props: {
  field: FieldBinding;
  hint?: string;
  optional?: boolean;
  rows?: number;
  placeholder?: string;
  class?: string;
}) {
  return (
    <FieldShell field={props.field} hint={props.hint} optional={props.optional} class={props.class}>
      <textarea
        class="input textarea"
        id={props.field.id}
        name={props.field.name}
        rows={props.rows ?? 3}
        placeholder={props.placeholder}
        spellcheck={false}
        value={String(props.field.value())}
        aria-invalid={props.field.error() ? "true" : "false"}
        aria-describedby={describedBy(props.field, Boolean(props.hint))}
        onInput={(e) => props.field.set(e.currentTarget.value)}
        onBlur={() => props.field.blur()}
      />
    </FieldShell>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(props: {
  field: FieldBinding;
  options: Option[];
  /** Label of a leading empty option, e.g. "Choose a client…". */
  placeholder?: string;
  hint?: string;
  class?: string;
}) {
  return (
    <FieldShell field={props.field} hint={props.hint} class={props.class}>
      <select
        class="input select"
        id={props.field.id}
        name={props.field.name}
        value={String(props.field.value())}
        aria-invalid={props.field.error() ? "true" : "false"}
        aria-describedby={describedBy(props.field, Boolean(props.hint))}
        onChange={(e) => {
          props.field.set(e.currentTarget.value);
          props.field.blur();
        }}
        onBlur={() => props.field.blur()}
      >
        <Show when={props.placeholder}>
          <option value="" selected={props.field.value() === ""}>
            {props.placeholder}
          </option>
        </Show>
        <For each={props.options}>
          {(option) => (
            <option value={option.value} selected={option.value === props.field.value()}>
              {option.label}
            </option>
          )}
        </For>
      </select>
    </FieldShell>
  );
}

/** A free-text input with the browser's IANA zones as suggestions (typing is validated live). */
export function TimeZoneField(props: { field: FieldBinding; class?: string }) {
  const listId = `${props.field.id}-zones`;
  return (
    <>
      <TextField
        field={props.field}
        list={listId}
        class={props.class}
        spellcheck={false}
        placeholder="Europe/London"
        hint="An IANA time zone; start typing to pick one."
      />
      <datalist id={listId}>
        <For each={timeZones()}>{(zone) => <option value={zone} />}</For>
      </datalist>
    </>
  );
}

export function CheckboxField(props: { field: FieldBinding; hint?: string }) {
  return (
    <div class="field field--checkbox">
      <input
        id={props.field.id}
        type="checkbox"
        class="checkbox"
        checked={props.field.value() === true}
        aria-describedby={props.hint ? props.field.hintId : undefined}
        onChange={(e) => props.field.set(e.currentTarget.checked)}
      />
      <label for={props.field.id}>{props.field.label}</label>
      <Show when={props.hint}>
        <p class="field__hint" id={props.field.hintId}>
          {props.hint}
        </p>
      </Show>
    </div>
  );
}

/** The form-level alert: errors that belong to no single field. */
export function FormAlert(props: { message: string | null | undefined }) {
  return (
    <Show when={props.message}>
      {(message) => (
        <div class="alert alert--error" role="alert">
          {message()}
        </div>
      )}
    </Show>
  );
}

/** The form's submit button: a spinner and `busyLabel` while busy, `label` still its name. Danger for destructive submits. */
export function SubmitButton(props: {
  busy: boolean;
  label: string;
  busyLabel?: string;
  danger?: boolean;
  class?: string;
}) {
  return (
    <button
      type="submit"
      class={`button ${props.danger ? "button--danger" : "button--primary"} ${props.class ?? ""}`}
      aria-disabled={props.busy ? "true" : undefined}
    >
      <Show when={props.busy} fallback={props.label}>
        <span class="spinner" aria-hidden="true" />
        <span class="sr-only">{props.label}</span>
        <span aria-hidden="true">{props.busyLabel ?? "Saving…"}</span>
      </Show>
    </button>
  );
}
