/**
 * The app's one form engine. Values are a (nested) store addressed by dotted paths ("name",
 * "creditTiers.1.fromPercent"); rows of a list are added and removed with `addRow` / `removeRow`.
 * Messages are the server's: the same zod inputs from @parley/contracts run live on the values (after a
 * field is left, or once a submit was tried), and a failed call's `details.fields` land on the same
 * inputs. Each message reads "<Label> <message>" ("Name is required").
 *
 * Why ours and not a library: the messages come from parsing the whole form into the procedure's input
 * (text → minor units, `retainer` → `retainerMinor`) with the contracts' schemas, keyed by the input's
 * paths, which are also the server's `details.fields` keys; TanStack Form (15.6 kB gzip) or Modular Forms
 * would need this same mapping layer on top, plus their own field registration.
 */
import { fieldMessages } from "@parley/contracts";
import { createMemo, createSignal, createUniqueId, For, type JSX, Show } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
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

/**
 * For a form whose input the server alone can check (its schema is not shared with the browser): every
 * value passes here, and the server's answer puts its messages on the inputs.
 */
export function checkedByServer<Out>(): Schema<Out> {
  return { safeParse: (data) => ({ success: true, data: data as Out }) };
}

/** Wording for messages that name their field already (core's schemas: "answer must not be empty"). */
export const asSentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

type FieldValue = string | boolean;

/** Every dotted path into `T`: "name", "levels", "levels.0", "levels.0.name". */
export type Path<T> =
  T extends ReadonlyArray<infer Row>
    ? `${number}` | `${number}.${Path<Row>}`
    : T extends object
      ? { [K in keyof T & string]: K | `${K}.${Path<T[K]>}` }[keyof T & string]
      : never;
/** The paths of `T` that hold a list of rows. */
export type ListPath<T> = {
  [P in Path<T>]: ValueAt<T, P> extends ReadonlyArray<unknown> ? P : never;
}[Path<T>];
/** The value at `P` in `T`. */
export type ValueAt<T, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? ValueAt<Step<T, Head>, Rest>
  : Step<T, P>;
type Step<T, K extends string> = T extends ReadonlyArray<infer Row> ? Row : K extends keyof T ? T[K] : never;

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

export interface FormOptions<V extends object, Out> {
  /** Prefix of the inputs' ids, for a form that appears once on its page (default: a generated one). */
  id?: string;
  initial: V;
  /** The label of each field by path; a field may also get its label where it is bound (`field(path, label)`). */
  labels?: Partial<Record<Path<V>, string>>;
  schema: Schema<Out>;
  /** Builds the procedure input from the values (default: the values as they are). */
  toInput?: (values: V) => unknown;
  /** Checks the schema can't express (e.g. "key=value" lines); input path -> message. */
  validate?: (values: V) => Record<string, string>;
  /** Friendlier message for a field that is still empty (e.g. an unchosen select). */
  emptyMessages?: Partial<Record<Path<V>, string>>;
  /** Where a path of the input (the schema's and the server's) sits in the values, when the two differ. */
  pathOf?: (inputPath: string) => string;
  /** The part of the form a path belongs to: leaving one field shows the messages of its whole part (default: its first segment). */
  groupOf?: (path: string) => string;
  /** Rewords a message (e.g. the schema's field names into the form's labels). */
  wording?: (message: string) => string;
}

const segments = (path: string): Array<string | number> =>
  path.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part));

function valueAt(values: unknown, path: string): unknown {
  let at: unknown = values;
  for (const part of segments(path)) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string | number, unknown>)[part];
  }
  return at;
}

function assignAt(values: object, path: string, value: unknown): void {
  const parts = segments(path);
  const last = parts.pop();
  let at = values as Record<string | number, unknown>;
  for (const part of parts) at = at[part] as Record<string | number, unknown>;
  if (last !== undefined) at[last] = value;
}

const firstSegment = (path: string) => path.split(".")[0] ?? path;

export function createForm<V extends object, Out>(options: FormOptions<V, Out>) {
  const formId = options.id ?? createUniqueId();
  const [values, setValues] = createStore<V>(structuredClone(options.initial));
  const [touched, setTouched] = createSignal<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = createSignal(false);
  const [serverFields, setServerFields] = createSignal<Record<string, string>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [submitting, setSubmitting] = createSignal(false);
  const groupOf = options.groupOf ?? firstSegment;
  const labels = (options.labels ?? {}) as Record<string, string | undefined>;
  const emptyMessages = (options.emptyMessages ?? {}) as Record<string, string | undefined>;

  /**
   * Where a message for an input or server path ("credentials.token", "retainerMinor") is shown: the longest
   * part of it that the values hold (a field, a row, a list); undefined when none (the form's alert says it).
   */
  const placeOf = (inputPath: string): string | undefined => {
    const parts = (options.pathOf ? options.pathOf(inputPath) : inputPath).split(".");
    for (let length = parts.length; length > 0; length--) {
      const path = parts.slice(0, length).join(".");
      if (valueAt(values, path) !== undefined) return path;
    }
    return undefined;
  };

  const parse = () => options.schema.safeParse(options.toInput ? options.toInput(values) : values);

  const liveErrors = createMemo(() => {
    const result = parse();
    const errors: Record<string, string> = {};
    const found = {
      ...(options.validate?.(values) ?? {}),
      ...(result.success ? {} : fieldMessages(result.error.issues)),
    };
    for (const [inputPath, message] of Object.entries(found)) {
      const path = placeOf(inputPath);
      if (path) errors[path] ??= message;
    }
    return errors;
  });

  const describe = (label: string, message: string): string => {
    const text = options.wording ? options.wording(message) : message;
    return /^[A-Z“]/.test(text) ? text : `${label} ${text}`;
  };

  /** The message shown at `path` (a field, a row, a list), or undefined while there is none to show yet. */
  const error = (path: string, label = labels[path] ?? path): string | undefined => {
    const server = serverFields()[path];
    if (server) return describe(label, server);
    if (!attempted() && !touched().has(groupOf(path))) return undefined;
    const live = liveErrors()[path];
    if (!live) return undefined;
    const empty = emptyMessages[path];
    return describe(label, empty && valueAt(values, path) === "" ? empty : live);
  };

  /** A change makes the server's messages about that part of the form stale. */
  const changed = (path: string) => {
    const group = groupOf(path);
    setServerFields((prev) => Object.fromEntries(Object.entries(prev).filter(([key]) => groupOf(key) !== group)));
  };
  const touch = (path: string) => setTouched((prev) => new Set(prev).add(groupOf(path)));
  const set = (path: string, value: unknown) => {
    setValues(produce((draft) => assignAt(draft, path, value)));
    changed(path);
  };
  const idOf = (path: string) => `${formId}-${path.replaceAll(".", "-")}`;

  const focusFirstInvalid = (form: HTMLFormElement | null) => {
    queueMicrotask(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  /** Puts a failed call's field messages on their inputs and the rest in the form's alert. */
  const applyError = (err: unknown) => {
    const info = toUiError(err);
    const mine: Record<string, string> = {};
    const others: string[] = [];
    for (const [inputPath, message] of Object.entries(info.fields)) {
      const path = placeOf(inputPath);
      if (path) mine[path] ??= message;
      else others.push(`${inputPath}: ${options.wording ? options.wording(message) : message}`);
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
    idOf,
    error,
    applyError,
    set<P extends Path<V>>(path: P, value: ValueAt<V, P>) {
      set(path, value);
    },
    /** Adds a row to the list at `path` (at the end, or before index `at`). */
    addRow<P extends ListPath<V>>(path: P, row: ValueAt<V, `${P}.${number}`>, at?: number) {
      setValues(
        produce((draft) => {
          const rows = valueAt(draft, path) as unknown[];
          rows.splice(at ?? rows.length, 0, row);
        }),
      );
      changed(path);
    },
    /** Removes row `index` of the list at `path`; the list counts as touched, so its messages show. */
    removeRow(path: ListPath<V>, index: number) {
      setValues(produce((draft) => void (valueAt(draft, path) as unknown[]).splice(index, 1)));
      changed(path);
      touch(path);
    },
    reset(next?: Partial<V>) {
      setValues(reconcile(structuredClone({ ...options.initial, ...next })));
      setTouched(new Set<string>());
      setAttempted(false);
      setServerFields({});
      setFormError(null);
    },
    /** The binding of the input at `path`; `label` names it in messages (default: the form's label for the path). */
    field(path: Path<V>, label = labels[path] ?? path): FieldBinding {
      const id = idOf(path);
      return {
        id,
        name: path,
        label,
        errorId: `${id}-error`,
        hintId: `${id}-hint`,
        value: () => valueAt(values, path) as FieldValue,
        set: (value) => set(path, value),
        blur: () => touch(path),
        error: () => error(path, label),
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
          setFormError("Please correct the highlighted fields.");
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

/** A form made by `createForm`, for components that render part of one. */
export type Form<V extends object, Out> = ReturnType<typeof createForm<V, Out>>;

function describedBy(field: FieldBinding, hint: boolean): string | undefined {
  const ids = [hint ? field.hintId : "", field.error() ? field.errorId : ""].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** The field's message, when it has one (`aria-describedby` of its input names it). */
function FieldError(props: { field: FieldBinding }) {
  return (
    <Show when={props.field.error()}>
      {(message) => (
        <p class="field__error" id={props.field.errorId}>
          {message()}
        </p>
      )}
    </Show>
  );
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
      <FieldError field={props.field} />
    </div>
  );
}

/** An input followed by its unit ("EUR", "minor"), or the input alone. */
function WithUnit(props: { unit: string | undefined; children: JSX.Element }) {
  return (
    <Show when={props.unit} fallback={props.children}>
      {(unit) => (
        <div class="input-unit">
          {props.children}
          <span class="input-unit__text" aria-hidden="true">
            {unit()}
          </span>
        </div>
      )}
    </Show>
  );
}

export function TextField(props: {
  field: FieldBinding;
  type?: "text" | "email" | "password" | "search" | "date" | "number" | "url";
  /** "numeric" or "decimal" for numbers typed as text (the schema names what is wrong with them). */
  inputmode?: "numeric" | "decimal";
  /** Shown after the input, like a money input's currency. */
  unit?: string;
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
      <WithUnit unit={props.unit}>
        <input
          class="input"
          id={props.field.id}
          name={props.field.name}
          type={props.type ?? "text"}
          inputmode={props.inputmode}
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
      </WithUnit>
    </FieldShell>
  );
}

/** A compact text input in a table cell: named by `name` (e.g. "From %, credit tier 2"), its message below. */
export function CellInput(props: {
  field: FieldBinding;
  name: string;
  inputmode: "numeric" | "decimal";
  placeholder?: string;
  unit?: string;
}) {
  return (
    <>
      <WithUnit unit={props.unit}>
        <input
          class="input input--small"
          type="text"
          id={props.field.id}
          inputmode={props.inputmode}
          autocomplete="off"
          placeholder={props.placeholder}
          aria-label={props.name}
          value={String(props.field.value())}
          aria-invalid={props.field.error() ? "true" : "false"}
          aria-describedby={props.field.error() ? props.field.errorId : undefined}
          onInput={(e) => props.field.set(e.currentTarget.value)}
          onBlur={() => props.field.blur()}
        />
      </WithUnit>
      <FieldError field={props.field} />
    </>
  );
}

/** A select's options, the one equal to `value` selected. */
function OptionList(props: { options: ReadonlyArray<Option>; value: FieldValue }) {
  return (
    <For each={props.options}>
      {(option) => (
        <option value={option.value} selected={option.value === props.value}>
          {option.label}
        </option>
      )}
    </For>
  );
}

/** A compact select in a table cell, named by `name`, its message below. */
export function CellSelect(props: {
  field: FieldBinding;
  name: string;
  options: ReadonlyArray<Option>;
  disabled?: boolean;
}) {
  return (
    <>
      <select
        class="input select select--compact"
        id={props.field.id}
        aria-label={props.name}
        disabled={props.disabled}
        aria-invalid={props.field.error() ? "true" : "false"}
        aria-describedby={props.field.error() ? props.field.errorId : undefined}
        onChange={(e) => {
          props.field.set(e.currentTarget.value);
          props.field.blur();
        }}
        onBlur={() => props.field.blur()}
      >
        <OptionList options={props.options} value={props.field.value()} />
      </select>
      <FieldError field={props.field} />
    </>
  );
}

/**
 * A checkbox in a table cell, its message below: named by its visible text (`children`, which is its label)
 * or, without one, by `name`.
 */
export function CellCheckbox(props: {
  field: FieldBinding;
  name?: string;
  disabled?: boolean;
  children?: JSX.Element;
}) {
  const box = (label: string | undefined) => (
    <input
      id={props.field.id}
      type="checkbox"
      class="checkbox"
      aria-label={label}
      disabled={props.disabled}
      checked={props.field.value() === true}
      aria-invalid={props.field.error() ? "true" : "false"}
      aria-describedby={props.field.error() ? props.field.errorId : undefined}
      onChange={(e) => {
        props.field.set(e.currentTarget.checked);
        props.field.blur();
      }}
    />
  );
  return (
    <>
      <Show when={props.children} fallback={box(props.name)}>
        <label class="toggle" for={props.field.id}>
          {box(undefined)}
          {props.children}
        </label>
      </Show>
      <FieldError field={props.field} />
    </>
  );
}

export function TextAreaField(props: {
  field: FieldBinding;
  hint?: string;
  optional?: boolean;
  rows?: number;
  maxLength?: number;
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
        maxLength={props.maxLength}
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
  options: ReadonlyArray<Option>;
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
        <OptionList options={props.options} value={props.field.value()} />
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
        aria-describedby={describedBy(props.field, Boolean(props.hint))}
        onChange={(e) => props.field.set(e.currentTarget.checked)}
      />
      <label for={props.field.id}>{props.field.label}</label>
      <Show when={props.hint}>
        <p class="field__hint" id={props.field.hintId}>
          {props.hint}
        </p>
      </Show>
      <FieldError field={props.field} />
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
