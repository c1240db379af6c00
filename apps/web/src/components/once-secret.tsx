import { createUniqueId, onMount } from "solid-js";
import { CopyField } from "./copy-field";

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
  const noteId = createUniqueId();
  let heading!: HTMLHeadingElement;

  onMount(() => {
    // After any closing dialog has handed focus back to its opener.
    setTimeout(() => {
      heading.scrollIntoView({ block: "nearest" });
      heading.focus({ preventScroll: true });
    }, 0);
  });

  return (
    // Deliberately no accessible name on the section: getByLabel(props.label) must find only the input.
    <section class="secret-panel">
      <h2 ref={heading} tabIndex={-1} class="secret-panel__title">
        {props.title}
      </h2>
      <p class="secret-panel__description">{props.description}</p>
      <CopyField label={props.label} value={props.secret} describedBy={noteId} />
      <p id={noteId} class="secret-panel__note">
        <strong>Copy it now and keep it safe: you won't see this again.</strong>
      </p>
      <div class="secret-panel__actions">
        <button type="button" class="button button--primary" onClick={() => props.onDismiss()}>
          Dismiss
        </button>
      </div>
    </section>
  );
}
