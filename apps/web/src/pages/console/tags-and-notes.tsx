import { itemNoteInput, itemTagInput } from "@parley/contracts";
import { useMutation } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { createForm, FormAlert, SubmitButton, TextAreaField, TextField } from "../../components/form";
import { formatRelative, type ItemDetail, type NoteView } from "../../components/work";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { type RouterInputs, trpc } from "../../trpc";

export function TagsAndNotes(props: { detail: ItemDetail; onChanged: () => void }) {
  const [error, setError] = createSignal<string | null>(null);
  const tags = () => props.detail.item.tags ?? [];
  const setTags = useMutation(() => ({
    mutationFn: (tags: string[]) => trpc.items.tag.mutate({ itemId: props.detail.item.id, tags }),
    onSuccess: props.onChanged,
    onError: (err: unknown) => setError(`Couldn't save the tags: ${toUiError(err).message}`),
  }));
  // The new tag is checked with the same input the server parses (the item's tags plus this one): its messages
  // (empty, too long, too many) land on the field.
  const tagForm = createForm({
    id: "add-tag",
    initial: { tag: "" },
    labels: { tag: "Add a tag" },
    schema: itemTagInput,
    toInput: (values) => ({ itemId: props.detail.item.id, tags: [...tags(), values.tag] }),
    pathOf: (inputPath) => (inputPath.startsWith("tags") ? "tag" : inputPath),
  });
  const noteForm = createForm({
    initial: { body: "" },
    labels: { body: "Note" },
    schema: itemNoteInput,
    toInput: (values) => ({ itemId: props.detail.item.id, body: values.body }),
  });
  const addNote = useMutation(() => ({
    mutationFn: (input: RouterInputs["items"]["note"]) => trpc.items.note.mutate(input),
    onSuccess: props.onChanged,
  }));

  return (
    <section class="item-section" aria-labelledby="tags-title">
      <h3 class="item-section__title" id="tags-title">
        Tags and notes
      </h3>
      <Show when={error()}>
        {(message) => (
          <div class="alert alert--error" role="alert">
            {message()}
          </div>
        )}
      </Show>
      <div class="tag-editor">
        <ul class="chips" aria-label="Tags">
          <For each={tags()}>
            {(value) => (
              <li class="chip chip--removable">
                {value}
                <button
                  type="button"
                  class="chip__remove"
                  aria-label={`Remove tag ${value}`}
                  onClick={() => setTags.mutate(tags().filter((t) => t !== value))}
                >
                  ×
                </button>
              </li>
            )}
          </For>
        </ul>
        <form
          class="inline-form"
          noValidate
          aria-label="Add a tag"
          onSubmit={tagForm.handleSubmit(async (input) => {
            if (input.tags.length > tags().length) {
              setError(null);
              setTags.mutate(input.tags);
            }
            tagForm.reset();
          })}
        >
          <TextField field={tagForm.field("tag")} class="field--inline" placeholder="Add a tag (e.g. delivery-delay)" />
          <button type="submit" class="button button--small">
            Add tag
          </button>
        </form>
      </div>
      <ul class="notes" aria-label="Notes">
        <For each={props.detail.notes} fallback={<li class="muted">No notes yet.</li>}>
          {(entry: NoteView) => (
            <li class="note">
              <p class="note__body">{entry.body}</p>
              <p class="note__meta">
                {entry.author.name} ·{" "}
                <span title={formatDateTime(entry.createdAt)}>{formatRelative(entry.createdAt)}</span>
              </p>
            </li>
          )}
        </For>
      </ul>
      <form
        class="note-form"
        noValidate
        aria-label="Add a note"
        onSubmit={noteForm.handleSubmit(async (input) => {
          await addNote.mutateAsync(input);
          noteForm.reset();
        })}
      >
        <FormAlert message={noteForm.formError()} />
        <TextAreaField field={noteForm.field("body")} rows={2} hint="Internal: never posted." />
        <div class="note-form__actions">
          <SubmitButton busy={noteForm.submitting()} label="Add note" busyLabel="Adding…" class="button--small" />
        </div>
      </form>
    </section>
  );
}
