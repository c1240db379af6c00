import type { Platform } from "./domain";

/** The public actions the outbox carries out on a platform. */
export const outboundActions = ["reply", "hide", "unhide", "delete"] as const;
export type OutboundAction = (typeof outboundActions)[number];

/**
 * One delivery as the outbox (core) hands it to a platform sender (connectors): what the sender needs to carry
 * it out on the platform.
 */
export interface OutboundRequest {
  deliveryId: string;
  action: OutboundAction;
  channel: {
    id: string;
    platform: Platform;
    externalAccountId: string;
    /** Decrypted platform credentials; `{}` when the channel has none. */
    credentials: Record<string, string>;
    ingestSecret: string;
  };
  item: {
    id: string;
    externalId: string;
    kind: string;
    threadExternalId: string | null;
    aliasExternalId: string | null;
    url: string | null;
  };
  reply: { id: string; body: string } | null;
}

/** `retryable: false` for failures a retry cannot fix (missing credentials, a 4xx refusal, an unsupported action). */
export type OutboundOutcome =
  | { ok: true; externalId: string | null }
  | { ok: false; retryable: boolean; error: string };

/** A channel as a connection test needs it: the decrypted credentials and the ingest secret (generic pings sign with it). */
export type ChannelConnection = OutboundRequest["channel"];

/** What **Test connection** found, in words for the admin who pressed it. */
export interface ChannelConnectionResult {
  ok: boolean;
  message: string;
}

/** Tries a channel's credentials against its platform (implemented in @parley/connectors). */
export type ConnectionTester = (channel: ChannelConnection) => Promise<ChannelConnectionResult>;

/** One credential of a platform, as the channel form asks for it. */
export interface CredentialField {
  key: string;
  label: string;
  /** Write-only: the form never shows it back, only whether one is stored. */
  secret: boolean;
  required: boolean;
  hint: string;
  url?: boolean;
}

const metaFields: CredentialField[] = [
  {
    key: "pageAccessToken",
    label: "Page access token",
    secret: true,
    required: true,
    hint: "From Meta's Graph API Explorer or your app: replies, hides and deletes go out with it (Instagram @mentions are read with it).",
  },
  {
    key: "appSecret",
    label: "App secret",
    secret: true,
    required: true,
    hint: "Your Meta app's secret (App settings → Basic): Parley checks each webhook's X-Hub-Signature-256 with it.",
  },
  {
    key: "verifyToken",
    label: "Verify token",
    secret: false,
    required: true,
    hint: "Any phrase you choose; enter the same in Meta's webhook settings for the subscription handshake.",
  },
];

/**
 * The credentials each platform's connector reads (README, "Ingest"); platforms not listed take free key=value
 * lines (the sandbox's failureRate/failWith, platforms Parley does not connect to yet).
 */
export const channelCredentialFields: Partial<Record<Platform, readonly CredentialField[]>> = {
  facebook: metaFields,
  instagram: metaFields,
  forum: [
    {
      key: "baseUrl",
      label: "Forum URL",
      secret: false,
      required: true,
      url: true,
      hint: "The forum's address, e.g. https://forum.example.com.",
    },
    {
      key: "apiUsername",
      label: "API username",
      secret: false,
      required: true,
      hint: "The account Parley posts as; its posts come back as the brand's.",
    },
    {
      key: "apiKey",
      label: "API key",
      secret: true,
      required: true,
      hint: "Admin → API → New API key in Discourse, for the user above.",
    },
    {
      key: "webhookSecret",
      label: "Webhook secret",
      secret: true,
      required: false,
      hint: "The Discourse webhook must have a secret: enter its Secret here, or give the webhook this channel's ingest secret (without one, Discourse signs nothing and Parley refuses every delivery).",
    },
  ],
  generic: [
    {
      key: "callbackUrl",
      label: "Callback URL",
      secret: false,
      required: false,
      url: true,
      hint: "Where replies, hides and deletes are POSTed, signed with the ingest secret. Empty: Parley only receives.",
    },
  ],
};
