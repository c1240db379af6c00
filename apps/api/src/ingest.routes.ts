import {
  answerMetaVerification,
  mapDiscourseWebhook,
  mapMetaWebhook,
  maxBatchItems,
  parseGenericBatch,
  verifyDiscourseSignature,
  verifyGenericSignature,
  verifyMetaSignature,
} from "@parley/connectors";
import { AppError, type AppErrorDetails } from "@parley/contracts";
import { findIngestChannel, type IngestChannelSecrets, ingestChannelItems } from "@parley/core/moderation";
import type { Services } from "@parley/trpc";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";

/** Largest request body any ingest endpoint reads. */
export const maxIngestBodyBytes = 1024 * 1024;

export interface IngestRoutesOptions {
  services: Pick<Services, "db" | "secretBox">;
  now?: () => Date;
}

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

function unauthenticated(reason: string): AppError {
  return new AppError("UNAUTHENTICATED", `Signature check failed: ${reason.replaceAll("_", " ")}`, { reason });
}

/**
 * Inbound item endpoints: generic signed REST ingest, Meta and Discourse webhooks. Each finds its channel by
 * the id in the URL (unknown → 404), checks the signature over the raw body before reading it (bad → 401,
 * nothing stored), maps the payload (malformed → 400 naming the field, nothing stored), and stores the whole
 * delivery in one transaction, idempotently.
 */
export function createIngestRoutes(options: IngestRoutesOptions) {
  const { db, secretBox } = options.services;
  const now = options.now ?? (() => new Date());
  const app = new Hono<{ Variables: { requestId: string } }>();

  const limitBody = bodyLimit({
    maxSize: maxIngestBodyBytes,
    onError: (c) =>
      payloadTooLarge(c as IngestContext, `A request body holds at most ${maxIngestBodyBytes} bytes`, {
        limit: maxIngestBodyBytes,
        unit: "bytes",
      }),
  });

  async function requireChannel(
    channelId: string,
    platforms?: ReadonlyArray<IngestChannelSecrets["platform"]>,
  ): Promise<IngestChannelSecrets> {
    const channel = await findIngestChannel(db, channelId, { secretBox });
    if (!channel || (platforms && !platforms.includes(channel.platform))) {
      throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
    }
    return channel;
  }

  const readRaw = async (c: IngestContext) => new Uint8Array(await c.req.arrayBuffer());

  app.post("/v1/channels/:channelId/items", limitBody, async (c) => {
    const channel = await requireChannel(c.req.param("channelId"));
    const raw = await readRaw(c);
    const check = verifyGenericSignature({
      secret: channel.ingestSecret,
      timestamp: c.req.header("x-parley-timestamp"),
      signature: c.req.header("x-parley-signature"),
      rawBody: raw,
      now: now(),
    });
    if (!check.ok) throw unauthenticated(check.reason);
    let events: ReturnType<typeof parseGenericBatch>;
    try {
      events = parseGenericBatch(decodeBody(raw));
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
    return c.json(await ingestChannelItems(db, channel, events, { now }));
  });

  app.get("/webhooks/meta/:channelId", async (c) => {
    const channel = await requireChannel(c.req.param("channelId"), ["facebook", "instagram"]);
    const answer = answerMetaVerification({ query: c.req.query(), verifyToken: channel.credentials.verifyToken ?? "" });
    if (!answer.ok) {
      throw new AppError("FORBIDDEN", "Webhook verification refused", { reason: answer.reason });
    }
    return c.text(answer.challenge);
  });

  app.post("/webhooks/meta/:channelId", limitBody, async (c) => {
    const channel = await requireChannel(c.req.param("channelId"), ["facebook", "instagram"]);
    const appSecret = channel.credentials.appSecret;
    if (!appSecret) throw unauthenticated("channel_not_configured");
    const raw = await readRaw(c);
    const check = verifyMetaSignature({ appSecret, rawBody: raw, header: c.req.header("x-hub-signature-256") });
    if (!check.ok) throw unauthenticated(check.reason);
    const events = mapMetaWebhook(parseJson(decodeBody(raw)));
    return c.json(await ingestChannelItems(db, channel, events, { now }));
  });

  app.post("/webhooks/discourse/:channelId", limitBody, async (c) => {
    const channel = await requireChannel(c.req.param("channelId"), ["forum"]);
    const raw = await readRaw(c);
    const check = verifyDiscourseSignature({
      secret: channel.credentials.webhookSecret || channel.ingestSecret,
      rawBody: raw,
      header: c.req.header("x-discourse-event-signature"),
    });
    if (!check.ok) throw unauthenticated(check.reason);
    const forumBaseUrl =
      channel.credentials.baseUrl ??
      (/^https?:\/\//.test(channel.externalAccountId)
        ? channel.externalAccountId
        : `https://${channel.externalAccountId}`);
    const mapped = mapDiscourseWebhook({
      event: c.req.header("x-discourse-event"),
      payload: parseJson(decodeBody(raw)),
      forumBaseUrl,
    });
    if (mapped.ping) return c.json({ ok: true, ping: true });
    return c.json(await ingestChannelItems(db, channel, mapped.events, { now }));
  });

  return app;
}
