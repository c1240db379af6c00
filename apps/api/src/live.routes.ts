import { AppError, type LiveEvent } from "@parley/contracts";
import { recordPresence } from "@parley/core/floor";
import { liveChannel, type Scope, tenantOf } from "@parley/core/kernel";
import { type Database, withTenant } from "@parley/db";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import postgres from "postgres";
import { fallbackLogger, type Logger } from "./logger";
import type { Metrics } from "./metrics";
import { readSessionAuth, type SessionAuth } from "./session-auth";

/** Live events as this process hears them, fanned out in memory to the connected consoles. */
export interface LiveEventSource {
  /** Calls `listener` with every live event; returns the function that stops it. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * One `LISTEN parley_live` connection for the whole process, on its own client (a pooled connection cannot
 * stay in LISTEN). postgres.js re-listens after a dropped connection; what was published in between is lost,
 * which consoles survive because every event only tells them to refetch.
 */
export async function listenLiveEvents(options: { url: string; logger?: Logger }): Promise<LiveEventSource> {
  const logger = options.logger ?? fallbackLogger;
  const listeners = new Set<(event: LiveEvent) => void>();
  const client = postgres(options.url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "parley-live" },
  });
  await client.listen(liveChannel, (payload) => {
    let event: LiveEvent;
    try {
      event = JSON.parse(payload) as LiveEvent;
    } catch (error) {
      logger.error({ err: error }, "live event is not JSON");
      return;
    }
    for (const listener of listeners) listener(event);
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** An agency's events reach its members; a scoped member (moderator, account manager, stakeholder) only hears of their clients. */
function mayReceive(scope: Scope, event: LiveEvent): boolean {
  if (event.agencyId !== scope.agencyId) return false;
  if (scope.clientIds === null) return true;
  return event.clientId !== null && scope.clientIds.includes(event.clientId);
}

const liveHeartbeatMs = 25_000;
/**
 * A console's events are written together once per this window: during a spike a console hears tens of events a
 * second, and one write per event per console was the API process's largest cost (the console coalesces what it
 * hears over 150 ms anyway).
 */
const liveFlushMs = 50;
/**
 * A console this far behind (text its connection has not taken yet) is dropped; its EventSource reconnects and
 * refetches.
 */
const maxUnsentChars = 256 * 1024;

interface LiveVariables {
  requestId: string;
  auth: SessionAuth | null;
}

/** The session's scope now, or null once the session ended or the membership went. */
async function currentScope(db: Database, token: string): Promise<Scope | null> {
  return (await readSessionAuth(db, token))?.scope ?? null;
}

/** The member's console is connected now (the floor view's "online"); a failure is logged, the stream goes on. */
async function markPresent(db: Database, scope: Scope, logger: Logger, requestId: string): Promise<void> {
  try {
    await withTenant(db, tenantOf(scope), (tx) => recordPresence(scope, tx, { at: new Date() }));
  } catch (error) {
    logger.error({ err: error, requestId }, "presence not recorded");
  }
}

/**
 * `GET /events`: server-sent events for the signed-in member (session cookie, loaded by the app's
 * `loadSession`). Each event's data is the LiveEvent JSON; what arrives within `liveFlushMs` goes out in one write.
 * Every heartbeat re-reads the scope, so a sign-out or a changed assignment takes effect within one heartbeat, and
 * records the member as present (online on the floor view while the stream lasts).
 */
export function createLiveRoutes(options: {
  db: Database;
  liveEvents: LiveEventSource;
  heartbeatMs?: number;
  logger: Logger;
  metrics: Pick<Metrics, "liveStreams">;
}) {
  const { db, liveEvents, logger } = options;
  const { liveStreams } = options.metrics;
  const heartbeatMs = options.heartbeatMs ?? liveHeartbeatMs;
  const app = new Hono<{ Variables: LiveVariables }>();
  // Each event is serialized once, however many consoles receive it.
  const frames = new WeakMap<LiveEvent, string>();
  const frameOf = (event: LiveEvent) => {
    let frame = frames.get(event);
    if (frame === undefined) {
      frame = `data: ${JSON.stringify(event)}\n\n`;
      frames.set(event, frame);
    }
    return frame;
  };

  app.get("/events", async (c) => {
    const auth = c.get("auth");
    if (!auth) throw new AppError("UNAUTHENTICATED", "Sign in first", { reason: "no_session" });
    const agencyId = auth.session.currentAgencyId;
    let scope = auth.scope;
    if (!scope) throw new AppError("FORBIDDEN", "Choose an agency first", { reason: "no_agency" });
    const requestId = c.get("requestId");
    return streamSSE(c, async (stream) => {
      let end = () => {};
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
      stream.onAbort(() => end());
      // What is waiting for the next write; one write at a time, so a slow connection's text piles up here.
      let unsent = "";
      let writing = false;
      let flushTimer: NodeJS.Timeout | undefined;
      const flush = () => {
        flushTimer = undefined;
        if (writing || unsent === "") return;
        const text = unsent;
        unsent = "";
        writing = true;
        void stream.write(text).finally(() => {
          writing = false;
          if (unsent !== "") flushTimer ??= setTimeout(flush, liveFlushMs);
        });
      };
      const send = (text: string) => {
        if (unsent.length + text.length > maxUnsentChars) return end();
        unsent += text;
        flushTimer ??= setTimeout(flush, liveFlushMs);
      };
      const unsubscribe = liveEvents.subscribe((event) => {
        if (scope && mayReceive(scope, event)) send(frameOf(event));
      });
      const heartbeat = setInterval(async () => {
        try {
          scope = await currentScope(db, auth.token);
        } catch (error) {
          logger.error({ err: error, requestId }, "live scope check failed");
          return;
        }
        if (scope?.agencyId !== agencyId) return end();
        await markPresent(db, scope, logger, requestId);
        send(": heartbeat\n\n");
      }, heartbeatMs);
      liveStreams.inc();
      try {
        send(": connected\n\n");
        if (scope) await markPresent(db, scope, logger, requestId);
        await ended;
      } finally {
        liveStreams.dec();
        clearInterval(heartbeat);
        clearTimeout(flushTimer);
        unsubscribe();
      }
    });
  });

  return app;
}
