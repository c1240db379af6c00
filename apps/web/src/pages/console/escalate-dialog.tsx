import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Show } from "solid-js";
import { useSession } from "../../auth";
import { FormDialog } from "../../components/dialog";
import { escalationKeys } from "../../components/escalations";
import { HandoverPacketView } from "../../components/handover-packet";
import { QueryStatus } from "../../components/page";
import { workKeys } from "../../components/work";
import { toUiError, type UiError } from "../../errors";
import { trpc } from "../../trpc";

const noteMax = 4000;

/** What the moderator reads when escalating fails: the server's reason in the console's words. */
export function escalateErrorText(error: UiError): string {
  if (error.code === "CONFLICT") return "This item is already escalated: the client is working on it.";
  if (error.code === "INVALID_STATE") {
    return `${error.message}. An agency admin sets up the client's playbook under Admin → Playbooks.`;
  }
  return error.message;
}

/** Previews the hand-over packet the client would receive, takes an optional note, then escalates. */
export function EscalateDialog(props: { itemId: string; onClose: () => void; onEscalated: () => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [note, setNote] = createSignal("");
  const [error, setError] = createSignal<UiError | null>(null);

  // The note only rides along in the packet, so the preview is fetched once and shows the note as typed.
  const preview = useQuery(() => ({
    queryKey: escalationKeys.preview(session.agencyId(), props.itemId, ""),
    queryFn: () => trpc.escalations.preview.query({ itemId: props.itemId }),
    staleTime: 0,
    retry: false,
  }));

  const escalate = useMutation(() => ({
    mutationFn: () => {
      const text = note().trim();
      return trpc.escalations.escalate.mutate({ itemId: props.itemId, note: text ? text : undefined });
    },
    onSuccess: () => {
      props.onEscalated();
      props.onClose();
    },
    onError: (err: unknown) => setError(toUiError(err)),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: workKeys.all(session.agencyId()) });
      void queryClient.invalidateQueries({ queryKey: escalationKeys.all(session.agencyId()) });
      void queryClient.invalidateQueries({ queryKey: escalationKeys.sla(session.agencyId()) });
    },
  }));

  const errorText = () => {
    const info = error();
    return info ? escalateErrorText(info) : null;
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (escalate.isPending) return;
    setError(null);
    escalate.mutate();
  };

  return (
    <FormDialog
      title="Escalate to the client"
      description="The client's specialist receives this hand-over packet, so they can answer without asking the customer to start again. The item's resolution clock pauses while the client works on it."
      wide
      class="escalate"
      error={errorText()}
      busy={escalate.isPending}
      submitLabel="Escalate"
      busyLabel="Escalating…"
      onSubmit={submit}
      onClose={props.onClose}
    >
      <div class="field">
        <label class="field__label" for="escalate-note">
          Note for the client <span class="muted">(optional)</span>
        </label>
        <textarea
          id="escalate-note"
          class="input textarea"
          rows={3}
          maxLength={noteMax}
          placeholder="What you need from them, what you already checked…"
          value={note()}
          aria-invalid={error()?.fields.note ? "true" : undefined}
          aria-describedby={error()?.fields.note ? "escalate-note-error" : undefined}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        <Show when={error()?.fields.note}>
          {(message) => (
            <p id="escalate-note-error" class="field__error">
              {message()}
            </p>
          )}
        </Show>
      </div>
      <section class="escalate__preview" aria-label="Hand-over packet preview" aria-busy={preview.isPending}>
        <h3 class="item-section__title">Hand-over packet</h3>
        <QueryStatus
          loading={preview.isPending}
          error={preview.isError ? escalateErrorText(toUiError(preview.error)) : null}
          what="the preview"
          onRetry={() => void preview.refetch()}
        />
        <Show when={preview.data}>
          {(data) => (
            <>
              <Show when={!data().playbookId}>
                <div class="alert alert--info" role="status">
                  No playbook trigger of this client matches this item: it goes to level 1 of the client's first active
                  playbook, and is refused if the client has none (an agency admin adds one under Admin → Playbooks).
                </div>
              </Show>
              <HandoverPacketView packet={{ ...data().packet, note: note().trim() || null }} />
            </>
          )}
        </Show>
      </section>
    </FormDialog>
  );
}
