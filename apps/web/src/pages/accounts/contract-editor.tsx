import {
  type ContractTermsInput,
  contractForPeriod,
  slaCalendars,
  slaMetrics,
  slaPriorities,
} from "@parley/contracts/billing";
import { type RouteSectionProps, useNavigate, useSearchParams } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { type Accessor, createMemo, createSignal, createUniqueId, For, type JSX, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { useSession } from "../../auth";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { ActionsHeader, ListTable } from "../../components/query-table";
import { toUiError } from "../../errors";
import { type ClientView, keys } from "../../query";
import { trpc } from "../../trpc";
import { accountsKeys, type ContractView } from "./billing";
import {
  currencyCodes,
  exponentOf,
  formatLocalDate,
  formatUnitPrice,
  money,
  parseMajorAmount,
  parseNumber,
  todayIn,
} from "./billing-format";
import {
  type ContractDraft,
  defaultDraft,
  draftFromTerms,
  firstOfMonth,
  firstOfNextMonth,
  groupOf,
  humanizeMessage,
  type SlaCalendar,
  type SlaTargetDraft,
  validateDraft,
} from "./contract-draft";

const calendarLabels: Record<SlaCalendar, string> = { "24x7": "Calendar (24x7)", business_hours: "Business hours" };
const metricLabels: Record<(typeof slaMetrics)[number], string> = {
  first_response: "First response",
  resolution: "Resolution",
};

/** The term sections edited as rows of a table. */
type TermSection = "overageTiers" | "slaTargets" | "creditTiers";
/** One row of a term section, as its cells see it. */
interface TermRow<S extends TermSection, Values = ContractDraft[S][number]> {
  section: S;
  index: Accessor<number>;
  values: Values;
}
/** How a section and one of its rows are named in messages, accessible names and buttons. */
const termNames: Record<TermSection, { rows: string; row: string }> = {
  overageTiers: { rows: "Overage tiers", row: "overage tier" },
  slaTargets: { rows: "SLA targets", row: "SLA target" },
  creditTiers: { rows: "Credit tiers", row: "credit tier" },
};
/** "overage tier" → "Overage tier": a row's name at the start of a message. */
const atSentenceStart = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** The accessible name of an input in a row: "From %, credit tier 2". */
const rowInputName = (row: TermRow<TermSection, unknown>, label: string) =>
  `${label}, ${termNames[row.section].row} ${row.index() + 1}`;

type SlaTargetChoice = "priority" | "metric" | "calendar";
/** What an SLA target's selects offer, and what each option reads as (by default its value). */
const slaTargetChoices: {
  [Field in SlaTargetChoice]: {
    options: readonly SlaTargetDraft[Field][];
    labels?: Record<SlaTargetDraft[Field], string>;
  };
} = {
  priority: { options: slaPriorities },
  metric: { options: slaMetrics, labels: metricLabels },
  calendar: { options: slaCalendars, labels: calendarLabels },
};

function describe(label: string, message: string): string {
  const text = humanizeMessage(message);
  return /^[A-Z“]/.test(text) ? text : `${label} ${text}`;
}

/** Where a contract stands relative to `today` (the client's date). */
function contractState(contract: ContractView, today: string): "in force" | "upcoming" | "ended" {
  if (contract.validFrom > today) return "upcoming";
  if (contract.validTo !== null && contract.validTo <= today) return "ended";
  return "in force";
}

function ContractForm(props: {
  client: ClientView;
  contract: ContractView | null;
  initial: ContractDraft;
  onSaved: (contract: ContractView) => void;
  onCancel: () => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const formId = createUniqueId();
  const [draft, setDraft] = createStore<ContractDraft>(structuredClone(props.initial));
  const [touched, setTouched] = createSignal<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<Record<string, string>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const validation = createMemo(() => validateDraft(draft));
  const idOf = (path: string) => `${formId}-${path.replaceAll(".", "-")}`;

  const touch = (path: string) => setTouched((prev) => new Set(prev).add(groupOf(path)));
  /** Any change in a group drops the server's messages for it: they describe the values sent then. */
  const changed = (path: string) => {
    const group = groupOf(path);
    setServerErrors((prev) => Object.fromEntries(Object.entries(prev).filter(([key]) => groupOf(key) !== group)));
  };

  const errorAt = (path: string): string | undefined => {
    const server = serverErrors()[path];
    if (server) return server;
    if (!attempted() && !touched().has(groupOf(path))) return undefined;
    return validation().errors[path];
  };
  /** The message for an input: "<Label> <message>". */
  const fieldError = (path: string, label: string) => {
    const message = errorAt(path);
    return message ? describe(label, message) : undefined;
  };

  /** Paths that have an input or a row/section slot; everything else goes to the form's alert. */
  const placed = (path: string): boolean => {
    const top = [
      "currency",
      "validFrom",
      "validTo",
      "retainerMinor",
      "includedItems",
      "overageTiers",
      "escalationFeeMinor",
      "outOfHoursSurchargeMinor",
      "slaTargets",
      "creditTiers",
      "creditCapPercent",
      "paymentTermsDays",
    ];
    const parts = path.split(".");
    if (parts.length === 1) return top.includes(path);
    const rows = { overageTiers: draft.overageTiers, slaTargets: draft.slaTargets, creditTiers: draft.creditTiers };
    const list = rows[parts[0] as keyof typeof rows];
    return Boolean(list && Number(parts[1]) < list.length);
  };
  const unplacedErrors = createMemo(() =>
    Object.entries(serverErrors())
      .filter(([path]) => !placed(path))
      .map(([path, message]) => `${path}: ${humanizeMessage(message)}`),
  );

  const invalidOf = (path: string, label: string) => (fieldError(path, label) ? "true" : "false");
  const describedByOf = (path: string, label: string, hint = false) => {
    const id = idOf(path);
    const ids = [hint ? `${id}-hint` : "", fieldError(path, label) ? `${id}-error` : ""].filter(Boolean);
    return ids.length > 0 ? ids.join(" ") : undefined;
  };

  const ErrorText = (p: { path: string; label: string }) => (
    <Show when={fieldError(p.path, p.label)}>
      {(message) => (
        <p class="field__error" id={`${idOf(p.path)}-error`}>
          {message()}
        </p>
      )}
    </Show>
  );

  /** A labelled top-level field with its hint and message. */
  const Field = (p: { path: string; label: string; hint?: string; children: JSX.Element; class?: string }) => (
    <div class={`field ${p.class ?? ""}`} classList={{ "field--invalid": Boolean(fieldError(p.path, p.label)) }}>
      <label class="field__label" for={idOf(p.path)}>
        {p.label}
      </label>
      {p.children}
      <Show when={p.hint}>
        <p class="field__hint" id={`${idOf(p.path)}-hint`}>
          {p.hint}
        </p>
      </Show>
      <ErrorText path={p.path} label={p.label} />
    </div>
  );

  type TopKey =
    | "validFrom"
    | "validTo"
    | "retainer"
    | "includedItems"
    | "escalationFee"
    | "outOfHoursSurcharge"
    | "paymentTermsDays";
  const setTop = (key: TopKey | "creditCapPercent", path: string, value: string) => {
    setDraft(key, value);
    changed(path);
  };

  /** The text input of a top-level field: `key` in the draft, `path` in the terms. */
  const TopInput = (p: {
    key: Exclude<TopKey, "validFrom" | "validTo"> | "creditCapPercent";
    path: string;
    label: string;
    inputmode: "numeric" | "decimal";
  }) => (
    <input
      class="input"
      type="text"
      inputmode={p.inputmode}
      autocomplete="off"
      value={draft[p.key]}
      onInput={(e) => setTop(p.key, p.path, e.currentTarget.value)}
      id={idOf(p.path)}
      aria-invalid={invalidOf(p.path, p.label)}
      aria-describedby={describedByOf(p.path, p.label, true)}
      onBlur={() => touch(p.path)}
    />
  );

  /** A labelled top-level number whose draft key is its terms path. */
  const NumberField = (p: {
    key: "includedItems" | "paymentTermsDays" | "creditCapPercent";
    label: string;
    hint: string;
    inputmode: "numeric" | "decimal";
  }) => (
    <Field path={p.key} label={p.label} hint={p.hint}>
      <TopInput key={p.key} path={p.key} label={p.label} inputmode={p.inputmode} />
    </Field>
  );

  /** A money input in major units, with the currency beside it and the amount as it will be billed. */
  const MoneyInput = (p: {
    key: "retainer" | "escalationFee" | "outOfHoursSurcharge";
    path: string;
    label: string;
    hint: string;
  }) => {
    const preview = () => {
      const parsed = parseMajorAmount(draft[p.key], draft.currency);
      return parsed.ok && parsed.value !== undefined ? money(parsed.value, draft.currency) : null;
    };
    return (
      <Field path={p.path} label={p.label} hint={`${p.hint}${preview() ? ` Billed as ${preview()}.` : ""}`}>
        <div class="accounts-money">
          <TopInput key={p.key} path={p.path} label={p.label} inputmode="decimal" />
          <span class="accounts-money__currency" aria-hidden="true">
            {draft.currency}
          </span>
        </div>
      </Field>
    );
  };

  const save = useMutation(() => ({
    mutationFn: (terms: ContractTermsInput) =>
      trpc.contracts.save.mutate({ clientId: props.client.id, contractId: props.contract?.id, terms }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: accountsKeys.contracts(session.agencyId(), props.client.id) }),
  }));

  const focusFirstInvalid = (form: HTMLFormElement | null) => {
    queueMicrotask(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement | null;
    if (saving()) return;
    setAttempted(true);
    setServerErrors({});
    setFormError(null);
    const result = validation();
    if (!result.parsed) {
      setFormError("Please correct the highlighted fields.");
      focusFirstInvalid(form);
      return;
    }
    setSaving(true);
    try {
      const saved = await save.mutateAsync(result.parsed);
      setAttempted(false);
      props.onSaved(saved);
    } catch (err) {
      const info = toUiError(err);
      const fields: Record<string, string> = {};
      for (const [path, message] of Object.entries(info.fields)) fields[path.replace(/^terms\./, "")] ??= message;
      setServerErrors(fields);
      const hasPlaced = Object.keys(fields).some(placed);
      setFormError(hasPlaced ? "The contract was not saved: please correct the highlighted fields." : info.message);
      focusFirstInvalid(form);
    } finally {
      setSaving(false);
    }
  };

  const removeRow = (section: TermSection, index: number, focusId: string) => {
    setDraft(section, (rows) => rows.filter((_, i) => i !== index) as never);
    changed(section);
    touch(section);
    queueMicrotask(() => document.getElementById(focusId)?.focus());
  };

  const addOverageTier = () => {
    const rows = draft.overageTiers;
    const last = rows[rows.length - 1];
    // A new bounded tier goes before the unbounded last one ("beyond … at …").
    if (last && last.upTo.trim() === "") {
      setDraft("overageTiers", (prev) => [
        ...prev.slice(0, -1),
        { upTo: "", unitPriceMinor: "" },
        prev[prev.length - 1]!,
      ]);
      queueMicrotask(() => document.getElementById(idOf(`overageTiers.${rows.length - 2}.upTo`))?.focus());
    } else {
      setDraft("overageTiers", (prev) => [...prev, { upTo: "", unitPriceMinor: "" }]);
      queueMicrotask(() => document.getElementById(idOf(`overageTiers.${rows.length - 1}.upTo`))?.focus());
    }
    changed("overageTiers");
  };

  const addSlaTarget = () => {
    const used = new Set(draft.slaTargets.map((target) => `${target.priority} ${target.metric}`));
    const free = slaPriorities
      .flatMap((priority) => slaMetrics.map((metric) => ({ priority, metric })))
      .find((pair) => !used.has(`${pair.priority} ${pair.metric}`)) ?? {
      priority: "P4" as const,
      metric: "resolution" as const,
    };
    setDraft("slaTargets", (prev) => [
      ...prev,
      { ...free, minutes: "", calendar: "business_hours", complianceTargetPercent: "95" },
    ]);
    changed("slaTargets");
    queueMicrotask(() => document.getElementById(idOf(`slaTargets.${draft.slaTargets.length - 1}.priority`))?.focus());
  };

  const addCreditTier = () => {
    setDraft("creditTiers", (prev) => [...prev, { fromPercent: "", toPercent: "", creditPercent: "" }]);
    changed("creditTiers");
    queueMicrotask(() =>
      document.getElementById(idOf(`creditTiers.${draft.creditTiers.length - 1}.fromPercent`))?.focus(),
    );
  };

  const unitPricePreview = (text: string) => {
    const parsed = parseNumber(text);
    return parsed.ok && parsed.value !== undefined && parsed.value >= 0
      ? formatUnitPrice(parsed.value, draft.currency)
      : "—";
  };

  /** "items 5,001–12,000 over the included volume" for overage tier `index`. */
  const tierRange = (index: number) => {
    const previous = index === 0 ? 0 : Number(draft.overageTiers[index - 1]?.upTo || Number.NaN);
    const upTo = draft.overageTiers[index]?.upTo.trim() ?? "";
    const from = Number.isFinite(previous) ? (previous + 1).toLocaleString("en-GB") : "…";
    if (upTo === "") return `from item ${from} over the included volume, no limit`;
    const to = Number(upTo);
    return Number.isFinite(to) ? `items ${from}–${to.toLocaleString("en-GB")} over the included volume` : "";
  };

  const setRowField = (row: TermRow<TermSection, unknown>, field: string, value: string) => {
    setDraft(row.section, row.index(), field as never, value as never);
    changed(`${row.section}.${row.index()}.${field}`);
  };

  /** A text input of a row with its message; `name` (default `label`) starts its accessible name. */
  const RowInput = <Field extends string>(p: {
    row: TermRow<TermSection, Record<NoInfer<Field>, string>>;
    field: Field;
    label: string;
    name?: string;
    inputmode: "numeric" | "decimal";
    placeholder?: string;
    /** Shown after the input, like a money input's currency. */
    unit?: string;
  }) => {
    const path = () => `${p.row.section}.${p.row.index()}.${p.field}`;
    const input = () => (
      <input
        class="input input--small"
        type="text"
        inputmode={p.inputmode}
        autocomplete="off"
        placeholder={p.placeholder}
        aria-label={rowInputName(p.row, p.name ?? p.label)}
        value={p.row.values[p.field]}
        onInput={(e) => setRowField(p.row, p.field, e.currentTarget.value)}
        id={idOf(path())}
        aria-invalid={invalidOf(path(), p.label)}
        aria-describedby={describedByOf(path(), p.label)}
        onBlur={() => touch(path())}
      />
    );
    return (
      <>
        <Show when={p.unit} fallback={input()}>
          {(unit) => (
            <div class="accounts-money">
              {input()}
              <span class="accounts-money__currency" aria-hidden="true">
                {unit()}
              </span>
            </div>
          )}
        </Show>
        <ErrorText path={path()} label={p.label} />
      </>
    );
  };

  /** A select of an SLA target row with its message. */
  const SlaTargetSelect = <Field extends SlaTargetChoice>(p: {
    row: TermRow<"slaTargets">;
    field: Field;
    label: string;
  }) => {
    const path = () => `slaTargets.${p.row.index()}.${p.field}`;
    const choices = () => slaTargetChoices[p.field];
    return (
      <>
        <select
          class="input select select--compact"
          aria-label={rowInputName(p.row, p.label)}
          onChange={(e) => {
            setRowField(p.row, p.field, e.currentTarget.value);
            touch(path());
          }}
          id={idOf(path())}
          aria-invalid={invalidOf(path(), p.label)}
          aria-describedby={describedByOf(path(), p.label)}
          onBlur={() => touch(path())}
        >
          <For each={choices().options}>
            {(option) => (
              <option value={option} selected={option === p.row.values[p.field]}>
                {choices().labels?.[option] ?? option}
              </option>
            )}
          </For>
        </select>
        <ErrorText path={path()} label={p.label} />
      </>
    );
  };

  /**
   * The rows of a term section: a table whose rows end with a remove button and, below, the row's
   * message; then the section's message and its "Add …" button. `children` gives a row's cells.
   */
  const TermRows = <S extends TermSection>(p: {
    section: S;
    "aria-label"?: string;
    "aria-labelledby"?: string;
    columns: string[];
    /** Shown instead of the table while there are no rows. */
    empty?: string;
    addId: string;
    onAdd: () => void;
    children: (row: TermRow<S>) => JSX.Element;
  }) => {
    const names = () => termNames[p.section];
    return (
      <>
        <Show when={draft[p.section].length > 0} fallback={p.empty ? <p class="empty">{p.empty}</p> : undefined}>
          <div class="accounts-scroll">
            <table
              class="table table--compact accounts-rows__table"
              aria-label={p["aria-label"]}
              aria-labelledby={p["aria-labelledby"]}
            >
              <thead>
                <tr>
                  <For each={p.columns}>{(column) => <th scope="col">{column}</th>}</For>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                <For each={draft[p.section]}>
                  {(values, index) => (
                    <>
                      <tr>
                        {p.children({ section: p.section, index, values })}
                        <td class="cell--actions">
                          <button
                            type="button"
                            class="button button--small button--danger-ghost"
                            onClick={() => removeRow(p.section, index(), p.addId)}
                          >
                            Remove<span class="sr-only">{` ${names().row} ${index() + 1}`}</span>
                          </button>
                        </td>
                      </tr>
                      <Show when={errorAt(`${p.section}.${index()}`)}>
                        {(message) => (
                          <tr>
                            <td colSpan={p.columns.length + 1}>
                              <p class="field__error">
                                {describe(`${atSentenceStart(names().row)} ${index() + 1}`, message())}
                              </p>
                            </td>
                          </tr>
                        )}
                      </Show>
                    </>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
        <Show when={errorAt(p.section)}>
          {(message) => <p class="field__error">{describe(names().rows, message())}</p>}
        </Show>
        <button type="button" class="button button--small" id={p.addId} onClick={p.onAdd}>
          Add {names().row}
        </button>
      </>
    );
  };

  return (
    <form class="form accounts-contract" noValidate aria-label="Contract" onSubmit={submit}>
      <Show when={formError() || unplacedErrors().length > 0}>
        <div class="alert alert--error" role="alert">
          <span>
            {formError()}
            <Show when={unplacedErrors().length > 0}> {unplacedErrors().join("; ")}</Show>
          </span>
        </div>
      </Show>

      <fieldset class="accounts-fieldset">
        <legend class="accounts-legend">Currency and validity</legend>
        <div class="form__grid">
          <Field
            path="currency"
            label="Currency"
            hint={`Amounts below are in ${draft.currency} (${exponentOf(draft.currency)} decimals).`}
          >
            <select
              class="input select"
              value={draft.currency}
              onChange={(e) => {
                setDraft("currency", e.currentTarget.value);
                changed("currency");
                touch("currency");
              }}
              id={idOf("currency")}
              aria-invalid={invalidOf("currency", "Currency")}
              aria-describedby={describedByOf("currency", "Currency", true)}
              onBlur={() => touch("currency")}
            >
              <For each={currencyCodes()}>
                {(code) => (
                  <option value={code} selected={code === draft.currency}>
                    {code}
                  </option>
                )}
              </For>
            </select>
          </Field>
          <Field path="validFrom" label="Valid from" hint="The first day the contract applies (the client's date).">
            <input
              class="input"
              type="date"
              value={draft.validFrom}
              onInput={(e) => setTop("validFrom", "validFrom", e.currentTarget.value)}
              id={idOf("validFrom")}
              aria-invalid={invalidOf("validFrom", "Valid from")}
              aria-describedby={describedByOf("validFrom", "Valid from", true)}
              onBlur={() => touch("validFrom")}
            />
          </Field>
          <Field
            path="validTo"
            label="Valid to (exclusive)"
            hint="Exclusive: the first day the contract no longer applies. Leave empty for an open-ended contract."
          >
            <input
              class="input"
              type="date"
              value={draft.validTo}
              onInput={(e) => setTop("validTo", "validTo", e.currentTarget.value)}
              id={idOf("validTo")}
              aria-invalid={invalidOf("validTo", "Valid to")}
              aria-describedby={describedByOf("validTo", "Valid to", true)}
              onBlur={() => touch("validTo")}
            />
          </Field>
        </div>
        <p class="accounts-note" role="note">
          <strong>A contract governs whole months:</strong> the one in force on the 1st of a month applies to that whole
          month, and a change takes effect from the next month. Start contracts on the 1st; a contract starting
          mid-month first bills the following month.
        </p>
      </fieldset>

      <fieldset class="accounts-fieldset">
        <legend class="accounts-legend">Fees</legend>
        <div class="form__grid">
          <MoneyInput
            key="retainer"
            path="retainerMinor"
            label="Monthly retainer"
            hint="In major units, e.g. 2500.00."
          />
          <NumberField
            key="includedItems"
            label="Included items"
            hint="Items per month covered by the retainer."
            inputmode="numeric"
          />
          <MoneyInput key="escalationFee" path="escalationFeeMinor" label="Fee per escalation" hint="In major units." />
          <MoneyInput
            key="outOfHoursSurcharge"
            path="outOfHoursSurchargeMinor"
            label="Out-of-hours surcharge per item"
            hint="For items handled outside the client's business hours."
          />
          <NumberField
            key="paymentTermsDays"
            label="Payment terms (days)"
            hint="Days from the issue date to the due date printed on each invoice; 0 = due on receipt. Default 30."
            inputmode="numeric"
          />
        </div>

        <div class="accounts-rows">
          <div class="accounts-rows__header">
            <h3 class="accounts-rows__title" id={`${formId}-overage-title`}>
              Overage tiers
            </h3>
            <p class="field__hint" id={`${formId}-overage-hint`}>
              Items over the included volume, counted cumulatively: “up to 5000” at 40 bills the first 5,000 items over
              the included volume at 40 minor units each. Unit prices are in minor units of {draft.currency} (up to 4
              decimals). The last tier has no limit: leave its “Up to” empty. No tiers: overage isn't billed.
            </p>
          </div>
          <TermRows
            section="overageTiers"
            aria-labelledby={`${formId}-overage-title`}
            columns={["Tier", "Up to N items over the included volume", "Unit price (minor units)", "Per item"]}
            addId={`${formId}-add-overage`}
            onAdd={addOverageTier}
          >
            {(tier) => (
              <>
                <th scope="row">
                  {tier.index() + 1}
                  <span class="muted accounts-rows__meta"> {tierRange(tier.index())}</span>
                </th>
                <td classList={{ "field--invalid": Boolean(fieldError(`overageTiers.${tier.index()}.upTo`, "Up to")) }}>
                  <RowInput row={tier} field="upTo" label="Up to" inputmode="numeric" placeholder="no limit" />
                </td>
                <td
                  classList={{
                    "field--invalid": Boolean(fieldError(`overageTiers.${tier.index()}.unitPriceMinor`, "Unit price")),
                  }}
                >
                  <RowInput
                    row={tier}
                    field="unitPriceMinor"
                    label="Unit price"
                    name="Unit price in minor units"
                    inputmode="decimal"
                    unit="minor"
                  />
                </td>
                <td class="accounts-num">{unitPricePreview(tier.values.unitPriceMinor)}</td>
              </>
            )}
          </TermRows>
        </div>
      </fieldset>

      <fieldset class="accounts-fieldset">
        <legend class="accounts-legend">SLA targets</legend>
        <p class="field__hint">
          One row per priority and metric. Compliance is the share of the month's items whose clock met the target.
        </p>
        <TermRows
          section="slaTargets"
          aria-label="SLA targets"
          columns={["Priority", "Metric", "Minutes", "Calendar", "Compliance target %"]}
          empty="No SLA targets: no service credits."
          addId={`${formId}-add-target`}
          onAdd={addSlaTarget}
        >
          {(target) => (
            <>
              <td>
                <SlaTargetSelect row={target} field="priority" label="Priority" />
              </td>
              <td>
                <SlaTargetSelect row={target} field="metric" label="Metric" />
              </td>
              <td>
                <RowInput row={target} field="minutes" label="Minutes" inputmode="numeric" />
              </td>
              <td>
                <SlaTargetSelect row={target} field="calendar" label="Calendar" />
              </td>
              <td>
                <RowInput
                  row={target}
                  field="complianceTargetPercent"
                  label="Compliance target"
                  name="Compliance target %"
                  inputmode="decimal"
                />
              </td>
            </>
          )}
        </TermRows>
      </fieldset>

      <fieldset class="accounts-fieldset">
        <legend class="accounts-legend">Service credits</legend>
        <p class="field__hint" id={`${formId}-credit-hint`}>
          A target missed with compliance in a tier's range earns the client that share of the month's fees as a credit.
          Lower bound inclusive, upper exclusive: from 90 to 95 means 90 % ≤ compliance &lt; 95 %.
        </p>
        <TermRows
          section="creditTiers"
          aria-label="Service-credit tiers"
          columns={["Tier", "From % (inclusive)", "To % (exclusive)", "Credit % of fees"]}
          empty="No credit tiers: no service credits."
          addId={`${formId}-add-credit`}
          onAdd={addCreditTier}
        >
          {(tier) => (
            <>
              <th scope="row">{tier.index() + 1}</th>
              <td>
                <RowInput row={tier} field="fromPercent" label="From %" inputmode="decimal" />
              </td>
              <td>
                <RowInput row={tier} field="toPercent" label="To %" inputmode="decimal" />
              </td>
              <td>
                <RowInput row={tier} field="creditPercent" label="Credit %" inputmode="decimal" />
              </td>
            </>
          )}
        </TermRows>
        <div class="form__grid accounts-credit-settings">
          <NumberField
            key="creditCapPercent"
            label="Credit cap %"
            hint="The share of the month's fees at risk: all credits together never exceed it."
            inputmode="decimal"
          />
        </div>
        <div class="field field--checkbox">
          <input
            id={idOf("excludeClientSideTime")}
            type="checkbox"
            class="checkbox"
            checked={draft.excludeClientSideTime}
            aria-describedby={`${idOf("excludeClientSideTime")}-hint`}
            onChange={(e) => {
              setDraft("excludeClientSideTime", e.currentTarget.checked);
              changed("excludeClientSideTime");
            }}
          />
          <label for={idOf("excludeClientSideTime")}>Exclude client-side waiting time</label>
          <p class="field__hint" id={`${idOf("excludeClientSideTime")}-hint`}>
            SLA clocks don't count the time spent waiting on the client (e.g. an open escalation). On by default.
          </p>
        </div>
      </fieldset>

      <div class="form__footer accounts-contract__actions">
        <button type="button" class="button" onClick={() => props.onCancel()}>
          Discard changes
        </button>
        <button type="submit" class="button button--primary" aria-disabled={saving() ? "true" : undefined}>
          <Show when={saving()} fallback="Save contract">
            <span class="spinner" aria-hidden="true" />
            <span class="sr-only">Save contract</span>
            <span aria-hidden="true">Saving…</span>
          </Show>
        </button>
      </div>
    </form>
  );
}

export function ContractEditorPage(props: RouteSectionProps) {
  const session = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams<{ contract?: string }>();
  const clientId = () => props.params.clientId ?? "";
  const [status, setStatus] = createSignal<string | null>(null);
  const [formVersion, setFormVersion] = createSignal(0);

  const clients = useQuery(() => ({
    queryKey: keys.clients(session.agencyId(), false),
    queryFn: () => trpc.clients.list.query({ includeArchived: false }),
  }));
  const client = () => clients.data?.find((candidate) => candidate.id === clientId());
  const contracts = useQuery(() => ({
    queryKey: accountsKeys.contracts(session.agencyId(), clientId()),
    queryFn: () => trpc.contracts.list.query({ clientId: clientId() }),
    enabled: clientId() !== "",
  }));
  const list = () => contracts.data ?? [];
  const today = () => todayIn(client()?.timeZone);

  /** `?contract=<id>` or `?contract=new`; by default the one in force, else the latest, else a new one. */
  const selected = createMemo(
    (): { key: string; contract: ContractView | null } | null => {
      if (!contracts.isSuccess || !client()) return null;
      const wanted = search.contract;
      const all = list();
      if (wanted === "new") return { key: `new-${formVersion()}`, contract: null };
      const chosen =
        (wanted ? all.find((contract) => contract.id === wanted) : undefined) ??
        (() => {
          try {
            return contractForPeriod(all, today());
          } catch {
            return null;
          }
        })() ??
        all[all.length - 1] ??
        null;
      return { key: `${chosen?.id ?? "new"}-${String(chosen?.updatedAt ?? "")}-${formVersion()}`, contract: chosen };
    },
    null,
    // A background refetch that changed nothing must not reset the form being edited.
    { equals: (a, b) => a?.key === b?.key },
  );

  const initialDraft = (contract: ContractView | null): ContractDraft => {
    if (contract) return draftFromTerms(contract.terms);
    const latest = list()[list().length - 1];
    if (latest) return { ...draftFromTerms(latest.terms), validFrom: firstOfNextMonth(today()), validTo: "" };
    return defaultDraft(firstOfMonth(today()));
  };

  const show = (value: string) =>
    navigate(`/accounts/clients/${clientId()}/contract?contract=${value}`, { replace: true });
  const select = (value: string) => {
    setStatus(null);
    show(value);
  };

  return (
    <Page
      title={client() ? `Contract of ${client()?.name}` : "Contract"}
      lead="Retainer, included volume, overage, SLA targets and service credits. Each contract covers a validity period; periods of one client never overlap."
      actions={
        <a class="button button--ghost" href="/accounts">
          Back to clients
        </a>
      }
    >
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <QueryStatus
        loading={clients.isPending || contracts.isPending}
        error={clients.isError || contracts.isError ? toUiError(clients.error ?? contracts.error).message : null}
        what="the contracts"
        onRetry={() => {
          void clients.refetch();
          void contracts.refetch();
        }}
      />
      <Show when={clients.isSuccess && !client()}>
        <div class="alert alert--error" role="alert">
          This client doesn't exist or isn't assigned to you.
        </div>
      </Show>

      <Show when={contracts.isSuccess && client()}>
        <Card
          title="Contracts on file"
          actions={
            <button type="button" class="button button--small" onClick={() => select("new")}>
              New contract
            </button>
          }
        >
          <ListTable
            rows={list()}
            label="Contracts"
            empty="No contract yet: fill in the first one below."
            compact
            columns={
              <>
                <th scope="col">Valid from</th>
                <th scope="col">Valid to (exclusive)</th>
                <th scope="col">Retainer</th>
                <th scope="col">Status</th>
                <ActionsHeader />
              </>
            }
          >
            {(contract) => {
              const state = () => contractState(contract, today());
              const isSelected = () => selected()?.contract?.id === contract.id;
              return (
                <tr classList={{ "accounts-row--selected": isSelected() }}>
                  <td>{formatLocalDate(contract.validFrom)}</td>
                  <td>{contract.validTo ? formatLocalDate(contract.validTo) : "Open-ended"}</td>
                  <td>{money(contract.terms.retainerMinor, contract.currency)}</td>
                  <td>
                    <span class="badge" classList={{ "badge--success": state() === "in force" }}>
                      {state() === "in force" ? "In force" : state() === "upcoming" ? "Upcoming" : "Ended"}
                    </span>
                  </td>
                  <td class="cell--actions">
                    <button
                      type="button"
                      class="button button--small button--ghost"
                      aria-current={isSelected() ? "true" : undefined}
                      onClick={() => select(contract.id)}
                    >
                      {isSelected() ? "Editing" : "Edit"}
                      <span class="sr-only"> the contract from {formatLocalDate(contract.validFrom)}</span>
                    </button>
                  </td>
                </tr>
              );
            }}
          </ListTable>
        </Card>

        <Show when={selected()} keyed>
          {(selection) => (
            <Card
              title={
                selection.contract
                  ? `Edit the contract from ${formatLocalDate(selection.contract.validFrom)}`
                  : "New contract"
              }
            >
              <ContractForm
                client={client()!}
                contract={selection.contract}
                initial={initialDraft(selection.contract)}
                onCancel={() => setFormVersion((v) => v + 1)}
                onSaved={(saved) => {
                  setStatus(
                    `Contract saved: valid from ${formatLocalDate(saved.validFrom)}${saved.validTo ? ` until ${formatLocalDate(saved.validTo)} (exclusive)` : ", open-ended"}.`,
                  );
                  setFormVersion((v) => v + 1);
                  show(saved.id);
                }}
              />
            </Card>
          )}
        </Show>
      </Show>
    </Page>
  );
}
