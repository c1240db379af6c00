import {
  plannedEventIdInput,
  plannedEventInput,
  rosterExceptionIdInput,
  rosterExceptionInput,
  rosterShiftIdInput,
  rosterShiftInput,
  staffingSettingsInput,
  staffingWeekInput,
} from "@parley/contracts";
import { systemClock } from "@parley/core/kernel";
import {
  addRosterException,
  addRosterShift,
  createPlannedEvent,
  deletePlannedEvent,
  deleteRosterException,
  endRosterShift,
  getForecastAccuracy,
  getHandlingTimes,
  getRoster,
  getStaffingPlan,
  getStaffingReview,
  getStaffingSettings,
  listPlannedEvents,
  saveStaffingSettings,
} from "@parley/core/staffing";
import { procedureFor, router } from "../trpc";

/**
 * Staffing is planned by the agency's leads: owners, admins and account managers (an account manager plans the
 * clients assigned to them, and rosters the moderators who work those clients). Moderators do not plan staffing.
 */
export const staffingRouter = router({
  /** The week's plan per pool and hour: forecast, required vs rostered, gaps with their cover, clients at risk. */
  plan: procedureFor("planStaffing")
    .input(staffingWeekInput)
    .query(({ ctx, input }) => getStaffingPlan(ctx.scope, ctx.tx, input, ctx.services)),
  /** Planned vs actual of a past week, per pool and day. */
  review: procedureFor("planStaffing")
    .input(staffingWeekInput)
    .query(({ ctx, input }) => getStaffingReview(ctx.scope, ctx.tx, input, ctx.services)),
  /** The forecast's error on the last 4 weeks held out, per client. */
  accuracy: procedureFor("planStaffing").query(({ ctx }) => getForecastAccuracy(ctx.scope, ctx.tx, ctx.services)),
  /** Handling times per client and category over the last 4 weeks of work. */
  handlingTimes: procedureFor("planStaffing").query(({ ctx }) => getHandlingTimes(ctx.scope, ctx.tx, ctx.services)),
  events: procedureFor("planStaffing").query(({ ctx }) =>
    listPlannedEvents(ctx.scope, ctx.tx, { after: (ctx.services.now ?? systemClock)() }),
  ),
  createEvent: procedureFor("planStaffing")
    .input(plannedEventInput)
    .mutation(({ ctx, input }) => createPlannedEvent(ctx.scope, ctx.tx, input)),
  deleteEvent: procedureFor("planStaffing")
    .input(plannedEventIdInput)
    .mutation(({ ctx, input }) => deletePlannedEvent(ctx.scope, ctx.tx, input)),
  roster: procedureFor("planStaffing").query(({ ctx }) => getRoster(ctx.scope, ctx.tx, ctx.services)),
  addShift: procedureFor("planStaffing")
    .input(rosterShiftInput)
    .mutation(({ ctx, input }) => addRosterShift(ctx.scope, ctx.tx, input, ctx.services)),
  endShift: procedureFor("planStaffing")
    .input(rosterShiftIdInput)
    .mutation(({ ctx, input }) => endRosterShift(ctx.scope, ctx.tx, input, ctx.services)),
  addException: procedureFor("planStaffing")
    .input(rosterExceptionInput)
    .mutation(({ ctx, input }) => addRosterException(ctx.scope, ctx.tx, input)),
  deleteException: procedureFor("planStaffing")
    .input(rosterExceptionIdInput)
    .mutation(({ ctx, input }) => deleteRosterException(ctx.scope, ctx.tx, input)),
  settings: procedureFor("planStaffing").query(({ ctx }) => getStaffingSettings(ctx.scope, ctx.tx)),
  saveSettings: procedureFor("planStaffing")
    .input(staffingSettingsInput)
    .mutation(({ ctx, input }) => saveStaffingSettings(ctx.scope, ctx.tx, input, ctx.services)),
});
