import { type Authority, authorities, memberRoleInput, type Role, roles } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { useSession } from "../../auth";
import { type ClientView, useClients } from "../../components/clients";
import { ConfirmDialog, FormDialog } from "../../components/dialog";
import { createForm, SelectField } from "../../components/form";
import { Card, Page, StatusMessage } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { toUiError } from "../../errors";
import { keys } from "../../query";
import { authorityLabels, isClientScoped, roleLabels } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import { InviteMemberCard, PendingInvitationsCard, ResetLinkButton } from "./invitations";

type MemberView = RouterOutputs["members"]["list"][number];
type MemberAssignInput = RouterInputs["members"]["assignClients"];

const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));

function defaultAuthority(role: Role): Authority {
  return role === "moderator" ? "respond" : "view";
}

function ChangeRoleDialog(props: { member: MemberView; onClose: () => void; onSaved: (member: MemberView) => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const form = createForm({
    initial: { role: props.member.role as string },
    labels: { role: "Role" },
    schema: memberRoleInput,
    toInput: (values) => ({ membershipId: props.member.membershipId, role: values.role }),
  });
  const change = useMutation(() => ({
    mutationFn: (input: { membershipId: string; role: Role }) => trpc.members.changeRole.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.members(session.agencyId()) }),
  }));
  return (
    <FormDialog
      title={`Change the role of ${props.member.name}`}
      label="Change role"
      error={form.formError()}
      busy={form.submitting()}
      submitLabel="Save role"
      onSubmit={form.handleSubmit(async (input) => props.onSaved(await change.mutateAsync(input)))}
      onClose={props.onClose}
    >
      <SelectField
        field={form.field("role")}
        options={roleOptions}
        hint="Owners and admins see every client; other roles only the clients assigned to them."
      />
    </FormDialog>
  );
}

interface AssignmentRow {
  assigned: boolean;
  authority: Authority;
  clientAdmin: boolean;
}

function AssignClientsDialog(props: {
  member: MemberView;
  clients: ClientView[];
  onClose: () => void;
  onSaved: (member: MemberView) => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const isStakeholder = () => props.member.role === "client_stakeholder";
  const active = () => props.clients.filter((client) => client.status === "active");
  const existing = new Map(props.member.assignments.map((a) => [a.clientId, a]));
  const [rows, setRows] = createStore<Record<string, AssignmentRow>>(
    Object.fromEntries(
      props.clients.map((client) => {
        const current = existing.get(client.id);
        return [
          client.id,
          {
            assigned: Boolean(current),
            authority: current?.authority ?? defaultAuthority(props.member.role),
            clientAdmin: current?.clientAdmin ?? false,
          },
        ];
      }),
    ),
  );
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const assign = useMutation(() => ({
    mutationFn: (input: MemberAssignInput) => trpc.members.assignClients.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.members(session.agencyId()) }),
  }));

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    const visible = new Set(active().map((client) => client.id));
    const assignments: MemberAssignInput["assignments"] = [
      ...active()
        .filter((client) => rows[client.id]?.assigned)
        .map((client) => ({
          clientId: client.id,
          authority: rows[client.id]!.authority,
          clientAdmin: isStakeholder() && rows[client.id]!.clientAdmin,
        })),
      // Assignments to archived clients aren't listed here; keep them as they are.
      ...props.member.assignments.filter((a) => !visible.has(a.clientId)),
    ];
    setBusy(true);
    setError(null);
    try {
      props.onSaved(await assign.mutateAsync({ membershipId: props.member.membershipId, assignments }));
    } catch (err) {
      const info = toUiError(err);
      const details = Object.entries(info.fields).map(([path, message]) => {
        const index = /^assignments\.(\d+)/.exec(path)?.[1];
        const client = index === undefined ? undefined : assignments[Number(index)];
        const name = client ? props.clients.find((c) => c.id === client.clientId)?.name : undefined;
        return name ? `${name}: ${message}` : `${path}: ${message}`;
      });
      setError(details.length > 0 ? `${info.message.split(" — ")[0]} — ${details.join("; ")}` : info.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog
      title={`Clients of ${props.member.name}`}
      description={`${roleLabels[props.member.role]}s only see and work on the clients assigned here.`}
      wide
      label="Assign clients"
      error={error()}
      busy={busy()}
      submitLabel="Save assignments"
      onSubmit={save}
      onClose={props.onClose}
    >
      <Show when={active().length > 0} fallback={<p class="empty">There are no active clients to assign.</p>}>
        <div class="table-wrap">
          <table class="table table--compact">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Authority</th>
                <Show when={isStakeholder()}>
                  <th scope="col">Client admin</th>
                </Show>
              </tr>
            </thead>
            <tbody>
              <For each={active()}>
                {(client) => {
                  const id = `assign-${client.id}`;
                  return (
                    <tr>
                      <td>
                        <label class="toggle" for={id}>
                          <input
                            id={id}
                            type="checkbox"
                            class="checkbox"
                            checked={rows[client.id]?.assigned ?? false}
                            onChange={(e) => setRows(client.id, "assigned", e.currentTarget.checked)}
                          />
                          {client.name}
                        </label>
                      </td>
                      <td>
                        <select
                          class="input select select--compact"
                          aria-label={`Authority for ${client.name}`}
                          disabled={!rows[client.id]?.assigned}
                          onChange={(e) => setRows(client.id, "authority", e.currentTarget.value as Authority)}
                        >
                          <For each={authorities}>
                            {(authority) => (
                              <option value={authority} selected={rows[client.id]?.authority === authority}>
                                {authorityLabels[authority]}
                              </option>
                            )}
                          </For>
                        </select>
                      </td>
                      <Show when={isStakeholder()}>
                        <td>
                          <input
                            type="checkbox"
                            class="checkbox"
                            aria-label={`Client admin for ${client.name}`}
                            disabled={!rows[client.id]?.assigned}
                            checked={rows[client.id]?.clientAdmin ?? false}
                            onChange={(e) => setRows(client.id, "clientAdmin", e.currentTarget.checked)}
                          />
                        </td>
                      </Show>
                    </tr>
                  );
                }}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </FormDialog>
  );
}

function AssignmentSummary(props: { member: MemberView; clientName: (id: string) => string }) {
  return (
    <Show when={isClientScoped(props.member.role)} fallback={<span class="muted">All clients</span>}>
      <Show when={props.member.assignments.length > 0} fallback={<span class="muted">None assigned</span>}>
        <ul class="chips">
          <For each={props.member.assignments}>
            {(assignment) => (
              <li class="chip">
                {props.clientName(assignment.clientId)}
                <span class="chip__meta">
                  {" "}
                  · {assignment.authority}
                  {assignment.clientAdmin ? ", client admin" : ""}
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </Show>
  );
}

export function MembersPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<string | null>(null);
  const [changingRole, setChangingRole] = createSignal<MemberView | null>(null);
  const [assigning, setAssigning] = createSignal<MemberView | null>(null);
  const [removing, setRemoving] = createSignal<MemberView | null>(null);

  const members = useQuery(() => ({
    queryKey: keys.members(session.agencyId()),
    queryFn: () => trpc.members.list.query(),
  }));
  const clients = useClients(() => true);
  const clientNames = createMemo(() => new Map((clients.data ?? []).map((client) => [client.id, client.name])));
  const clientName = (id: string) => clientNames().get(id) ?? "Unknown client";
  const invalidate = () => queryClient.invalidateQueries({ queryKey: keys.members(session.agencyId()) });

  const remove = useMutation(() => ({
    mutationFn: (membershipId: string) => trpc.members.remove.mutate({ membershipId }),
    onSuccess: invalidate,
  }));

  const isSelf = (member: MemberView) => member.membershipId === session.membershipId();

  return (
    <Page title="Members" lead="Who works in this agency, in which role, and on which clients.">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />

      <InviteMemberCard onStatus={setStatus} />
      <PendingInvitationsCard onStatus={setStatus} />

      <Card title="All members">
        <QueryTable
          query={members}
          what="members"
          label="Members"
          columns={
            <>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">Clients</th>
              <ActionsHeader />
            </>
          }
        >
          {(member) => (
            <tr>
              <td class="cell--primary">
                {member.name}
                <Show when={isSelf(member)}>
                  <span class="muted"> (you)</span>
                </Show>
              </td>
              <td>{member.email}</td>
              <td>{roleLabels[member.role]}</td>
              <td>
                <AssignmentSummary member={member} clientName={clientName} />
              </td>
              <td class="cell--actions">
                <Show when={isClientScoped(member.role)}>
                  <button
                    type="button"
                    class="button button--small"
                    disabled={!clients.isSuccess}
                    onClick={() => setAssigning(member)}
                  >
                    Assign clients<span class="sr-only"> to {member.name}</span>
                  </button>
                </Show>
                <Show when={!isSelf(member) && session.role() === "owner"}>
                  <ResetLinkButton member={member} onStatus={setStatus} />
                </Show>
                <Show when={!isSelf(member)}>
                  <button type="button" class="button button--small" onClick={() => setChangingRole(member)}>
                    Change role<span class="sr-only"> of {member.name}</span>
                  </button>
                  <button
                    type="button"
                    class="button button--small button--danger-ghost"
                    onClick={() => setRemoving(member)}
                  >
                    Remove<span class="sr-only"> {member.name}</span>
                  </button>
                </Show>
              </td>
            </tr>
          )}
        </QueryTable>
      </Card>

      <Show when={changingRole()}>
        {(member) => (
          <ChangeRoleDialog
            member={member()}
            onClose={() => setChangingRole(null)}
            onSaved={(saved) => {
              setChangingRole(null);
              setStatus(`${saved.name} is now ${roleLabels[saved.role]}.`);
            }}
          />
        )}
      </Show>
      <Show when={assigning()}>
        {(member) => (
          <AssignClientsDialog
            member={member()}
            clients={clients.data ?? []}
            onClose={() => setAssigning(null)}
            onSaved={(saved) => {
              setAssigning(null);
              setStatus(`Client assignments of ${saved.name} saved.`);
            }}
          />
        )}
      </Show>
      <Show when={removing()}>
        {(member) => (
          <ConfirmDialog
            title={`Remove ${member().name}?`}
            description={`${member().name} (${member().email}) loses access to ${session.current().agencyName} at once. Their past actions stay in the audit trail.`}
            confirmLabel="Remove member"
            danger
            onConfirm={async () => {
              await remove.mutateAsync(member().membershipId);
              setStatus(`${member().name} was removed from ${session.current().agencyName}.`);
            }}
            onClose={() => setRemoving(null)}
          />
        )}
      </Show>
    </Page>
  );
}
