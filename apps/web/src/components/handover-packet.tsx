import { formatZonedTime } from "@parley/contracts";
import { For, Show } from "solid-js";
import { formatDateTime } from "../format";
import { CustomerText } from "./customer-text-view";
import { clockMetricLabels, type HandoverPacket } from "./escalations";
import { calendarWords } from "./item-sla";
import { humanize } from "./work";

type PacketMessage = HandoverPacket["thread"][number];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const arrayOf = <T,>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/**
 * The packet as stored, made safe to render: escalations are stored with whatever packet was built at the
 * time (older or imported rows may lack parts, or the item altogether), so missing lists become empty and a
 * packet without an item is null.
 */
export function readPacket(raw: unknown): HandoverPacket | null {
  if (!isRecord(raw) || !isRecord(raw.item) || typeof raw.item.body !== "string") return null;
  const packet = raw as unknown as HandoverPacket;
  type PacketReply = HandoverPacket["saidPublicly"][number];
  // Only delivered text was said publicly; older packets listed approved replies there too.
  const listed = arrayOf<PacketReply>(raw.saidPublicly);
  return {
    ...packet,
    note: typeof raw.note === "string" ? raw.note : null,
    item: { ...packet.item, riskFlags: arrayOf<string>(raw.item.riskFlags) },
    thread: arrayOf(raw.thread),
    otherConversations: arrayOf(raw.otherConversations),
    saidPublicly: listed.filter((reply) => reply.status === "sent"),
    notYetPublic: [...listed.filter((reply) => reply.status !== "sent"), ...arrayOf<PacketReply>(raw.notYetPublic)],
    protocolExcerpt: isRecord(raw.protocolExcerpt)
      ? {
          ...packet.protocolExcerpt,
          protocolVersionId: String(raw.protocolExcerpt.protocolVersionId ?? ""),
          category: isRecord(raw.protocolExcerpt.category) ? (packet.protocolExcerpt?.category ?? null) : null,
          approvedAnswers: arrayOf(raw.protocolExcerpt.approvedAnswers),
          forbiddenPhrases: arrayOf(raw.protocolExcerpt.forbiddenPhrases),
        }
      : null,
    clocks: arrayOf(raw.clocks),
    withoutTarget: arrayOf<string>(raw.withoutTarget),
  };
}

function Message(props: { message: PacketMessage; when: (at: string) => string }) {
  return (
    <li class="packet__message">
      <span class="packet__author">
        <CustomerText text={props.message.authorHandle} />
      </span>
      <span class="muted">
        {" "}
        · {humanize(props.message.platform)} · {props.when(props.message.createdAt)}
      </span>
      <p class="packet__body">
        <CustomerText text={props.message.body} />
      </p>
    </li>
  );
}

/**
 * The hand-over packet an escalation carries: the item and its thread, the customer's other conversations,
 * what was already said publicly, the protocol excerpt and the clocks. Server text is rendered as text only.
 */
export function HandoverPacketView(props: { packet: unknown }) {
  return (
    <Show when={readPacket(props.packet)} fallback={<p class="muted">No hand-over packet was recorded.</p>}>
      {(packet) => <PacketSections packet={packet()} />}
    </Show>
  );
}

function PacketSections(props: { packet: HandoverPacket }) {
  const packet = () => props.packet;
  // The client's zone, named (packets built before it was recorded: the reader's own).
  const when = (at: string) => {
    const zone = packet().timeZone;
    return zone ? formatZonedTime(at, zone) : formatDateTime(at);
  };
  return (
    <div class="packet">
      <Show when={packet().note}>
        {(note) => (
          <section class="packet__section" aria-label="Note from the agency">
            <h4 class="packet__title">Note</h4>
            <p class="packet__note">{note()}</p>
          </section>
        )}
      </Show>
      <section class="packet__section" aria-label="The item">
        <h4 class="packet__title">
          The item <span class={`prio prio--${packet().item.priority}`}>{packet().item.priority}</span>{" "}
          <span class="tag">{humanize(packet().item.categoryKey)}</span>
          <For each={packet().item.riskFlags}>{(flag) => <span class="tag tag--risk">{flag}</span>}</For>
        </h4>
        <ul class="packet__list">
          <Message message={packet().item} when={when} />
        </ul>
        <Show when={packet().item.url}>
          {(url) => (
            <a class="packet__link" href={url()} target="_blank" rel="noopener noreferrer">
              View it on {humanize(packet().item.platform)}
            </a>
          )}
        </Show>
      </section>
      <Show when={packet().thread.length > 0}>
        <section class="packet__section" aria-label="Thread">
          <h4 class="packet__title">Thread ({packet().thread.length})</h4>
          <ol class="packet__list">
            <For each={packet().thread}>{(message) => <Message message={message} when={when} />}</For>
          </ol>
        </section>
      </Show>
      <Show when={packet().otherConversations.length > 0}>
        <section class="packet__section" aria-label="Other conversations">
          <h4 class="packet__title">The customer's other conversations ({packet().otherConversations.length})</h4>
          <ul class="packet__list">
            <For each={packet().otherConversations}>{(message) => <Message message={message} when={when} />}</For>
          </ul>
        </section>
      </Show>
      <section class="packet__section" aria-label="Said publicly">
        <h4 class="packet__title">Already said publicly</h4>
        <Show
          when={packet().saidPublicly.length > 0}
          fallback={<p class="muted">Nothing has been said publicly yet.</p>}
        >
          <ul class="packet__list">
            <For each={packet().saidPublicly}>
              {(reply) => (
                <li class="packet__message">
                  <span class="badge">{humanize(reply.status)}</span>
                  <Show when={reply.sentAt}>{(at) => <span class="muted"> · {when(at())}</span>}</Show>
                  <p class="packet__body">{reply.body}</p>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
      <Show when={(packet().notYetPublic ?? []).length > 0}>
        <section class="packet__section" aria-label="Not yet public">
          <h4 class="packet__title">Not yet public (the platform had not confirmed it when this was written)</h4>
          <ul class="packet__list">
            <For each={packet().notYetPublic}>
              {(reply) => (
                <li class="packet__message">
                  <span class="badge badge--warning">{humanize(reply.status)}</span>
                  <p class="packet__body">{reply.body}</p>
                </li>
              )}
            </For>
          </ul>
        </section>
      </Show>
      <section class="packet__section" aria-label="Protocol excerpt">
        <h4 class="packet__title">Protocol</h4>
        <Show when={packet().protocolExcerpt} fallback={<p class="muted">The client has no active protocol.</p>}>
          {(excerpt) => (
            <>
              <Show when={excerpt().category}>
                {(category) => (
                  <p>
                    {category().name ?? humanize(category().key)} · {humanize(category().authority)} ·{" "}
                    {category().priority}
                  </p>
                )}
              </Show>
              <Show when={excerpt().approvedAnswers.length > 0}>
                <p class="packet__subtitle">Approved answers</p>
                <ul class="packet__plain">
                  <For each={excerpt().approvedAnswers}>{(answer) => <li>{answer.text}</li>}</For>
                </ul>
              </Show>
              <Show when={excerpt().forbiddenPhrases.length > 0}>
                <p class="packet__subtitle">Never say</p>
                <ul class="packet__plain">
                  <For each={excerpt().forbiddenPhrases}>
                    {(forbidden) => (
                      <li>
                        “{forbidden.phrase}” <span class="muted">— {forbidden.reason}</span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </>
          )}
        </Show>
      </section>
      <section class="packet__section" aria-label="Clocks">
        <h4 class="packet__title">Clocks</h4>
        <Show when={packet().slaSource}>{(source) => <p class="muted">Targets from {source()}.</p>}</Show>
        <Show
          when={packet().clocks.length > 0 || (packet().withoutTarget ?? []).length > 0}
          fallback={<p class="muted">No SLA clocks on this item.</p>}
        >
          <ul class="packet__plain">
            <For each={packet().clocks}>
              {(clock) => (
                <li>
                  {clockMetricLabels[clock.metric] ?? clock.metric} ({clock.targetMinutes} min
                  {clock.calendarKind ? `, ${calendarWords(clock.calendarKind)}` : ""}): due {when(clock.dueAt)}
                  {clock.breachedAt
                    ? ` · breached ${when(clock.breachedAt)}`
                    : clock.state === "breached" || clock.state === "missed"
                      ? " · breached"
                      : ""}
                  {clock.stoppedAt ? ` · stopped ${when(clock.stoppedAt)}` : ""}
                  {clock.note ? ` · ${clock.note}` : clock.paused ? " · paused" : ""}
                </li>
              )}
            </For>
            <For each={packet().withoutTarget ?? []}>{(sentence) => <li class="muted">{sentence}.</li>}</For>
          </ul>
        </Show>
      </section>
      <p class="muted packet__built">Built {when(packet().builtAt)}</p>
    </div>
  );
}
