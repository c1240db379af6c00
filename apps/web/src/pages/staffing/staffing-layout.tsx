import type { JSX } from "solid-js";
import { type SectionTab, SectionTabs } from "../../components/section-tabs";
import "./staffing.css";

const staffingTabs: SectionTab[] = [
  { href: "/staffing", label: "Plan" },
  { href: "/staffing/roster", label: "Roster" },
  { href: "/staffing/review", label: "Planned vs actual" },
  { href: "/staffing/model", label: "Forecast and settings" },
];

/**
 * The Staffing area (owners, admins and account managers — the agency's leads; an account manager plans the
 * clients assigned to them): its section tabs above the week's plan (a heatmap per pool, gaps with their cover,
 * planned events, CSV), the roster (weekly shifts, absences, extra shifts), planned vs actual for past weeks,
 * and the forecast's error, handling times and settings (routes.tsx lists their addresses).
 */
export function StaffingLayout(props: { children?: JSX.Element }) {
  return (
    <div class="staffing">
      <SectionTabs label="Staffing sections" tabs={staffingTabs} />
      {props.children}
    </div>
  );
}
