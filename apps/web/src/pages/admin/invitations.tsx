import { memberInviteInput, roles } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import { createForm, FormAlert, SelectField, SubmitButton, TextField } from "../../components/form";
import { OnceSecret } from "../../components/once-secret";
import { Card } from "../../components/page";
import { ActionsHeader, QueryTable } from "../../components/query-table";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { afterChange, keys } from "../../query";
import { roleLabels } from "../../roles";
import { type RouterInputs, type RouterOutputs, trpc } from "../../trpc";

type InvitationSent = RouterOutputs["members"]["invite"];
type PasswordResetLink = RouterOutputs["members"]["issuePasswordReset"];
type Member = RouterOutputs["members"]["list"][number];

const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));
const invitationsKey = (agencyId: string) => [...keys.members(agencyId), "invitations"] as const;

/**
 * Inviting sends a single-use link: by e-mail when the server has SMTP, otherwise shown here once for the admin
 * to pass on. Nobody joins (and nobody's password is ever shown) until the invitee accepts.
 */
export function InviteMemberCard(props: { onStatus: (message: string | null) => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [sent, setSent] = createSignal<InvitationSent | null>(null);
  const invite = useMutation(() => ({
    mutationFn: (input: RouterInputs["members"]["invite"]) => trpc.members.invite.mutate(input),
    ...afterChange(queryClient, { stale: () => [invitationsKey(session.agencyId())] }),
  }));
  const form = createForm({
    initial: { email: "", name: "", role: "moderator" },
    labels: { email: "E-mail", name: "Name", role: "Role" },
    schema: memberInviteInput,
  });
  return (
    <>
      <Show when={sent()?.link ? sent() : null}>
        {(shown) => (
          <OnceSecret
            title={`Invitation link for ${shown().invitation.name}`}
            label="Invitation link"
            secret={shown().link ?? ""}
            description={`Send it to ${shown().invitation.email} yourself: it works once, within 7 days, and they choose their own password.`}
            onDismiss={() => setSent(null)}
          />
        )}
      </Show>
      <Card title="Invite a member">
        <form
          class="form"
          noValidate
          aria-label="Invite a member"
          onSubmit={form.handleSubmit(async (input) => {
            const result = await invite.mutateAsync(input);
            form.reset({ role: input.role });
            setSent(result);
            props.onStatus(
              result.emailed
                ? `Invitation e-mailed to ${result.invitation.email}; they join when they accept it.`
                : null,
            );
          })}
        >
          <FormAlert message={form.formError()} />
          <div class="form__row">
            <TextField field={form.field("email")} type="email" spellcheck={false} class="field--grow" />
            <TextField field={form.field("name")} class="field--grow" />
            <SelectField field={form.field("role")} options={roleOptions} />
            <div class="form__submit">
              <SubmitButton busy={form.submitting()} label="Invite member" busyLabel="Inviting…" />
            </div>
          </div>
        </form>
      </Card>
    </>
  );
}

/** Invitations nobody has answered yet; an admin may withdraw one (its link stops working). */
export function PendingInvitationsCard(props: { onStatus: (message: string | null) => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const invitations = useQuery(() => ({
    queryKey: invitationsKey(session.agencyId()),
    queryFn: () => trpc.members.invitations.query(),
  }));
  const revoke = useMutation(() => ({
    mutationFn: (invitationId: string) => trpc.members.revokeInvitation.mutate({ invitationId }),
    ...afterChange(queryClient, { stale: () => [invitationsKey(session.agencyId())] }),
  }));
  return (
    <Card title="Pending invitations">
      <QueryTable
        query={invitations}
        what="pending invitations"
        label="Pending invitations"
        columns={
          <>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Expires</th>
            <ActionsHeader />
          </>
        }
      >
        {(invitation) => (
          <tr>
            <td class="cell--primary">{invitation.name}</td>
            <td>{invitation.email}</td>
            <td>{roleLabels[invitation.role]}</td>
            <td>{formatDateTime(invitation.expiresAt)}</td>
            <td class="cell--actions">
              <button
                type="button"
                class="button button--small button--danger-ghost"
                onClick={async () => {
                  try {
                    await revoke.mutateAsync(invitation.id);
                    props.onStatus(`The invitation of ${invitation.email} was withdrawn.`);
                  } catch (err) {
                    props.onStatus(`Couldn't withdraw it: ${toUiError(err).message}`);
                  }
                }}
              >
                Withdraw<span class="sr-only"> the invitation of {invitation.email}</span>
              </button>
            </td>
          </tr>
        )}
      </QueryTable>
    </Card>
  );
}

/** An owner's reset link for a member who cannot sign in (only for people who work for this agency alone). */
export function ResetLinkButton(props: { member: Member; onStatus: (message: string | null) => void }) {
  const [link, setLink] = createSignal<PasswordResetLink | null>(null);
  const issue = useMutation(() => ({
    mutationFn: () => trpc.members.issuePasswordReset.mutate({ membershipId: props.member.membershipId }),
  }));
  return (
    <>
      <button
        type="button"
        class="button button--small"
        onClick={async () => {
          try {
            setLink(await issue.mutateAsync());
          } catch (err) {
            props.onStatus(`No reset link for ${props.member.name}: ${toUiError(err).message}`);
          }
        }}
      >
        Reset link<span class="sr-only"> for {props.member.name}</span>
      </button>
      <Show when={link()}>
        {(shown) => (
          <div class="dialog-inline">
            <OnceSecret
              title={`Password reset link for ${props.member.name}`}
              label="Reset link"
              secret={shown().link}
              description={`Give it to ${shown().email} through a trusted channel: it works once, within 24 hours, and signs them out everywhere.`}
              onDismiss={() => setLink(null)}
            />
          </div>
        )}
      </Show>
    </>
  );
}
