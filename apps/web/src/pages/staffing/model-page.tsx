import { staffingSettingsInput } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import { useClients } from "../../components/clients";
import { createForm, FormAlert, SubmitButton, TextField } from "../../components/form";
import { Card, Page, QueryStatusOf, StatusMessage } from "../../components/page";
import { HeaderCells, ListTable } from "../../components/query-table";
import { humanize } from "../../components/work";
import { formatDateTime } from "../../format";
import { afterChange } from "../../query";
import { trpc } from "../../trpc";
import type { StaffingSettings } from "./staffing-api";
import { staffingKeys } from "./staffing-api";
import { formatPercent, formatSeconds } from "./staffing-format";

/** How the plan is made: the forecast's error, the handling times it uses, and the agency's settings. */
export function StaffingModelPage() {
  return (
    <Page
      title="Forecast and settings"
      lead="The forecast is each client's hour-of-week profile from the last 12 weeks, recent weeks weighted more (each week 0.75 of the next), planned events left out of the profile and applied to the weeks they fall in. Below: its error on the last 4 weeks held out, the handling times measured from real work, and the settings the plan uses."
    >
      <AccuracyCard />
      <HandlingTimesCard />
      <SettingsCard />
    </Page>
  );
}

function AccuracyCard() {
  const session = useSession();
  const accuracy = useQuery(() => ({
    queryKey: staffingKeys.accuracy(session.agencyId()),
    queryFn: () => trpc.staffing.accuracy.query(),
  }));
  return (
    <Card title="Forecast error on the last 4 weeks held out">
      <QueryStatusOf query={accuracy} what="the forecast's accuracy" />
      <Show when={accuracy.data}>
        {(data) => (
          <>
            <p class="muted">
              Fitted on the weeks before {formatDateTime(data().heldOutFrom)}, compared hour by hour with what arrived
              until {formatDateTime(data().heldOutTo)}. WAPE: the sum of absolute errors over the items that arrived.
              "Same as last week" repeats the last fitted week.
            </p>
            <ListTable
              compact
              rows={data().clients}
              label="Forecast error per client"
              columns={
                <HeaderCells
                  names={[
                    "Client",
                    "Weeks fitted",
                    "Items arrived",
                    "Hourly WAPE",
                    "Daily WAPE",
                    "Bias",
                    "Same as last week (hourly)",
                    "Plain mean / ×0.5 weighting (hourly)",
                  ]}
                />
              }
            >
              {(client) => (
                <tr>
                  <th scope="row">{client.clientName}</th>
                  <Show when={client.accuracy} fallback={<td colSpan={7}>Not enough history yet (5 weeks needed).</td>}>
                    {(result) => (
                      <>
                        <td class="staffing-num">{result().fittedWeeks}</td>
                        <td class="staffing-num">{result().actualTotal}</td>
                        <td class="staffing-num">{formatPercent(result().method.hourlyWape)}</td>
                        <td class="staffing-num">{formatPercent(result().method.dailyWape)}</td>
                        <td class="staffing-num">{formatPercent(result().method.bias)}</td>
                        <td class="staffing-num">{formatPercent(result().naive.hourlyWape)}</td>
                        <td class="staffing-num">
                          {client.byDecay
                            .filter((entry) => entry.decay !== data().decay)
                            .map((entry) => formatPercent(entry.hourlyWape))
                            .join(" / ")}
                        </td>
                      </>
                    )}
                  </Show>
                </tr>
              )}
            </ListTable>
          </>
        )}
      </Show>
    </Card>
  );
}

function HandlingTimesCard() {
  const session = useSession();
  const handling = useQuery(() => ({
    queryKey: staffingKeys.handlingTimes(session.agencyId()),
    queryFn: () => trpc.staffing.handlingTimes.query(),
  }));
  const clients = useClients();
  const clientName = (id: string) => clients.data?.find((client) => client.id === id)?.name ?? "";
  return (
    <Card title="Handling times">
      <QueryStatusOf query={handling} what="handling times" />
      <Show when={handling.data}>
        {(data) => (
          <>
            <p class="muted">
              From a moderator's claim to the action that handled the item, over the last 4 weeks; claims that expired,
              were released or skipped, or were held over an hour are left out. A category with fewer than{" "}
              {data().minSamples} measured claims uses the fallback ({formatSeconds(data().fallbackAhtSeconds)}).
            </p>
            <ListTable
              compact
              rows={data().categories}
              label="Handling times per client and category"
              columns={
                <HeaderCells
                  names={["Client", "Category", "Items", "Claims measured", "Mean", "Median", "Planned with"]}
                />
              }
            >
              {(category) => (
                <tr>
                  <th scope="row">{clientName(category.clientId)}</th>
                  <td>{humanize(category.categoryKey)}</td>
                  <td class="staffing-num">{category.items}</td>
                  <td class="staffing-num">{category.samples}</td>
                  <td class="staffing-num">{formatSeconds(category.meanSeconds)}</td>
                  <td class="staffing-num">{formatSeconds(category.medianSeconds)}</td>
                  <td class="staffing-num">
                    {formatSeconds(category.usedSeconds)}
                    <Show when={category.source === "fallback"}>
                      <span class="muted"> (fallback)</span>
                    </Show>
                  </td>
                </tr>
              )}
            </ListTable>
          </>
        )}
      </Show>
    </Card>
  );
}

const settingLabels = {
  maxOccupancyPercent: "Occupancy cap (%)",
  shrinkagePercent: "Shrinkage (%)",
  fallbackAhtSeconds: "Fallback handling time (s)",
  triageAhtSeconds: "Triage handling time (s)",
};

function valuesOf(settings: StaffingSettings | undefined) {
  return {
    maxOccupancyPercent: String(settings?.maxOccupancyPercent ?? ""),
    shrinkagePercent: String(settings?.shrinkagePercent ?? ""),
    fallbackAhtSeconds: String(settings?.fallbackAhtSeconds ?? ""),
    triageAhtSeconds: String(settings?.triageAhtSeconds ?? ""),
  };
}

const asNumber = (value: string) => (value.trim() === "" ? Number.NaN : Number(value));

function SettingsCard() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<string | null>(null);
  const settings = useQuery(() => ({
    queryKey: staffingKeys.settings(session.agencyId()),
    queryFn: () => trpc.staffing.settings.query(),
  }));
  const save = useMutation(() => ({
    mutationFn: (input: Parameters<typeof trpc.staffing.saveSettings.mutate>[0]) =>
      trpc.staffing.saveSettings.mutate(input),
    ...afterChange(queryClient, { stale: () => [staffingKeys.all(session.agencyId())] }),
  }));
  const form = createForm({
    initial: valuesOf(undefined),
    labels: settingLabels,
    schema: staffingSettingsInput,
    toInput: (values) => ({
      maxOccupancyPercent: asNumber(values.maxOccupancyPercent),
      shrinkagePercent: asNumber(values.shrinkagePercent),
      fallbackAhtSeconds: asNumber(values.fallbackAhtSeconds),
      triageAhtSeconds: asNumber(values.triageAhtSeconds),
    }),
  });
  createEffect(() => {
    if (settings.data) form.reset(valuesOf(settings.data));
  });
  return (
    <Card title="Settings">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <QueryStatusOf query={settings} what="staffing settings" />
      <Show when={settings.data}>
        <form
          class="form"
          noValidate
          aria-label="Staffing settings"
          onSubmit={form.handleSubmit(async (input) => {
            await save.mutateAsync(input);
            setStatus("Staffing settings saved; the plans use them now.");
          })}
        >
          <FormAlert message={form.formError()} />
          <div class="form__grid">
            <TextField
              field={form.field("maxOccupancyPercent")}
              hint="Moderators are planned busy at most this share of the time."
            />
            <TextField
              field={form.field("shrinkagePercent")}
              hint="Share of rostered time off the queue (breaks, meetings, training); 30 % is the practitioners' buffer."
            />
            <TextField field={form.field("fallbackAhtSeconds")} hint="Used where fewer than 20 claims were measured." />
            <TextField
              field={form.field("triageAhtSeconds")}
              hint="Acknowledge and escalate: the triage-only cover's pace."
            />
          </div>
          <Show when={!settings.data?.saved}>
            <p class="muted">These are the defaults; saving makes them this agency's.</p>
          </Show>
          <div class="form__footer">
            <SubmitButton busy={form.submitting()} label="Save settings" />
          </div>
        </form>
      </Show>
    </Card>
  );
}
