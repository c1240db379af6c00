import { QueryClientProvider } from "@tanstack/solid-query";
import { type Component, ErrorBoundary, For, type JSX, Match, Show, Switch } from "solid-js";
import { AuthProvider, useAuth, useSession } from "./auth";
import { Page } from "./components/page";
import { Shell } from "./components/shell";
import {
  AcceptInvitationPage,
  ChangePasswordPage,
  ForgotPasswordPage,
  ResetPasswordPage,
} from "./pages/account/account-pages";
import { AccountsPage } from "./pages/accounts/accounts-page";
import { AdminLayout } from "./pages/admin/admin-layout";
import { AgencyPage } from "./pages/admin/agency";
import { ChannelsPage } from "./pages/admin/channels";
import { ClientsPage } from "./pages/admin/clients";
import { MembersPage } from "./pages/admin/members";
import { PlaybooksPage } from "./pages/admin/playbooks";
import { ConsolePage } from "./pages/console/console-page";
import { ForbiddenPage, NotFoundPage } from "./pages/error-pages";
import { PortalPage } from "./pages/portal/portal-page";
import { SignInPage } from "./pages/sign-in";
import { StaffingPage } from "./pages/staffing/staffing-page";
import { queryClient } from "./query";
import { type Area, canEnter, canVisit, homeFor, roleLabels } from "./roles";
import { currentHref, currentQuery, Redirect, type RouteDef, type RouteProps, Routes } from "./router";

/** Renders `page` only for roles allowed into `area`; everyone else gets "Not available". */
function guard(area: Area, Content: Component, Layout?: Component<{ children: JSX.Element }>) {
  return (_props: RouteProps) => {
    const session = useSession();
    return (
      <Show when={canEnter(session.role(), area)} fallback={<ForbiddenPage />}>
        {Layout ? (
          <Layout>
            <Content />
          </Layout>
        ) : (
          <Content />
        )}
      </Show>
    );
  };
}

function Home() {
  const session = useSession();
  return <Redirect to={homeFor(session.role())} />;
}

/** Already signed in: honour `?next=` if this role may go there, else go home. */
function AfterSignIn() {
  const session = useSession();
  const next = currentQuery().get("next");
  return <Redirect to={next && canVisit(session.role(), next) ? next : homeFor(session.role())} />;
}

const signedInRoutes: RouteDef[] = [
  { path: "/", component: Home },
  { path: "/sign-in", component: AfterSignIn },
  { path: "/console", component: guard("console", ConsolePage) },
  { path: "/portal", component: guard("portal", PortalPage) },
  { path: "/accounts", component: guard("accounts", AccountsPage) },
  { path: "/accounts/*", component: guard("accounts", AccountsPage) },
  { path: "/staffing", component: guard("staffing", StaffingPage) },
  { path: "/staffing/*", component: guard("staffing", StaffingPage) },
  { path: "/admin", component: () => <Redirect to="/admin/clients" /> },
  { path: "/admin/clients", component: guard("admin", ClientsPage, AdminLayout) },
  { path: "/admin/channels", component: guard("admin", ChannelsPage, AdminLayout) },
  { path: "/admin/members", component: guard("admin", MembersPage, AdminLayout) },
  { path: "/admin/agency", component: guard("admin", AgencyPage, AdminLayout) },
  { path: "/admin/playbooks", component: guard("admin", PlaybooksPage, AdminLayout) },
  { path: "/account/password", component: ChangePasswordPage },
  { path: "/invitation/:token", component: AcceptInvitationPage },
];

/** Links Parley hands out work signed out too. */
const linkRoutes: RouteDef[] = [
  { path: "/invitation/:token", component: AcceptInvitationPage },
  { path: "/reset-password/:token", component: ResetPasswordPage },
  { path: "/forgot-password", component: ForgotPasswordPage },
];

function ToSignIn() {
  const here = currentHref();
  const next = here === "/" || here.startsWith("/sign-in") ? "" : `?next=${encodeURIComponent(here)}`;
  return <Redirect to={`/sign-in${next}`} />;
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

function Boot() {
  const auth = useAuth();
  return (
    <Switch>
      <Match when={auth.bootError()}>
        {(error) => (
          <div class="signin">
            <main class="signin__panel">
              <h1 class="signin__title">Parley is unavailable</h1>
              <div class="alert alert--error" role="alert">
                {error().message}
              </div>
              <button type="button" class="button button--primary" onClick={() => void auth.retry()}>
                Try again
              </button>
            </main>
          </div>
        )}
      </Match>
      <Match when={auth.me() === undefined}>
        <div class="boot" aria-busy="true">
          <span class="spinner" aria-hidden="true" />
          <span class="sr-only">Loading Parley…</span>
        </div>
      </Match>
      <Match when={auth.me() === null}>
        <Routes routes={[{ path: "/sign-in", component: SignInPage }, ...linkRoutes]} fallback={ToSignIn} />
      </Match>
      <Match when={auth.me()}>
        <Shell>
          <Show when={auth.me()?.current} fallback={<Routes routes={linkRoutes} fallback={NoAgency} />}>
            <Routes routes={signedInRoutes} fallback={NotFoundPage} />
          </Show>
        </Shell>
      </Match>
    </Switch>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ErrorBoundary
        fallback={(error, reset) => (
          <div class="signin">
            <main class="signin__panel">
              <h1 class="signin__title">Something went wrong</h1>
              <div class="alert alert--error" role="alert">
                The page hit an unexpected error. {error instanceof Error ? error.message : ""}
              </div>
              <button type="button" class="button button--primary" onClick={reset}>
                Try again
              </button>
            </main>
          </div>
        )}
      >
        <AuthProvider>
          <Boot />
        </AuthProvider>
      </ErrorBoundary>
    </QueryClientProvider>
  );
}
