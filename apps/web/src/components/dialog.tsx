import { createSignal, createUniqueId, type JSX, onCleanup, onMount, Show } from "solid-js";
import { toUiError } from "../errors";
import { FormAlert, SubmitButton } from "./form";

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

/**
 * A dialog that is one form: the form's alert, its fields (children), then Cancel and the submit button.
 * `error` is the message that belongs to no single field; `busy` while the submit is in flight.
 */
export function FormDialog(props: {
  title: string;
  description?: string;
  wide?: boolean;
  /** The form's accessible name (none: the form is no landmark of its own, the dialog names it). */
  label?: string;
  /** The form's class, "form" unless given. */
  class?: string;
  error: string | null;
  busy: boolean;
  submitLabel: string;
  busyLabel?: string;
  danger?: boolean;
  onSubmit: (event: SubmitEvent) => void;
  onClose: () => void;
  children: JSX.Element;
}) {
  return (
    <Dialog title={props.title} description={props.description} wide={props.wide} onClose={props.onClose}>
      <form
        class={props.class ?? "form"}
        noValidate
        aria-label={props.label}
        onSubmit={(event) => props.onSubmit(event)}
      >
        <FormAlert message={props.error} />
        {props.children}
        <div class="dialog__actions">
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
          <SubmitButton busy={props.busy} label={props.submitLabel} busyLabel={props.busyLabel} danger={props.danger} />
        </div>
      </form>
    </Dialog>
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
      <FormAlert message={error()} />
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
