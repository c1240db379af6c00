import { useMutation } from "@tanstack/solid-query";
import { createSignal } from "solid-js";
import { toUiError } from "../../errors";
import { plural } from "../../format";
import { type RouterInputs, trpc } from "../../trpc";
import type { Notice } from "./item-panel";

export type BulkAction = RouterInputs["items"]["bulk"]["action"];

/**
 * The queue's bulk actions on the checked rows: "no action" at once; hide only after the moderator confirms the
 * count (it changes what the public sees), with Undo on the notice.
 */
export function createBulkActions(options: {
  checked: () => ReadonlySet<string>;
  clearChecked: () => void;
  notify: (notice: Notice) => void;
  onQueueChanged: () => void;
}) {
  const bulk = useMutation(() => ({
    mutationFn: (input: RouterInputs["items"]["bulk"]) => trpc.items.bulk.mutate(input),
    onSettled: () => options.onQueueChanged(),
  }));
  /** A bulk hide waiting for the moderator's confirmation (it changes what the public sees): the items' ids. */
  const [confirmHide, setConfirmHide] = createSignal<string[] | null>(null);
  const undoHide = async (itemIds: readonly string[]) => {
    const results = await Promise.allSettled(itemIds.map((itemId) => trpc.items.unhide.mutate({ itemId })));
    const failed = results.filter((result) => result.status === "rejected").length;
    options.onQueueChanged();
    options.notify(
      failed === 0
        ? { text: `Undone: ${plural(itemIds.length, "item")} shown again (showing… until the platform confirms).` }
        : { text: `Undo: ${failed} of ${itemIds.length} could not be shown again.`, tone: "error" },
    );
  };
  const doBulk = async (action: BulkAction, itemIds: string[]) => {
    await bulk.mutateAsync({ itemIds, action });
    options.clearChecked();
    options.notify({
      text:
        action === "hide"
          ? `${plural(itemIds.length, "item")}: hiding… (each shows Hidden once the platform confirms).`
          : `${plural(itemIds.length, "item")} marked as needing no action.`,
      ...(action === "hide" ? { action: { label: "Undo", run: () => void undoHide(itemIds) } } : {}),
    });
  };
  const runBulk = async (action: BulkAction) => {
    const itemIds = [...options.checked()];
    if (itemIds.length === 0) return;
    if (action === "hide") {
      setConfirmHide(itemIds);
      return;
    }
    try {
      await doBulk(action, itemIds);
    } catch (err) {
      options.notify({ text: `Bulk action failed: ${toUiError(err).message}`, tone: "error" });
    }
  };
  return { bulk, confirmHide, setConfirmHide, doBulk, runBulk };
}
