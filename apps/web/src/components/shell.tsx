import { createSignal, For, type JSX, Show } from "solid-js";
import { useAuth, useSession } from "../auth";
import { toUiError } from "../errors";
import { areasFor, roleLabels } from "../roles";
import { NavLink } from "./nav-link";
import { NoticesBell } from "./notices";

function AgencySwitcher() {
  const auth = useAuth();
  const session = useSession();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const change = async (select: HTMLSelectElement) => {
    const agencyId = select.value;
    if (agencyId === session.agencyId()) return;
    setBusy(true);
    setError(null);
    try {
      await auth.switchAgency(agencyId);
    } catch (err) {
      select.value = session.agencyId();
      setError(`Couldn't switch agency: ${toUiError(err).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="agency-switcher">
      <label for="agency-switcher" class="agency-switcher__label">
        Agency
      </label>
      <select
        id="agency-switcher"
        class="input select select--compact"
        disabled={busy()}
        onChange={(e) => void change(e.currentTarget)}
      >
        <For each={session.me().memberships}>
          {(membership) => (
            <option value={membership.agencyId} selected={membership.agencyId === session.agencyId()}>
              {membership.agencyName} · {roleLabels[membership.role]}
            </option>
          )}
        </For>
      </select>
      <Show when={error()}>
        {(message) => (
          <div class="alert alert--error alert--floating" role="alert">
            {message()}
          </div>
        )}
      </Show>
    </div>
  );
}

/** Header (agency, switcher, notices bell, user, sign out) and the role's navigation around every signed-in page. */
export function Shell(props: { children: JSX.Element }) {
  const auth = useAuth();
  const session = useSession();
  const [signingOut, setSigningOut] = createSignal(false);
  const hasAgency = () => Boolean(auth.me()?.current);

  const signOut = async () => {
    setSigningOut(true);
    try {
      await auth.signOut();
    } finally {
      setSigningOut(false);
    }
  };

  return (
    <div class="shell">
      <button type="button" class="skip-link" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <header class="topbar">
        <div class="topbar__left">
          <span class="brand">
            <span class="brand__mark" aria-hidden="true" />
            Parley
          </span>
          <Show when={hasAgency()}>
            <Show
              when={session.me().memberships.length > 1}
              fallback={
                <span class="topbar__agency">
                  <span class="sr-only">Agency: </span>
                  {session.current().agencyName}
                </span>
              }
            >
              <AgencySwitcher />
            </Show>
          </Show>
        </div>
        <Show when={hasAgency()}>
          <nav class="mainnav" aria-label="Main">
            <ul>
              <For each={areasFor(session.role())}>
                {(entry) => (
                  <li>
                    <NavLink href={entry.path} match="prefix" class="mainnav__link">
                      {entry.label}
                    </NavLink>
                  </li>
                )}
              </For>
            </ul>
          </nav>
        </Show>
        <div class="topbar__user">
          <span class="user">
            <span class="user__name">{session.me().user.name}</span>
            <Show when={hasAgency()}>
              <span class="badge">{roleLabels[session.role()]}</span>
            </Show>
          </span>
          <Show when={hasAgency()}>
            <NoticesBell />
          </Show>
          <NavLink href="/account/password" class="button button--small">
            Change password
          </NavLink>
          <button
            type="button"
            class="button button--small"
            aria-disabled={signingOut() ? "true" : undefined}
            onClick={signOut}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
