import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../auth";
import { toUiError } from "../errors";
import { formatDateTime } from "../format";
import { afterChange } from "../query";
import { platformLabels } from "../roles";
import { type RouterInputs, trpc } from "../trpc";
import { useClients } from "./clients";
import { CustomerText } from "./customer-text-view";
import { DeliveryBadge } from "./delivery-state";
import { createForm, FormAlert, type Schema, TextAreaField } from "./form";
import { QueryStatus, StatusMessage } from "./page";
import { type ApprovalView, asCheckResults, formatRelative, humanize, replyLength, workKeys } from "./work";

type Decision = "approve" | "reject";

/** Approve takes an optional comment; reject needs one, so the author learns what to change. */
function decisionSchema(decision: () => Decision): Schema<{ comment: string }> {
  return {
    safeParse(data: unknown) {
      const comment = String((data as { comment?: unknown }).comment ?? "").trim();
      if (decision() === "reject" && comment === "") {
        return {
          success: false,
          error: { issues: [{ path: ["comment"], message: "is required to reject a draft" }] },
        };
      }
      if (comment.length > 2000) {
        return {
          success: false,
          error: { issues: [{ path: ["comment"], message: "must be at most 2000 characters" }] },
        };
      }
      return { success: true, data: { comment } };
    },
  };
}

function ApprovalCard(props: {
  approval: ApprovalView;
  href: string;
  clientName: string | undefined;
  /** Confirms at once (the draft has left the list); `decided` is the server's answer, `what` says what failed if refused. */
  onDecided: (message: string, decided: Promise<unknown>, what: string) => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [decision, setDecision] = createSignal<Decision>("approve");
  const form = createForm({
    initial: { comment: "" },
    labels: { comment: "Comment" },
    schema: decisionSchema(decision),
  });
  // The decided draft leaves the inbox on the click (back, if the server refuses); the lists refetch behind.
  const decided = () =>
    afterChange<unknown, { replyId: string }, ApprovalView[]>(queryClient, {
      stale: () => [workKeys.all(session.agencyId())],
      optimistic: {
        queryKey: () => workKeys.approvals(session.agencyId()),
        apply: (waiting, { replyId }) => waiting.filter((approval) => approval.id !== replyId),
      },
    });
  const approve = useMutation(() => ({
    mutationFn: (input: RouterInputs["replies"]["approve"]) => trpc.replies.approve.mutate(input),
    ...decided(),
  }));
  const reject = useMutation(() => ({
    mutationFn: (input: RouterInputs["replies"]["reject"]) => trpc.replies.reject.mutate(input),
    ...decided(),
  }));

  const item = () => props.approval.item;
  // The authority note is why the draft is here; the approver needs the other findings (e.g. "sounds templated").
  const warnings = () => asCheckResults(props.approval.checkResults).filter((result) => result.check !== "authority");
  const headingId = `approval-${props.approval.id}`;
  const subject = () => item().authorHandle;

  return (
    <article class="approval" aria-labelledby={headingId}>
      <header class="approval__header">
        <h3 class="approval__title" id={headingId}>
          <a href={props.href}>
            Reply to <CustomerText text={subject()} />
          </a>
        </h3>
        <span class="approval__meta">
          <Show when={props.clientName}>{(name) => <span class="approval__client">{name()} · </span>}</Show>
          <span class={`platform platform--${item().channel.platform}`} title={platformLabels[item().channel.platform]}>
            {item().channel.displayName}
          </span>
        </span>
      </header>

      <div class="approval__context">
        <p class="approval__label">
          <CustomerText text={subject()} /> wrote
          <Show when={item().categoryKey}> · {humanize(item().categoryKey)}</Show>
          <Show when={item().url}>
            {(url) => (
              <a href={url()} target="_blank" rel="noopener noreferrer">
                View on {platformLabels[item().channel.platform]}
              </a>
            )}
          </Show>
        </p>
        <blockquote class="quote">
          <CustomerText text={item().body} />
        </blockquote>
      </div>

      <div class="approval__draft">
        <p class="approval__label">
          Proposed reply
          <span title={formatDateTime(props.approval.createdAt)}> · {formatRelative(props.approval.createdAt)}</span>
          <span class="muted"> · {replyLength(props.approval.body)} characters</span>
        </p>
        <p class="draft-text">{props.approval.body}</p>
        <Show when={warnings().length > 0}>
          <ul class="checks">
            <For each={warnings()}>
              {(result) => (
                <li class={`check check--${result.severity}`}>
                  <span class="check__label">{result.severity === "block" ? "Blocked" : "Note"}</span>
                  {result.message}
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>

      <form
        class="form approval__form"
        noValidate
        aria-label={`Decide on the reply to ${subject()}`}
        onSubmit={(event) => {
          const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
          setDecision(submitter?.value === "reject" ? "reject" : "approve");
          void form.handleSubmit(async ({ comment }) => {
            const who = subject();
            if (decision() === "reject") {
              props.onDecided(
                `Reply to ${who} rejected; the moderator sees your comment.`,
                reject.mutateAsync({ replyId: props.approval.id, comment }),
                `Rejecting the reply to ${who}`,
              );
            } else {
              props.onDecided(
                `Reply to ${who} approved: sending… — see "Your recent decisions" for what was posted.`,
                approve.mutateAsync({ replyId: props.approval.id, comment: comment || undefined }),
                `Approving the reply to ${who}`,
              );
            }
          })(event);
        }}
      >
        <FormAlert message={form.formError()} />
        <TextAreaField
          field={form.field("comment")}
          rows={2}
          optional={decision() === "approve"}
          hint="Optional when approving; required when rejecting, so the moderator knows what to change."
        />
        <div class="approval__actions">
          <button
            type="submit"
            value="reject"
            class="button button--danger-ghost"
            aria-disabled={form.submitting() ? "true" : undefined}
          >
            Reject
          </button>
          <button
            type="submit"
            value="approve"
            class="button button--primary"
            aria-disabled={form.submitting() ? "true" : undefined}
          >
            Approve
          </button>
        </div>
      </form>
    </article>
  );
}

/** The pending drafts this member may decide (stakeholders: their brand's; agency leads: those without a client approver). */
export function useApprovals() {
  const session = useSession();
  return useQuery(() => ({
    queryKey: workKeys.approvals(session.agencyId()),
    queryFn: () => trpc.replies.approvals.query(),
  }));
}

/**
 * Drafted replies waiting for a decision: the portal's inbox for stakeholders, the console's tab for agency leads.
 * Each draft has its own address (`href(replyId)`); with `replyId`, only that draft is shown.
 */
export function ApprovalsInbox(props: { emptyText?: string; replyId?: string; href: (replyId?: string) => string }) {
  const [status, setStatus] = createSignal<string | null>(null);
  const [refused, setRefused] = createSignal<string | null>(null);
  const decided = (message: string, answer: Promise<unknown>, what: string) => {
    setRefused(null);
    setStatus(message);
    answer.catch((err: unknown) => {
      setStatus((shown) => (shown === message ? null : shown));
      setRefused(`${what} failed: ${toUiError(err).message}`);
    });
  };
  const approvals = useApprovals();
  const clients = useClients(() => true);
  // A stakeholder sees one brand: naming it on every card says nothing.
  const clientName = (clientId: string) =>
    (clients.data ?? []).length > 1 ? clients.data?.find((client) => client.id === clientId)?.name : undefined;
  const waiting = () => approvals.data ?? [];
  const shown = () => (props.replyId ? waiting().filter((approval) => approval.id === props.replyId) : waiting());
  return (
    <div class="approvals">
      <StatusMessage message={status()} onDismiss={() => setStatus(null)} />
      <FormAlert message={refused()} />
      <QueryStatus
        loading={approvals.isPending}
        error={approvals.isError ? toUiError(approvals.error).message : null}
        what="approvals"
        onRetry={() => void approvals.refetch()}
      />
      <Show when={approvals.isSuccess}>
        <Show
          when={props.replyId}
          fallback={
            <Show when={waiting().length > 0}>
              <p class="muted" aria-live="polite">
                {waiting().length} {waiting().length === 1 ? "draft waits" : "drafts wait"} for a decision.
              </p>
            </Show>
          }
        >
          <p class="muted">
            <a href={props.href()}>All drafts waiting for a decision ({waiting().length})</a>
          </p>
        </Show>
        <Show
          when={shown().length > 0}
          fallback={
            <p class="empty">
              {props.replyId
                ? "This draft is no longer waiting for a decision."
                : (props.emptyText ?? "Nothing is waiting for approval.")}
            </p>
          }
        >
          <ul class="approval-list" aria-label="Pending approvals">
            {/* By id: a refetch brings new objects for the same drafts, and must not wipe a comment being typed. */}
            <For each={shown().map((approval) => approval.id)}>
              {(id) => (
                <Show when={waiting().find((approval) => approval.id === id)}>
                  {(approval) => (
                    <li>
                      <ApprovalCard
                        approval={approval()}
                        href={props.href(id)}
                        clientName={clientName(approval().item.clientId)}
                        onDecided={decided}
                      />
                    </li>
                  )}
                </Show>
              )}
            </For>
          </ul>
        </Show>
      </Show>
      <RecentDecisions />
    </div>
  );
}

/** What became of the caller's recent decisions: each approved reply's delivery as the platform confirmed it. */
function RecentDecisions() {
  const session = useSession();
  const decided = useQuery(() => ({
    queryKey: [...workKeys.approvals(session.agencyId()), "decided"] as const,
    queryFn: () => trpc.replies.decided.query(),
    refetchInterval: 5000,
  }));
  return (
    <Show when={(decided.data ?? []).length > 0}>
      <section class="approvals__decided" aria-label="Your recent decisions">
        <h3>Your recent decisions</h3>
        <ul class="approval-list">
          <For each={decided.data}>
            {(reply) => (
              <li class="approval-decided" aria-label={`Decision on the reply to @${reply.item.authorHandle}`}>
                <span class="badge" classList={{ "badge--danger": reply.status === "rejected" }}>
                  {reply.status === "rejected" ? "Rejected" : "Approved"}
                </span>{" "}
                <DeliveryBadge delivery={reply.delivery} />{" "}
                <span class="muted">
                  to @<CustomerText text={reply.item.authorHandle} /> ·{" "}
                  {reply.decidedAt ? formatRelative(reply.decidedAt) : ""}
                </span>
                <p class="reply__body">{reply.body}</p>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
