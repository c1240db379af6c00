import { contractForPeriod } from "@parley/contracts/billing";
import { type RouteSectionProps, useNavigate, useSearchParams } from "@solidjs/router";
import { useQuery } from "@tanstack/solid-query";
import { createMemo, createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import { useClients } from "../../components/clients";
import { Card, Page, QueryStatus, StatusMessage } from "../../components/page";
import { ActionsHeader, ListTable } from "../../components/query-table";
import { toUiError } from "../../errors";
import { trpc } from "../../trpc";
import { accountsKeys, type ContractView } from "./billing";
import { formatLocalDate, money, todayIn } from "./billing-format";
import { type ContractDraft, defaultDraft, draftFromTerms, firstOfMonth, firstOfNextMonth } from "./contract-draft";
import { ContractForm } from "./contract-form";

/** Where a contract stands relative to `today` (the client's date). */
function contractState(contract: ContractView, today: string): "in force" | "upcoming" | "ended" {
  if (contract.validFrom > today) return "upcoming";
  if (contract.validTo !== null && contract.validTo <= today) return "ended";
  return "in force";
}

export function ContractEditorPage(props: RouteSectionProps) {
  const session = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams<{ contract?: string }>();
  const clientId = () => props.params.clientId ?? "";
  const [status, setStatus] = createSignal<string | null>(null);
  const [formVersion, setFormVersion] = createSignal(0);

  const clients = useClients();
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
