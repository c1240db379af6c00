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
import { adminProcedure, ownerProcedure, router } from "../trpc";

export const membersRouter = router({
  list: adminProcedure.query(({ ctx }) => listMembers(ctx.scope, ctx.tx)),
  /** A single-use link for the invitee (e-mailed with SMTP, else shown once); nobody is added until they accept. */
  invite: adminProcedure
    .input(memberInviteInput)
    .mutation(({ ctx, input }) =>
      inviteMember(ctx.scope, ctx.tx, input, { linkFor: ctx.linkFor, mailer: ctx.services.mailer }),
    ),
  invitations: adminProcedure.query(({ ctx }) => listInvitations(ctx.scope, ctx.tx)),
  revokeInvitation: adminProcedure
    .input(invitationIdInput)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.scope, ctx.tx, input)),
  issuePasswordReset: ownerProcedure
    .input(memberIdInput)
    .mutation(({ ctx, input }) =>
      issuePasswordReset(ctx.scope, ctx.tx, input, { linkFor: ctx.linkFor, db: ctx.services.db }),
    ),
  assignClients: adminProcedure
    .input(memberAssignInput)
    .mutation(({ ctx, input }) => assignClients(ctx.scope, ctx.tx, input)),
  changeRole: adminProcedure
    .input(memberRoleInput)
    .mutation(({ ctx, input }) => changeMemberRole(ctx.scope, ctx.tx, input)),
  remove: adminProcedure.input(memberIdInput).mutation(({ ctx, input }) => removeMember(ctx.scope, ctx.tx, input)),
});
