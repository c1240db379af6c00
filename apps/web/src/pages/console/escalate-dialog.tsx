import { useMutation, useQuery, useQueryClient } from "@tanstack/solid-query";
import { Show } from "solid-js";
import { useSession } from "../../auth";
import { FormDialog } from "../../components/dialog";
import { escalationKeys } from "../../components/escalations";
import { checkedByServer, createForm, TextAreaField } from "../../components/form";
import { HandoverPacketView } from "../../components/handover-packet";
import { QueryStatus } from "../../components/page";
import { workKeys } from "../../components/work";
import { toUiError, type UiError } from "../../errors";
import { type RouterInputs, trpc } from "../../trpc";

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
  // The note's limit is the server's (core's escalateInput): its message arrives with the answer, under `note`.
  const form = createForm({
    initial: { note: "" },
    labels: { note: "Note for the client" },
    schema: checkedByServer<RouterInputs["escalations"]["escalate"]>(),
    toInput: (values) => ({ itemId: props.itemId, note: values.note.trim() || undefined }),
  });

  // The note only rides along in the packet, so the preview is fetched once and shows the note as typed.
  const preview = useQuery(() => ({
    queryKey: escalationKeys.preview(session.agencyId(), props.itemId, ""),
    queryFn: () => trpc.escalations.preview.query({ itemId: props.itemId }),
    staleTime: 0,
    retry: false,
  }));

  const escalate = useMutation(() => ({
    mutationFn: (input: RouterInputs["escalations"]["escalate"]) => trpc.escalations.escalate.mutate(input),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: workKeys.all(session.agencyId()) });
      void queryClient.invalidateQueries({ queryKey: escalationKeys.all(session.agencyId()) });
      void queryClient.invalidateQueries({ queryKey: escalationKeys.sla(session.agencyId()) });
    },
  }));

  const submit = form.handleSubmit(async (input) => {
    try {
      await escalate.mutateAsync(input);
    } catch (err) {
      const info = toUiError(err);
      if (Object.keys(info.fields).length > 0) throw err;
      // Already escalated, or no playbook: the console's words for the server's reason.
      form.setFormError(escalateErrorText(info));
      return;
    }
    props.onEscalated();
    props.onClose();
  });

  return (
    <FormDialog
      title="Escalate to the client"
      description="The client's specialist receives this hand-over packet, so they can answer without asking the customer to start again. The item's resolution clock pauses while the client works on it."
      wide
      class="escalate"
      error={form.formError()}
      busy={form.submitting()}
      submitLabel="Escalate"
      busyLabel="Escalating…"
      onSubmit={submit}
      onClose={props.onClose}
    >
      <TextAreaField
        field={form.field("note")}
        optional
        rows={3}
        maxLength={noteMax}
        placeholder="What you need from them, what you already checked…"
      />
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
              <HandoverPacketView packet={{ ...data().packet, note: form.values.note.trim() || null }} />
            </>
          )}
        </Show>
      </section>
    </FormDialog>
  );
}
