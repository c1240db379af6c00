import { type SectionTab, SectionTabs } from "../../components/section-tabs";
import { Routes } from "../../router";
import { NotFoundPage } from "../error-pages";
import { StaffingModelPage } from "./model-page";
import { StaffingPlanPage } from "./plan-page";
import { StaffingReviewPage } from "./review-page";
import { StaffingRosterPage } from "./roster-page";
import "./staffing.css";

const staffingTabs: SectionTab[] = [
  { href: "/staffing", label: "Plan" },
  { href: "/staffing/roster", label: "Roster" },
  { href: "/staffing/review", label: "Planned vs actual" },
  { href: "/staffing/model", label: "Forecast and settings" },
];

/**
 * The Staffing area (owners, admins and account managers — the agency's leads; an account manager plans the
 * clients assigned to them):
 *
 *   #/staffing           the week's plan: a heatmap per pool, gaps with their cover, planned events, CSV
 *   #/staffing/roster    weekly shifts, absences and extra shifts
 *   #/staffing/review    planned vs actual for past weeks
 *   #/staffing/model     the forecast's error, handling times, settings
 */
export function StaffingPage() {
  return (
    <div class="staffing">
      <SectionTabs label="Staffing sections" tabs={staffingTabs} />
      <Routes
        routes={[
          { path: "/staffing", component: StaffingPlanPage },
          { path: "/staffing/roster", component: StaffingRosterPage },
          { path: "/staffing/review", component: StaffingReviewPage },
          { path: "/staffing/model", component: StaffingModelPage },
        ]}
        fallback={NotFoundPage}
      />
    </div>
  );
}
