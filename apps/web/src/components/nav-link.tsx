import { useLocation } from "@solidjs/router";
import type { JSX } from "solid-js";

/**
 * A link that is `aria-current="page"` for its path, or with `match="prefix"` for anything below it too
 * (the main navigation and section tabs). Any plain `<a href="/…">` navigates inside the app as well: the
 * router intercepts same-origin clicks (downloads, `target` and `rel="external"` links excepted).
 */
export function NavLink(props: { href: string; match?: "exact" | "prefix"; class?: string; children: JSX.Element }) {
  const location = useLocation();
  const active = () => {
    const path = location.pathname.replace(/\/+$/, "") || "/";
    const target = props.href.split("?")[0] ?? props.href;
    return props.match === "prefix" ? path === target || path.startsWith(`${target}/`) : path === target;
  };
  return (
    <a href={props.href} class={props.class} aria-current={active() ? "page" : undefined}>
      {props.children}
    </a>
  );
}
