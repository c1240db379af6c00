import { unstorableTextProblem } from "@parley/contracts";
import { z } from "zod";
import { prefixIssues, reportBadInput } from "./bad-input";

export const itemKinds = ["comment", "post", "reply", "direct_message", "mention", "review", "forum_post"] as const;
export type ItemKind = (typeof itemKinds)[number];

/** What the generic ingest's wire format lets an integrator say about an item. */
export const itemOps = ["upsert", "remove"] as const;
/**
 * What a connector says happened to an item: created or changed (`upsert`), removed on the platform (`remove`),
 * or brought back by the platform after a removal (`restore`, e.g. Discourse's `post_recovered`).
 */
export type ItemOp = (typeof itemOps)[number] | "restore";

export const maxBodyLength = 20_000;
export const maxTitleLength = 1000;
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
  /** The brand's own account wrote it (e.g. the platform's echo of a reply Parley sent). */
  byBrand: z.boolean({ error: "must be true or false" }).optional(),
  title: optionalText(maxTitleLength),
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

/** What every connector produces: an item created, changed, removed or restored on the platform, or retitled. */
export type NormalizedItemEvent =
  | {
      op: ItemOp;
      item: InboundItem;
      /** The payload field `createdAt` was read from, when a connector had more than one to choose from. */
      createdAtFrom?: string;
    }
  | {
      /** The title of an item already known by `target` (its external id or another name the platform uses). */
      op: "retitle";
      target: string;
      title: string;
    };

/** Earliest time an item may say it was written: older is a wrong clock or a wrong unit, not a real post. */
const earliestItemTime = new Date("2000-01-01T00:00:00.000Z");
/** How far ahead of now an item's time may be (clock skew between the platform and Parley), and no further. */
const maxItemTimeAheadMs = 24 * 60 * 60 * 1000;

/** Why `at` cannot be the time an item was written (null when it can): before 2000, or more than a day ahead. */
export function itemTimeProblem(at: Date, now: Date): string | null {
  const time = at.getTime();
  if (Number.isNaN(time)) return "is not a valid date";
  if (time < earliestItemTime.getTime()) return "must not be before 2000-01-01T00:00:00Z";
  if (time > now.getTime() + maxItemTimeAheadMs) return "must not be more than a day in the future";
  return null;
}

/**
 * Validates a mapped item and wraps it as an event. Throws BAD_INPUT naming each bad field under `path`
 * (where the item came from in the platform's payload).
 */
export function buildItemEvent({
  op,
  item,
  path,
  createdAtFrom,
}: {
  op: ItemOp;
  item: InboundItemInput;
  path: ReadonlyArray<PropertyKey>;
  createdAtFrom?: string;
}): NormalizedItemEvent {
  const result = (op === "remove" ? removedItem : inboundItem).safeParse(item);
  if (!result.success) throw reportBadInput(prefixIssues({ issues: result.error.issues, prefix: path }));
  return createdAtFrom ? { op, item: result.data, createdAtFrom } : { op, item: result.data };
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
  .transform(({ op, ...item }) => ({ op, item }) satisfies NormalizedItemEvent);

/**
 * The problems of items whose `createdAt` is outside `itemTimeProblem`'s bounds, at `path(index)` + `createdAt`.
 */
export function itemTimeIssues(
  items: ReadonlyArray<{ createdAt: Date }>,
  { now, pathOf }: { now: Date; pathOf: (index: number) => PropertyKey[] },
): Array<{ path: PropertyKey[]; message: string }> {
  return items.flatMap((item, index) => {
    const problem = itemTimeProblem(item.createdAt, now);
    return problem ? [{ path: [...pathOf(index), "createdAt"], message: problem }] : [];
  });
}
