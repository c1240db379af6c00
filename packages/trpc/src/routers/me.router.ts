import { changePassword, setSessionAgency } from "@parley/auth";
import { AppError, passwordChangeInput, switchAgencyInput } from "@parley/contracts";
import { getMe, resolveScope } from "@parley/core/agencies";
import { authedProcedure, router } from "../trpc";

export const meRouter = router({
  get: authedProcedure.query(({ ctx }) =>
    getMe(ctx.services.db, { userId: ctx.session.userId, currentAgencyId: ctx.session.currentAgencyId }),
  ),
  switchAgency: authedProcedure.input(switchAgencyInput).mutation(async ({ ctx, input }) => {
    const scope = await resolveScope(ctx.services.db, { userId: ctx.session.userId, agencyId: input.agencyId });
    if (!scope) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
    await setSessionAgency(ctx.services.db, ctx.session.id, input.agencyId);
    return getMe(ctx.services.db, { userId: ctx.session.userId, currentAgencyId: input.agencyId });
  }),
  /** Checks the current password (under the sign-in limits); every other session of the person ends. */
  changePassword: authedProcedure.input(passwordChangeInput).mutation(({ ctx, input }) =>
    changePassword(ctx.services.db, {
      userId: ctx.session.userId,
      sessionId: ctx.session.id,
      currentPassword: input.currentPassword,
      newPassword: input.newPassword,
      ip: ctx.ip,
    }),
  ),
});
