import { useMutation } from "@tanstack/solid-query";
import { createEffect, createMemo, createSignal, createUniqueId, For, on, onCleanup, Show } from "solid-js";
import {
  asCheckResults,
  errorDetails,
  type ItemAuthority,
  type ReplyCheckResult,
  type ReplyView,
  replyLength,
} from "../../components/work";
import { toUiError } from "../../errors";
import { trpc } from "../../trpc";

/** Unsent text per item, kept while the console is open, so switching items never loses a draft. */
const drafts = new Map<string, string>();

export interface ComposerHandle {
  focus: () => void;
  insert: (text: string) => void;
}

const checkDelayMs = 350;

const checkTitles: Record<ReplyCheckResult["check"], string> = {
  forbidden_phrase: "Forbidden phrase",
  payment_card: "Card number",
  length: "Length",
  authority: "Authority",
  authenticity: "Sounds templated",
  duplicate: "Duplicate",
};

/**
 * The reply box: checks the draft against the brand protocol while the moderator types (debounced), shows
 * blocks in red with their reason and warnings in amber, counts characters against the channel's limit, and
 * sends. Send stays disabled while a block stands; the server checks again on send either way.
 */
export function Composer(props: {
  itemId: string;
  authority: ItemAuthority;
  maxLength: number | null;
  /** False when this moderator may not act on the item (e.g. someone else holds the claim). */
  canSend: boolean;
  cannotSendReason?: string;
  /** Why this member may never write here (triage-only authority): the box is read-only and says so. */
  readOnlyReason?: string;
  ref: (handle: ComposerHandle) => void;
  onActivity: () => void;
  onSent: (reply: ReplyView) => void;
}) {
  const id = createUniqueId();
  const counterId = `${id}-counter`;
  const resultsId = `${id}-results`;
  const readOnlyId = `${id}-read-only`;
  let textarea!: HTMLTextAreaElement;
  const [text, setText] = createSignal(drafts.get(props.itemId) ?? "");
  const [checked, setChecked] = createSignal<{ text: string; results: ReplyCheckResult[] } | null>(null);
  const [checking, setChecking] = createSignal(false);
  const [checkError, setCheckError] = createSignal<string | null>(null);
  const [sendError, setSendError] = createSignal<string | null>(null);
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const runCheck = async (value: string) => {
    const mine = ++sequence;
    setChecking(true);
    try {
      const result = await trpc.replies.check.mutate({ itemId: props.itemId, text: value });
      if (mine !== sequence) return;
      setChecked({ text: value, results: asCheckResults(result.results) });
      setCheckError(null);
    } catch (err) {
      if (mine !== sequence) return;
      // Stale results would keep Send blocked (or unblocked) on text that is gone.
      setChecked(null);
      setCheckError(`Couldn't check the draft live (${toUiError(err).message}); Send checks it again.`);
    } finally {
      if (mine === sequence) setChecking(false);
    }
  };

  createEffect(
    on(text, (value) => {
      if (value) drafts.set(props.itemId, value);
      else drafts.delete(props.itemId);
      clearTimeout(timer);
      setSendError(null);
      if (value.trim() === "") {
        sequence += 1;
        setChecked(null);
        setChecking(false);
        setCheckError(null);
        return;
      }
      timer = setTimeout(() => void runCheck(value), checkDelayMs);
    }),
  );
  onCleanup(() => clearTimeout(timer));

  const length = createMemo(() => replyLength(text()));
  const overLimit = () => props.maxLength !== null && length() > props.maxLength;
  const results = () => checked()?.results ?? [];
  const blocks = () => results().filter((result) => result.severity === "block");
  const warnings = () => results().filter((result) => result.severity === "warn");
  /** The latest answer's blocks stand until a newer check clears them. */
  const blocked = () => blocks().length > 0 || overLimit();
  const needsApproval = () =>
    props.authority === "approval" || results().some((result) => result.details?.requiresApproval === true);

  const send = useMutation(() => ({
    mutationFn: (input: { itemId: string; text: string }) => trpc.replies.send.mutate(input),
  }));

  const disabledReason = (): string | null => {
    if (props.readOnlyReason) return props.readOnlyReason;
    if (!props.canSend) return props.cannotSendReason ?? "You can't reply to this item.";
    if (text().trim() === "") return "Write a reply first.";
    if (overLimit()) return `Shorten the reply to ${props.maxLength} characters.`;
    if (blocks().length > 0) return "Fix what is blocked to send.";
    return null;
  };

  const submit = async () => {
    if (send.isPending || disabledReason()) return;
    const value = text();
    setSendError(null);
    try {
      const reply = await send.mutateAsync({ itemId: props.itemId, text: value });
      sequence += 1;
      clearTimeout(timer);
      setText("");
      setChecked(null);
      setChecking(false);
      props.onSent(reply);
    } catch (err) {
      const details = errorDetails(err);
      if (details.reason === "reply_blocked") {
        setChecked({ text: value, results: asCheckResults(details.results) });
        setSendError("Not sent: the protocol check blocks this reply. See the reasons below.");
      } else {
        setSendError(`Not sent: ${toUiError(err).message}`);
      }
    }
  };

  props.ref({
    focus: () => {
      textarea.focus();
      textarea.scrollIntoView({ block: "nearest" });
    },
    insert: (snippet) => {
      const current = text();
      const start = textarea.selectionStart ?? current.length;
      const end = textarea.selectionEnd ?? start;
      const before = current.slice(0, start);
      const separator = before !== "" && !/\s$/.test(before) ? " " : "";
      const next = `${before}${separator}${snippet}${current.slice(end)}`;
      setText(next);
      props.onActivity();
      queueMicrotask(() => {
        textarea.focus();
        const caret = before.length + separator.length + snippet.length;
        textarea.setSelectionRange(caret, caret);
      });
    },
  });

  const counterClass = () => {
    if (props.maxLength === null) return "";
    if (overLimit()) return "counter--over";
    return length() > props.maxLength * 0.9 ? "counter--near" : "";
  };

  return (
    <form
      class="composer"
      noValidate
      aria-label="Compose a reply"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div class="composer__head">
        <label class="field__label" for={id}>
          Reply
        </label>
        <span id={counterId} class={`counter ${counterClass()}`}>
          {length()}
          <Show when={props.maxLength !== null}> / {props.maxLength}</Show>
          <span class="sr-only"> characters</span>
        </span>
      </div>
      <Show when={props.readOnlyReason}>
        {(reason) => (
          <p id={readOnlyId} class="alert alert--info composer__read-only">
            Read-only: {reason()}. Use Acknowledge (a protocol-approved acknowledgement) or Escalate above.
          </p>
        )}
      </Show>
      <textarea
        ref={textarea}
        id={id}
        class="input textarea composer__input"
        classList={{ "composer__input--blocked": blocked() }}
        rows={5}
        value={text()}
        readOnly={Boolean(props.readOnlyReason)}
        placeholder={
          props.readOnlyReason
            ? "Read-only: your authority here is triage"
            : "Write the brand's reply… (Ctrl+Enter sends, Esc leaves the box)"
        }
        aria-invalid={blocked() ? "true" : "false"}
        aria-describedby={`${props.readOnlyReason ? `${readOnlyId} ` : ""}${counterId} ${resultsId}`}
        onInput={(e) => {
          setText(e.currentTarget.value);
          props.onActivity();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void submit();
          } else if (e.key === "Escape") {
            e.currentTarget.blur();
          }
        }}
      />
      <div id={resultsId} class="composer__checks" role="status" aria-live="polite">
        <Show when={checking()}>
          <p class="muted composer__checking">
            <span class="spinner" aria-hidden="true" /> Checking against the protocol…
          </p>
        </Show>
        <Show when={checkError()}>{(message) => <p class="check check--warn">{message()}</p>}</Show>
        <Show when={overLimit()}>
          <p class="check check--block">
            <span class="check__label">Blocked</span>
            Too long: {length()} characters, the limit here is {props.maxLength}.
          </p>
        </Show>
        <Show when={results().length > 0}>
          <ul class="checks" aria-label="Protocol check">
            <For each={[...blocks(), ...warnings()]}>
              {(result) => (
                <li class={`check check--${result.severity}`}>
                  <span class="check__label">
                    {result.severity === "block" ? "Blocked" : "Warning"}: {checkTitles[result.check] ?? result.check}
                  </span>
                  {result.message}
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={checked() && results().length === 0 && !checking() && text().trim() !== ""}>
          <p class="check check--ok">Passes the protocol check.</p>
        </Show>
      </div>
      <Show when={sendError()}>
        {(message) => (
          <div class="alert alert--error" role="alert">
            {message()}
          </div>
        )}
      </Show>
      <div class="composer__actions">
        <Show when={!props.readOnlyReason && disabledReason()}>
          {(reason) => <span class="composer__why">{reason()}</span>}
        </Show>
        <button
          type="submit"
          class="button button--primary"
          disabled={Boolean(disabledReason()) || send.isPending}
          title={disabledReason() ?? undefined}
        >
          <Show when={send.isPending} fallback={needsApproval() ? "Send for approval" : "Send reply"}>
            <span class="spinner" aria-hidden="true" /> Sending…
          </Show>
        </button>
      </div>
    </form>
  );
}
