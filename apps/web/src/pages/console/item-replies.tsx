import { For, Show } from "solid-js";
import {
  asCheckResults,
  type DeliveryView,
  formatRelative,
  humanize,
  type ReplyView,
  replyStatusLabels,
} from "../../components/work";
import { formatDateTime } from "../../format";

export function ReplyStatusBadge(props: { reply: ReplyView }) {
  return (
    <span class={`reply-status reply-status--${props.reply.status}`}>{replyStatusLabels[props.reply.status]}</span>
  );
}

export function RepliesList(props: { replies: ReplyView[] }) {
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

export function Deliveries(props: { deliveries: DeliveryView[] }) {
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
