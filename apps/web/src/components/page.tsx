import { type Accessor, createSignal, createUniqueId, type JSX, onCleanup, onMount, Show } from "solid-js";
import { toUiError } from "../errors";

/**
 * A page's title block. On mount it names the document and moves focus to the heading, so a
 * route change is announced like a page load and keyboard users start at the top of the content.
 */
export function Page(props: { title: string; lead?: string; actions?: JSX.Element; children?: JSX.Element }) {
  let heading!: HTMLHeadingElement;
  onMount(() => {
    document.title = `${props.title} · Parley`;
    const active = document.activeElement;
    if (!active || active === document.body || !document.body.contains(active) || active.closest("nav, .page")) {
      heading.focus({ preventScroll: true });
    }
  });
  return (
    <div class="page">
      <div class="page__header">
        <div>
          <h1 ref={heading} tabIndex={-1} class="page__title">
            {props.title}
          </h1>
          <Show when={props.lead}>
            <p class="page__lead">{props.lead}</p>
          </Show>
        </div>
        <Show when={props.actions}>
          <div class="page__actions">{props.actions}</div>
        </Show>
      </div>
      {props.children}
    </div>
  );
}

/** A page without the shell (signing in, the links Parley hands out): the brand, then the title, then the rest. */
export function SignedOutPage(props: { title: string; children: JSX.Element }) {
  const headingId = createUniqueId();
  document.title = `${props.title} · Parley`;
  return (
    <div class="signin">
      <main class="signin__panel" aria-labelledby={headingId}>
        <div class="brand brand--large">
          <span class="brand__mark" aria-hidden="true" />
          Parley
        </div>
        <h1 id={headingId} class="signin__title">
          {props.title}
        </h1>
        {props.children}
      </main>
    </div>
  );
}

/** The width below which the app lays itself out for a phone (styles.css uses the same breakpoint). */
const phoneQuery = "(max-width: 480px)";

/** Whether the window is phone-sized, following rotation and resizing. */
export function createIsPhone(): Accessor<boolean> {
  const media = window.matchMedia(phoneQuery);
  const [matches, setMatches] = createSignal(media.matches);
  const update = () => setMatches(media.matches);
  media.addEventListener("change", update);
  onCleanup(() => media.removeEventListener("change", update));
  return matches;
}

/**
 * A bordered section with a heading, used for forms and tables. `foldedOnPhone`: on a phone it starts folded to its
 * heading, a button that opens it (so the first screen shows what needs action); elsewhere it is always open.
 */
export function Card(props: {
  title?: string;
  actions?: JSX.Element;
  children: JSX.Element;
  class?: string;
  /** An anchor to link to (`#escalations`). */
  id?: string;
  foldedOnPhone?: boolean;
}) {
  const titleId = createUniqueId();
  const bodyId = createUniqueId();
  const phone = props.foldedOnPhone ? createIsPhone() : () => false;
  const [opened, setOpened] = createSignal(false);
  const folds = () => phone() && Boolean(props.title);
  const open = () => !folds() || opened();
  return (
    <section
      id={props.id}
      class={`card ${props.class ?? ""}`}
      classList={{ "card--foldable": folds(), "card--folded": !open() }}
      aria-labelledby={props.title ? titleId : undefined}
    >
      <Show when={props.title || props.actions}>
        <div class="card__header">
          <Show when={props.title}>
            <h2 class="card__title" id={titleId}>
              <Show when={folds()} fallback={props.title}>
                <button
                  type="button"
                  class="card__fold"
                  aria-expanded={open()}
                  aria-controls={bodyId}
                  onClick={() => setOpened(!opened())}
                >
                  {props.title}
                </button>
              </Show>
            </h2>
          </Show>
          <Show when={props.actions && open()}>
            <div class="card__actions">{props.actions}</div>
          </Show>
        </div>
      </Show>
      <Show when={open()}>
        <Show when={props.foldedOnPhone} fallback={props.children}>
          <div id={bodyId}>{props.children}</div>
        </Show>
      </Show>
    </section>
  );
}

/** A polite live region for "Client created." style confirmations. */
export function StatusMessage(props: { message: string | null; onDismiss?: () => void }) {
  return (
    <div class="status-region" role="status">
      <Show when={props.message}>
        {(message) => (
          <div class="alert alert--success">
            <span>{message()}</span>
            <Show when={props.onDismiss}>
              <button type="button" class="button button--ghost button--small" onClick={() => props.onDismiss?.()}>
                Dismiss
              </button>
            </Show>
          </div>
        )}
      </Show>
    </div>
  );
}

/** Loading / error states of a list query, with a retry for errors. */
export function QueryStatus(props: { loading: boolean; error: string | null; what: string; onRetry: () => void }) {
  return (
    <>
      <Show when={props.loading}>
        <p class="muted loading" aria-live="polite">
          <span class="spinner" aria-hidden="true" /> Loading {props.what}…
        </p>
      </Show>
      <Show when={props.error}>
        {(message) => (
          <div class="alert alert--error" role="alert">
            <span>
              Couldn't load {props.what}: {message()}
            </span>
            <button type="button" class="button button--small" onClick={() => props.onRetry()}>
              Try again
            </button>
          </div>
        )}
      </Show>
    </>
  );
}

/** The part of a query its status reads (a TanStack query result fits). */
export interface QueryLike {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** `QueryStatus` of one query: loading while it is pending, its error with a retry. */
export function QueryStatusOf(props: { query: QueryLike; what: string }) {
  return (
    <QueryStatus
      loading={props.query.isPending}
      error={props.query.isError ? toUiError(props.query.error).message : null}
      what={props.what}
      onRetry={() => void props.query.refetch()}
    />
  );
}
