import { createSignal, createUniqueId, Show } from "solid-js";

/** A read-only value to paste elsewhere (a secret shown once, a webhook URL), with a Copy button and its outcome. */
export function CopyField(props: { label: string; value: string; describedBy?: string }) {
  const inputId = createUniqueId();
  const [copied, setCopied] = createSignal<"yes" | "failed" | null>(null);
  let input!: HTMLInputElement;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied("yes");
    } catch {
      // Clipboard API unavailable (non-secure context): select it so Ctrl+C works.
      input.select();
      setCopied("failed");
    }
  };
  return (
    <div class="copy-field">
      <label class="field__label" for={inputId}>
        {props.label}
      </label>
      <div class="secret-panel__row">
        <input
          ref={input}
          id={inputId}
          class="input mono"
          readOnly
          value={props.value}
          aria-describedby={props.describedBy}
          spellcheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="button" onClick={copy}>
          Copy<span class="sr-only"> {props.label}</span>
        </button>
      </div>
      <p class="secret-panel__status" role="status">
        <Show when={copied() === "yes"}>Copied to the clipboard.</Show>
        <Show when={copied() === "failed"}>Couldn't copy automatically: it is selected, press Ctrl+C (⌘C).</Show>
      </p>
    </div>
  );
}
