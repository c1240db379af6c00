import { createSignal, createUniqueId, type JSX, onCleanup, onMount, Show } from "solid-js";
import { toUiError } from "../errors";

/**
 * A modal built on <dialog>: the browser traps focus, makes the page inert and closes on Escape.
 * Render it conditionally (`<Show when={editing()}>`); it opens on mount and gives focus back on unmount.
 */
export function Dialog(props: {
  title: string;
  description?: string;
  onClose: () => void;
  children: JSX.Element;
  wide?: boolean;
}) {
  const titleId = createUniqueId();
  const descriptionId = createUniqueId();
  let ref!: HTMLDialogElement;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;

  onMount(() => {
    if (!ref.open) ref.showModal();
  });
  onCleanup(() => {
    if (ref.open) ref.close();
    queueMicrotask(() => {
      if (opener?.isConnected) opener.focus();
    });
  });

  return (
    <dialog
      ref={ref}
      class="dialog"
      classList={{ "dialog--wide": props.wide }}
      aria-labelledby={titleId}
      aria-describedby={props.description ? descriptionId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <div class="dialog__header">
        <h2 id={titleId} class="dialog__title">
          {props.title}
        </h2>
        <button
          type="button"
          class="button button--ghost button--icon"
          aria-label="Close"
          onClick={() => props.onClose()}
        >
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <Show when={props.description}>
        <p id={descriptionId} class="dialog__description">
          {props.description}
        </p>
      </Show>
      <div class="dialog__body">{props.children}</div>
    </dialog>
  );
}

/** "Are you sure?" with the action's own name on the confirm button; shows the action's error inline. */
export function ConfirmDialog(props: {
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const confirm = async () => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (err) {
      setError(toUiError(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={props.title} description={props.description} onClose={props.onClose}>
      <Show when={error()}>
        {(message) => (
          <div class="alert alert--error" role="alert">
            {message()}
          </div>
        )}
      </Show>
      <div class="dialog__actions">
        <button type="button" class="button" autofocus onClick={() => props.onClose()}>
          Cancel
        </button>
        <button
          type="button"
          class="button"
          classList={{ "button--danger": props.danger, "button--primary": !props.danger }}
          aria-disabled={busy() ? "true" : undefined}
          onClick={confirm}
        >
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
