import { memberTriageMessage, memberTriageModerationMessage } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createSignal, For, onCleanup, Show } from "solid-js";
import { useSession } from "../../auth";
import { ConfirmDialog } from "../../components/dialog";
import { QueryStatus } from "../../components/page";
import { createClocksByItem, SlaClock, useSlaBoard } from "../../components/sla-clock";
import {
  asCheckResults,
  authorityLabels,
  type DeliveryView,
  formatCountdown,
  formatRelative,
  humanize,
  type ItemAuthority,
  type ItemDetail,
  type ItemView,
  itemStatusLabels,
  kindLabels,
  type NoteView,
  type ReplyView,
  replyStatusLabels,
  workKeys,
} from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { platformLabels } from "../../roles";
import { trpc } from "../../trpc";
import { Composer, type ComposerHandle } from "./composer";
import { EscalateDialog } from "./escalate-dialog";

/** What the console's keyboard shortcuts ask of the open item. */
export interface ItemActions {
  hide: () => void;
  noAction: () => void;
  focusReply: () => void;
  skip: () => void;
  escalate: () => void;
}

export interface Notice {
  text: string;
  tone?: "success" | "error" | "info";
  action?: { label: string; run: () => void };
}

/** Lease left when the console renews a claim by itself, if the moderator was active in the last minute. */
const autoRenewBelowSeconds = 90;
const activityWindowMs = 60_000;

function ReplyStatusBadge(props: { reply: ReplyView }) {
  return (
    <span class={`reply-status reply-status--${props.reply.status}`}>{replyStatusLabels[props.reply.status]}</span>
  );
}

function RepliesList(props: { replies: ReplyView[] }) {
  return (
    <Show when={props.replies.length > 0}>
      <section class="item-section" aria-labelledby="replies-title">
        <h3 class="item-section__title" id="replies-title">
          Our replies
        </h3>
        <ul class="replies" aria-label="Replies to this item">
          <For each={props.replies}>
            {(reply) => (
              <li class="reply" aria-label={`Reply, ${replyStatusLabels[reply.status]}`}>
                <div class="reply__head">
                  <ReplyStatusBadge reply={reply} />
                  <Show when={reply.kind !== "reply"}>
                    <span class="tag">{humanize(reply.kind)}</span>
                  </Show>
                  <span class="muted" title={formatDateTime(reply.createdAt)}>
                    written {formatRelative(reply.createdAt)}
                  </span>
                </div>
                <p class="reply__body">{reply.body}</p>
                <Show when={reply.status === "pending_approval"}>
                  <p class="reply__note">Waiting for the client's approval before it is posted.</p>
                </Show>
                <Show when={reply.status === "sent" && reply.sentAt}>
                  {(at) => (
                    <p class="reply__note reply__note--ok" title={formatDateTime(at() as unknown as Date)}>
                      Posted {formatRelative(reply.sentAt as Date)}.
                    </p>
                  )}
                </Show>
                <Show when={reply.status === "approved"}>
                  <p class="reply__note reply__note--ok">Approved; being posted.</p>
                </Show>
                <Show when={reply.status === "failed"}>
                  <p class="reply__note reply__note--error">
                    Failed{reply.failureReason ? `: ${reply.failureReason}` : "."}
                  </p>
                </Show>
                <Show when={reply.decidedAt && (reply.status === "rejected" || reply.decisionComment)}>
                  <p class="reply__note" classList={{ "reply__note--error": reply.status === "rejected" }}>
                    {reply.status === "rejected" ? "Rejected" : "Decided"}
                    <Show when={reply.decidedAt}>{(at) => <> {formatRelative(at())}</>}</Show>
                    <Show when={reply.decisionComment}>{(comment) => <>: “{comment()}”</>}</Show>
                  </p>
                </Show>
                <Show when={reply.status !== "sent" && asCheckResults(reply.checkResults).length > 0}>
                  <ul class="checks checks--compact">
                    <For each={asCheckResults(reply.checkResults)}>
                      {(result) => <li class={`check check--${result.severity}`}>{result.message}</li>}
                    </For>
                  </ul>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

function ThreadView(props: { thread: ItemView[]; currentId: string }) {
  return (
    <Show when={props.thread.length > 1}>
      <section class="item-section" aria-labelledby="thread-title">
        <details class="disclosure" open={props.thread.length <= 4}>
          <summary id="thread-title">Thread ({props.thread.length} messages)</summary>
          <ol class="thread">
            <For each={props.thread}>
              {(entry) => (
                <li
                  class="thread__entry"
                  classList={{ "thread__entry--current": entry.id === props.currentId }}
                  aria-current={entry.id === props.currentId ? "true" : undefined}
                >
                  <span class="thread__author">{entry.author.displayName ?? entry.author.handle}</span>
                  <Show when={entry.byBrand}>
                    {" "}
                    <span class="badge badge--accent" title="Written by the brand's own account">
                      Brand
                    </span>
                  </Show>
                  <span class="muted" title={formatDateTime(entry.receivedAt)}>
                    {" "}
                    · {formatRelative(entry.receivedAt)}
                  </span>
                  <Show when={entry.title}>{(title) => <p class="thread__title">{title()}</p>}</Show>
                  <p class="thread__body">{entry.body}</p>
                </li>
              )}
            </For>
          </ol>
        </details>
      </section>
    </Show>
  );
}

function CustomerSection(props: { detail: ItemDetail }) {
  return (
    <section class="item-section" aria-labelledby="customer-title">
      <h3 class="item-section__title" id="customer-title">
        Customer
      </h3>
      <Show
        when={props.detail.customer}
        fallback={<p class="muted">Not linked to a known customer yet: this is their first message we know of.</p>}
      >
        {(customer) => (
          <>
            <p class="cell--primary">{customer().displayName ?? props.detail.item.author.handle}</p>
            <ul class="chips" aria-label="Identities">
              <For each={customer().identities}>
                {(identity) => (
                  <li class="chip">
                    <span class={`platform platform--${identity.platform}`}>{platformLabels[identity.platform]}</span>{" "}
                    {identity.handle}
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
      <Show when={props.detail.history.length > 0}>
        <details class="disclosure" open>
          <summary>Other messages from this customer ({props.detail.history.length})</summary>
          <ul class="history">
            <For each={props.detail.history}>
              {(entry) => (
                <li class="history__entry">
                  <div class="history__head">
                    <span class={`platform platform--${entry.channel.platform}`}>
                      {platformLabels[entry.channel.platform]}
                    </span>
                    <span class="muted" title={formatDateTime(entry.item.receivedAt)}>
                      {formatRelative(entry.item.receivedAt)}
                    </span>
                    <span class="badge">{itemStatusLabels[entry.item.status]}</span>
                  </div>
                  <p class="history__body">{entry.item.body}</p>
                  <For each={entry.replies}>
                    {(reply) => (
                      <p class="history__reply">
                        <ReplyStatusBadge reply={reply} /> {reply.body}
                      </p>
                    )}
                  </For>
                </li>
              )}
            </For>
          </ul>
        </details>
      </Show>
    </section>
  );
}

function ToldElsewhere(props: { detail: ItemDetail }) {
  return (
    <Show when={props.detail.toldElsewhere.length > 0}>
      <section class="told" aria-labelledby="told-title">
        <h3 class="item-section__title" id="told-title">
          Already told this customer elsewhere
        </h3>
        <p class="muted">Stay consistent: one answer on one channel and another elsewhere is the worst outcome.</p>
        <ul class="told__list">
          <For each={props.detail.toldElsewhere}>
            {(told) => (
              <li>
                <span class={`platform platform--${told.platform}`}>{platformLabels[told.platform]}</span>
                <span class="muted" title={formatDateTime(told.sentAt)}>
                  {" "}
                  · {formatRelative(told.sentAt)}
                </span>
                <p class="told__text">{told.text}</p>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

function ProtocolSection(props: { detail: ItemDetail; onInsert: (text: string) => void }) {
  return (
    <section class="item-section protocol" aria-labelledby="protocol-title">
      <h3 class="item-section__title" id="protocol-title">
        Brand protocol
        <Show when={props.detail.protocol}>
          {(protocol) => <span class="muted"> · version {protocol().version}</span>}
        </Show>
      </h3>
      <Show
        when={props.detail.protocol}
        fallback={<p class="muted">This client has no active protocol: reply with extra care.</p>}
      >
        {(protocol) => (
          <>
            <Show when={protocol().voiceGuidelines}>
              {(voice) => (
                <div class="protocol__voice">
                  <h4 class="protocol__subtitle">Voice</h4>
                  <p>{voice()}</p>
                </div>
              )}
            </Show>
            <Show when={protocol().approvedAnswers.length > 0}>
              <h4 class="protocol__subtitle">Approved answers</h4>
              <ul class="answers">
                <For each={protocol().approvedAnswers}>
                  {(answer) => (
                    <li>
                      <button
                        type="button"
                        class="answer"
                        title="Insert into the reply"
                        onClick={() => props.onInsert(answer.text)}
                      >
                        <span class="answer__text">{answer.text}</span>
                        <span class="answer__action" aria-hidden="true">
                          Insert
                        </span>
                        <span class="sr-only"> (insert into the reply)</span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <Show when={protocol().forbiddenPhrases.length > 0}>
              <h4 class="protocol__subtitle">Never say</h4>
              <ul class="forbidden">
                <For each={protocol().forbiddenPhrases}>
                  {(forbidden) => (
                    <li>
                      <span class="forbidden__phrase">“{forbidden.phrase}”</span>
                      <span class="forbidden__reason">{forbidden.reason}</span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}

function TagsAndNotes(props: { detail: ItemDetail; onChanged: () => void }) {
  const [tag, setTag] = createSignal("");
  const [note, setNote] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const tags = () => props.detail.item.tags ?? [];
  const setTags = useMutation(() => ({
    mutationFn: (tags: string[]) => trpc.items.tag.mutate({ itemId: props.detail.item.id, tags }),
    onSuccess: props.onChanged,
    onError: (err: unknown) => setError(`Couldn't save the tags: ${toUiError(err).message}`),
  }));
  const addNote = useMutation(() => ({
    mutationFn: (body: string) => trpc.items.note.mutate({ itemId: props.detail.item.id, body }),
    onSuccess: () => {
      setNote("");
      props.onChanged();
    },
    onError: (err: unknown) => {
      const info = toUiError(err);
      setError(info.fields.body ? `Note ${info.fields.body}` : `Couldn't add the note: ${info.message}`);
    },
  }));

  const submitTag = () => {
    const value = tag().trim().toLowerCase();
    if (!value || tags().includes(value)) {
      setTag("");
      return;
    }
    setError(null);
    setTags.mutate([...tags(), value]);
    setTag("");
  };

  return (
    <section class="item-section" aria-labelledby="tags-title">
      <h3 class="item-section__title" id="tags-title">
        Tags and notes
      </h3>
      <Show when={error()}>
        {(message) => (
          <div class="alert alert--error" role="alert">
            {message()}
          </div>
        )}
      </Show>
      <div class="tag-editor">
        <ul class="chips" aria-label="Tags">
          <For each={tags()}>
            {(value) => (
              <li class="chip chip--removable">
                {value}
                <button
                  type="button"
                  class="chip__remove"
                  aria-label={`Remove tag ${value}`}
                  onClick={() => setTags.mutate(tags().filter((t) => t !== value))}
                >
                  ×
                </button>
              </li>
            )}
          </For>
        </ul>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            submitTag();
          }}
        >
          <label class="sr-only" for="add-tag">
            Add a tag
          </label>
          <input
            id="add-tag"
            class="input input--small"
            placeholder="Add a tag (e.g. delivery-delay)"
            maxLength={60}
            value={tag()}
            onInput={(e) => setTag(e.currentTarget.value)}
          />
          <button type="submit" class="button button--small">
            Add tag
          </button>
        </form>
      </div>
      <ul class="notes" aria-label="Notes">
        <For each={props.detail.notes} fallback={<li class="muted">No notes yet.</li>}>
          {(entry: NoteView) => (
            <li class="note">
              <p class="note__body">{entry.body}</p>
              <p class="note__meta">
                {entry.author.name} ·{" "}
                <span title={formatDateTime(entry.createdAt)}>{formatRelative(entry.createdAt)}</span>
              </p>
            </li>
          )}
        </For>
      </ul>
      <form
        class="note-form"
        onSubmit={(e) => {
          e.preventDefault();
          const body = note().trim();
          if (!body) {
            setError("Note is required: write something first.");
            return;
          }
          setError(null);
          addNote.mutate(body);
        }}
      >
        <label class="field__label" for="add-note">
          Note (internal, never posted)
        </label>
        <textarea
          id="add-note"
          class="input textarea"
          rows={2}
          value={note()}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        <div class="note-form__actions">
          <button type="submit" class="button button--small" aria-disabled={addNote.isPending ? "true" : undefined}>
            Add note
          </button>
        </div>
      </form>
    </section>
  );
}

function Deliveries(props: { deliveries: DeliveryView[] }) {
  return (
    <Show when={props.deliveries.length > 0}>
      <details class="disclosure">
        <summary>Platform deliveries ({props.deliveries.length})</summary>
        <ul class="deliveries">
          <For each={props.deliveries}>
            {(delivery) => (
              <li>
                <span class="tag">{delivery.action}</span>{" "}
                <span class={`reply-status reply-status--${delivery.status}`}>{delivery.status}</span>
                <Show when={delivery.attempts}> · {delivery.attempts} attempt(s)</Show>
                <Show when={delivery.lastError}>{(why) => <span class="reply__note--error"> · {why()}</span>}</Show>
                <Show when={delivery.echoedAt}>
                  {(at) => <span title={formatDateTime(at())}> · seen on the platform {formatRelative(at())}</span>}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </details>
    </Show>
  );
}

/** The right column: everything about the open item, and the actions on it. */
export function ItemPanel(props: {
  itemId: string;
  me: string;
  now: number;
  register: (actions: ItemActions | null) => void;
  notify: (notice: Notice) => void;
  /** Gives the item back to the queue, kept out of this moderator's claims for a while, and claims the next. */
  onSkip: (itemId: string) => Promise<void>;
  onClose: () => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [error, setError] = createSignal<string | null>(null);
  const [confirmDelete, setConfirmDelete] = createSignal(false);
  const [escalating, setEscalating] = createSignal(false);
  const slaBoard = useSlaBoard();
  const clocks = createClocksByItem(() => slaBoard.data);
  let composer: ComposerHandle | undefined;
  let lastActivity = 0;
  let autoRenewedFor: number | null = null;

  const detail = useQuery(() => ({
    queryKey: workKeys.item(session.agencyId(), props.itemId),
    queryFn: () => trpc.items.get.query({ itemId: props.itemId }),
    staleTime: 5_000,
  }));

  const refresh = () => queryClient.invalidateQueries({ queryKey: workKeys.all(session.agencyId()) });

  const act = useMutation(() => ({
    mutationFn: async (action: "hide" | "unhide" | "delete" | "noAction" | "release" | "renew") => {
      const input = { itemId: props.itemId };
      switch (action) {
        case "hide":
          return trpc.items.hide.mutate(input);
        case "unhide":
          return trpc.items.unhide.mutate(input);
        case "delete":
          return trpc.items.delete.mutate(input);
        case "noAction":
          return trpc.items.noAction.mutate(input);
        case "release":
          return trpc.queue.release.mutate(input);
        case "renew":
          return trpc.queue.renew.mutate(input);
      }
    },
    onSettled: refresh,
  }));

  const run = async (action: Parameters<typeof act.mutateAsync>[0], done?: Notice) => {
    setError(null);
    try {
      await act.mutateAsync(action);
      if (done) props.notify(done);
    } catch (err) {
      setError(toUiError(err).message);
    }
  };

  const item = () => detail.data?.item;
  const mine = () => item()?.status === "claimed" && item()?.claimedBy === props.me;
  const claimedByOther = () => item()?.status === "claimed" && Boolean(item()?.claimedBy) && !mine();
  const secondsLeft = () => {
    const expires = item()?.claimExpiresAt;
    return expires ? Math.round((expires.getTime() - props.now) / 1000) : null;
  };
  const isOpen = () => ["queued", "claimed"].includes(item()?.status ?? "");
  const pendingApproval = () => detail.data?.replies.some((reply) => reply.status === "pending_approval") ?? false;
  /** The member's own assignment on the item's client says triage: they acknowledge and escalate, never answer. */
  const onlyTriage = () =>
    session
      .current()
      .assignments.some((assignment) => assignment.clientId === item()?.clientId && assignment.authority === "triage");
  /** The item's authority as it applies to this member. */
  const authorityFor = (authority: ItemAuthority): ItemAuthority => (onlyTriage() ? "triage" : authority);
  const cannotSendReason = (): string | undefined => {
    if (onlyTriage()) return memberTriageMessage;
    if (claimedByOther()) return "Another moderator holds this item.";
    if (item()?.status === "deleted") return "The item was deleted: there is nothing to reply to.";
    if (pendingApproval()) return "A reply to this item is waiting for approval.";
    return undefined;
  };

  const hide = () => {
    if (!item() || item()?.status === "hidden" || onlyTriage()) return;
    void run("hide", {
      text: "Hidden on the platform.",
      action: { label: "Undo", run: () => void run("unhide", { text: "Shown again on the platform." }) },
    });
  };
  const noAction = () => {
    if (!item()) return;
    void run("noAction", { text: "Marked as needing no action." });
  };
  const skip = async () => {
    if (!mine()) {
      props.notify({ text: "Skip passes on an item you hold; claim one first with c.", tone: "info" });
      return;
    }
    setError(null);
    try {
      await props.onSkip(props.itemId);
    } catch (err) {
      setError(toUiError(err).message);
    }
  };

  // The server decides whether the item can be escalated (already open: CONFLICT; no playbook: INVALID_STATE).
  const escalate = () => {
    if (item()) setEscalating(true);
  };

  props.register({ hide, noAction, skip: () => void skip(), focusReply: () => composer?.focus(), escalate });
  onCleanup(() => props.register(null));

  // Renew the lease by itself while the moderator is working on the item.
  createEffect(() => {
    const left = secondsLeft();
    const expires = item()?.claimExpiresAt?.getTime() ?? null;
    if (!mine() || left === null || expires === null) return;
    if (left > 0 && left < autoRenewBelowSeconds && Date.now() - lastActivity < activityWindowMs) {
      if (autoRenewedFor === expires || act.isPending) return;
      autoRenewedFor = expires;
      void run("renew");
    }
  });

  return (
    <section class="console__item" aria-label="Open item" data-item-id={props.itemId}>
      <QueryStatus
        loading={detail.isPending}
        error={detail.isError ? toUiError(detail.error).message : null}
        what="the item"
        onRetry={() => void detail.refetch()}
      />
      <Show when={detail.data}>
        {(data) => (
          <>
            <header class="item-head">
              <div class="item-head__top">
                <span class={`prio prio--${data().item.priority}`}>{data().item.priority}</span>
                <span class={`platform platform--${data().channel.platform}`}>{data().channel.displayName}</span>
                <span class="badge">{itemStatusLabels[data().item.status]}</span>
                <Show when={slaBoard.data && clocks().get(data().item.id)}>
                  {(entry) => (
                    <SlaClock entry={entry()} boardAt={slaBoard.data?.at ?? new Date()} now={props.now} showMetric />
                  )}
                </Show>
                <button
                  type="button"
                  class="button button--ghost button--icon item-head__close"
                  aria-label="Close the item"
                  onClick={() => props.onClose()}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </div>
              <h2 class="item-head__title">
                {data().item.author.displayName ?? data().item.author.handle}
                <Show
                  when={data().item.author.displayName && data().item.author.displayName !== data().item.author.handle}
                >
                  <span class="muted item-head__kind"> @{data().item.author.handle}</span>
                </Show>
                <span class="muted item-head__kind">
                  {" "}
                  · {kindLabels[data().item.kind] ?? data().item.kind} ·{" "}
                  <span title={formatDateTime(data().item.receivedAt)}>
                    {formatRelative(data().item.receivedAt, props.now)}
                  </span>
                </span>
              </h2>
              <div class="tags">
                <span class="tag">{humanize(data().item.categoryKey)}</span>
                <For each={data().item.riskFlags}>{(flag) => <span class="tag tag--risk">{flag}</span>}</For>
                <span class={`tag tag--authority-${authorityFor(data().item.authority)}`}>
                  {authorityLabels[authorityFor(data().item.authority)]}
                </span>
                <Show when={data().item.moderationAction}>
                  {(action) => <span class="tag tag--moderation">Protocol suggests: {action()}</span>}
                </Show>
              </div>
            </header>

            <div
              class="claim-bar"
              classList={{ "claim-bar--mine": mine(), "claim-bar--urgent": mine() && (secondsLeft() ?? 999) < 120 }}
            >
              <Show when={mine()}>
                <span class="claim-bar__text" role="timer" aria-live="off">
                  <Show
                    when={(secondsLeft() ?? 0) > 0}
                    fallback="Your claim has expired: the item went back to the queue."
                  >
                    Claimed by you · <strong>{formatCountdown(secondsLeft() ?? 0)}</strong> left
                  </Show>
                </span>
                <span class="claim-bar__actions">
                  <button
                    type="button"
                    class="button button--small"
                    onClick={() => void run("renew", { text: "Claim extended." })}
                  >
                    Extend
                  </button>
                  <button
                    type="button"
                    class="button button--small"
                    onClick={() => void run("release", { text: "Released back to the queue." })}
                  >
                    Release
                  </button>
                  <button type="button" class="button button--small" onClick={() => void skip()}>
                    Skip <kbd>s</kbd>
                  </button>
                </span>
              </Show>
              <Show when={claimedByOther()}>
                <span class="claim-bar__text">
                  Another moderator holds this item
                  <Show when={data().item.claimExpiresAt}>{(at) => <> until {formatDateTime(at())}</>}</Show>.
                </span>
              </Show>
              <Show when={data().item.status === "queued"}>
                <span class="claim-bar__text">
                  In the queue, unclaimed. Press <kbd>c</kbd> to claim the next item.
                </span>
              </Show>
              <Show when={!isOpen()}>
                <span class="claim-bar__text">
                  {itemStatusLabels[data().item.status]}. Press <kbd>c</kbd> to claim the next item.
                </span>
              </Show>
            </div>

            <div class="item-actions">
              <Show
                when={data().item.status !== "hidden"}
                fallback={
                  <button
                    type="button"
                    class="button button--small"
                    disabled={onlyTriage()}
                    title={onlyTriage() ? memberTriageModerationMessage : undefined}
                    onClick={() => void run("unhide", { text: "Shown again." })}
                  >
                    Unhide
                  </button>
                }
              >
                <button
                  type="button"
                  class="button button--small"
                  disabled={onlyTriage()}
                  title={onlyTriage() ? memberTriageModerationMessage : undefined}
                  onClick={hide}
                  aria-keyshortcuts="h"
                >
                  Hide <kbd>h</kbd>
                </button>
              </Show>
              <button type="button" class="button button--small" onClick={noAction} aria-keyshortcuts="n">
                No action <kbd>n</kbd>
              </button>
              <button type="button" class="button button--small" aria-keyshortcuts="e" onClick={escalate}>
                Escalate <kbd>e</kbd>
              </button>
              <button
                type="button"
                class="button button--small button--danger-ghost"
                disabled={onlyTriage()}
                title={onlyTriage() ? memberTriageModerationMessage : undefined}
                onClick={() => setConfirmDelete(true)}
              >
                Delete…
              </button>
              <Show when={onlyTriage()}>
                <p class="muted item-actions__note">{memberTriageModerationMessage}.</p>
              </Show>
              <Show when={data().item.url}>
                {(url) => (
                  <a class="button button--small button--ghost" href={url()} target="_blank" rel="noopener noreferrer">
                    View on {platformLabels[data().channel.platform]}
                  </a>
                )}
              </Show>
            </div>

            <Show when={error()}>
              {(message) => (
                <div class="alert alert--error" role="alert">
                  <span>{message()}</span>
                  <button type="button" class="button button--small button--ghost" onClick={() => setError(null)}>
                    Dismiss
                  </button>
                </div>
              )}
            </Show>

            <div class="item-grid">
              <div class="item-grid__main">
                <blockquote class="quote quote--item">
                  <Show when={data().item.title}>{(title) => <strong class="quote__title">{title()}</strong>}</Show>
                  {data().item.body}
                </blockquote>
                <ThreadView thread={data().thread} currentId={data().item.id} />
                <ToldElsewhere detail={data()} />
                <Composer
                  itemId={data().item.id}
                  authority={data().item.authority}
                  maxLength={data().protocol?.maxReplyLength ?? null}
                  canSend={!cannotSendReason()}
                  cannotSendReason={cannotSendReason()}
                  ref={(handle) => {
                    composer = handle;
                  }}
                  onActivity={() => {
                    lastActivity = Date.now();
                  }}
                  onSent={(reply) => {
                    void refresh();
                    const text =
                      reply.status === "pending_approval"
                        ? "Sent for approval: the client decides before it is posted."
                        : reply.status === "failed"
                          ? `The platform refused the reply${reply.failureReason ? `: ${reply.failureReason}` : "."}`
                          : reply.status === "sent"
                            ? "Reply posted."
                            : "Reply accepted; posting it now.";
                    props.notify({ text, tone: reply.status === "failed" ? "error" : "success" });
                  }}
                />
                <RepliesList replies={data().replies} />
                <Deliveries deliveries={data().deliveries} />
              </div>
              <div class="item-grid__side">
                <ProtocolSection detail={data()} onInsert={(text) => composer?.insert(text)} />
                <CustomerSection detail={data()} />
                <TagsAndNotes detail={data()} onChanged={() => void refresh()} />
              </div>
            </div>
          </>
        )}
      </Show>
      <Show when={escalating()}>
        <EscalateDialog
          itemId={props.itemId}
          onClose={() => setEscalating(false)}
          onEscalated={() => props.notify({ text: "Escalated: the client's contacts have the hand-over packet." })}
        />
      </Show>
      <Show when={confirmDelete()}>
        <ConfirmDialog
          title="Delete this item on the platform?"
          description="The comment is removed from the brand's page for everyone. This cannot be undone from Parley."
          confirmLabel="Delete item"
          danger
          onConfirm={async () => {
            await act.mutateAsync("delete");
            props.notify({ text: "Deleted on the platform." });
          }}
          onClose={() => setConfirmDelete(false)}
        />
      </Show>
    </section>
  );
}
