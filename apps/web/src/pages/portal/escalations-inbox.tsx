import { useNavigate } from "@solidjs/router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { useSession } from "../../auth";
import { CustomerText } from "../../components/customer-text-view";
import { ConfirmDialog } from "../../components/dialog";
import { type EscalationView, escalationKeys, escalationStatusLabels } from "../../components/escalations";
import { asSentence, createForm, FormAlert, type Schema, SubmitButton, TextAreaField } from "../../components/form";
import { HandoverPacketView, readPacket } from "../../components/handover-packet";
import { QueryStatus } from "../../components/page";
import { formatRelative } from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime, plural } from "../../format";
import { afterChange } from "../../query";
import { trpc } from "../../trpc";

const answerMax = 10_000;

function excerpt(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const isOpen = (escalation: EscalationView) => escalation.status === "open" || escalation.status === "acknowledged";

type Action = { kind: "acknowledge" | "resolve" } | { kind: "answer"; answer: string };

/** What the escalation becomes, shown on the click (the server's answer, or its refusal, follows). */
function expectedAfter(escalation: EscalationView, action: Action): EscalationView {
  const now = new Date();
  if (action.kind === "acknowledge") return { ...escalation, status: "acknowledged" };
  if (action.kind !== "answer") return { ...escalation, status: "resolved", resolvedAt: now };
  return { ...escalation, status: "resolved", answer: action.answer, answeredAt: now, resolvedAt: now };
}

/**
 * The server's rules for an answer (core's `escalationAnswerInput`, in its words), checked before the click shows
 * the escalation answered: an empty answer never looks sent for a moment.
 */
const answerSchema: Schema<{ answer: string }> = {
  safeParse(data: unknown) {
    const answer = String((data as { answer?: unknown }).answer ?? "").trim();
    const refuse = (message: string) => ({
      success: false as const,
      error: { issues: [{ path: ["answer"], message }] },
    });
    if (answer === "") return refuse("answer must not be empty");
    if (answer.length > answerMax) return refuse(`answer must be at most ${answerMax} characters`);
    return { success: true, data: { answer } };
  },
};

/** One escalation: its packet, and (while open) the answer form, Acknowledge and Resolve. */
function EscalationDetail(props: { escalationId: string; onClose: () => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [done, setDone] = createSignal<string | null>(null);
  const form = createForm({
    id: "escalation",
    initial: { answer: "" },
    labels: { answer: "Your answer for the customer" },
    schema: answerSchema,
    wording: asSentence,
  });

  const detail = useQuery(() => ({
    queryKey: escalationKeys.one(session.agencyId(), props.escalationId),
    queryFn: () => trpc.escalations.get.query({ escalationId: props.escalationId }),
    staleTime: 5_000,
  }));

  const act = useMutation(() => ({
    mutationFn: (action: Action) => {
      const escalationId = props.escalationId;
      if (action.kind === "answer") return trpc.escalations.answer.mutate({ escalationId, answer: action.answer });
      if (action.kind === "acknowledge") return trpc.escalations.acknowledge.mutate({ escalationId });
      return trpc.escalations.resolve.mutate({ escalationId });
    },
    // The escalation shows its new state on the click (as it was, if the server refuses); the inbox takes the
    // server's answer; both refetch behind.
    ...afterChange<EscalationView, Action, EscalationView>(queryClient, {
      stale: () => [escalationKeys.all(session.agencyId())],
      optimistic: {
        queryKey: () => escalationKeys.one(session.agencyId(), props.escalationId),
        apply: expectedAfter,
      },
      update: (escalation) => {
        const agencyId = session.agencyId();
        queryClient.setQueryData(escalationKeys.one(agencyId, escalation.id), escalation);
        queryClient.setQueriesData<EscalationView[]>({ queryKey: escalationKeys.lists(agencyId) }, (list) =>
          list?.map((listed) => (listed.id === escalation.id ? escalation : listed)),
        );
      },
    }),
  }));

  /** Confirms on the click; a refusal takes the confirmation back and throws (the caller shows why). */
  const run = async (action: Action, message: string) => {
    setDone(message);
    try {
      await act.mutateAsync(action);
    } catch (err) {
      setDone(null);
      throw err;
    }
  };
  const [confirmingResolve, setConfirmingResolve] = createSignal(false);
  /** Acknowledge and Resolve: their failure shows in the form's alert. */
  const decide = async (kind: "acknowledge" | "resolve", message: string) => {
    if (act.isPending) return;
    form.setFormError(null);
    try {
      await run({ kind }, message);
    } catch (err) {
      form.setFormError(toUiError(err).message);
    }
  };

  return (
    <div class="escalation-detail">
      <div class="escalation-detail__head">
        <button type="button" class="button button--ghost button--small" onClick={() => props.onClose()}>
          ← All escalations
        </button>
      </div>
      <QueryStatus
        loading={detail.isPending}
        error={detail.isError ? toUiError(detail.error).message : null}
        what="the escalation"
        onRetry={() => void detail.refetch()}
      />
      <Show when={detail.data}>
        {(escalation) => (
          <>
            <p class="escalation-detail__meta">
              <span class={`escalation-status escalation-status--${escalation().status}`}>
                {escalationStatusLabels[escalation().status]}
              </span>{" "}
              <span class="muted">
                Level {escalation().level} · opened {formatDateTime(escalation().createdAt)}
              </span>
            </p>
            <Show when={done()}>
              {(message) => (
                <div class="alert alert--success" role="status">
                  {message()}
                </div>
              )}
            </Show>
            <Show when={escalation().answer}>
              {(text) => (
                <section class="packet__section" aria-label="Your answer">
                  <h4 class="packet__title">Answer</h4>
                  <p class="packet__note">{text()}</p>
                  <Show when={escalation().answeredAt}>
                    {(at) => <p class="muted">Answered {formatDateTime(at())}</p>}
                  </Show>
                </section>
              )}
            </Show>
            <Show when={isOpen(escalation())}>
              <form
                class="escalation-answer"
                novalidate
                onSubmit={form.handleSubmit(async ({ answer }) => {
                  await run({ kind: "answer", answer }, "Answered: the agency passes it on to the customer.");
                  form.reset();
                })}
              >
                <FormAlert message={form.formError()} />
                <TextAreaField field={form.field("answer")} rows={4} maxLength={answerMax} />
                <div class="escalation-answer__actions">
                  <SubmitButton busy={form.submitting()} label="Send answer" busyLabel="Sending…" />
                  <Show when={escalation().status === "open"}>
                    <button
                      type="button"
                      class="button"
                      aria-disabled={act.isPending ? "true" : undefined}
                      onClick={() => void decide("acknowledge", "Acknowledged: reminders stop while you work on it.")}
                    >
                      Acknowledge
                    </button>
                  </Show>
                  <button
                    type="button"
                    class="button button--ghost"
                    aria-disabled={act.isPending ? "true" : undefined}
                    onClick={() => setConfirmingResolve(true)}
                  >
                    Resolve without answer
                  </button>
                </div>
              </form>
            </Show>
            <Show when={confirmingResolve()}>
              <ConfirmDialog
                title="Resolve without an answer?"
                description="The escalation closes and the customer gets no answer from you through the agency. This cannot be undone."
                confirmLabel="Resolve without answer"
                danger
                onConfirm={() => decide("resolve", "Resolved without an answer for the customer.")}
                onClose={() => setConfirmingResolve(false)}
              />
            </Show>
            <Show when={escalation().itemCount > 1}>
              <p class="escalation-detail__rolled-up">
                One incident: {plural(escalation().itemCount, "item")} escalated together. Your answer goes to every one
                of these customers.
              </p>
            </Show>
            <HandoverPacketView packet={escalation().packet} />
          </>
        )}
      </Show>
    </div>
  );
}

/** One escalation in the inbox lists: its status, who wrote the item and when, and the start of the text. */
function EscalationRow(props: { escalation: EscalationView; onOpen: (id: string) => void }) {
  const packet = () => readPacket(props.escalation.packet);
  return (
    <li class="escalation-row" classList={{ "escalation-row--open": isOpen(props.escalation) }}>
      <button type="button" class="escalation-row__button" onClick={() => props.onOpen(props.escalation.id)}>
        <span class={`escalation-status escalation-status--${props.escalation.status}`}>
          {escalationStatusLabels[props.escalation.status]}
        </span>
        <Show when={props.escalation.itemCount > 1}>
          <span class="escalation-row__count" title="Items of one incident, answered together">
            {plural(props.escalation.itemCount, "item")}
          </span>
        </Show>
        <span class="escalation-row__who">
          <CustomerText text={packet()?.item.authorHandle ?? "Escalated item"} />{" "}
          <span class="muted" title={formatDateTime(props.escalation.createdAt)}>
            · {formatRelative(props.escalation.createdAt)}
          </span>
        </span>
        <span class="escalation-row__text">
          <CustomerText text={excerpt(packet()?.item.body ?? "")} />
        </span>
      </button>
    </li>
  );
}

/** The client's escalations, open ones first to act on; `escalationId` (from the address) opens one. */
export function EscalationsInbox(props: { escalationId?: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const open = (id: string | null) => navigate(id ? `/portal/escalations/${id}` : "/portal", { scroll: false });
  const list = useQuery(() => ({
    queryKey: escalationKeys.list(session.agencyId(), undefined),
    queryFn: () => trpc.escalations.list.query({}),
    staleTime: 10_000,
  }));
  const openOnes = () => (list.data ?? []).filter(isOpen);
  const closedOnes = () => (list.data ?? []).filter((escalation) => !isOpen(escalation));

  return (
    <Show
      when={props.escalationId}
      keyed
      fallback={
        <div class="escalations">
          <QueryStatus
            loading={list.isPending}
            error={list.isError ? toUiError(list.error).message : null}
            what="escalations"
            onRetry={() => void list.refetch()}
          />
          <Show when={list.data}>
            <ul class="escalation-list" aria-label="Open escalations">
              <For
                each={openOnes()}
                fallback={<li class="muted">Nothing is waiting for you. The agency escalates here when needed.</li>}
              >
                {(escalation) => <EscalationRow escalation={escalation} onOpen={open} />}
              </For>
            </ul>
            <Show when={closedOnes().length > 0}>
              <details class="disclosure">
                <summary>Answered and resolved ({closedOnes().length})</summary>
                <ul class="escalation-list" aria-label="Closed escalations">
                  <For each={closedOnes()}>
                    {(escalation) => <EscalationRow escalation={escalation} onOpen={open} />}
                  </For>
                </ul>
              </details>
            </Show>
          </Show>
        </div>
      }
    >
      {(id) => <EscalationDetail escalationId={id} onClose={() => open(null)} />}
    </Show>
  );
}
