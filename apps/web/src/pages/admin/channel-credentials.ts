import type { Platform } from "@parley/contracts";

/** What a channel's credentials hold on each platform, for the set-up form. */
export function credentialsHintFor(platform: Platform | ""): string {
  const stored = "One key=value per line; stored encrypted and never shown again.";
  switch (platform) {
    case "facebook":
    case "instagram":
      return `${stored} appSecret=… (Meta's webhook signature), verifyToken=… (the subscription handshake), pageAccessToken=… (replies, hides and deletes; Instagram @mentions are read with it).`;
    case "forum":
      return `${stored} baseUrl=https://forum.example.com, apiKey=…, apiUsername=… (the account Parley posts as; its posts come back as the brand's), webhookSecret=…. The Discourse webhook must have a secret: without one Discourse signs nothing and Parley refuses every delivery. Use webhookSecret, or give the webhook this channel's ingest secret.`;
    case "sandbox":
      return `${stored} Optional: failureRate=0.2 (the share of deliveries the sandbox refuses, 0 to 1), failWith=unavailable (503, retried) or revoked (401, a permanent refusal). The sandbox is Parley's own test platform: nothing reaches a real network.`;
    case "generic":
      return `${stored} callbackUrl=https://… (where replies, hides and deletes are sent, signed with the ingest secret).`;
    default:
      return `${stored} e.g. access_token=…`;
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
