import type { JSX } from "solid-js";
import { Link } from "../../router";

/** The Admin area's section tabs (Clients, Channels, Members, Playbooks, Agency) above each admin page. */
export function AdminLayout(props: { children: JSX.Element }) {
  return (
    <div class="admin">
      <nav class="subnav" aria-label="Admin sections">
        <Link href="/admin/clients" class="subnav__link">
          Clients
        </Link>
        <Link href="/admin/channels" class="subnav__link">
          Channels
        </Link>
        <Link href="/admin/members" class="subnav__link">
          Members
        </Link>
        <Link href="/admin/playbooks" class="subnav__link">
          Playbooks
        </Link>
        <Link href="/admin/agency" class="subnav__link">
          Agency
        </Link>
      </nav>
      {props.children}
    </div>
  );
}
