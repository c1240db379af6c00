import {
  AppError,
  defaultStaffingSettings,
  type StaffingSettingsInput,
  staffingSettingsInput,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { eq } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import type { PlanSettings } from "./pool-plan";

const { staffingSettings } = schema;

export interface StaffingSettingsView extends StaffingSettingsInput {
  /** False while the agency runs on the defaults. */
  saved: boolean;
  updatedAt: Date | null;
}

/** The agency's staffing settings, or the defaults when it has saved none. */
export async function getStaffingSettings(scope: Scope, tx: Executor): Promise<StaffingSettingsView> {
  const [row] = await tx.select().from(staffingSettings).where(eq(staffingSettings.agencyId, scope.agencyId));
  if (!row) return { ...defaultStaffingSettings, saved: false, updatedAt: null };
  return {
    maxOccupancyPercent: row.maxOccupancyPercent,
    shrinkagePercent: row.shrinkagePercent,
    fallbackAhtSeconds: row.fallbackAhtSeconds,
    triageAhtSeconds: row.triageAhtSeconds,
    saved: true,
    updatedAt: row.updatedAt,
  };
}

export async function saveStaffingSettings(
  scope: Scope,
  tx: Executor,
  input: StaffingSettingsInput,
  deps: { now?: Clock } = {},
): Promise<StaffingSettingsView> {
  const values = staffingSettingsInput.parse(input);
  const before = await getStaffingSettings(scope, tx);
  const now = (deps.now ?? systemClock)();
  const [row] = await tx
    .insert(staffingSettings)
    .values({ agencyId: scope.agencyId, ...values, updatedBy: scope.actorId })
    .onConflictDoUpdate({
      target: staffingSettings.agencyId,
      set: { ...values, updatedBy: scope.actorId, updatedAt: now },
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Staffing settings were not saved");
  await recordAudit(tx, scope, {
    action: "staffing.settings_updated",
    subjectType: "agency",
    subjectId: scope.agencyId,
    before,
    after: values,
  });
  return getStaffingSettings(scope, tx);
}

/** The settings as the planner reads them: shares, not percentages. */
export function planSettingsOf(settings: StaffingSettingsInput): PlanSettings {
  return {
    maxOccupancy: settings.maxOccupancyPercent / 100,
    shrinkage: settings.shrinkagePercent / 100,
    triageAhtSeconds: settings.triageAhtSeconds,
  };
}
