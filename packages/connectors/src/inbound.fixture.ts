import { createHmac } from "node:crypto";
import type { SignatureCheck } from "./hmac-signature";

function sha256Header(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

/**
 * What a `sha256=<hex HMAC-SHA256(secret, rawBody)>` check (Meta, Discourse) must answer: the sender's own signature,
 * the same header on a tampered body, a signature made with another secret, and no header.
 */
export function sha256SignatureCases(options: {
  sender: string;
  secret: string;
  rawBody: string;
  tamperedBody: string;
}): Array<{ name: string; rawBody: string; header: string | undefined; expected: SignatureCheck }> {
  const { rawBody, tamperedBody } = options;
  const header = sha256Header(options.secret, rawBody);
  return [
    { name: `accepts ${options.sender}'s signature`, rawBody, header, expected: { ok: true } },
    {
      name: "rejects a tampered body",
      rawBody: tamperedBody,
      header,
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "rejects a signature made with another secret",
      rawBody,
      header: sha256Header(`${options.secret}-other`, rawBody),
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "rejects a missing header",
      rawBody,
      header: undefined,
      expected: { ok: false, reason: "missing_signature" },
    },
  ];
}
