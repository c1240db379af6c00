/**
 * What the Staffing pages read from the `staffing` procedures (the views are the server's, inferred from
 * `AppRouter`), and their query keys.
 */
import type { RouterInputs, RouterOutputs } from "../../trpc";

type Outputs = RouterOutputs["staffing"];
type Inputs = RouterInputs["staffing"];

export type StaffingPlan = Outputs["plan"];
export type PoolPlan = StaffingPlan["pools"][number];
export type PoolHour = PoolPlan["hours"][number];
export type PlanClient = StaffingPlan["clients"][number];
export type StaffingReview = Outputs["review"];
export type ReviewPool = StaffingReview["pools"][number];
export type ReviewFigures = ReviewPool["totals"];
export type ForecastAccuracy = Outputs["accuracy"];
export type HandlingTimes = Outputs["handlingTimes"];
export type PlannedEvent = Outputs["events"][number];
export type Roster = Outputs["roster"];
export type RosterModerator = Roster["moderators"][number];
export type StaffingSettings = Outputs["settings"];
export type PlannedEventInput = Inputs["createEvent"];

/** Query keys: all start with the agency id (see query.ts), then "staffing". */
export const staffingKeys = {
  all: (agencyId: string) => [agencyId, "staffing"] as const,
  plan: (agencyId: string, weekStart: string | undefined) =>
    [agencyId, "staffing", "plan", weekStart ?? "current"] as const,
  review: (agencyId: string, weekStart: string | undefined) =>
    [agencyId, "staffing", "review", weekStart ?? "last"] as const,
  accuracy: (agencyId: string) => [agencyId, "staffing", "accuracy"] as const,
  handlingTimes: (agencyId: string) => [agencyId, "staffing", "handling-times"] as const,
  events: (agencyId: string) => [agencyId, "staffing", "events"] as const,
  roster: (agencyId: string) => [agencyId, "staffing", "roster"] as const,
  settings: (agencyId: string) => [agencyId, "staffing", "settings"] as const,
};
