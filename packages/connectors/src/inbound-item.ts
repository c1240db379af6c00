import { unstorableTextProblem } from "@parley/contracts";
import { z } from "zod";
import { prefixIssues, reportBadInput } from "./bad-input";

export const itemKinds = ["comment", "post", "reply", "direct_message", "mention", "review", "forum_post"] as const;
export type ItemKind = (typeof itemKinds)[number];

export const itemOps = ["upsert", "remove"] as const;
export type ItemOp = (typeof itemOps)[number];

export const maxBodyLength = 20_000;
const maxIdLength = 200;
const maxUrlLength = 2048;

/** Text PostgreSQL can store: no NUL, no half surrogate pair (`unstorableTextProblem`). */
function storableText(schema: z.ZodString) {
  return schema.superRefine((text, context) => {
    const problem = unstorableTextProblem(text);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });
}

/** A string that must be present and non-empty; "is required" when absent, like the rest of the API. */
export function requiredText(max: number) {
  return storableText(
    z
      .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
      .min(1, { error: "is required" })
      .max(max, { error: `must be at most ${max} characters` }),
  );
}

function optionalText(max: number) {
  return storableText(
    z
      .string({ error: "must be a string" })
      .min(1, { error: "must not be empty (leave it out instead)" })
      .max(max, { error: `must be at most ${max} characters` }),
  ).optional();
}

const bodyText = storableText(
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .max(maxBodyLength, { error: `must be at most ${maxBodyLength} characters` }),
);

const itemFields = {
  externalId: requiredText(maxIdLength),
  kind: z.enum(itemKinds, { error: `must be one of ${itemKinds.join(", ")}` }),
  threadExternalId: optionalText(maxIdLength),
  parentExternalId: optionalText(maxIdLength),
  author: z.object(
    {
      externalId: requiredText(maxIdLength),
      handle: requiredText(maxIdLength),
      displayName: optionalText(maxIdLength),
    },
    { error: (issue) => (issue.input === undefined ? "is required" : "must be an object") },
  ),
  // Empty only on a remove event (a deleted comment has no text left); `inboundItem` below requires text.
  body: bodyText,
  language: z
    .string({ error: "must be a string" })
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$/, { error: "must be a language tag such as en, pt-BR or zh-Hant" })
    .optional(),
  createdAt: z.iso
    .datetime({
      offset: true,
      error: (issue) =>
        issue.input === undefined
          ? "is required"
          : "must be an ISO-8601 date-time with a UTC offset, e.g. 2024-05-01T09:30:00Z",
    })
    .transform((value) => new Date(value)),
  url: z
    .url({ protocol: /^https?$/, error: "must be an http or https URL" })
    .max(maxUrlLength, { error: `must be at most ${maxUrlLength} characters` })
    .optional(),
};

/** One inbound message as every connector hands it to core. */
export const inboundItem = z.object({ ...itemFields, body: bodyText.min(1, { error: "must not be empty" }) });
export type InboundItem = z.infer<typeof inboundItem>;
/** What a connector builds before validation: `createdAt` is still an ISO string. */
export type InboundItemInput = z.input<typeof inboundItem>;

const removedItem = z.object(itemFields);

/** What every connector produces: create-or-update an item, or record that it was removed on the platform. */
export interface NormalizedItemEvent {
  op: ItemOp;
  item: InboundItem;
}

/**
 * Validates a mapped item and wraps it as an event. Throws BAD_INPUT naming each bad field under `path`
 * (where the item came from in the platform's payload), so one malformed change rejects the delivery.
 */
export function buildItemEvent({
  op,
  item,
  path,
}: {
  op: ItemOp;
  item: InboundItemInput;
  path: ReadonlyArray<PropertyKey>;
}): NormalizedItemEvent {
  const result = (op === "remove" ? removedItem : inboundItem).safeParse(item);
  if (!result.success) throw reportBadInput(prefixIssues({ issues: result.error.issues, prefix: path }));
  return { op, item: result.data };
}

/** The generic ingest's wire form: an item plus an optional `op` (default `upsert`). */
export const inboundItemEvent = z
  .object(
    { ...itemFields, op: z.enum(itemOps, { error: `must be one of ${itemOps.join(", ")}` }).default("upsert") },
    { error: "must be an item object" },
  )
  .superRefine(
    (value, context) => {
      if (value.op === "upsert" && value.body === "") {
        context.addIssue({ code: "custom", path: ["body"], message: "must not be empty" });
      }
    },
    // Run even when other fields failed (but the input is an object), so one answer lists every problem.
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  )
  .transform(({ op, ...item }): NormalizedItemEvent => ({ op, item }));
