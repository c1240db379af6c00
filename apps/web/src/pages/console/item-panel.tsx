import { memberTriageMessage } from "@parley/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createSignal, onCleanup, Show } from "solid-js";
import { useSession } from "../../auth";
import { CustomerText } from "../../components/customer-text-view";
import { ConfirmDialog } from "../../components/dialog";
import { QueryStatus } from "../../components/page";
import { createClocksByItem } from "../../components/sla-clock";
import {
  type ClaimedItem,
  formatCountdown,
  type ItemAuthority,
  type ItemDetail,
  kindLabels,
  type ReplyView,
  workKeys,
} from "../../components/work";
import { toUiError } from "../../errors";
import { refreshInBackground } from "../../query";
import { trpc } from "../../trpc";
import { Composer, type ComposerHandle } from "./composer";
import { EscalateDialog } from "./escalate-dialog";
import { CustomerSection, ProtocolSection, ThreadView, ToldElsewhere } from "./item-context";
import { ClaimBar, ItemHead, ItemToolbar } from "./item-head";
import { Deliveries, RepliesList } from "./item-replies";
import { IncidentNotice, type ItemCluster } from "./queue-clusters";
import { TagsAndNotes } from "./tags-and-notes";

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

/** The moderation and lease actions on the open item: each a procedure taking `{ itemId }`. */
const itemProcedures = {
  hide: trpc.items.hide,
  unhide: trpc.items.unhide,
  delete: trpc.items.delete,
  noAction: trpc.items.noAction,
  release: trpc.queue.release,
  renew: trpc.queue.renew,
};
type ItemAction = keyof typeof itemProcedures;

/** What the console says once a reply left the composer, by where it stands. */
function sentNotice(reply: Pick<ReplyView, "status" | "failureReason">): Notice {
  const text =
    reply.status === "pending_approval"
      ? "Sent for approval: the client decides before it is posted."
      : reply.status === "failed"
        ? `The platform refused the reply${reply.failureReason ? `: ${reply.failureReason}` : "."}`
        : reply.status === "sent"
          ? "Reply posted."
          : "Reply accepted; posting it now.";
  return { text, tone: reply.status === "failed" ? "error" : "success" };
}

/** Where the member stands with the open item: whose claim it is, how long it lasts, whether they may reply. */
function createStanding(of: {
  detail: () => ItemDetail | undefined;
  me: () => string;
  now: () => number;
  /** The member's own assignment on the client says triage: they acknowledge and escalate, never answer. */
  triageOn: (clientId: string) => boolean;
}) {
  const item = () => of.detail()?.item;
  const mine = () => item()?.status === "claimed" && item()?.claimedBy === of.me();
  const claimedByOther = () => item()?.status === "claimed" && Boolean(item()?.claimedBy) && !mine();
  const onlyTriage = () => of.triageOn(item()?.clientId ?? "");
  return {
    mine,
    claimedByOther,
    onlyTriage,
    secondsLeft: () => {
      const expires = item()?.claimExpiresAt;
      return expires ? Math.round((expires.getTime() - of.now()) / 1000) : null;
    },
    /** The item's authority as it applies to this member. */
    authorityFor: (authority: ItemAuthority): ItemAuthority => (onlyTriage() ? "triage" : authority),
    cannotSendReason: (): string | undefined => {
      if (onlyTriage()) return memberTriageMessage;
      if (claimedByOther()) return "Another moderator holds this item.";
      if (item()?.status === "deleted") return "The item was deleted: there is nothing to reply to.";
      if (of.detail()?.replies.some((reply) => reply.status === "pending_approval"))
        return "A reply to this item is waiting for approval.";
      return undefined;
    },
  };
}

/**
 * The item as claim next answered it, shown the moment the claim lands — whose it is, how long, and its text —
 * while the rest (thread, customer, protocol, replies) loads.
 */
function ClaimPreview(props: { item: ClaimedItem; now: number }) {
  const left = () => Math.round(((props.item.claimExpiresAt?.getTime() ?? props.now) - props.now) / 1000);
  return (
    <>
      <p>
        <span class={`prio prio--${props.item.priority}`}>{props.item.priority}</span>{" "}
        <strong>
          <CustomerText text={props.item.authorHandle} />
        </strong>{" "}
        · {kindLabels[props.item.kind] ?? props.item.kind}
      </p>
      <div class="claim-bar claim-bar--mine">
        <span class="claim-bar__text" role="timer" aria-live="off">
          Claimed by you · <strong>{formatCountdown(left())}</strong> left
        </span>
      </div>
      <blockquote class="quote quote--item">
        <CustomerText text={props.item.body} />
      </blockquote>
      <p class="muted loading">
        <span class="spinner" aria-hidden="true" /> Loading the thread, the customer and the protocol…
      </p>
    </>
  );
}

/** The right column: everything about the open item, and the actions on it. */
export function ItemPanel(props: {
  itemId: string;
  /** The item as claim next just answered it, shown until its detail arrives. */
  preview?: ClaimedItem | null;
  me: string;
  now: number;
  register: (actions: ItemActions | null) => void;
  notify: (notice: Notice) => void;
  /** Gives the item back to the queue, kept out of this moderator's claims for a while, and claims the next. */
  onSkip: (itemId: string) => Promise<void>;
  /** The cluster of near-identical open items this item belongs to, if any (`queue.clusters`). */
  incident?: ItemCluster | undefined;
  onActOnIncident: (cluster: ItemCluster) => void;
  /** An action here changed the queue: refresh its counts and lists (coalesced with the live events). */
  onQueueChanged: () => void;
  onClose: () => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [error, setError] = createSignal<string | null>(null);
  const [confirmDelete, setConfirmDelete] = createSignal(false);
  const [escalating, setEscalating] = createSignal(false);
  // This item's running clocks, however many others run (refreshed with the item).
  const itemClocks = useQuery(() => ({
    queryKey: workKeys.itemClocks(session.agencyId(), props.itemId),
    queryFn: () => trpc.sla.clocks.query({ itemIds: [props.itemId] }),
    staleTime: 5_000,
  }));
  const clocks = createClocksByItem(() => itemClocks.data && { items: [{ clocks: itemClocks.data.clocks }] });
  let composer: ComposerHandle | undefined;
  let lastActivity = 0;
  let autoRenewedFor: number | null = null;

  const detail = useQuery(() => ({
    queryKey: workKeys.item(session.agencyId(), props.itemId),
    queryFn: () => trpc.items.get.query({ itemId: props.itemId }),
    staleTime: 5_000,
  }));

  // In the background: the action's notice shows on the server's answer, not after the refetch.
  const refresh = () => {
    props.onQueueChanged();
    refreshInBackground(queryClient, [
      workKeys.item(session.agencyId(), props.itemId),
      workKeys.approvals(session.agencyId()),
    ]);
  };

  const act = useMutation(() => ({
    mutationFn: async (action: ItemAction) => {
      await itemProcedures[action].mutate({ itemId: props.itemId });
    },
    onSettled: refresh,
  }));

  const run = async (action: ItemAction, done?: Notice) => {
    setError(null);
    try {
      await act.mutateAsync(action);
      if (done) props.notify(done);
    } catch (err) {
      setError(toUiError(err).message);
    }
  };

  const item = () => detail.data?.item;
  const { mine, claimedByOther, onlyTriage, secondsLeft, authorityFor, cannotSendReason } = createStanding({
    detail: () => detail.data,
    me: () => props.me,
    now: () => props.now,
    triageOn: (clientId) =>
      session
        .current()
        .assignments.some((assignment) => assignment.clientId === clientId && assignment.authority === "triage"),
  });

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
  const previewing = () => !detail.data && props.preview?.id === props.itemId;
  const skip = async () => {
    if (!mine() && !previewing()) {
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
  const acknowledge = async () => {
    setError(null);
    try {
      await trpc.replies.acknowledge.mutate({ itemId: props.itemId });
      refresh();
      props.notify({ text: "Acknowledgement queued: its delivery shows under Our replies." });
    } catch (err) {
      setError(toUiError(err).message);
    }
  };

  // A key pressed while only the claim's preview shows acts once the item has loaded, rather than not at all.
  let deferred: (() => void) | null = null;
  const whenLoaded = (action: () => void) => () => {
    if (detail.data) action();
    else if (previewing()) deferred = action;
  };
  createEffect(() => {
    if (!detail.data || !deferred) return;
    const action = deferred;
    deferred = null;
    queueMicrotask(action);
  });
  props.register({
    hide: whenLoaded(hide),
    noAction: whenLoaded(noAction),
    skip: () => void skip(),
    focusReply: whenLoaded(() => composer?.focus()),
    escalate: whenLoaded(escalate),
  });
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
      <Show when={previewing() && props.preview}>{(item) => <ClaimPreview item={item()} now={props.now} />}</Show>
      <QueryStatus
        loading={detail.isPending && !previewing()}
        error={detail.isError ? toUiError(detail.error).message : null}
        what="the item"
        onRetry={() => void detail.refetch()}
      />
      <Show when={detail.data}>
        {(data) => (
          <>
            <ItemHead
              detail={data()}
              now={props.now}
              clock={clocks().get(data().item.id)}
              clockAt={itemClocks.data?.at ?? new Date()}
              authority={authorityFor(data().item.authority)}
              firstResponseRunning={Boolean(itemClocks.data?.clocks.some((entry) => entry.metric === "first_response"))}
              onClose={props.onClose}
            />
            <ClaimBar
              detail={data()}
              mine={mine()}
              claimedByOther={claimedByOther()}
              secondsLeft={secondsLeft()}
              onExtend={() => void run("renew", { text: "Claim extended." })}
              onRelease={() => void run("release", { text: "Released back to the queue." })}
              onSkip={() => void skip()}
              onReassigned={(name) => {
                refresh();
                props.notify({ text: `Reassigned to ${name}.` });
              }}
            />
            <Show when={props.incident}>
              {(cluster) => <IncidentNotice cluster={cluster()} onAct={props.onActOnIncident} />}
            </Show>
            <ItemToolbar
              detail={data()}
              onlyTriage={onlyTriage()}
              onHide={hide}
              onUnhide={() => void run("unhide", { text: "Shown again." })}
              onNoAction={noAction}
              onEscalate={escalate}
              onAcknowledge={() => void acknowledge()}
              onDelete={() => setConfirmDelete(true)}
            />
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
                  <Show when={data().item.title}>
                    {(title) => (
                      <strong class="quote__title">
                        <CustomerText text={title()} />
                      </strong>
                    )}
                  </Show>
                  <CustomerText text={data().item.body} />
                </blockquote>
                <ThreadView thread={data().thread} currentId={data().item.id} />
                <ToldElsewhere detail={data()} />
                <Composer
                  itemId={data().item.id}
                  authority={data().item.authority}
                  maxLength={data().protocol?.maxReplyLength ?? null}
                  canSend={!cannotSendReason()}
                  cannotSendReason={cannotSendReason()}
                  readOnlyReason={onlyTriage() ? memberTriageMessage : undefined}
                  ref={(handle) => {
                    composer = handle;
                  }}
                  onActivity={() => {
                    lastActivity = Date.now();
                  }}
                  onSent={(reply) => {
                    refresh();
                    props.notify(sentNotice(reply));
                  }}
                />
                <RepliesList replies={data().replies} onChanged={() => refresh()} />
                <Deliveries deliveries={data().deliveries} onChanged={() => refresh()} />
              </div>
              <div class="item-grid__side">
                <ProtocolSection detail={data()} onInsert={(text) => composer?.insert(text)} />
                <CustomerSection detail={data()} />
                <TagsAndNotes detail={data()} onChanged={() => refresh()} />
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
