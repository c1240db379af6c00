import { channelCredentialFields, type Platform } from "@parley/contracts";

/** Every credential key a platform's form asks for (the form keeps one value per key, whichever platform is chosen). */
export const credentialKeys = [
  ...new Set(Object.values(channelCredentialFields).flatMap((fields) => (fields ?? []).map((field) => field.key))),
];

/** The credential fields of a platform, or none: its credentials are free key=value lines (`credentialsHintFor`). */
export function credentialFieldsFor(platform: Platform | "") {
  return platform ? (channelCredentialFields[platform] ?? []) : [];
}

/** What a channel's credentials hold on a platform without credential fields, for the key=value box. */
export function credentialsHintFor(platform: Platform | ""): string {
  const stored = "One key=value per line; stored encrypted and never shown again.";
  switch (platform) {
    case "sandbox":
      return `${stored} Optional: failureRate=0.2 (the share of deliveries the sandbox refuses, 0 to 1), failWith=unavailable (503, retried) or revoked (401, a permanent refusal). The sandbox is Parley's own test platform: nothing reaches a real network.`;
    case "":
      return "Choose a platform first.";
    default:
      return `${stored} Parley has no connector for ${platform} yet: whatever is stored here waits for one.`;
  }
}

/** Where the channel's ingest secret goes, shown once with it. */
export function ingestSecretUseFor(platform: Platform, rotated: boolean): string {
  const before = rotated ? "The previous secret no longer works. " : "";
  if (platform === "forum") {
    return `${before}Unless the channel has a webhookSecret, enter this as the Discourse webhook's Secret: a webhook without a secret sends no signature and its deliveries are refused.`;
  }
  return rotated
    ? `${before}Update the connector that signs this channel's deliveries.`
    : "Configure the connector that signs this channel's deliveries with this secret.";
}

export interface ConnectionAddress {
  label: string;
  value: string;
  hint: string;
}

/** What to paste into the platform so it reaches this channel: the webhook (or ingest) URL, and the verify token. */
export function connectionAddressesFor(options: {
  platform: Platform;
  channelId: string;
  origin: string;
  verifyToken: string | undefined;
}): ConnectionAddress[] {
  const id = encodeURIComponent(options.channelId);
  switch (options.platform) {
    case "facebook":
    case "instagram":
      return [
        {
          label: "Callback URL",
          value: `${options.origin}/webhooks/meta/${id}`,
          hint: "Meta app → Webhooks → Page (or Instagram) → Subscribe: the Callback URL; subscribe to feed (comments, mentions).",
        },
        ...(options.verifyToken
          ? [{ label: "Verify token", value: options.verifyToken, hint: "The same page's Verify token field." }]
          : []),
      ];
    case "forum":
      return [
        {
          label: "Payload URL",
          value: `${options.origin}/webhooks/discourse/${id}`,
          hint: "Discourse → Admin → API → Webhooks → New: Payload URL, content type application/json, Post events, and the Secret (webhookSecret, or this channel's ingest secret).",
        },
      ];
    case "generic":
    case "x":
    case "youtube":
    case "reviews":
      return [
        {
          label: "Ingest URL",
          value: `${options.origin}/v1/channels/${id}/items`,
          hint: "POST items here, signed with the channel's ingest secret (X-Parley-Timestamp, X-Parley-Signature).",
        },
      ];
    case "sandbox":
      return [];
  }
}
