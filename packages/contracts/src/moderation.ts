import { z } from "zod";
import { uuid } from "./domain";

/** Upper bound on a draft's size; the protocol's per-platform limit is checked (and named) by the reply checks. */
export const maxDraftLength = 100_000;
export const maxItemTags = 20;
export const maxBulkItems = 500;

export const itemIdInput = z.object({ itemId: uuid });
export type ItemIdInput = z.infer<typeof itemIdInput>;

const tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, { message: "must not be empty" })
  .max(40, { message: "must be at most 40 characters" });

export const itemTagInput = z.object({
  itemId: uuid,
  tags: z
    .array(tag)
    .max(maxItemTags, { message: `may hold at most ${maxItemTags} tags` })
    .transform((tags) => [...new Set(tags)]),
});
export type ItemTagInput = z.infer<typeof itemTagInput>;

export const itemNoteInput = z.object({
  itemId: uuid,
  body: z.string().trim().min(1, { message: "is required" }).max(5000, { message: "must be at most 5000 characters" }),
});
export type ItemNoteInput = z.infer<typeof itemNoteInput>;

export const itemLinkCustomerInput = z.object({ itemId: uuid, customerId: uuid });
export type ItemLinkCustomerInput = z.infer<typeof itemLinkCustomerInput>;

export const bulkItemActions = ["hide", "no_action", "tag", "reply"] as const;
/** Longest holding statement (before its variables are filled in). */
export const maxHoldingStatementLength = 2000;
/**
 * A wave of items at once (a cluster of one incident, or the checked rows): hide, no action, `tag` (adds `tags`), or
 * `reply` with a holding `statement` whose variables ({name}, {handle}, {platform}, {their_words}) are filled in per
 * item.
 */
export const itemBulkInput = z
  .object({
    itemIds: z
      .array(uuid)
      .min(1, { message: "must name at least one item" })
      .max(maxBulkItems, { message: `may name at most ${maxBulkItems} items` }),
    action: z.enum(bulkItemActions, { message: `must be one of ${bulkItemActions.join(", ")}` }),
    tags: itemTagInput.shape.tags.optional(),
    statement: z
      .string({ error: "must be text" })
      .trim()
      .min(1, { message: "must not be empty" })
      .max(maxHoldingStatementLength, { message: `must be at most ${maxHoldingStatementLength} characters` })
      .optional(),
  })
  .superRefine((input, ctx) => {
    if (input.action === "tag" && (input.tags ?? []).length === 0) {
      ctx.addIssue({ code: "custom", path: ["tags"], message: "must name at least one tag to add" });
    }
    if (input.action === "reply" && input.statement === undefined) {
      ctx.addIssue({ code: "custom", path: ["statement"], message: "is required to reply" });
    }
  });
export type ItemBulkInput = z.infer<typeof itemBulkInput>;

/**
 * Clusters of near-identical open items, of one client or of every client in scope. `fresh`: worked out now rather
 * than shared with the other consoles' recent reads (after acting on a cluster, to see it gone).
 */
export const itemClustersInput = z.object({ clientId: uuid.optional(), fresh: z.boolean().optional() }).default({});
export type ItemClustersInput = z.infer<typeof itemClustersInput>;

export const replyDraftInput = z.object({
  itemId: uuid,
  text: z
    .string()
    .trim()
    .min(1, { message: "is required" })
    .max(maxDraftLength, { message: `must be at most ${maxDraftLength} characters` }),
});
export type ReplyDraftInput = z.infer<typeof replyDraftInput>;

/** Edit-and-resend of a reply whose delivery failed: the new text goes through every check again. */
export const replyResendInput = z.object({ replyId: uuid, text: replyDraftInput.shape.text });
export type ReplyResendInput = z.infer<typeof replyResendInput>;

const decisionComment = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be text") })
  .trim()
  .max(2000, { message: "must be at most 2000 characters" });

export const replyApproveInput = z.object({ replyId: uuid, comment: decisionComment.optional() });
export type ReplyApproveInput = z.infer<typeof replyApproveInput>;

export const replyRejectInput = z.object({
  replyId: uuid,
  comment: decisionComment.min(1, { message: "is required: say why the reply is rejected" }),
});
export type ReplyRejectInput = z.infer<typeof replyRejectInput>;
