import type { JSX } from "solid-js";
import { type SectionTab, SectionTabs } from "../../components/section-tabs";

const adminTabs: SectionTab[] = [
  { href: "/admin/clients", label: "Clients" },
  { href: "/admin/channels", label: "Channels" },
  { href: "/admin/members", label: "Members" },
  { href: "/admin/playbooks", label: "Playbooks" },
  { href: "/admin/protocols", label: "Protocols", match: "prefix" },
  { href: "/admin/api-keys", label: "API keys" },
  { href: "/admin/agency", label: "Agency" },
];

/** The Admin area's section tabs (Clients, Channels, Members, Playbooks, Protocols, API keys, Agency) above each admin page. */
export function AdminLayout(props: { children?: JSX.Element }) {
  return (
    <div class="admin">
      <SectionTabs label="Admin sections" tabs={adminTabs} />
      {props.children}
    </div>
  );
}
