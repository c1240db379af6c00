/**
 * Every address of the app, in one table (`@solidjs/router`, path routing: the API answers index.html for any
 * GET it doesn't own, so a reload or a deep link lands here).
 *
 * To add a page: write it in its own file under pages/<area>/, then add one entry below —
 *   - a page that opens without a session (accept an invitation, reset a password): beside `/sign-in`, at the top;
 *   - a signed-in page: among the children of its area (`/console`, `/portal`, `/accounts`, `/admin`), whose
 *     `guard` already decides who may enter (roles.ts); a new area needs an entry in roles.ts `areas` too;
 *   - a page every signed-in member may open (change one's password): among `SignedIn`'s children, unguarded.
 * A route component gets `params` (`:clientId`) and `location`; read the query with `useSearchParams()`. Link
 * with a plain `<a href="/accounts/invoices/…">` (or components/nav-link.tsx for navigation that marks itself current).
 *
 *   /sign-in?next=<path>                     sign in, then back to `next` (a deep link opened while signed out)
 *   /console?client=&channel=&priority=&status=&risk=&view=&sort=   the queue, filtered (view: mine, at_risk,
 *                                            breached; sort: due)
 *   /console/items/:itemId?<filters>         the queue with one item open
 *   /console/approvals[/:replyId]            agency leads: drafts waiting for their approval (one, by reply)
 *   /console/escalations/:escalationId       agency staff: an escalation's address, opening its item (notices link here)
 *   /console/sandbox/:channelId              a sandbox channel's public page, as its customers see it
 *   /portal[/escalations/:escalationId | /approvals/:replyId]   the client's portal, one escalation or draft open
 *   /accounts                                clients with their contract and invoices
 *   /accounts/clients/:clientId/contract     contract editor (?contract=<id>|new)
 *   /accounts/invoices                       invoices (?period=YYYY-MM&status=draft|finalized&client=)
 *   /accounts/invoices/:invoiceId            one invoice or credit note
 *   /staffing[/roster | /review | /model]    the week's staffing plan, the roster, planned vs actual, the model
 *                                            (the plan's and the review's week: ?week=YYYY-MM-DD)
 *   /admin/clients|channels|members|playbooks|protocols|api-keys|agency
 *   /admin/protocols?client=                 a client's protocol: the editor and its history
 *   /admin/protocols/versions/:versionId     one protocol version (?compare=<versionId>: the changes against it)
 *   /portal/protocol[/versions/:versionId]   the same for the client (read-only unless a client admin)
 *   /reports?from=&to=&client=&channel=&priorities=&moderator=   a period's figures and charts (no dates:
 *                                            ?period=last_month|last_7_days|this_month|YYYY-MM, else this
 *                                            month), with the items behind one figure, bar or point open
 *                                            (&figure=&date=&hour=&priority=&onChannel=&inHours=&handledBy=)
 *   /admin/clients/:clientId/business-hours  a client's business hours (versions, the next 14 days)
 *   /floor                                   agency leads: every client's traffic, spikes, SLA, and who works what
 *   /notices                                 one's own notices (every role; the header's bell links here)
 *   /account/password                        change one's own password
 *   /invitation/:token, /reset-password/:token   the single-use links the API hands out (signed in or out)
 *   /forgot-password                         ask for a reset link
 * Addresses of the earlier hash router (`/#/console?item=…`) are redirected (legacy-href.ts).
 */
import { Navigate, type RouteDefinition, type RouteSectionProps, useLocation, useSearchParams } from "@solidjs/router";
import { type Component, For, type JSX, lazy, Show } from "solid-js";
import { useAuth, useSession } from "./auth";
import { Page } from "./components/page";
import { Shell } from "./components/shell";
import {
  AcceptInvitationPage,
  ChangePasswordPage,
  ForgotPasswordPage,
  ResetPasswordPage,
} from "./pages/account/account-pages";
import { AccountsLayout } from "./pages/accounts/accounts-layout";
import { ClientsOverviewPage } from "./pages/accounts/clients-overview";
import { ContractEditorPage } from "./pages/accounts/contract-editor";
import { InvoiceReviewPage } from "./pages/accounts/invoice-review";
import { InvoicesPage } from "./pages/accounts/invoices-list";
import { AdminLayout } from "./pages/admin/admin-layout";
import { AgencyPage } from "./pages/admin/agency";
import { ApiKeysPage } from "./pages/admin/api-keys";
import { BusinessHoursPage } from "./pages/admin/business-hours";
import { ChannelsPage } from "./pages/admin/channels";
import { ClientsPage } from "./pages/admin/clients";
import { MembersPage } from "./pages/admin/members";
import { PlaybooksPage } from "./pages/admin/playbooks";
import { ConsolePage } from "./pages/console/console-page";
import { ConsoleEscalationLink } from "./pages/console/escalation-link";
import { ForbiddenPage, NotFoundPage } from "./pages/error-pages";
import { NoticesPage } from "./pages/notices/notices-page";
import { PortalPage } from "./pages/portal/portal-page";
import { ProtocolPage, ProtocolVersionPage } from "./pages/protocols/protocol-pages";
import { SandboxPage } from "./pages/sandbox/sandbox-page";
import { SignInPage } from "./pages/sign-in";
import { StaffingModelPage } from "./pages/staffing/model-page";
import { StaffingPlanPage } from "./pages/staffing/plan-page";
import { StaffingReviewPage } from "./pages/staffing/review-page";
import { StaffingRosterPage } from "./pages/staffing/roster-page";
import { StaffingLayout } from "./pages/staffing/staffing-layout";
import { type Area, canEnter, canVisit, homeFor, roleLabels } from "./roles";

/** Reports and the floor draw with Chart.js: loaded when first opened, so the other screens' bundle stays without it. */
const ReportsPage = lazy(() => import("./pages/reports/reports-page").then((page) => ({ default: page.ReportsPage })));
const FloorPage = lazy(() => import("./pages/floor/floor-page").then((page) => ({ default: page.FloorPage })));

/** Renders the area's page only for roles allowed into `area`; everyone else gets "Not available". */
function guard(area: Area, Content: Component<RouteSectionProps>): Component<RouteSectionProps> {
  return (props) => {
    const session = useSession();
    return (
      <Show when={canEnter(session.role(), area)} fallback={<ForbiddenPage />}>
        <Content {...props} />
      </Show>
    );
  };
}

/** Signed out: the sign-in page. Signed in: on to `?next=` if this role may go there, else home. */
function SignInRoute() {
  const auth = useAuth();
  const [search] = useSearchParams<{ next?: string }>();
  const target = () => {
    const role = auth.me()?.current?.role;
    if (!role) return "/";
    const next = search.next;
    return next && canVisit(role, next) ? next : homeFor(role);
  };
  return (
    <Show when={auth.me()} fallback={<SignInPage />}>
      <Navigate href={target()} />
    </Show>
  );
}

/** Signed in, but no agency selected (no membership yet, or none chosen). */
function NoAgency() {
  const auth = useAuth();
  const session = useSession();
  return (
    <Page
      title="Choose an agency"
      lead={
        session.me().memberships.length > 0
          ? "Pick the agency you want to work in."
          : "You are not a member of any agency yet. Ask an agency admin to invite you."
      }
    >
      <ul class="agency-list">
        <For each={session.me().memberships}>
          {(membership) => (
            <li>
              <button type="button" class="button" onClick={() => void auth.switchAgency(membership.agencyId)}>
                {membership.agencyName} <span class="muted">· {roleLabels[membership.role]}</span>
              </button>
            </li>
          )}
        </For>
      </ul>
    </Page>
  );
}

/** Every page below needs a session: without one, to /sign-in, coming back here afterwards. */
function SignedIn(props: { children?: JSX.Element }) {
  const auth = useAuth();
  const location = useLocation();
  const signInHref = () => {
    const here = `${location.pathname}${location.search}`;
    return here === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(here)}`;
  };
  return (
    <Show when={auth.me()} fallback={<Navigate href={signInHref()} />}>
      <Shell>
        <Show when={auth.me()?.current} fallback={<NoAgency />}>
          {props.children}
        </Show>
      </Shell>
    </Show>
  );
}

function Home() {
  const session = useSession();
  return <Navigate href={homeFor(session.role())} />;
}

export const routes: RouteDefinition[] = [
  { path: "/sign-in", component: SignInRoute },
  { path: "/invitation/:token", component: AcceptInvitationPage },
  { path: "/reset-password/:token", component: ResetPasswordPage },
  { path: "/forgot-password", component: ForgotPasswordPage },
  {
    path: "/",
    component: SignedIn,
    children: [
      { path: "/", component: Home },
      {
        // One component for the queue and the approvals tab, so the console stays mounted while items open.
        path: ["/console", "/console/items/:itemId", "/console/approvals", "/console/approvals/:replyId"],
        component: guard("console", ConsolePage),
      },
      { path: "/console/sandbox/:channelId", component: guard("console", SandboxPage) },
      { path: "/console/escalations/:escalationId", component: guard("console", ConsoleEscalationLink) },
      {
        path: ["/portal", "/portal/escalations/:escalationId", "/portal/approvals/:replyId"],
        component: guard("portal", PortalPage),
      },
      { path: "/portal/protocol", component: guard("portal", () => <ProtocolPage area="portal" />) },
      {
        path: "/portal/protocol/versions/:versionId",
        component: guard("portal", () => <ProtocolVersionPage area="portal" />),
      },
      {
        path: "/accounts",
        component: guard("accounts", AccountsLayout),
        children: [
          { path: "/", component: ClientsOverviewPage },
          { path: "/clients/:clientId/contract", component: ContractEditorPage },
          { path: "/invoices", component: InvoicesPage },
          { path: "/invoices/:invoiceId", component: InvoiceReviewPage },
          { path: "*", component: NotFoundPage },
        ],
      },
      {
        path: "/staffing",
        component: guard("staffing", StaffingLayout),
        children: [
          { path: "/", component: StaffingPlanPage },
          { path: "/roster", component: StaffingRosterPage },
          { path: "/review", component: StaffingReviewPage },
          { path: "/model", component: StaffingModelPage },
          { path: "*", component: NotFoundPage },
        ],
      },
      { path: "/reports", component: guard("reports", ReportsPage) },
      { path: "/floor", component: guard("floor", FloorPage) },
      {
        path: "/admin",
        component: guard("admin", AdminLayout),
        children: [
          { path: "/", component: () => <Navigate href="/admin/clients" /> },
          { path: "/clients", component: ClientsPage },
          { path: "/clients/:clientId/business-hours", component: BusinessHoursPage },
          { path: "/channels", component: ChannelsPage },
          { path: "/members", component: MembersPage },
          { path: "/agency", component: AgencyPage },
          { path: "/playbooks", component: PlaybooksPage },
          { path: "/protocols", component: () => <ProtocolPage area="admin" /> },
          { path: "/protocols/versions/:versionId", component: () => <ProtocolVersionPage area="admin" /> },
          { path: "/api-keys", component: ApiKeysPage },
          { path: "*", component: NotFoundPage },
        ],
      },
      { path: "/notices", component: NoticesPage },
      { path: "/account/password", component: ChangePasswordPage },
      { path: "*", component: NotFoundPage },
    ],
  },
];
