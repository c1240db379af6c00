import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createWorkflows } from "@parley/api/workflows";
import { schema } from "@parley/db";
import {
  createTestDatabase,
  makeAgency,
  type TestAgency,
  type TestDatabase,
  testAppSecret,
  testOutboundAllowlist,
} from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp } from "../support/http";
import { hackedAccountPlaybook, ingestHackedComment, prepareClient } from "./support";

let db: TestDatabase;
let a: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
});
afterAll(() => db.close());

const env = {
  SMTP_FROM: "Parley <alerts@parley.test>",
  WORKFLOW_POLL_MS: 50,
  INNGEST_DEV: true,
  OUTBOUND_ALLOWLIST: testOutboundAllowlist,
} as const;

/** Stands in for the Inngest event API: records what is sent to POST /e/<key>. */
async function startEventApi() {
  const sent: Array<{ id?: string; name: string; data: Record<string, unknown> }> = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const events = JSON.parse(body) as typeof sent;
      sent.push(...events);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ids: events.map((_, n) => `evt-${sent.length + n}`), status: 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    sent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Inngest mode", () => {
  it("answers GET /api/inngest introspection with INNGEST_DEV=1; embedded mode does not mount it", async () => {
    const inngestApp = makeTestApp(db.app);
    const inngest = createWorkflows({ env, db: db.app, appSecret: testAppSecret });
    inngest.mount(inngestApp);
    expect(inngest.mode).toBe("inngest");
    const response = await inngestApp.request("http://parley.test/api/inngest");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ mode: "dev", function_count: 4 });

    const embeddedApp = makeTestApp(db.app);
    const embedded = createWorkflows({ env: { ...env, INNGEST_DEV: false }, db: db.app, appSecret: testAppSecret });
    embedded.mount(embeddedApp);
    expect(embedded.mode).toBe("embedded");
    expect((await embeddedApp.request("http://parley.test/api/inngest")).status).toBe(404);
  });

  it("relays a new item's wake-up to Inngest as moderation/item.received, once", async () => {
    await prepareClient(db, a, hackedAccountPlaybook());
    const eventApi = await startEventApi();
    const workflows = createWorkflows({
      env: { ...env, INNGEST_BASE_URL: eventApi.url },
      db: db.app,
      appSecret: testAppSecret,
    });
    try {
      const itemId = await ingestHackedComment(db.app, a, { externalId: "relayed-1", now: new Date() });
      workflows.start();
      const deadline = Date.now() + 10_000;
      while (eventApi.sent.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(eventApi.sent).toEqual([
        expect.objectContaining({
          id: `item-received:${itemId}`,
          name: "moderation/item.received",
          data: { agencyId: a.agency.id, clientId: a.client.id, channelId: expect.any(String), itemId },
        }),
      ]);
      // The triage wake-up is handed over (Inngest runs the flow now); the clocks' watch is armed at their at-risk
      // instant, not before.
      const left = await db.owner
        .select()
        .from(schema.workflowWakeups)
        .where(eq(schema.workflowWakeups.subjectId, itemId));
      expect(left).toEqual([]);
      const clocks = await db.owner.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, itemId));
      expect(clocks.map((clock) => clock.watchArmedAt)).toEqual([null, null]);
    } finally {
      await workflows.stop();
      await eventApi.close();
    }
  });
});
