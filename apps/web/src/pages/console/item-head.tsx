/** The top of the open item: what it is, who holds it, and the moderation actions on it. */
import { isAllowed, memberTriageModerationMessage } from "@parley/contracts";
import { useMutation, useQuery } from "@tanstack/solid-query";
import { createSignal, createUniqueId, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { CustomerText } from "../../components/customer-text-view";
import { confirmedStatusLabel, DeliveryBadge, deliveryText } from "../../components/delivery-state";
import type { SlaBoardEntry } from "../../components/escalations";
import { ItemSlaSummary } from "../../components/item-sla";
import { SlaClock } from "../../components/sla-clock";
import {
  authorityLabels,
  formatCountdown,
  formatRelative,
  humanize,
  type ItemAuthority,
  type ItemDetail,
  itemStatusLabels,
  kindLabels,
} from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { keys } from "../../query";
import { platformLabels } from "../../roles";
import { trpc } from "../../trpc";

/**
 * Why the first-response clock has not stopped: it stops only when a public reply is delivered (an acknowledgement
 * only when the client's contract says acknowledgements count).
 */
function whyFirstResponseRuns(detail: ItemDetail): string {
  const latest = detail.replies.at(-1);
  if (!latest) return "no public reply has been sent yet";
  if (latest.kind === "acknowledgement" && latest.status === "sent") {
    return "the client's contract does not count an acknowledgement as the first response; a reply is still due";
  }
  if (latest.status === "pending_approval") return "the reply is waiting for approval";
  if (latest.status === "draft" || latest.status === "rejected") return "no reply is on its way";
  if (latest.delivery && latest.delivery.state !== "sent") {
    return `the reply is not delivered yet (${deliveryText(latest.delivery)})`;
  }
  return "the reply has not been confirmed by the platform yet";
}

/** The item's status as the platform confirmed it, and its latest public action's delivery when not yet sent. */
function ItemStatusBadge(props: { item: ItemDetail["item"] }) {
  const status = () =>
    confirmedStatusLabel(props.item.status, props.item.delivery, itemStatusLabels[props.item.status]);
  return (
    <>
      <span
        class="badge"
        classList={{ "badge--warning": status().tone === "pending", "badge--danger": status().tone === "failed" }}
      >
        {status().label}
      </span>
      <Show when={props.item.delivery?.state !== "sent"}>
        <DeliveryBadge delivery={props.item.delivery} prefix={`${props.item.delivery?.action}:`} />
      </Show>
    </>
  );
}

/** Priority, channel, status and clock; who wrote it, when; category, risk flags and the authority it carries. */
export function ItemHead(props: {
  detail: ItemDetail;
  now: number;
  /** The item's most pressing SLA clock, measured at `clockAt`. */
  clock: SlaBoardEntry | undefined;
  clockAt: Date;
  /** The item's authority as it applies to this member. */
  authority: ItemAuthority;
  /** Whether its first-response clock still runs (it stops only on a delivered public reply). */
  firstResponseRunning: boolean;
  onClose: () => void;
}) {
  const item = () => props.detail.item;
  return (
    <header class="item-head">
      <div class="item-head__top">
        <span class={`prio prio--${item().priority}`}>{item().priority}</span>
        <span class={`platform platform--${props.detail.channel.platform}`}>{props.detail.channel.displayName}</span>
        <Show when={props.detail.channel.platform === "sandbox"}>
          <span class="badge badge--warning" title="Parley's test platform: nothing is posted on a real network">
            Sandbox
          </span>
        </Show>
        <ItemStatusBadge item={item()} />
        <Show when={props.clock}>
          {(entry) => <SlaClock entry={entry()} boardAt={props.clockAt} now={props.now} showMetric />}
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
        <CustomerText text={item().author.displayName ?? item().author.handle} />
        <Show when={item().author.displayName && item().author.displayName !== item().author.handle}>
          <span class="muted item-head__kind"> @{item().author.handle}</span>
        </Show>
        <span class="muted item-head__kind">
          {" "}
          · {kindLabels[item().kind] ?? item().kind} ·{" "}
          <span title={formatDateTime(item().receivedAt)}>{formatRelative(item().receivedAt, props.now)}</span>
        </span>
      </h2>
      <div class="tags">
        <span class="tag">{humanize(item().categoryKey)}</span>
        <For each={item().riskFlags}>{(flag) => <span class="tag tag--risk">{flag}</span>}</For>
        <For each={item().piiFlags}>
          {(flag) => (
            <span class="tag tag--risk" title="Masked at ingest: Parley does not store the full value">
              {flag}
            </span>
          )}
        </For>
        <span class={`tag tag--authority-${props.authority}`}>{authorityLabels[props.authority]}</span>
        <Show when={item().moderationAction}>
          {(action) => <span class="tag tag--moderation">Protocol suggests: {action()}</span>}
        </Show>
      </div>
      <Show when={props.detail.sla}>{(sla) => <ItemSlaSummary sla={sla()} />}</Show>
      <Show when={props.firstResponseRunning}>
        <p class="muted item-head__clock-reason">
          First-response clock still running: {whyFirstResponseRuns(props.detail)}.
        </p>
      </Show>
    </header>
  );
}

/** Whose the item is: the member's own claim with its countdown and lease actions, another's, or none. */
export function ClaimBar(props: {
  detail: ItemDetail;
  mine: boolean;
  claimedByOther: boolean;
  secondsLeft: number | null;
  onExtend: () => void;
  onRelease: () => void;
  onSkip: () => void;
  /** A lead gave the item to `name`. */
  onReassigned: (name: string) => void;
}) {
  const session = useSession();
  const isLead = () => isAllowed(session.role(), "administer");
  const item = () => props.detail.item;
  const isOpen = () => item().status === "queued" || item().status === "claimed";
  return (
    <div
      class="claim-bar"
      classList={{ "claim-bar--mine": props.mine, "claim-bar--urgent": props.mine && (props.secondsLeft ?? 999) < 120 }}
    >
      <Show when={props.mine}>
        <span class="claim-bar__text" role="timer" aria-live="off">
          <Show when={(props.secondsLeft ?? 0) > 0} fallback="Your claim has expired: the item went back to the queue.">
            Claimed by you · <strong>{formatCountdown(props.secondsLeft ?? 0)}</strong> left
          </Show>
        </span>
        <span class="claim-bar__actions">
          <button type="button" class="button button--small" onClick={() => props.onExtend()}>
            Extend
          </button>
          <button type="button" class="button button--small" onClick={() => props.onRelease()}>
            Release
          </button>
          <button type="button" class="button button--small" onClick={() => props.onSkip()}>
            Skip <kbd>s</kbd>
          </button>
        </span>
      </Show>
      <Show when={props.claimedByOther}>
        <span class="claim-bar__text">
          {props.detail.holderName ?? "Another moderator"} holds this item
          <Show when={item().claimExpiresAt}>{(at) => <> until {formatDateTime(at())}</>}</Show>.
        </span>
        <Show when={isLead()}>
          <span class="claim-bar__actions">
            <button type="button" class="button button--small" onClick={() => props.onRelease()}>
              Release
            </button>
          </span>
        </Show>
      </Show>
      <Show when={isLead() && isOpen()}>
        <ReassignControl detail={props.detail} onReassigned={props.onReassigned} />
      </Show>
      <Show when={item().status === "queued"}>
        <span class="claim-bar__text">
          In the queue, unclaimed. Press <kbd>c</kbd> to claim the next item.
        </span>
      </Show>
      <Show when={!isOpen()}>
        <span class="claim-bar__text">
          {itemStatusLabels[item().status]}. Press <kbd>c</kbd> to claim the next item.
        </span>
      </Show>
    </div>
  );
}

/**
 * An agency lead hands the item to a member who works its client (its moderators, and the leads), with a fresh
 * lease: `queue.reassign`, audited.
 */
function ReassignControl(props: { detail: ItemDetail; onReassigned: (name: string) => void }) {
  const session = useSession();
  const selectId = createUniqueId();
  const [toUserId, setToUserId] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const members = useQuery(() => ({
    queryKey: keys.members(session.agencyId()),
    queryFn: () => trpc.members.list.query(),
    staleTime: 60_000,
  }));
  const candidates = () =>
    (members.data ?? []).filter(
      (member) =>
        member.userId !== props.detail.item.claimedBy &&
        isAllowed(member.role, "moderate") &&
        (isAllowed(member.role, "administer") ||
          member.assignments.some((assignment) => assignment.clientId === props.detail.item.clientId)),
    );
  const reassign = useMutation(() => ({
    mutationFn: () => trpc.queue.reassign.mutate({ itemId: props.detail.item.id, toUserId: toUserId() }),
  }));
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    if (!toUserId()) return setError("Choose who takes it over.");
    try {
      const result = await reassign.mutateAsync();
      setToUserId("");
      props.onReassigned(result.holderName);
    } catch (err) {
      setError(toUiError(err).message);
    }
  };
  return (
    <form class="reassign" aria-label="Reassign" onSubmit={(event) => void submit(event)}>
      <label class="field__label" for={selectId}>
        Reassign to
      </label>
      <select id={selectId} class="input select input--small" onChange={(e) => setToUserId(e.currentTarget.value)}>
        <option value="" selected={toUserId() === ""}>
          Choose a member…
        </option>
        <For each={candidates()}>
          {(member) => (
            <option value={member.userId} selected={member.userId === toUserId()}>
              {member.name}
            </option>
          )}
        </For>
      </select>
      <button type="submit" class="button button--small" aria-disabled={reassign.isPending ? "true" : undefined}>
        Reassign
      </button>
      <Show when={error()}>
        {(message) => (
          <span class="field__error" role="alert">
            {message()}
          </span>
        )}
      </Show>
    </form>
  );
}

/** Hide (or unhide), no action, escalate, delete, and the item on its platform. */
export function ItemToolbar(props: {
  detail: ItemDetail;
  /** The member may only acknowledge and escalate here: hiding and deleting are offered disabled, saying why. */
  onlyTriage: boolean;
  onHide: () => void;
  onUnhide: () => void;
  onNoAction: () => void;
  onEscalate: () => void;
  onDelete: () => void;
  /** Posts a protocol-approved acknowledgement, addressed to the customer (what a triage member may do). */
  onAcknowledge: () => void;
}) {
  const refusal = () => (props.onlyTriage ? memberTriageModerationMessage : undefined);
  return (
    <div class="item-actions">
      <button
        type="button"
        class="button button--small"
        classList={{ "button--primary": props.onlyTriage }}
        title="Post the protocol's next acknowledgement, addressed to the customer"
        onClick={() => props.onAcknowledge()}
      >
        Acknowledge
      </button>
      <Show
        when={props.detail.item.status !== "hidden"}
        fallback={
          <button
            type="button"
            class="button button--small"
            disabled={props.onlyTriage}
            title={refusal()}
            onClick={() => props.onUnhide()}
          >
            Unhide
          </button>
        }
      >
        <button
          type="button"
          class="button button--small"
          disabled={props.onlyTriage}
          title={refusal()}
          onClick={() => props.onHide()}
          aria-keyshortcuts="h"
        >
          Hide <kbd>h</kbd>
        </button>
      </Show>
      <button type="button" class="button button--small" onClick={() => props.onNoAction()} aria-keyshortcuts="n">
        No action <kbd>n</kbd>
      </button>
      <button type="button" class="button button--small" aria-keyshortcuts="e" onClick={() => props.onEscalate()}>
        Escalate <kbd>e</kbd>
      </button>
      <button
        type="button"
        class="button button--small button--danger-ghost"
        disabled={props.onlyTriage}
        title={refusal()}
        onClick={() => props.onDelete()}
      >
        Delete…
      </button>
      <Show when={props.onlyTriage}>
        <p class="muted item-actions__note">{memberTriageModerationMessage}.</p>
      </Show>
      <Show when={props.detail.channel.platform === "sandbox"}>
        <a class="button button--small button--ghost" href={`/console/sandbox/${props.detail.channel.id}`}>
          View the sandbox page
        </a>
      </Show>
      <Show when={props.detail.item.url}>
        {(url) => (
          <a class="button button--small button--ghost" href={url()} target="_blank" rel="noopener noreferrer">
            View on {platformLabels[props.detail.channel.platform]}
          </a>
        )}
      </Show>
    </div>
  );
}
