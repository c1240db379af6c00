import { For, onCleanup, onMount } from "solid-js";
import { Dialog } from "../../components/dialog";

export const shortcuts: ReadonlyArray<{ keys: string[]; does: string }> = [
  { keys: ["j"], does: "Highlight the next item in the queue" },
  { keys: ["k"], does: "Highlight the previous item" },
  { keys: ["Enter"], does: "Open the highlighted item" },
  { keys: ["x"], does: "Select the highlighted item for a bulk action" },
  { keys: ["c"], does: "Claim the next item (of the client you filter on, or any of yours)" },
  { keys: ["s"], does: "Skip the item you hold and claim the next one" },
  { keys: ["r"], does: "Write a reply (focus the reply box)" },
  { keys: ["Ctrl", "Enter"], does: "Send the reply (in the reply box)" },
  { keys: ["Esc"], does: "Leave the reply box, so the shortcuts work again" },
  { keys: ["h"], does: "Hide the open item on the platform" },
  {
    keys: ["e"],
    does: "Escalate the open item",
  },
  { keys: ["n"], does: "Mark the open item as needing no action" },
  { keys: ["?"], does: "Show this list" },
];

/** True when a key press belongs to what the user is typing, not to the console. */
function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  }
  return false;
}

/** The keys the console answers (see `shortcuts` for what each does). */
type ConsoleKey = "j" | "k" | "Enter" | "x" | "c" | "s" | "r" | "h" | "n" | "e" | "?";

/**
 * Calls the key's handler for as long as the calling component lives — never while the user types in a
 * field, a dialog is open, a modifier is held, or Enter belongs to a focused control.
 */
export function useConsoleKeys(handlers: Record<ConsoleKey, () => void>): void {
  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (isTypingTarget(event.target)) return;
    const onControl = event.target instanceof HTMLElement && event.target.closest("button, a, input, summary");
    if (event.key === "Enter" && onControl) return;
    const handler = (handlers as Partial<Record<string, () => void>>)[event.key];
    if (!handler) return;
    handler();
    event.preventDefault();
  };
  onMount(() => window.addEventListener("keydown", onKey));
  onCleanup(() => window.removeEventListener("keydown", onKey));
}

export function ShortcutsHelp(props: { onClose: () => void }) {
  return (
    <Dialog
      title="Keyboard shortcuts"
      description="They work anywhere in the console except while you type in a field."
      onClose={props.onClose}
    >
      <table class="table table--compact shortcuts" aria-label="Keyboard shortcuts">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          <For each={shortcuts}>
            {(shortcut) => (
              <tr>
                <td class="shortcuts__keys">
                  <For each={shortcut.keys}>{(key) => <kbd>{key}</kbd>}</For>
                </td>
                <td>{shortcut.does}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <div class="dialog__actions">
        <button type="button" class="button button--primary" autofocus onClick={() => props.onClose()}>
          Got it
        </button>
      </div>
    </Dialog>
  );
}
