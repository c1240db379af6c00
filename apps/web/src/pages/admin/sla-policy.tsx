import {
  type SlaPolicyInput,
  slaCalendars,
  slaMetrics,
  slaPolicyInput,
  slaPriorities,
} from "@parley/contracts/billing";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createSignal, Index, Show } from "solid-js";
import { useSession } from "../../auth";
import { CellInput, CellSelect, createForm, FormAlert, SubmitButton } from "../../components/form";
import { Card, QueryStatus, StatusMessage } from "../../components/page";
import { toUiError } from "../../errors";
import { type RouterOutputs, trpc } from "../../trpc";

interface Row {
  priority: string;
  metric: string;
  minutes: string;
  calendar: string;
}

const metricNames: Record<string, string> = { first_response: "First response", resolution: "Resolution" };
const calendarNames: Record<string, string> = { "24x7": "24x7", business_hours: "Business hours" };

function rowsOf(policy: RouterOutputs["agency"]["slaPolicy"] | undefined): Row[] {
  return (policy?.targets ?? []).map((target) => ({ ...target, minutes: String(target.minutes) }));
}

/**
 * The agency's default SLA: the clock targets of clients without a contract in force, shown on their clocks as
 * "agency default (no contract)". Running clocks keep their targets; new items use the new ones.
 */
export function SlaPolicyCard() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<string | null>(null);
  const key = () => [session.agencyId(), "agency", "slaPolicy"] as const;
  const policy = useQuery(() => ({ queryKey: key(), queryFn: () => trpc.agency.slaPolicy.query() }));
  const save = useMutation(() => ({
    mutationFn: (input: SlaPolicyInput) => trpc.agency.saveSlaPolicy.mutate(input),
    onSuccess: (saved) => queryClient.setQueryData(key(), saved),
  }));
  const form = createForm({
    id: "sla-policy",
    initial: { targets: [] as Row[] },
    schema: slaPolicyInput,
    toInput: (values) => ({
      targets: values.targets.map((row) => ({
        ...row,
        minutes: /^\d+$/.test(row.minutes.trim()) ? Number(row.minutes) : row.minutes,
      })),
    }),
  });
  createEffect(() => {
    if (policy.data) form.reset({ targets: rowsOf(policy.data) });
  });
  const options = (values: readonly string[], names: Record<string, string> = {}) =>
    values.map((value) => ({ value, label: names[value] ?? value }));

  return (
    <Card title="Default SLA (no contract)">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <QueryStatus
        loading={policy.isPending}
        error={policy.isError ? toUiError(policy.error).message : null}
        what="the default SLA"
        onRetry={() => void policy.refetch()}
      />
      <Show when={policy.isSuccess}>
        <form
          class="form"
          noValidate
          aria-label="Default SLA"
          onSubmit={form.handleSubmit(async (input) => {
            await save.mutateAsync(input);
            setStatus("Default SLA saved. New items of clients without a contract use it; running clocks keep theirs.");
          })}
        >
          <p class="muted">
            Clients without a contract in force run their clocks on these targets, shown as “agency default (no
            contract)”. A priority and metric left out gets no clock.
          </p>
          <FormAlert message={form.formError()} />
          <table class="table" aria-label="Default SLA targets">
            <thead>
              <tr>
                <th scope="col">Priority</th>
                <th scope="col">Metric</th>
                <th scope="col">Minutes</th>
                <th scope="col">Calendar</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <Index each={form.values.targets}>
                {(_, index) => (
                  <tr>
                    <td>
                      <CellSelect
                        field={form.field(`targets.${index}.priority`, "Priority")}
                        name={`Priority, target ${index + 1}`}
                        options={options(slaPriorities)}
                      />
                    </td>
                    <td>
                      <CellSelect
                        field={form.field(`targets.${index}.metric`, "Metric")}
                        name={`Metric, target ${index + 1}`}
                        options={options(slaMetrics, metricNames)}
                      />
                    </td>
                    <td>
                      <CellInput
                        field={form.field(`targets.${index}.minutes`, "Minutes")}
                        name={`Minutes, target ${index + 1}`}
                        inputmode="numeric"
                      />
                    </td>
                    <td>
                      <CellSelect
                        field={form.field(`targets.${index}.calendar`, "Calendar")}
                        name={`Calendar, target ${index + 1}`}
                        options={options(slaCalendars, calendarNames)}
                      />
                    </td>
                    <td class="cell--actions">
                      <button
                        type="button"
                        class="button button--small button--danger-ghost"
                        onClick={() => form.removeRow("targets", index)}
                      >
                        Remove<span class="sr-only"> target {index + 1}</span>
                      </button>
                    </td>
                  </tr>
                )}
              </Index>
            </tbody>
          </table>
          <div class="form__footer">
            <button
              type="button"
              class="button"
              onClick={() =>
                form.addRow("targets", { priority: "P1", metric: "first_response", minutes: "", calendar: "24x7" })
              }
            >
              Add a target
            </button>
            <SubmitButton busy={form.submitting()} label="Save default SLA" />
          </div>
        </form>
      </Show>
    </Card>
  );
}
