import { memberAssignInput, memberIdInput, memberInviteInput, memberRoleInput } from "@parley/contracts";
import { assignClients, changeMemberRole, inviteMember, listMembers, removeMember } from "@parley/core/agencies";
import { adminProcedure, router } from "../trpc";

export const membersRouter = router({
  list: adminProcedure.query(({ ctx }) => listMembers(ctx.scope, ctx.tx)),
  invite: adminProcedure
    .input(memberInviteInput)
    .mutation(({ ctx, input }) => inviteMember(ctx.scope, ctx.tx, input, ctx.services)),
  assignClients: adminProcedure
    .input(memberAssignInput)
    .mutation(({ ctx, input }) => assignClients(ctx.scope, ctx.tx, input)),
  changeRole: adminProcedure
    .input(memberRoleInput)
    .mutation(({ ctx, input }) => changeMemberRole(ctx.scope, ctx.tx, input)),
  remove: adminProcedure.input(memberIdInput).mutation(({ ctx, input }) => removeMember(ctx.scope, ctx.tx, input)),
});
