// Every background worker of an API process, run twice side by side on one database: each instance has its own
// pool (its own connections, as a second process has), so PostgreSQL sees two processes competing. What each
// worker acts on must be acted on once.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "@parley/api/app";
import { type LiveEventSource, listenLiveEvents } from "@parley/api/live";
import { silentLogger } from "@parley/api/logger";
import { createWorkflows } from "@parley/api/workflows";
import { closeDatabase, createDatabase, type Database, schema } from "@parley/db";
import { makeAgency, type TestAgency, testAppSecret, testOutboundAllowlist, testSecretBox } from "@parley/testing";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDeliveryWorker } from "../../apps/api/src/delivery-worker";
import { startInvoiceScheduler } from "../../apps/api/src/invoice-scheduler";
import { createMetrics } from "../../apps/api/src/metrics";
import { contractTerms, saveTerms, scopeOf } from "../billing/fixtures";
import {
  genericChannelOf,
  ingestItem,
  type ModerationSuite,
  mutate,
  openModerationSuite,
} from "../moderation/moderation-support";
import { claimNext } from "../queue/queue-support";
import { hackedAccountPlaybook, ingestHackedComment, prepareClient } from "../sla/support";
import { signInAs } from "../support/http";
import { openLiveStream } from "../support/live-stream";

let suite: ModerationSuite;
/** The two "processes": a pool each, as the app role. */
let pools: [Database, Database];

beforeAll(async () => {
  suite = await openModerationSuite();
  pools = [createDatabase({ url: suite.db.appUrl, max: 5 }), createDatabase({ url: suite.db.appUrl, max: 5 })];
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => closeDatabase(pool)));
  await suite.close();
});

/** Polls `read` until `done` holds of its value (or 20 s pass); returns the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

describe("two delivery workers", () => {
  it("send every delivery once, those queued before they started and those kicked while both listen", async () => {
    const { db, app, platform, agency: a, moderator } = suite;
    platform.respond = (request) => ({
      status: 200,
      body: { id: `sent-${(JSON.parse(request.body) as { deliveryId: string }).deliveryId}` },
      delayMs: 30,
    });
    platform.requests.length = 0;
    const channel = genericChannelOf(a, a.client.id);
    const reply = async (n: number) => {
      const item = await ingestItem(db, channel, { body: `Question ${n} about the patch notes` });
      const sent = await mutate(app, moderator, "replies.send", { itemId: item.id, text: `Answer ${n}: Thursday.` });
      if (!sent.data) throw new Error(`reply refused: ${JSON.stringify(sent.error)}`);
    };
    for (let n = 0; n < 30; n++) await reply(n);

    const metrics = pools.map((pool) => createMetrics({ db: pool }));
    const workers = await Promise.all(
      pools.map((pool, n) =>
        startDeliveryWorker({
          db: pool,
          secretBox: testSecretBox,
          metaGraphBaseUrl: `${platform.url}/graph`,
          allowlist: testOutboundAllowlist,
          intervalMs: 60_000,
          logger: silentLogger,
          metrics: metrics[n],
        }),
      ),
    );
    try {
      // While both run, each commit notifies both: they race for the same rows.
      await Promise.all(Array.from({ length: 20 }, (_, n) => reply(100 + n)));
      const deliveries = await until(
        () =>
          db.owner.select().from(schema.outboundDeliveries).where(eq(schema.outboundDeliveries.agencyId, a.agency.id)),
        (rows) => rows.length === 50 && rows.every((row) => row.status === "sent"),
      );
      expect(deliveries.map((row) => [row.status, row.attempts])).toEqual(Array(50).fill(["sent", 1]));
      const sentIds = platform.requests.map(
        (request) => (JSON.parse(request.body) as { deliveryId: string }).deliveryId,
      );
      expect(sentIds).toHaveLength(50);
      expect(new Set(sentIds)).toEqual(new Set(deliveries.map((row) => row.id)));
      // Both counted their own: together, each delivery once. A worker counts an outcome once its row has committed,
      // so the last count can come a moment after the rows read above (a run saw 49 of 50 there).
      const sentTotal = async () => {
        const sentBy = await Promise.all(
          metrics.map(
            async (m) => (await m.deliveries.get()).values.find((v) => v.labels.verdict === "sent")?.value ?? 0,
          ),
        );
        return sentBy.reduce((total, sent) => total + sent, 0);
      };
      expect(await until(sentTotal, (total) => total >= 50)).toBe(50);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  });
});

describe("two embedded workflow drivers", () => {
  it("acknowledge and escalate each triaged item once", async () => {
    const { db } = suite;
    const a = await makeAgency(db.owner);
    await prepareClient(db, a, hackedAccountPlaybook({}, a.users.stakeholder.id));
    const env = {
      SMTP_FROM: "Parley <alerts@parley.test>",
      WORKFLOW_POLL_MS: 20,
      INNGEST_DEV: false,
      OUTBOUND_ALLOWLIST: testOutboundAllowlist,
    } as const;
    const drivers = pools.map((pool) =>
      createWorkflows({ env, db: pool, appSecret: testAppSecret, logger: silentLogger }),
    );
    for (const driver of drivers) driver.start();
    try {
      const now = new Date();
      const itemIds = await Promise.all(
        Array.from({ length: 16 }, (_, n) => ingestHackedComment(db.app, a, { externalId: `hacked-${n}`, now })),
      );
      const escalations = await until(
        () => db.owner.select().from(schema.escalations).where(inArray(schema.escalations.itemId, itemIds)),
        (rows) => rows.length >= itemIds.length,
      );
      // Let every claimed wake-up finish: none of this agency's is leased any more.
      await until(
        () =>
          db.owner
            .select()
            .from(schema.workflowWakeups)
            .where(
              and(eq(schema.workflowWakeups.agencyId, a.agency.id), sql`${schema.workflowWakeups.lockedUntil} > now()`),
            ),
        (rows) => rows.length === 0,
      );
      expect(escalations.map((row) => row.itemId).sort()).toEqual([...itemIds].sort());
      const acknowledgements = await db.owner
        .select()
        .from(schema.replies)
        .where(and(inArray(schema.replies.itemId, itemIds), eq(schema.replies.kind, "acknowledgement")));
      expect(acknowledgements.map((row) => row.itemId).sort()).toEqual([...itemIds].sort());
      const opened = await db.owner
        .select()
        .from(schema.notifications)
        .where(and(eq(schema.notifications.agencyId, a.agency.id), eq(schema.notifications.kind, "escalation.opened")));
      expect(opened.map((row) => row.subjectId).sort()).toEqual(escalations.map((row) => row.id).sort());
      // Both drivers worked: each polled (their status says so).
      for (const driver of drivers)
        expect(driver.status()).toMatchObject({ running: true, lastRunAt: expect.any(Date) });
    } finally {
      await Promise.all(drivers.map((driver) => driver.stop()));
    }
  });
});

describe("two monthly invoice schedulers", () => {
  it("create each client's draft once and notify its account manager once, started at the same moment", async () => {
    const { db } = suite;
    const agencies: TestAgency[] = [];
    for (let n = 0; n < 3; n++) {
      const a = await makeAgency(db.owner);
      const scope = await scopeOf(db.app, a, a.users.accountManager);
      for (const clientId of [a.client.id, a.otherClient.id]) await saveTerms(db.app, scope, clientId, contractTerms());
      agencies.push(a);
    }
    // 09:00 UTC on 1 October: every agency's and client's September is over.
    const clock = { now: () => new Date("2026-10-01T09:00:00Z") };
    const schedulers = pools.map((pool) => startInvoiceScheduler({ db: pool, now: clock.now, logger: silentLogger }));
    // Each looked once at start; wait for those looks.
    await Promise.all(schedulers.map((scheduler) => scheduler.runNow()));
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    const agencyIds = agencies.map((a) => a.agency.id);
    const drafts = await db.owner
      .select()
      .from(schema.invoices)
      .where(and(inArray(schema.invoices.agencyId, agencyIds), eq(schema.invoices.periodStart, "2026-09-01")));
    const clientIds = agencies.flatMap((a) => [a.client.id, a.otherClient.id]);
    expect(drafts.map((row) => row.clientId).sort()).toEqual([...clientIds].sort());
    const notices = await db.owner
      .select()
      .from(schema.notifications)
      .where(
        and(inArray(schema.notifications.agencyId, agencyIds), eq(schema.notifications.kind, "invoice.draft_created")),
      );
    const expected = agencies.flatMap((a) => [
      [a.users.accountManager.id, a.client.id],
      [a.users.accountManager.id, a.otherClient.id],
    ]);
    expect(notices.map((row) => [row.recipientUserId, row.clientId]).sort()).toEqual(expected.sort());
  });
});

describe("live events across two processes", () => {
  it("reach the consoles of both: a claim made through one shows in a console connected to the other", async () => {
    const { db } = suite;
    const a = await makeAgency(db.owner);
    const servers: Array<{ url: string; app: ReturnType<typeof createApp>; server: Server; live: LiveEventSource }> =
      [];
    for (const pool of pools) {
      // Each process has its own LISTEN connection and fans out to its own consoles.
      const live = await listenLiveEvents({ url: db.appUrl, logger: silentLogger });
      const app = createApp({
        services: { db: pool, secretBox: testSecretBox, outboundAllowlist: testOutboundAllowlist },
        liveEvents: live,
      });
      const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
      await new Promise<void>((resolve) => server.once("listening", () => resolve()));
      servers.push({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, app, server, live });
    }
    try {
      const owner = await signInAs(servers[0]!.app, a.users.owner.email);
      const consoles = await Promise.all(servers.map(({ url }) => openLiveStream(url, owner)));
      for (const stream of consoles) expect(await stream.nextComment("connected")).not.toBeNull();
      const channel = genericChannelOf(a, a.client.id);
      for (let n = 0; n < 2; n++) await ingestItem(db, channel, { body: `Waiting in the queue ${n}` });
      const moderator = await signInAs(servers[0]!.app, a.users.moderator.email);
      // One claim through each process; both consoles hear of both.
      for (const { app } of servers) {
        const claimed = await claimNext(app, { cookie: moderator, clientId: a.client.id });
        if (!claimed) throw new Error("nothing claimed");
        for (const stream of consoles) {
          expect(await stream.nextEventAbout("queue.changed", claimed.id)).toEqual({
            type: "queue.changed",
            agencyId: a.agency.id,
            clientId: a.client.id,
            subjectId: claimed.id,
          });
        }
      }
      for (const stream of consoles) stream.close();
    } finally {
      for (const { server, live } of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await live.close();
      }
    }
  });
});
