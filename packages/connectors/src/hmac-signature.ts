import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "@parley/contracts";

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing_signature" | "bad_signature" };

const sha256Header = /^sha256=([0-9a-f]{64})$/i;

function computeDigest({ secret, parts }: { secret: string; parts: ReadonlyArray<string | Uint8Array> }): Buffer {
  // An empty key would let anyone forge a valid signature: a configuration bug, never a pass.
  if (secret.length === 0) {
    throw new AppError("INTERNAL", "Webhook signing secret is not configured", { reason: "missing_secret" });
  }
  const hmac = createHmac("sha256", secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** `sha256=<hex HMAC-SHA256(secret, parts joined)>`, the header value all three inbound connectors use. */
export function signSha256({ secret, parts }: { secret: string; parts: ReadonlyArray<string | Uint8Array> }): string {
  return `sha256=${computeDigest({ secret, parts }).toString("hex")}`;
}

/** Checks a `sha256=<hex>` header against the HMAC of `parts`, in constant time. */
export function checkSha256Signature({
  secret,
  parts,
  header,
}: {
  secret: string;
  parts: ReadonlyArray<string | Uint8Array>;
  header: string | null | undefined;
}): SignatureCheck {
  if (!header) return { ok: false, reason: "missing_signature" };
  const expected = computeDigest({ secret, parts });
  const hex = sha256Header.exec(header.trim())?.[1];
  if (hex === undefined) return { ok: false, reason: "bad_signature" };
  // The regex fixes the length at 32 bytes, so timingSafeEqual never sees unequal lengths.
  return timingSafeEqual(expected, Buffer.from(hex, "hex")) ? { ok: true } : { ok: false, reason: "bad_signature" };
}
