import { For, Show } from "solid-js";
import { CustomerText } from "../../components/customer-text-view";
import { formatRelative, type ItemDetail, type ItemView, itemStatusLabels } from "../../components/work";
import { formatDateTime } from "../../format";
import { platformLabels } from "../../roles";
import { ReplyStatusBadge } from "./item-replies";

export function ThreadView(props: { thread: ItemView[]; currentId: string }) {
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
                  <span class="thread__author">
                    <CustomerText text={entry.author.displayName ?? entry.author.handle} />
                  </span>
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
                  <Show when={entry.title}>
                    {(title) => (
                      <p class="thread__title">
                        <CustomerText text={title()} />
                      </p>
                    )}
                  </Show>
                  <p class="thread__body">
                    <CustomerText text={entry.body} />
                  </p>
                </li>
              )}
            </For>
          </ol>
        </details>
      </section>
    </Show>
  );
}

export function CustomerSection(props: { detail: ItemDetail }) {
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
            <p class="cell--primary">
              <CustomerText text={customer().displayName ?? props.detail.item.author.handle} />
            </p>
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
                  <p class="history__body">
                    <CustomerText text={entry.item.body} />
                  </p>
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

export function ToldElsewhere(props: { detail: ItemDetail }) {
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

export function ProtocolSection(props: { detail: ItemDetail; onInsert: (text: string) => void }) {
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
