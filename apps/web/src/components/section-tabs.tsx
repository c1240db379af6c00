import { For } from "solid-js";
import { NavLink } from "./nav-link";

export interface SectionTab {
  href: string;
  label: string;
  /** "prefix": the tab is current for its href and anything below it (default: the href only). */
  match?: "exact" | "prefix";
}

/** An area's section tabs above its pages (Admin, Accounts); the current one is marked aria-current="page". */
export function SectionTabs(props: { label: string; tabs: ReadonlyArray<SectionTab> }) {
  return (
    <nav class="subnav" aria-label={props.label}>
      <For each={props.tabs}>
        {(tab) => (
          <NavLink href={tab.href} match={tab.match} class="subnav__link">
            {tab.label}
          </NavLink>
        )}
      </For>
    </nav>
  );
}
