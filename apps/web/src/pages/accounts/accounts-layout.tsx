import type { JSX } from "solid-js";
import { type SectionTab, SectionTabs } from "../../components/section-tabs";

const accountsTabs: SectionTab[] = [
  { href: "/accounts", label: "Clients" },
  { href: "/accounts/invoices", label: "Invoices", match: "prefix" },
];

/**
 * The Accounts area (account managers, owners, admins): its section tabs above the clients overview, the
 * contract editor, invoices by month and the draft review (routes.tsx lists their addresses).
 */
export function AccountsLayout(props: { children?: JSX.Element }) {
  return (
    <div class="accounts">
      <SectionTabs label="Accounts sections" tabs={accountsTabs} />
      {props.children}
    </div>
  );
}
