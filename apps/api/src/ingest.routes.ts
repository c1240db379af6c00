import {
  answerMetaVerification,
  defaultMetaGraphBaseUrl,
  fetchInstagramMention,
  type InstagramMention,
  inboundItemEvent,
  type MetaWebhookMapping,
  mapDiscourseWebhook,
  mapMetaWebhook,
  maxBatchItems,
  maxTimestampSkewSeconds,
  type NormalizedItemEvent,
  parseGenericBatch,
  type SkippedChange,
  verifyDiscourseSignature,
  verifyGenericSignature,
  verifyMetaSignature,
} from "@parley/connectors";
import { AppError, type AppErrorDetails } from "@parley/contracts";
import { type Clock, systemClock } from "@parley/core/kernel";
import {
  createIngestChannelCache,
  IngestChannelChangedError,
  type IngestChannelSecrets,
  type IngestItemEvent,
  ingestChannelItems,
  ingestResult,
} from "@parley/core/moderation";
import { postIngestedOnSandboxPage } from "@parley/core/sandbox";
import type { Services } from "@parley/trpc";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute, resolver } from "hono-openapi";
import { z } from "zod";
import { fallbackLogger, type Logger } from "./logger";
import type { Metrics } from "./metrics";
import { errorResponse, jsonResponse, type RouteDocumentation, uuidPathParameter } from "./openapi";
import { noteAgency } from "./request-log";
import { authenticateBearerKey } from "./v1.routes";

/** Largest request body any ingest endpoint reads. */
export const maxIngestBodyBytes = 1024 * 1024;

export interface IngestRoutesOptions {
  services: Pick<Services, "db" | "secretBox">;
  metrics: Pick<Metrics, "ingestedItems">;
  now?: Clock;
  /** The Meta Graph API the Instagram @mentions are read from (their webhook carries ids only). */
  metaGraphBaseUrl?: string;
  logger?: Logger;
}

/** How many skipped changes a Meta delivery's answer lists (it counts them all). */
const maxListedSkippedChanges = 20;

type IngestContext = Context<{ Variables: { requestId: string } }>;

/**
 * 413 in the app's error shape. `LIMIT_EXCEEDED` alone answers 429 (a rate limit, worth retrying later);
 * a request that is too large will never succeed as it is, so these routes answer 413 explicitly.
 */
function payloadTooLarge(c: IngestContext, message: string, details: AppErrorDetails) {
  return c.json(
    {
      error: {
        code: "LIMIT_EXCEEDED",
        message,
        details: { ...details, reason: "payload_too_large" },
        requestId: c.get("requestId"),
      },
    },
    413,
  );
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeBody(raw: Uint8Array): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new AppError("BAD_INPUT", "Invalid input — body: must be UTF-8 text", {
      reason: "malformed_body",
      fields: { body: "must be UTF-8 text" },
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_INPUT", "Invalid input — body: must be valid JSON", {
      reason: "malformed_json",
      fields: { body: "must be valid JSON" },
    });
  }
}

/** Where an event came from and why it could not be used, as one log line. */
function describeSkipped(skipped: readonly SkippedChange[]): string {
  return skipped
    .slice(0, 5)
    .map(
      ({ change, fields }) =>
        `${change} (${Object.entries(fields)
          .map(([field, problem]) => `${field}: ${problem}`)
          .join("; ")})`,
    )
    .join(", ");
}

function unauthenticated(reason: string): AppError {
  return new AppError("UNAUTHENTICATED", `Signature check failed: ${reason.replaceAll("_", " ")}`, { reason });
}

const IngestItem = inboundItemEvent.meta({ ref: "IngestItem" });

/** The generic signed ingest as `/v1/openapi.json` documents it (the handler reads the raw body itself). */
const ingestDocumentation = {
  operationId: "ingestItems",
  summary: "Push items into a channel (generic signed ingest)",
  description:
    `One item, or \`{ "items": [...] }\` with 1 to ${maxBatchItems}. Idempotent per (channel, externalId): ` +
    'a redelivery changes nothing; new text is an edit; `"op": "remove"` records a removal, and an upsert after ' +
    "a removal restores the item. `createdAt` must lie between 2000-01-01 and a day after the server's clock. " +
    'Mark your brand\'s own messages (e.g. your echo of a reply Parley sent you) `"byBrand": true`: they are ' +
    "stored on their thread and never queued.",
  // Either the channel's HMAC signature (the two headers; no security scheme) or an API key with `ingest`.
  security: [{}, { bearerAuth: ["ingest"] }] as Array<Record<string, string[]>>,
  parameters: [
    uuidPathParameter("channelId"),
    {
      name: "X-Parley-Timestamp",
      in: "header",
      required: false,
      description:
        `Unix seconds; refused when more than ${maxTimestampSkewSeconds} s from the server's clock. Required ` +
        "unless an API key with the `ingest` scope is sent instead of the signature",
      schema: { type: "string", pattern: "^\\d{1,15}$" },
    },
    {
      name: "X-Parley-Signature",
      in: "header",
      required: false,
      description:
        "`sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>`, keyed with the channel's ingest secret. Required " +
        "unless an API key with the `ingest` scope is sent",
      schema: { type: "string", pattern: "^sha256=[0-9a-f]{64}$" },
    },
  ],
  requestBody: {
    required: true,
    content: {
      "application/json": {
        schema: resolver(z.union([IngestItem, z.object({ items: z.array(IngestItem).min(1).max(maxBatchItems) })])),
      },
    },
  },
  responses: {
    "200": jsonResponse("What the delivery changed, item by item", ingestResult.meta({ ref: "IngestResult" })),
    "400": errorResponse("Malformed JSON or an invalid item (every bad field named, nothing stored)"),
    "401": errorResponse(
      "Missing, wrong or stale signature, or an unknown, revoked or expired API key (nothing stored)",
    ),
    "403": errorResponse("An API key without the `ingest` scope (`missing_scope`)"),
    "404": errorResponse("No such channel (also another agency's channel, or another client's for a restricted key)"),
    "413": errorResponse(`Body over ${maxIngestBodyBytes} bytes or more than ${maxBatchItems} items`),
  },
} satisfies RouteDocumentation;

/**
 * Inbound item endpoints: generic signed REST ingest, Meta and Discourse webhooks. Each finds its channel by
 * the id in the URL (unknown → 404), checks the signature over the raw body before reading it (bad → 401,
 * nothing stored), maps the payload (malformed → 400 naming the field, nothing stored), and stores the whole
 * delivery in one transaction, idempotently.
 */
export function createIngestRoutes(options: IngestRoutesOptions) {
  const { db, secretBox } = options.services;
  const { ingestedItems } = options.metrics;
  const now = options.now ?? systemClock;
  const logger = options.logger ?? fallbackLogger;
  const graph = {
    baseUrl: options.metaGraphBaseUrl ?? defaultMetaGraphBaseUrl,
    http: { fetch, timeoutMs: 10_000 },
  };

  /** Stores a delivery's events and counts its items into the metrics. */
  async function store(channel: IngestChannelSecrets, events: readonly IngestItemEvent[]) {
    // A sandbox channel's items are posts on its public page before they reach Parley, as on a real platform.
    if (channel.platform === "sandbox") await postIngestedOnSandboxPage(db, channel, events);
    const result = await ingestChannelItems(db, channel, events, { now });
    ingestedItems.inc({ outcome: "created" }, result.created);
    ingestedItems.inc({ outcome: "duplicate" }, result.duplicates);
    return result;
  }
  const app = new Hono<{ Variables: { requestId: string } }>();

  const tooLarge = (c: IngestContext) =>
    payloadTooLarge(c, `A request body holds at most ${maxIngestBodyBytes} bytes`, {
      limit: maxIngestBodyBytes,
      unit: "bytes",
    });
  const streamingLimit = bodyLimit({ maxSize: maxIngestBodyBytes, onError: (c) => tooLarge(c as IngestContext) });
  /**
   * With a Content-Length (and no Transfer-Encoding) the size is known before reading: checked from the header,
   * so the handler reads the body straight from the socket. Hono's `bodyLimit` opens the body as a web stream
   * first, which cost more than everything else a one-item request does; it still guards chunked bodies.
   */
  const limitBody: MiddlewareHandler = async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length, 10) > maxIngestBodyBytes ? tooLarge(c as IngestContext) : next();
    }
    return streamingLimit(c, next);
  };

  // Channels with their decrypted secrets, kept in memory for `ingestChannelTtlMs` (30 s). Safe against
  // rotation: a signature that fails against a remembered secret is checked again against the channel as it
  // is now, and the ingest transaction refuses a delivery checked against a channel row that has changed since.
  const channels = createIngestChannelCache({ db, secretBox });

  function requireFound(
    channel: IngestChannelSecrets | null,
    platforms?: ReadonlyArray<IngestChannelSecrets["platform"]>,
  ): IngestChannelSecrets {
    if (!channel || (platforms && !platforms.includes(channel.platform))) {
      throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
    }
    return channel;
  }

  /**
   * Finds the channel (unknown → 404, before the body is read), checks the signature over the raw body with
   * its secret (bad → 401, nothing stored), then `deliver`s. When the channel changed in between (a secret
   * rotation), nothing was stored: the check runs again against the channel as it is now.
   */
  async function receiveSigned(
    c: IngestContext,
    platforms: ReadonlyArray<IngestChannelSecrets["platform"]> | undefined,
    check: (channel: IngestChannelSecrets, raw: Uint8Array) => { ok: true } | { ok: false; reason: string },
    deliver: (channel: IngestChannelSecrets, raw: Uint8Array) => Promise<Response>,
  ): Promise<Response> {
    const channelId = c.req.param("channelId") ?? "";
    const found = await channels.get(channelId);
    let channel = requireFound(found.channel, platforms);
    noteAgency(c, channel.agencyId);
    let fresh = !found.cached;
    const raw = await readRaw(c);
    for (let attempt = 1; ; attempt += 1) {
      let checked = check(channel, raw);
      if (!checked.ok && !fresh) {
        // The secret may have been rotated since it was remembered.
        channel = requireFound(await channels.refresh(channelId), platforms);
        fresh = true;
        checked = check(channel, raw);
      }
      if (!checked.ok) throw unauthenticated(checked.reason);
      try {
        return await deliver(channel, raw);
      } catch (error) {
        if (!(error instanceof IngestChannelChangedError) || attempt >= 3) throw error;
        channel = requireFound(await channels.refresh(channelId), platforms);
        fresh = true;
      }
    }
  }

  const readRaw = async (c: IngestContext) => new Uint8Array(await c.req.arrayBuffer());

  app.post("/v1/channels/:channelId/items", describeRoute(ingestDocumentation), limitBody, async (c) => {
    const authorization = c.req.header("authorization");
    const key =
      authorization === undefined ? null : await authenticateBearerKey(db, { authorization, requiredScope: "ingest" });
    return receiveSigned(
      c,
      undefined,
      (channel, raw) => {
        if (!key) {
          return verifyGenericSignature({
            secret: channel.ingestSecret,
            timestamp: c.req.header("x-parley-timestamp"),
            signature: c.req.header("x-parley-signature"),
            rawBody: raw,
            now: now(),
          });
        }
        // A key speaks for its agency (or its one client): any other channel does not exist for it.
        if (channel.agencyId !== key.agencyId || (key.clientId !== null && channel.clientId !== key.clientId)) {
          throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
        }
        return { ok: true };
      },
      async (channel, raw) => {
        let events: ReturnType<typeof parseGenericBatch>;
        try {
          events = parseGenericBatch(decodeBody(raw), { now: now() });
        } catch (error) {
          if (error instanceof AppError && error.details.reason === "batch_too_large") {
            return payloadTooLarge(c, error.message, {
              limit: maxBatchItems,
              unit: "items",
              received: error.details.received,
            });
          }
          throw error;
        }
        return c.json(await store(channel, events));
      },
    );
  });

  app.get("/webhooks/meta/:channelId", async (c) => {
    // Read fresh: the handshake trusts the verify token without an ingest transaction to check it.
    const channel = requireFound(await channels.refresh(c.req.param("channelId")), ["facebook", "instagram"]);
    const answer = answerMetaVerification({ query: c.req.query(), verifyToken: channel.credentials.verifyToken ?? "" });
    if (!answer.ok) {
      throw new AppError("FORBIDDEN", "Webhook verification refused", { reason: answer.reason });
    }
    return c.text(answer.challenge);
  });

  /**
   * Instagram @mentions read from the Graph API with the channel's page access token: each becomes an event, or a
   * skipped change (the Graph API refused), or is left for Meta's redelivery (the Graph API may answer later).
   */
  async function readMentions(channel: IngestChannelSecrets, mentions: readonly InstagramMention[], at: Date) {
    const events: NormalizedItemEvent[] = [];
    const skipped: SkippedChange[] = [];
    const retryLater: string[] = [];
    const accessToken = channel.credentials.pageAccessToken;
    for (const mention of mentions) {
      if (!accessToken) {
        skipped.push({
          change: mention.change,
          fields: { [mention.change]: "the channel has no pageAccessToken credential to read the mention with" },
        });
        continue;
      }
      const read = await fetchInstagramMention(mention, { ...graph, accessToken, now: at });
      if (read.ok) events.push(read.event);
      else if (read.retryable) retryLater.push(`${mention.change}: ${read.error}`);
      else skipped.push({ change: mention.change, fields: { [mention.change]: read.error } });
    }
    return { events, skipped, retryLater };
  }

  app.post("/webhooks/meta/:channelId", limitBody, (c) =>
    receiveSigned(
      c,
      ["facebook", "instagram"],
      (channel, raw) => {
        const appSecret = channel.credentials.appSecret;
        if (!appSecret) return { ok: false, reason: "channel_not_configured" };
        return verifyMetaSignature({ appSecret, rawBody: raw, header: c.req.header("x-hub-signature-256") });
      },
      async (channel, raw) => {
        const at = now();
        let mapping: MetaWebhookMapping;
        try {
          mapping = mapMetaWebhook(parseJson(decodeBody(raw)), { now: at, accountId: channel.externalAccountId });
        } catch (error) {
          if (error instanceof AppError && error.details.reason === "batch_too_large") {
            return payloadTooLarge(c, error.message, {
              limit: error.details.limit,
              unit: "changes",
              received: error.details.received,
            });
          }
          throw error;
        }
        const mentions = await readMentions(channel, mapping.mentions, at);
        const skipped = [...mapping.skipped, ...mentions.skipped];
        if (skipped.length > 0) {
          logger.warn(
            { requestId: c.get("requestId") },
            `Meta delivery for channel ${channel.id}: skipped ${skipped.length} unusable change(s): ${describeSkipped(skipped)}`,
          );
        }
        const result = await store(channel, [...mapping.events, ...mentions.events]);
        if (mentions.retryLater.length > 0) {
          // Everything else is stored (idempotently): Meta's redelivery of the whole body reads the mentions again.
          throw new AppError(
            "UPSTREAM_FAILED",
            "The Meta Graph API did not answer for an Instagram mention; redeliver",
            {
              reason: "mention_unavailable",
              mentions: mentions.retryLater,
            },
          );
        }
        return c.json({
          ...result,
          skipped: skipped.length,
          skippedChanges: skipped.slice(0, maxListedSkippedChanges),
        });
      },
    ),
  );

  app.post("/webhooks/discourse/:channelId", limitBody, (c) =>
    receiveSigned(
      c,
      ["forum"],
      (channel, raw) =>
        verifyDiscourseSignature({
          secret: channel.credentials.webhookSecret || channel.ingestSecret,
          rawBody: raw,
          header: c.req.header("x-discourse-event-signature"),
        }),
      async (channel, raw) => {
        const forumBaseUrl =
          channel.credentials.baseUrl ??
          (/^https?:\/\//.test(channel.externalAccountId)
            ? channel.externalAccountId
            : `https://${channel.externalAccountId}`);
        const mapped = mapDiscourseWebhook({
          event: c.req.header("x-discourse-event"),
          payload: parseJson(decodeBody(raw)),
          forumBaseUrl,
          ownUsername: channel.credentials.apiUsername,
          now: now(),
        });
        if (mapped.ping) return c.json({ ok: true, ping: true });
        return c.json(await store(channel, mapped.events));
      },
    ),
  );

  return app;
}
