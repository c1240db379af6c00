import {
  invitationIdInput,
  memberAssignInput,
  memberIdInput,
  memberInviteInput,
  memberRoleInput,
} from "@parley/contracts";
import {
  assignClients,
  changeMemberRole,
  inviteMember,
  issuePasswordReset,
  listInvitations,
  listMembers,
  removeMember,
  revokeInvitation,
} from "@parley/core/agencies";
import { procedureFor, router } from "../trpc";

export const membersRouter = router({
  list: procedureFor("administer").query(({ ctx }) => listMembers(ctx.scope, ctx.tx)),
  /** A single-use link for the invitee (e-mailed with SMTP, else shown once); nobody is added until they accept. */
  invite: procedureFor("administer")
    .input(memberInviteInput)
    .mutation(({ ctx, input }) =>
      inviteMember(ctx.scope, ctx.tx, input, { linkFor: ctx.linkFor, mailer: ctx.services.mailer }),
    ),
  invitations: procedureFor("administer").query(({ ctx }) => listInvitations(ctx.scope, ctx.tx)),
  revokeInvitation: procedureFor("administer")
    .input(invitationIdInput)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.scope, ctx.tx, input)),
  issuePasswordReset: procedureFor("resetPasswords")
    .input(memberIdInput)
    .mutation(({ ctx, input }) =>
      issuePasswordReset(ctx.scope, ctx.tx, input, { linkFor: ctx.linkFor, db: ctx.services.db }),
    ),
  assignClients: procedureFor("administer")
    .input(memberAssignInput)
    .mutation(({ ctx, input }) => assignClients(ctx.scope, ctx.tx, input)),
  changeRole: procedureFor("administer")
    .input(memberRoleInput)
    .mutation(({ ctx, input }) => changeMemberRole(ctx.scope, ctx.tx, input)),
  remove: procedureFor("administer")
    .input(memberIdInput)
    .mutation(({ ctx, input }) => removeMember(ctx.scope, ctx.tx, input)),
});
