/**
 * A minimal hash router: `#/admin/clients?client=…`.
 * Hash routes need nothing from the server (the API only has to serve index.html at `/`),
 * and reloads and deep links keep working.
 */
import { type Component, createMemo, createSignal, type JSX, onMount } from "solid-js";
import { Dynamic } from "solid-js/web";

function readHash(): string {
  const hash = window.location.hash;
  return hash.startsWith("#/") ? hash.slice(1) : "/";
}

const [href, setHref] = createSignal(readHash());
const sync = () => {
  // Plain in-page anchors (e.g. "#main") are not routes: leave the current route alone.
  const hash = window.location.hash;
  if (hash === "" || hash === "#" || hash.startsWith("#/")) setHref(readHash());
};
window.addEventListener("hashchange", sync);
window.addEventListener("popstate", sync);

function split(value: string): { path: string; search: string } {
  const at = value.indexOf("?");
  return at === -1 ? { path: value, search: "" } : { path: value.slice(0, at), search: value.slice(at + 1) };
}

/** The current route path without the query, e.g. "/admin/clients". */
export function currentPath(): string {
  const path = split(href()).path.replace(/\/+$/, "");
  return path === "" ? "/" : path;
}

/** The current route's query parameters. */
export function currentQuery(): URLSearchParams {
  return new URLSearchParams(split(href()).search);
}

/** The full current route, path and query, e.g. "/admin/channels?client=…". */
export function currentHref(): string {
  return href();
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = `#${to}`;
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  setHref(readHash());
}

/** Matches "/admin/:section" or "/admin/*" against a path; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment === "*") {
      params["*"] = have.slice(i).join("/");
      return params;
    }
    const value = have[i];
    if (value === undefined) return null;
    if (segment.startsWith(":")) params[segment.slice(1)] = decodeURIComponent(value);
    else if (segment !== value) return null;
  }
  return want.length === have.length ? params : null;
}

export interface RouteProps {
  params: Record<string, string>;
}
export interface RouteDef {
  path: string;
  component: Component<RouteProps>;
}

/** Renders the first route whose pattern matches the current path. */
export function Routes(props: { routes: RouteDef[]; fallback: Component<RouteProps> }): JSX.Element {
  const match = createMemo(
    () => {
      const path = currentPath();
      for (const route of props.routes) {
        const params = matchPath(route.path, path);
        if (params) return { route, params };
      }
      return null;
    },
    null,
    {
      equals: (a, b) =>
        a?.route === b?.route && JSON.stringify(a?.params ?? null) === JSON.stringify(b?.params ?? null),
    },
  );
  return <Dynamic component={match()?.route.component ?? props.fallback} params={match()?.params ?? {}} />;
}

export function Redirect(props: { to: string }): JSX.Element {
  onMount(() => navigate(props.to, { replace: true }));
  return null;
}

export function Link(props: {
  href: string;
  /** "prefix": active for the href and anything below it. */
  match?: "exact" | "prefix";
  class?: string;
  children: JSX.Element;
}): JSX.Element {
  const active = () => {
    const path = currentPath();
    const target = split(props.href).path;
    return props.match === "prefix" ? path === target || path.startsWith(`${target}/`) : path === target;
  };
  return (
    <a href={`#${props.href}`} class={props.class} aria-current={active() ? "page" : undefined}>
      {props.children}
    </a>
  );
}
