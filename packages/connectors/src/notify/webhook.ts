import { createHmac, timingSafeEqual } from "node:crypto";

export const webhookSignatureHeader = "x-parley-signature";

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe-style receivers expect. */
export function signWebhookBody({
  secret,
  body,
  timestamp,
}: {
  secret: string;
  body: string;
  timestamp: number;
}): string {
  const digest = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${digest}`;
}

export function verifyWebhookSignature({
  secret,
  body,
  header,
}: {
  secret: string;
  body: string;
  header: string | null | undefined;
}): boolean {
  const parts = Object.fromEntries((header ?? "").split(",").map((part) => part.split("=", 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return false;
  const expected = Buffer.from(signWebhookBody({ secret, body, timestamp }).split("v1=")[1] ?? "", "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The signing secret of a client's escalation webhooks, derived from APP_SECRET so nothing extra is
 * stored; the receiver is given it out of band.
 */
export function deriveWebhookSecret({ appSecret, clientId }: { appSecret: string; clientId: string }): string {
  return createHmac("sha256", appSecret).update(`escalation-webhook:${clientId}`).digest("hex");
}

/**
 * POSTs `payload` as JSON with the signature header through `fetch` (the guarded fetch: public https addresses
 * only, unless allowlisted; no redirects); a non-2xx answer is an error naming only its status.
 */
export async function postSignedWebhook({
  url,
  payload,
  secret,
  now = new Date(),
  fetch: fetchImpl,
}: {
  url: string;
  payload: Record<string, unknown>;
  secret: string;
  now?: Date;
  fetch: typeof fetch;
}): Promise<void> {
  const body = JSON.stringify(payload);
  const signature = signWebhookBody({ secret, body, timestamp: Math.floor(now.getTime() / 1000) });
  const response = await fetchImpl(url, {
    method: "POST",
    headers: { "content-type": "application/json", [webhookSignatureHeader]: signature },
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`Webhook ${url} answered ${response.status}`);
}
