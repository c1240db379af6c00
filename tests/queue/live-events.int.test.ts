import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "@parley/api/app";
import { type LiveEventSource, listenLiveEvents } from "@parley/api/live";
import { silentLogger } from "@parley/api/logger";
import { ingestChannelItems } from "@parley/core/moderation";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAs, testOrigin } from "../support/http";
import { openLiveStream } from "../support/live-stream";
import { claimNext, signInFirstClientModerator } from "./queue-support";

let db: TestDatabase;
let liveEvents: LiveEventSource;
let subscribers = 0;
let app: ReturnType<typeof createApp>;
let server: Server;
let baseUrl: string;
let a: TestAgency;
let b: TestAgency;

const heartbeatMs = 300;

beforeAll(async () => {
  db = await createTestDatabase();
  const listening = await listenLiveEvents({ url: db.appUrl });
  // Counts open subscriptions, to see a disconnected console let go of its listener.
  liveEvents = {
    subscribe(listener) {
      subscribers += 1;
      const unsubscribe = listening.subscribe(listener);
      return () => {
        subscribers -= 1;
        unsubscribe();
      };
    },
    close: () => listening.close(),
  };
  app = createApp({
    services: { db: db.app, secretBox: testSecretBox },
    liveEvents,
    liveHeartbeatMs: heartbeatMs,
    logger: silentLogger,
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await liveEvents.close();
  await db.close();
});

const connect = (cookie: string) => openLiveStream(baseUrl, cookie);

let sequence = 0;
async function ingestOne(agency: TestAgency, clientId: string) {
  const channel = agency.channels.find((c) => c.clientId === clientId);
  if (!channel) throw new Error("no channel");
  sequence += 1;
  const result = await ingestChannelItems(db.app, channel, [
    {
      op: "upsert",
      item: {
        externalId: `live-${sequence}`,
        kind: "comment",
        author: { externalId: `author-${sequence}`, handle: "someone" },
        body: `Live item ${sequence}`,
        createdAt: new Date(),
      },
    },
  ]);
  return result.items[0]?.id;
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

describe("GET /events", () => {
  it("answers 401 in the error shape without a session", async () => {
    const response = await fetch(`${baseUrl}/events`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  });

  it("tells a moderator's console that an item arrived in, and was claimed from, their client's queue", async () => {
    const stream = await connect(await signInAs(app, a.users.moderator.email));
    expect(await stream.nextComment("connected")).not.toBeNull();
    await ingestOne(a, a.client.id);
    expect(await stream.nextEvent()).toEqual({ type: "queue.changed", agencyId: a.agency.id, clientId: a.client.id });
    const claimed = await claimNext(app, { cookie: await signInAs(app, a.users.owner.email), clientId: a.client.id });
    expect(await stream.nextEvent()).toEqual({
      type: "queue.changed",
      agencyId: a.agency.id,
      clientId: a.client.id,
      subjectId: claimed?.id,
    });
    stream.close();
  });

  it("delivers nothing of another agency or of a client the member does not work on", async () => {
    const scoped = await connect(await signInFirstClientModerator(app, db.owner, a));
    const otherAgency = await connect(await signInAs(app, b.users.owner.email));
    await scoped.nextComment("connected");
    await otherAgency.nextComment("connected");
    await ingestOne(b, b.client.id);
    await ingestOne(a, a.otherClient.id);
    // Notifications arrive in commit order: when this one is the first the scoped moderator sees, the two
    // before it were withheld.
    await ingestOne(a, a.client.id);
    expect(await scoped.nextEvent()).toEqual({ type: "queue.changed", agencyId: a.agency.id, clientId: a.client.id });
    expect(await otherAgency.nextEvent()).toEqual({
      type: "queue.changed",
      agencyId: b.agency.id,
      clientId: b.client.id,
    });
    expect(await otherAgency.nextEvent(500)).toBeNull();
    scoped.close();
    otherAgency.close();
  });

  it("sends a heartbeat, and lets go of a console that disconnected", async () => {
    // Streams closed by earlier tests are let go of asynchronously.
    expect(await waitFor(() => subscribers === 0)).toBe(true);
    const stream = await connect(await signInAs(app, a.users.owner.email));
    expect(subscribers).toBe(1);
    expect(await stream.nextComment("heartbeat", heartbeatMs * 5)).not.toBeNull();
    stream.close();
    expect(await waitFor(() => subscribers === 0)).toBe(true);
  });

  it("ends the stream within a heartbeat of signing out", async () => {
    const cookie = await signInAs(app, a.users.admin.email);
    const stream = await connect(cookie);
    await stream.nextComment("connected");
    const logout = await app.request("http://parley.test/auth/logout", {
      method: "POST",
      headers: { cookie, origin: testOrigin, host: "parley.test" },
    });
    expect(logout.status).toBe(200);
    expect(await waitFor(() => stream.hasEnded(), heartbeatMs * 10)).toBe(true);
  });
});
