import type { DeliveryState } from "@parley/contracts";
import { useMutation } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { DeliveryBadge } from "../../components/delivery-state";
import {
  asCheckResults,
  type DeliveryView,
  formatRelative,
  humanize,
  type ReplyView,
  replyStatusLabels,
} from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { trpc } from "../../trpc";

/**
 * What a moderator can do about a failed public action: send it again, give up on it (the item goes back to the
 * queue), or — for a reply — edit the text and resend it. Each is audited.
 */
function FailedDeliveryActions(props: { delivery: DeliveryState; reply?: ReplyView; onChanged: () => void }) {
  const [editing, setEditing] = createSignal(false);
  const [text, setText] = createSignal(props.reply?.body ?? "");
  const [error, setError] = createSignal<string | null>(null);
  const done = {
    onSuccess: () => {
      setEditing(false);
      setError(null);
      props.onChanged();
    },
    onError: (err: unknown) => setError(toUiError(err).message),
  };
  const retry = useMutation(() => ({
    mutationFn: () => trpc.deliveries.retry.mutate({ deliveryId: props.delivery.deliveryId }),
    ...done,
  }));
  const cancel = useMutation(() => ({
    mutationFn: () => trpc.deliveries.cancel.mutate({ deliveryId: props.delivery.deliveryId }),
    ...done,
  }));
  const resend = useMutation(() => ({
    mutationFn: () => trpc.replies.resend.mutate({ replyId: props.reply?.id ?? "", text: text() }),
    ...done,
  }));
  const busy = () => retry.isPending || cancel.isPending || resend.isPending;
  return (
    <div class="delivery-actions">
      <button type="button" class="button button--small" disabled={busy()} onClick={() => retry.mutate()}>
        Retry
      </button>
      <Show when={props.reply}>
        <button type="button" class="button button--small button--ghost" onClick={() => setEditing(!editing())}>
          Edit and resend
        </button>
      </Show>
      <button
        type="button"
        class="button button--small button--danger-ghost"
        disabled={busy()}
        onClick={() => cancel.mutate()}
      >
        Cancel {props.delivery.action}
      </button>
      <Show when={editing()}>
        <form
          class="delivery-actions__edit"
          onSubmit={(event) => {
            event.preventDefault();
            resend.mutate();
          }}
        >
          <label class="field">
            <span class="field__label">Edited reply</span>
            <textarea rows={3} value={text()} onInput={(event) => setText(event.currentTarget.value)} />
          </label>
          <button type="submit" class="button button--small button--primary" disabled={busy()}>
            Resend
          </button>
        </form>
      </Show>
      <Show when={error()}>{(message) => <p class="reply__note reply__note--error">{message()}</p>}</Show>
    </div>
  );
}

export function ReplyStatusBadge(props: { reply: ReplyView }) {
  return (
    <span class={`reply-status reply-status--${props.reply.status}`}>{replyStatusLabels[props.reply.status]}</span>
  );
}

export function RepliesList(props: { replies: ReplyView[]; onChanged: () => void }) {
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
                <Show when={reply.delivery && reply.delivery.state !== "sent"}>
                  <p class="reply__note" classList={{ "reply__note--error": reply.delivery?.state === "failed" }}>
                    <DeliveryBadge delivery={reply.delivery} />
                  </p>
                </Show>
                <Show when={reply.status === "failed" && !reply.delivery}>
                  <p class="reply__note reply__note--error">failed — {reply.failureReason ?? "no reason given"}</p>
                </Show>
                <Show when={reply.delivery?.state === "failed" ? reply.delivery : null}>
                  {(delivery) => (
                    <FailedDeliveryActions delivery={delivery()} reply={reply} onChanged={props.onChanged} />
                  )}
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

export function Deliveries(props: { deliveries: DeliveryView[]; onChanged: () => void }) {
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
                <Show when={delivery.status === "failed" && delivery.action !== "reply" ? delivery.state : null}>
                  {(state) => <FailedDeliveryActions delivery={state()} onChanged={props.onChanged} />}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </details>
    </Show>
  );
}
