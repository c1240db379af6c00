import { maxBulkItems } from "@parley/contracts";
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
  /**
   * One action on every item of a cluster (an incident), sent in bulk calls of at most `maxBulkItems`, telling
   * `onProgress` how many items the calls so far covered; the notice says how many changed and how many replies the
   * protocol's checks refused. Throws on a refused call (the dialog shows it), saying how far the calls before it got:
   * what they did stands.
   */
  const runOnCluster = async (
    input: Omit<RouterInputs["items"]["bulk"], "itemIds"> & { itemIds: readonly string[] },
    onProgress: (covered: number) => void = () => {},
  ) => {
    let updated = 0;
    const blocked: { itemId: string; message: string }[] = [];
    for (let start = 0; start < input.itemIds.length; start += maxBulkItems) {
      const itemIds = input.itemIds.slice(start, start + maxBulkItems);
      try {
        const result = await bulk.mutateAsync({ ...input, itemIds });
        updated += result.updated;
        blocked.push(...result.blocked);
      } catch (err) {
        if (start === 0) throw err;
        throw new Error(
          `Stopped after ${start} of ${input.itemIds.length} items (${updated} changed): ${toUiError(err).message}`,
        );
      }
      onProgress(start + itemIds.length);
    }
    const done = {
      reply: `Holding statement queued for ${plural(updated, "item")}`,
      tag: `Tagged ${plural(updated, "item")}`,
      hide: `${plural(updated, "item")}: hiding…`,
      no_action: `${plural(updated, "item")} marked as needing no action`,
    }[input.action];
    options.notify({
      text: `${done}${blocked.length > 0 ? `; ${plural(blocked.length, "reply", "replies")} refused by the checks (${blocked[0]?.message})` : ""}.`,
      ...(blocked.length > 0 ? { tone: "error" as const } : {}),
    });
    return { updated, blocked };
  };
  return { bulk, confirmHide, setConfirmHide, doBulk, runBulk, runOnCluster };
}
