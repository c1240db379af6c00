import { type ContractTermsInput, slaCalendars, slaMetrics, slaPriorities } from "@parley/contracts/billing";
import { useMutation, useQueryClient } from "@tanstack/solid-query";
import { type Accessor, createSignal, For, type JSX, Show } from "solid-js";
import { useSession } from "../../auth";
import type { ClientView } from "../../components/clients";
import {
  CellInput,
  CellSelect,
  CheckboxField,
  createForm,
  type Form,
  FormAlert,
  type ListPath,
  SelectField,
  SubmitButton,
  TextField,
} from "../../components/form";
import { ActionsHeader } from "../../components/query-table";
import { toUiError } from "../../errors";
import { afterChange } from "../../query";
import { trpc } from "../../trpc";
import { accountsKeys, type ContractView } from "./billing";
import { currencyCodes, exponentOf, formatUnitPrice, money, parseMajorAmount, parseNumber } from "./billing-format";
import {
  type ContractDraft,
  contractDraftSchema,
  draftPathOf,
  groupOf,
  humanizeMessage,
  type SlaCalendar,
} from "./contract-draft";

type ContractForm = Form<ContractDraft, ContractTermsInput>;
/** The term sections edited as rows of a table. */
type TermSection = ListPath<ContractDraft>;

/** How a section and one of its rows are named in messages, accessible names and buttons. */
const termNames: Record<TermSection, { rows: string; row: string }> = {
  overageTiers: { rows: "Overage tiers", row: "overage tier" },
  slaTargets: { rows: "SLA targets", row: "SLA target" },
  creditTiers: { rows: "Credit tiers", row: "credit tier" },
};

const calendarLabels: Record<SlaCalendar, string> = { "24x7": "Calendar (24x7)", business_hours: "Business hours" };
const metricLabels: Record<(typeof slaMetrics)[number], string> = {
  first_response: "First response",
  resolution: "Resolution",
};
const slaTargetOptions = {
  priority: slaPriorities.map((value) => ({ value, label: value })),
  metric: slaMetrics.map((value) => ({ value, label: metricLabels[value] })),
  calendar: slaCalendars.map((value) => ({ value, label: calendarLabels[value] })),
};

/** Moves focus to an input once the row it belongs to is rendered. */
const focusSoon = (id: string) => queueMicrotask(() => document.getElementById(id)?.focus());

/**
 * The rows of a term section: a table whose rows end with a remove button and, below, the row's message;
 * then the section's message and its "Add …" button. `children` gives a row's cells.
 */
function TermRows(props: {
  form: ContractForm;
  section: TermSection;
  "aria-label"?: string;
  "aria-labelledby"?: string;
  columns: string[];
  /** Shown instead of the table while there are no rows. */
  empty?: string;
  onAdd: () => void;
  children: (index: Accessor<number>) => JSX.Element;
}) {
  const names = () => termNames[props.section];
  const addId = () => props.form.idOf(`${props.section}.add`);
  const rowName = (index: number) => `${names().row.charAt(0).toUpperCase()}${names().row.slice(1)} ${index + 1}`;
  return (
    <>
      <Show
        when={props.form.values[props.section].length > 0}
        fallback={props.empty ? <p class="empty">{props.empty}</p> : undefined}
      >
        <div class="accounts-scroll">
          <table
            class="table table--compact accounts-rows__table"
            aria-label={props["aria-label"]}
            aria-labelledby={props["aria-labelledby"]}
          >
            <thead>
              <tr>
                <For each={props.columns}>{(column) => <th scope="col">{column}</th>}</For>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              <For each={props.form.values[props.section]}>
                {(_row, index) => (
                  <>
                    <tr>
                      {props.children(index)}
                      <td class="cell--actions">
                        <button
                          type="button"
                          class="button button--small button--danger-ghost"
                          onClick={() => {
                            props.form.removeRow(props.section, index());
                            focusSoon(addId());
                          }}
                        >
                          Remove<span class="sr-only">{` ${names().row} ${index() + 1}`}</span>
                        </button>
                      </td>
                    </tr>
                    <Show when={props.form.error(`${props.section}.${index()}`, rowName(index()))}>
                      {(message) => (
                        <tr>
                          <td colSpan={props.columns.length + 1}>
                            <p class="field__error">{message()}</p>
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
      <Show when={props.form.error(props.section, names().rows)}>
        {(message) => <p class="field__error">{message()}</p>}
      </Show>
      <button type="button" class="button button--small" id={addId()} onClick={() => props.onAdd()}>
        Add {names().row}
      </button>
    </>
  );
}

/** "From %, credit tier 2": an input's accessible name in a row. */
const cellName = (label: string, section: TermSection, index: number) =>
  `${label}, ${termNames[section].row} ${index + 1}`;

function ValidityFields(props: { form: ContractForm }) {
  return (
    <fieldset class="accounts-fieldset">
      <legend class="accounts-legend">Currency and validity</legend>
      <div class="form__grid">
        <SelectField
          field={props.form.field("currency", "Currency")}
          options={currencyCodes().map((code) => ({ value: code, label: code }))}
          hint={`Amounts below are in ${props.form.values.currency} (${exponentOf(props.form.values.currency)} decimals).`}
        />
        <TextField
          field={props.form.field("validFrom", "Valid from")}
          type="date"
          hint="The first day the contract applies (the client's date)."
        />
        <TextField
          field={props.form.field("validTo", "Valid to (exclusive)")}
          type="date"
          hint="Exclusive: the first day the contract no longer applies. Leave empty for an open-ended contract."
        />
      </div>
      <p class="accounts-note" role="note">
        <strong>A contract governs whole months:</strong> the one in force on the 1st of a month applies to that whole
        month, and a change takes effect from the next month. Start contracts on the 1st; a contract starting mid-month
        first bills the following month.
      </p>
    </fieldset>
  );
}

/** A money input in major units, with the currency beside it and the amount as it will be billed. */
function MoneyField(props: {
  form: ContractForm;
  path: "retainer" | "escalationFee" | "outOfHoursSurcharge";
  label: string;
  hint: string;
}) {
  const preview = () => {
    const parsed = parseMajorAmount(props.form.values[props.path], props.form.values.currency);
    return parsed.ok && parsed.value !== undefined ? money(parsed.value, props.form.values.currency) : null;
  };
  return (
    <TextField
      field={props.form.field(props.path, props.label)}
      inputmode="decimal"
      unit={props.form.values.currency}
      hint={`${props.hint}${preview() ? ` Billed as ${preview()}.` : ""}`}
    />
  );
}

function OverageTiers(props: { form: ContractForm }) {
  const tiers = () => props.form.values.overageTiers;
  /** "items 5,001–12,000 over the included volume" for tier `index`. */
  const range = (index: number) => {
    const previous = index === 0 ? 0 : Number(tiers()[index - 1]?.upTo || Number.NaN);
    const upTo = tiers()[index]?.upTo.trim() ?? "";
    const from = Number.isFinite(previous) ? (previous + 1).toLocaleString("en-GB") : "…";
    if (upTo === "") return `from item ${from} over the included volume, no limit`;
    const to = Number(upTo);
    return Number.isFinite(to) ? `items ${from}–${to.toLocaleString("en-GB")} over the included volume` : "";
  };
  const perItem = (text: string) => {
    const parsed = parseNumber(text);
    return parsed.ok && parsed.value !== undefined && parsed.value >= 0
      ? formatUnitPrice(parsed.value, props.form.values.currency)
      : "—";
  };
  const add = () => {
    const count = tiers().length;
    // A new bounded tier goes before the unbounded last one ("beyond … at …").
    const beforeLast = tiers()[count - 1]?.upTo.trim() === "";
    const at = beforeLast ? count - 1 : count;
    props.form.addRow("overageTiers", { upTo: "", unitPriceMinor: "" }, at);
    focusSoon(props.form.idOf(`overageTiers.${at}.upTo`));
  };
  const titleId = () => props.form.idOf("overageTiers.title");
  return (
    <div class="accounts-rows">
      <div class="accounts-rows__header">
        <h3 class="accounts-rows__title" id={titleId()}>
          Overage tiers
        </h3>
        <p class="field__hint">
          Items over the included volume, counted cumulatively: “up to 5000” at 40 bills the first 5,000 items over the
          included volume at 40 minor units each. Unit prices are in minor units of {props.form.values.currency} (up to
          4 decimals). The last tier has no limit: leave its “Up to” empty. No tiers: overage isn't billed.
        </p>
      </div>
      <TermRows
        form={props.form}
        section="overageTiers"
        aria-labelledby={titleId()}
        columns={["Tier", "Up to N items over the included volume", "Unit price (minor units)", "Per item"]}
        onAdd={add}
      >
        {(index) => {
          const upTo = () => props.form.field(`overageTiers.${index()}.upTo`, "Up to");
          const unitPrice = () => props.form.field(`overageTiers.${index()}.unitPriceMinor`, "Unit price");
          return (
            <>
              <th scope="row">
                {index() + 1}
                <span class="muted accounts-rows__meta"> {range(index())}</span>
              </th>
              <td classList={{ "field--invalid": Boolean(upTo().error()) }}>
                <CellInput
                  field={upTo()}
                  name={cellName("Up to", "overageTiers", index())}
                  inputmode="numeric"
                  placeholder="no limit"
                />
              </td>
              <td classList={{ "field--invalid": Boolean(unitPrice().error()) }}>
                <CellInput
                  field={unitPrice()}
                  name={cellName("Unit price in minor units", "overageTiers", index())}
                  inputmode="decimal"
                  unit="minor"
                />
              </td>
              <td class="accounts-num">{perItem(tiers()[index()]?.unitPriceMinor ?? "")}</td>
            </>
          );
        }}
      </TermRows>
    </div>
  );
}

function FeeFields(props: { form: ContractForm }) {
  return (
    <fieldset class="accounts-fieldset">
      <legend class="accounts-legend">Fees</legend>
      <div class="form__grid">
        <MoneyField form={props.form} path="retainer" label="Monthly retainer" hint="In major units, e.g. 2500.00." />
        <TextField
          field={props.form.field("includedItems", "Included items")}
          inputmode="numeric"
          hint="Items per month covered by the retainer."
        />
        <MoneyField form={props.form} path="escalationFee" label="Fee per escalation" hint="In major units." />
        <MoneyField
          form={props.form}
          path="outOfHoursSurcharge"
          label="Out-of-hours surcharge per item"
          hint="For items handled outside the client's business hours."
        />
        <TextField
          field={props.form.field("paymentTermsDays", "Payment terms (days)")}
          inputmode="numeric"
          hint="Days from the issue date to the due date printed on each invoice; 0 = due on receipt. Default 30."
        />
      </div>
      <OverageTiers form={props.form} />
    </fieldset>
  );
}

function SlaTargets(props: { form: ContractForm }) {
  const add = () => {
    const used = new Set(props.form.values.slaTargets.map((target) => `${target.priority} ${target.metric}`));
    const free = slaPriorities
      .flatMap((priority) => slaMetrics.map((metric) => ({ priority, metric })))
      .find((pair) => !used.has(`${pair.priority} ${pair.metric}`)) ?? {
      priority: "P4" as const,
      metric: "resolution" as const,
    };
    const at = props.form.values.slaTargets.length;
    props.form.addRow("slaTargets", {
      ...free,
      minutes: "",
      calendar: "business_hours",
      complianceTargetPercent: "95",
    });
    focusSoon(props.form.idOf(`slaTargets.${at}.priority`));
  };
  return (
    <fieldset class="accounts-fieldset">
      <legend class="accounts-legend">SLA targets</legend>
      <p class="field__hint">
        One row per priority and metric. Compliance is the share of the month's items whose clock met the target.
      </p>
      <TermRows
        form={props.form}
        section="slaTargets"
        aria-label="SLA targets"
        columns={["Priority", "Metric", "Minutes", "Calendar", "Compliance target %"]}
        empty="No SLA targets: no service credits."
        onAdd={add}
      >
        {(index) => {
          const name = (label: string) => cellName(label, "slaTargets", index());
          const field = (key: "priority" | "metric" | "calendar" | "minutes", label: string) =>
            props.form.field(`slaTargets.${index()}.${key}`, label);
          return (
            <>
              <td>
                <CellSelect
                  field={field("priority", "Priority")}
                  name={name("Priority")}
                  options={slaTargetOptions.priority}
                />
              </td>
              <td>
                <CellSelect field={field("metric", "Metric")} name={name("Metric")} options={slaTargetOptions.metric} />
              </td>
              <td>
                <CellInput field={field("minutes", "Minutes")} name={name("Minutes")} inputmode="numeric" />
              </td>
              <td>
                <CellSelect
                  field={field("calendar", "Calendar")}
                  name={name("Calendar")}
                  options={slaTargetOptions.calendar}
                />
              </td>
              <td>
                <CellInput
                  field={props.form.field(`slaTargets.${index()}.complianceTargetPercent`, "Compliance target")}
                  name={name("Compliance target %")}
                  inputmode="decimal"
                />
              </td>
            </>
          );
        }}
      </TermRows>
    </fieldset>
  );
}

function ServiceCredits(props: { form: ContractForm }) {
  const add = () => {
    const at = props.form.values.creditTiers.length;
    props.form.addRow("creditTiers", { fromPercent: "", toPercent: "", creditPercent: "" });
    focusSoon(props.form.idOf(`creditTiers.${at}.fromPercent`));
  };
  return (
    <fieldset class="accounts-fieldset">
      <legend class="accounts-legend">Service credits</legend>
      <p class="field__hint">
        A target missed with compliance in a tier's range earns the client that share of the month's fees as a credit.
        Lower bound inclusive, upper exclusive: from 90 to 95 means 90 % ≤ compliance &lt; 95 %.
      </p>
      <TermRows
        form={props.form}
        section="creditTiers"
        aria-label="Service-credit tiers"
        columns={["Tier", "From % (inclusive)", "To % (exclusive)", "Credit % of fees"]}
        empty="No credit tiers: no service credits."
        onAdd={add}
      >
        {(index) => {
          const cell = (key: "fromPercent" | "toPercent" | "creditPercent", label: string) => (
            <td>
              <CellInput
                field={props.form.field(`creditTiers.${index()}.${key}`, label)}
                name={cellName(label, "creditTiers", index())}
                inputmode="decimal"
              />
            </td>
          );
          return (
            <>
              <th scope="row">{index() + 1}</th>
              {cell("fromPercent", "From %")}
              {cell("toPercent", "To %")}
              {cell("creditPercent", "Credit %")}
            </>
          );
        }}
      </TermRows>
      <div class="form__grid accounts-credit-settings">
        <TextField
          field={props.form.field("creditCapPercent", "Credit cap %")}
          inputmode="decimal"
          hint="The share of the month's fees at risk: all credits together never exceed it."
        />
      </div>
      <CheckboxField
        field={props.form.field("excludeClientSideTime", "Exclude client-side waiting time")}
        hint="SLA clocks don't count the time spent waiting on the client (e.g. an open escalation). On by default."
      />
      <CheckboxField
        field={props.form.field("acknowledgementCountsAsFirstResponse", "Acknowledgements count as the first response")}
        hint="A delivered acknowledgement (“we've seen this, we're on it”) stops the first-response clock, as triage cover is usually contracted. Off: only a delivered answer stops it. On by default."
      />
    </fieldset>
  );
}

/** The contract's terms, validated live by the same schema the server uses; saving creates or updates it. */
export function ContractForm(props: {
  client: ClientView;
  contract: ContractView | null;
  initial: ContractDraft;
  onSaved: (contract: ContractView) => void;
  onCancel: () => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const form = createForm({
    initial: props.initial,
    schema: contractDraftSchema,
    pathOf: draftPathOf,
    groupOf,
    wording: humanizeMessage,
  });
  const save = useMutation(() => ({
    mutationFn: ({ terms, endCurrent }: { terms: ContractTermsInput; endCurrent?: boolean }) =>
      trpc.contracts.save.mutate({ clientId: props.client.id, contractId: props.contract?.id, terms, endCurrent }),
    ...afterChange(queryClient, { stale: () => [accountsKeys.contracts(session.agencyId(), props.client.id)] }),
  }));
  // A new contract refused because an open-ended one runs: the terms, kept to save again ending that one.
  // The server's refusal names both periods and the day the current one would end.
  const [renewal, setRenewal] = createSignal<{ terms: ContractTermsInput; message: string } | null>(null);

  return (
    <form
      class="form accounts-contract"
      noValidate
      aria-label="Contract"
      onSubmit={form.handleSubmit(async (terms) => {
        setRenewal(null);
        try {
          props.onSaved(await save.mutateAsync({ terms }));
        } catch (error) {
          const info = toUiError(error);
          if (!props.contract && info.reason === "overlapping_contract" && /end the current one/.test(info.message))
            setRenewal({ terms, message: info.message });
          throw error;
        }
      })}
    >
      <FormAlert message={form.formError()} />
      <Show when={renewal()}>
        {(offer) => (
          <section class="form__row" aria-label="Renewal">
            <p>{offer().message}.</p>
            <button
              type="button"
              class="button button--primary"
              disabled={save.isPending}
              onClick={async () => {
                try {
                  props.onSaved(await save.mutateAsync({ terms: offer().terms, endCurrent: true }));
                } catch (error) {
                  form.applyError(error);
                }
                setRenewal(null);
              }}
            >
              End the current contract the day before and save this one
            </button>
          </section>
        )}
      </Show>
      <ValidityFields form={form} />
      <FeeFields form={form} />
      <SlaTargets form={form} />
      <ServiceCredits form={form} />
      <div class="form__footer accounts-contract__actions">
        <button type="button" class="button" onClick={() => props.onCancel()}>
          Discard changes
        </button>
        <SubmitButton busy={form.submitting()} label="Save contract" />
      </div>
    </form>
  );
}
