import {
  type Authority,
  authoritiesByRole,
  memberAssignInput,
  memberRoleInput,
  type Role,
  roles,
} from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createMemo, createSignal, For, Index, Show } from "solid-js";
import { useSession } from "../../auth";
import { type ClientView, useClients } from "../../components/clients";
import { ConfirmDialog, FormDialog } from "../../components/dialog";
import { CellCheckbox, CellSelect, createForm, SelectField } from "../../components/form";
import { Card, Page, StatusMessage } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { afterChange, keys } from "../../query";
import { authorityLabels, isClientScoped, roleLabels } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";
import { InviteMemberCard, PendingInvitationsCard, ResetLinkButton } from "./invitations";

type MemberView = RouterOutputs["members"]["list"][number];
type MemberAssignInput = RouterInputs["members"]["assignClients"];

const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));
/** Only what the member's role may hold: a stakeholder is never offered Respond or Triage. */
const authorityOptionsFor = (role: Role) =>
  authoritiesByRole[role].map((authority) => ({ value: authority, label: authorityLabels[authority] }));

function defaultAuthority(role: Role): Authority {
  return authoritiesByRole[role][0] ?? "view";
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
    mutationFn: (input: RouterInputs["members"]["changeRole"]) => trpc.members.changeRole.mutate(input),
    ...afterChange(queryClient, { stale: () => [keys.members(session.agencyId())] }),
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

/** One active client's row in the dialog: whether the member works on it, and how. */
interface AssignmentRow {
  clientId: string;
  name: string;
  assigned: boolean;
  authority: string;
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
  const isStakeholder = props.member.role === "client_stakeholder";
  const existing = new Map(props.member.assignments.map((a) => [a.clientId, a]));
  const active = props.clients.filter((client) => client.status === "active");
  const rows: AssignmentRow[] = active.map((client) => {
    const current = existing.get(client.id);
    return {
      clientId: client.id,
      name: client.name,
      assigned: Boolean(current),
      authority: current?.authority ?? defaultAuthority(props.member.role),
      clientAdmin: current?.clientAdmin ?? false,
    };
  });
  // Assignments to archived clients aren't listed here; they are kept as they are, after the listed ones.
  const listed = new Set(active.map((client) => client.id));
  const kept = props.member.assignments.filter((a) => !listed.has(a.clientId));
  const assignedRows = (values: { rows: AssignmentRow[] }) => values.rows.filter((row) => row.assigned);

  const form = createForm({
    initial: { rows },
    schema: memberAssignInput,
    toInput: (values) => ({
      membershipId: props.member.membershipId,
      assignments: [
        ...assignedRows(values).map((row) => ({
          clientId: row.clientId,
          authority: row.authority,
          clientAdmin: isStakeholder && row.clientAdmin,
        })),
        ...kept,
      ],
    }),
    // `assignments.<n>.<field>` of the input is the n-th ticked row.
    pathOf: (inputPath): string => {
      const [, index, field] = /^assignments\.(\d+)(?:\.(\w+))?/.exec(inputPath) ?? [];
      const row = index === undefined ? undefined : assignedRows(form.values)[Number(index)];
      if (!row) return inputPath;
      const at = form.values.rows.indexOf(row);
      return `rows.${at}.${field === "authority" || field === "clientAdmin" ? field : "assigned"}`;
    },
  });

  const assign = useMutation(() => ({
    mutationFn: (input: MemberAssignInput) => trpc.members.assignClients.mutate(input),
    ...afterChange(queryClient, { stale: () => [keys.members(session.agencyId())] }),
  }));

  return (
    <FormDialog
      title={`Clients of ${props.member.name}`}
      description={`${roleLabels[props.member.role]}s only see and work on the clients assigned here.`}
      wide
      label="Assign clients"
      error={form.formError()}
      busy={form.submitting()}
      submitLabel="Save assignments"
      onSubmit={form.handleSubmit(async (input) => props.onSaved(await assign.mutateAsync(input)))}
      onClose={props.onClose}
    >
      <Show when={rows.length > 0} fallback={<p class="empty">There are no active clients to assign.</p>}>
        <div class="table-wrap">
          <table class="table table--compact">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Authority</th>
                <Show when={isStakeholder}>
                  <th scope="col">Client admin</th>
                </Show>
              </tr>
            </thead>
            <tbody>
              <Index each={form.values.rows}>
                {(row, index) => (
                  <tr>
                    <td>
                      <CellCheckbox field={form.field(`rows.${index}.assigned`, row().name)}>{row().name}</CellCheckbox>
                    </td>
                    <td>
                      <CellSelect
                        field={form.field(`rows.${index}.authority`, `Authority for ${row().name}`)}
                        name={`Authority for ${row().name}`}
                        options={authorityOptionsFor(props.member.role)}
                        disabled={!row().assigned}
                      />
                    </td>
                    <Show when={isStakeholder}>
                      <td>
                        <CellCheckbox
                          field={form.field(`rows.${index}.clientAdmin`, `Client admin for ${row().name}`)}
                          name={`Client admin for ${row().name}`}
                          disabled={!row().assigned}
                        />
                      </td>
                    </Show>
                  </tr>
                )}
              </Index>
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

  const remove = useMutation(() => ({
    mutationFn: (membershipId: string) => trpc.members.remove.mutate({ membershipId }),
    ...afterChange(queryClient, { stale: () => [keys.members(session.agencyId())] }),
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
