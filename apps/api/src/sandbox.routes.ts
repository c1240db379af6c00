import { verifyGenericSignature } from "@parley/connectors";
import { AppError, badInput } from "@parley/contracts";
import { type Clock, systemClock } from "@parley/core/kernel";
import { createIngestChannelCache, type IngestChannelSecrets } from "@parley/core/moderation";
import {
  applySandboxAction,
  postSandboxComment,
  readSandboxSettings,
  sandboxActionInput,
  sandboxCommentInput,
  sandboxFails,
  sandboxRefusal,
} from "@parley/core/sandbox";
import type { Services } from "@parley/trpc";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { noteAgency } from "./request-log";

export interface SandboxRoutesOptions {
  services: Pick<Services, "db" | "secretBox">;
  /** The sandbox's typical answer time (`SANDBOX_LATENCY_MS`): each answer waits 0.5–1.5 times it. */
  latencyMs: number;
  now?: Clock;
  /** Uniform in [0, 1): decides which deliveries the sandbox fails (tests pass a fixed one). */
  random?: () => number;
}

type SandboxContext = Context<{ Variables: { requestId: string } }>;

const maxSandboxBodyBytes = 64 * 1024;

function parseBody<T extends z.ZodType>(schema: T, raw: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError("BAD_INPUT", "Invalid input — body: must be valid JSON", {
      reason: "malformed_json",
      fields: { body: "must be valid JSON" },
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badInput(parsed.error.issues);
  return parsed.data;
}

/**
 * The sandbox platform's two sides, on Parley's own API. The platform side, `POST /sandbox/channels/:id/actions`,
 * receives a sandbox channel's deliveries (signed with its ingest secret, like a generic callback), waits like a
 * real platform, fails the share the channel's `failureRate` asks for (503, or 401 with `failWith=revoked`), and
 * otherwise changes the channel's public page. The customer side, `POST /sandbox/channels/:id/comments` (signed
 * the same way; `npm run simulate` uses it), posts a customer's comment on the page, which reaches Parley as ingest.
 */
export function createSandboxRoutes(options: SandboxRoutesOptions) {
  const { db, secretBox } = options.services;
  const now = options.now ?? systemClock;
  const random = options.random ?? Math.random;
  const channels = createIngestChannelCache({ db, secretBox });
  const app = new Hono<{ Variables: { requestId: string } }>();
  const limit = bodyLimit({
    maxSize: maxSandboxBodyBytes,
    onError: () => {
      throw new AppError("LIMIT_EXCEEDED", `A sandbox request body holds at most ${maxSandboxBodyBytes} bytes`, {
        reason: "payload_too_large",
      });
    },
  });

  /** The sandbox channel named in the URL, with the request's signature checked against its ingest secret. */
  async function signedChannel(c: SandboxContext): Promise<{ channel: IngestChannelSecrets; raw: string }> {
    const channelId = c.req.param("channelId") ?? "";
    const notFound = new AppError("NOT_FOUND", "Sandbox channel not found", { reason: "channel_not_found" });
    // Always read fresh: a changed failure rate applies to the next delivery.
    const channel = await channels.refresh(channelId);
    if (channel?.platform !== "sandbox") throw notFound;
    noteAgency(c, channel.agencyId);
    const raw = await c.req.text();
    const checked = verifyGenericSignature({
      secret: channel.ingestSecret,
      timestamp: c.req.header("x-parley-timestamp"),
      signature: c.req.header("x-parley-signature"),
      rawBody: raw,
      now: now(),
    });
    if (!checked.ok) {
      throw new AppError("UNAUTHENTICATED", `Signature check failed: ${checked.reason.replaceAll("_", " ")}`, {
        reason: checked.reason,
      });
    }
    return { channel, raw };
  }

  const platformLatency = () => new Promise((resolve) => setTimeout(resolve, options.latencyMs * (0.5 + random())));

  app.post("/sandbox/channels/:channelId/actions", limit, async (c) => {
    const { channel, raw } = await signedChannel(c);
    const input = parseBody(sandboxActionInput, raw);
    await platformLatency();
    const settings = readSandboxSettings(channel.credentials);
    if (sandboxFails(settings, random())) {
      const refusal = sandboxRefusal(settings.failWith);
      return c.json({ error: { message: refusal.message } }, refusal.status);
    }
    const result = await applySandboxAction(db, channel, input, { now });
    return result.ok ? c.json({ id: result.id }) : c.json({ error: { message: result.message } }, result.status);
  });

  app.post("/sandbox/channels/:channelId/comments", limit, async (c) => {
    const { channel, raw } = await signedChannel(c);
    const input = parseBody(sandboxCommentInput, raw);
    return c.json(await postSandboxComment(db, channel, input, { now }));
  });

  return app;
}
