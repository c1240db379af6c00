import { For, Show } from "solid-js";
import { useSession } from "../auth";
import { Card, Page } from "../components/page";
import { plural } from "../format";
import { homeFor, isClientScoped } from "../roles";
import { Link } from "../router";

function Coming(props: { items: string[] }) {
  return (
    <Card title="Coming here">
      <ul class="checklist">
        <For each={props.items}>{(item) => <li>{item}</li>}</For>
      </ul>
    </Card>
  );
}

function Scope() {
  const session = useSession();
  return (
    <Show
      when={isClientScoped(session.role())}
      fallback={<p class="muted">You see every client of {session.current().agencyName}.</p>}
    >
      <p class="muted">You are assigned to {plural(session.current().assignments.length, "client")}.</p>
    </Show>
  );
}

export function AccountsPage() {
  return (
    <Page title="Accounts" lead="Contracts, SLA reports and invoices for your clients.">
      <Scope />
      <Coming
        items={[
          "Contracts: retainer, included volume, overage, SLA targets and service credits",
          "SLA reports per client: first response and resolution (p50/p90), compliance, escalation rate",
          "Invoice drafts, finalisation, CSV and PDF export, push to Stripe",
          "Staffing forecast for the shared moderator pool",
        ]}
      />
    </Page>
  );
}

export function NotFoundPage() {
  const session = useSession();
  return (
    <Page title="Page not found" lead="There is nothing at this address.">
      <p>
        <Link href={homeFor(session.role())}>Go to your start page</Link>
      </p>
    </Page>
  );
}

export function ForbiddenPage() {
  const session = useSession();
  return (
    <Page title="Not available" lead="Your role in this agency doesn't give access to this page.">
      <p>
        <Link href={homeFor(session.role())}>Go to your start page</Link>
      </p>
    </Page>
  );
}
