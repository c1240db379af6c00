import { Router, type RouteSectionProps, useLocation, useNavigate } from "@solidjs/router";
import { QueryClientProvider } from "@tanstack/solid-query";
import { createEffect, ErrorBoundary, Match, Switch } from "solid-js";
import { AuthProvider, useAuth } from "./auth";
import { legacyHref } from "./legacy-href";
import { queryClient } from "./query";
import { routes } from "./routes";

/** The session check's states; once it answered, the page of the address (or the address it moved to). */
function Boot(props: RouteSectionProps) {
  const auth = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const moved = () => legacyHref(location);
  createEffect(() => {
    const target = moved();
    if (target) navigate(target, { replace: true });
  });
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
      <Match when={auth.me() === undefined || moved()}>
        <div class="boot" aria-busy="true">
          <span class="spinner" aria-hidden="true" />
          <span class="sr-only">Loading Parley…</span>
        </div>
      </Match>
      <Match when={true}>{props.children}</Match>
    </Switch>
  );
}

function Root(props: RouteSectionProps) {
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
          <Boot {...props} />
        </AuthProvider>
      </ErrorBoundary>
    </QueryClientProvider>
  );
}

export function App() {
  return <Router root={Root}>{routes}</Router>;
}
