import { createSignal, createUniqueId, onMount, Show } from "solid-js";

/**
 * A secret the server returns exactly once (ingest secret, one-time password): shown here until
 * dismissed, never cached or stored by the app.
 */
export function OnceSecret(props: {
  title: string;
  label: string;
  secret: string;
  description: string;
  onDismiss: () => void;
}) {
  const inputId = createUniqueId();
  const noteId = createUniqueId();
  const [copied, setCopied] = createSignal<"yes" | "failed" | null>(null);
  let heading!: HTMLHeadingElement;
  let input!: HTMLInputElement;

  onMount(() => {
    // After any closing dialog has handed focus back to its opener.
    setTimeout(() => {
      heading.scrollIntoView({ block: "nearest" });
      heading.focus({ preventScroll: true });
    }, 0);
  });

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied("yes");
    } catch {
      // Clipboard API unavailable (non-secure context): select it so Ctrl+C works.
      input.select();
      setCopied("failed");
    }
  };

  return (
    // Deliberately no accessible name on the section: getByLabel(props.label) must find only the input.
    <section class="secret-panel">
      <h2 ref={heading} tabIndex={-1} class="secret-panel__title">
        {props.title}
      </h2>
      <p class="secret-panel__description">{props.description}</p>
      <label class="field__label" for={inputId}>
        {props.label}
      </label>
      <div class="secret-panel__row">
        <input
          ref={input}
          id={inputId}
          class="input mono"
          readOnly
          value={props.secret}
          aria-describedby={noteId}
          spellcheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p id={noteId} class="secret-panel__note">
        <strong>Copy it now and keep it safe: you won't see this again.</strong>
      </p>
      <p class="secret-panel__status" role="status">
        <Show when={copied() === "yes"}>Copied to the clipboard.</Show>
        <Show when={copied() === "failed"}>Couldn't copy automatically: it is selected, press Ctrl+C (⌘C).</Show>
      </p>
      <div class="secret-panel__actions">
        <button type="button" class="button button--primary" onClick={() => props.onDismiss()}>
          Dismiss
        </button>
      </div>
    </section>
  );
}
