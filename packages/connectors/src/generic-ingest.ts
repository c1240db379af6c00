import { AppError } from "@parley/contracts";
import { z } from "zod";
import { reportBadInput } from "./bad-input";
import { checkSha256Signature, signSha256 } from "./hmac-signature";
import { inboundItemEvent, itemTimeIssues, type NormalizedItemEvent } from "./inbound-item";

/** A signature is accepted this long before or after `now` (clock skew either way), and no longer. */
export const maxTimestampSkewSeconds = 300;
export const maxBatchItems = 1000;

export type GenericSignatureCheck =
  | { ok: true }
  | { ok: false; reason: "missing_signature" | "bad_signature" | "stale_timestamp" | "missing_timestamp" };

/**
 * Checks `X-Parley-Timestamp` (unix seconds) and `X-Parley-Signature: sha256=<hex HMAC-SHA256(secret,
 * timestamp + "." + rawBody)>`. The signature is checked first, so `stale_timestamp` means an authentic but
 * replayed or badly clocked request. A timestamp that is not a whole number of seconds counts as missing.
 */
export function verifyGenericSignature({
  secret,
  timestamp,
  signature,
  rawBody,
  now,
}: {
  secret: string;
  timestamp: string | null | undefined;
  signature: string | null | undefined;
  rawBody: string | Uint8Array;
  now: Date;
}): GenericSignatureCheck {
  if (!timestamp || !/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: "missing_timestamp" };
  const check = checkSha256Signature({ secret, parts: [`${timestamp}.`, rawBody], header: signature });
  if (!check.ok) return check;
  const skewMs = Math.abs(now.getTime() - Number(timestamp) * 1000);
  return skewMs > maxTimestampSkewSeconds * 1000 ? { ok: false, reason: "stale_timestamp" } : { ok: true };
}

/** The `X-Parley-Signature` value for a body, for integrators' tools and tests. */
export function signGenericPayload({
  secret,
  timestamp,
  rawBody,
}: {
  secret: string;
  timestamp: number | string;
  rawBody: string | Uint8Array;
}): string {
  return signSha256({ secret, parts: [`${timestamp}.`, rawBody] });
}

const genericBatch = z.object({
  items: z
    .array(inboundItemEvent, { error: "must be an array of items" })
    .min(1, { error: "must hold at least one item" }),
});

type GenericItemEvent = Extract<NormalizedItemEvent, { item: unknown }>;

/** The parsed events, unless a `createdAt` is out of bounds (`itemTimeProblem`): then BAD_INPUT naming each. */
function checkTimes(events: GenericItemEvent[], now: Date, pathOf: (index: number) => PropertyKey[]) {
  const issues = itemTimeIssues(
    events.map((event) => event.item),
    { now, pathOf },
  );
  if (issues.length > 0) throw reportBadInput(issues);
  return events;
}

/**
 * Parses a generic ingest body: one item, or `{ "items": [...] }` with 1 to 1000 items. Each item may carry
 * `"op": "remove"` (default `upsert`); only a removal may have an empty body; `createdAt` must lie between
 * 2000-01-01 and a day after `now`. All or nothing: one bad item rejects the batch with BAD_INPUT naming
 * `items.<index>.<field>` for every bad field.
 */
export function parseGenericBatch(rawBody: string, { now }: { now: Date }): GenericItemEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new AppError("BAD_INPUT", "Invalid input — body: must be valid JSON", {
      reason: "malformed_json",
      fields: { body: "must be valid JSON" },
    });
  }
  if (typeof json !== "object" || json === null || !("items" in json)) {
    const single = inboundItemEvent.safeParse(json);
    if (!single.success) throw reportBadInput(single.error.issues);
    return checkTimes([single.data], now, () => []);
  }
  if (Array.isArray(json.items) && json.items.length > maxBatchItems) {
    throw new AppError(
      "LIMIT_EXCEEDED",
      `A batch holds at most ${maxBatchItems} items; this one has ${json.items.length}`,
      { reason: "batch_too_large", limit: maxBatchItems, received: json.items.length },
    );
  }
  const batch = genericBatch.safeParse(json);
  if (!batch.success) throw reportBadInput(batch.error.issues);
  return checkTimes(batch.data.items, now, (index) => ["items", index]);
}
