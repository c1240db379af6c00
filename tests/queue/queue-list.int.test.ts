import type { QueueCountsView, QueueItemView, QueuePageView } from "@parley/core/moderation";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, signInAs, type TestApp } from "../support/http";
import { callQueue, claimNext, seedItems, signInFirstClientModerator } from "./queue-support";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let moderator: string;
let seeded: Awaited<ReturnType<typeof seedItems>>;

const priorities = ["P1", "P2", "P3", "P4"] as const;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  moderator = await signInAs(app, a.users.moderator.email);
  seeded = [
    ...(await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      // Arrival ties on purpose (a webhook batch arrives at one instant): the cursor must still page exactly.
      items: Array.from({ length: 30 }, (_, i) => ({
        priority: priorities[i % 4],
        arrival: Math.floor(i / 3),
        riskFlags: i % 5 === 0 ? ["legal"] : [],
        body: i === 0 ? "x".repeat(400) : `first client ${i}`,
      })),
    })),
    ...(await seedItems(db.owner, {
      agency: a,
      clientId: a.otherClient.id,
      items: Array.from({ length: 20 }, (_, i) => ({ priority: priorities[(i + 2) % 4], arrival: i })),
    })),
    ...(await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      items: [{ status: "responded", priority: "P1" }],
    })),
  ];
});
afterAll(() => db.close());

async function list(input: unknown, cookie = moderator): Promise<QueuePageView> {
  const outcome = await callQueue(app, { cookie, name: "list", input });
  if (outcome.error) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.data as QueuePageView;
}

async function listAll(input: Record<string, unknown>): Promise<QueueItemView[]> {
  const all: QueueItemView[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list({ ...input, cursor });
    all.push(...page.items);
    if (!page.nextCursor) return all;
    cursor = page.nextCursor;
  }
}

/** Claim-next order over seeded rows: priority, then arrival, then id. */
function inQueueOrder(rows: typeof seeded) {
  return [...rows].sort(
    (x, y) =>
      x.priority.localeCompare(y.priority) ||
      x.receivedAt.getTime() - y.receivedAt.getTime() ||
      x.id.localeCompare(y.id),
  );
}

describe("queue.list", () => {
  it("pages through every queued item of the moderator's clients in claim order, each once", async () => {
    const items = await listAll({ limit: 7 });
    const queued = seeded.filter((row) => row.status === "queued");
    expect(items.map((item) => item.id)).toEqual(inQueueOrder(queued).map((row) => row.id));
  });

  it("shows a view with names, a 280-character body and no raw columns", async () => {
    const { items } = await list({ clientId: a.client.id, limit: 100 });
    const long = items.find((item) => item.id === seeded[0]?.id);
    expect(long?.body).toHaveLength(280);
    const channel = a.channels.find((c) => c.clientId === a.client.id);
    expect(long).toEqual({
      id: seeded[0]?.id,
      clientId: a.client.id,
      clientName: a.client.name,
      channelId: channel?.id,
      channelName: channel?.displayName,
      platform: "generic",
      kind: "comment",
      authorHandle: "someone0",
      body: "x".repeat(280),
      priority: "P1",
      categoryKey: null,
      riskFlags: ["legal"],
      authority: "respond",
      moderationAction: null,
      status: "queued",
      receivedAt: seeded[0]?.receivedAt,
      claimedBy: null,
      claimExpiresAt: null,
      delivery: null,
      clock: null,
      holderName: null,
    });
  });

  it("filters by client, channel, priority, risk flag and status", async () => {
    const byClient = await listAll({ clientId: a.otherClient.id, limit: 5 });
    expect(byClient).toHaveLength(20);
    expect(new Set(byClient.map((item) => item.clientId))).toEqual(new Set([a.otherClient.id]));
    const channel = a.channels.find((c) => c.clientId === a.otherClient.id);
    expect((await listAll({ channelId: channel?.id })).map((item) => item.id)).toEqual(byClient.map((i) => i.id));
    const p2 = await listAll({ priority: "P2", limit: 4 });
    expect(p2.map((item) => item.id)).toEqual(
      inQueueOrder(seeded.filter((row) => row.status === "queued" && row.priority === "P2")).map((row) => row.id),
    );
    const legal = await listAll({ riskFlag: "legal" });
    expect(legal.map((item) => item.id).sort()).toEqual(
      seeded
        .filter((row) => row.riskFlags.includes("legal"))
        .map((row) => row.id)
        .sort(),
    );
    const responded = await list({ status: "responded" });
    expect(responded.items.map((item) => item.status)).toEqual(["responded"]);
  });

  it("lists claimed items with who holds them", async () => {
    const agency = await makeAgency(db.owner);
    const cookie = await signInAs(app, agency.users.moderator.email);
    await seedItems(db.owner, { agency, clientId: agency.client.id, items: [{}, {}] });
    const claimed = await claimNext(app, { cookie });
    const { items } = await list({ status: "claimed" }, cookie);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: claimed?.id,
      status: "claimed",
      claimedBy: agency.users.moderator.id,
      claimExpiresAt: claimed?.claimExpiresAt,
    });
  });

  it("answers 400 naming the field for a bad filter, limit or cursor", async () => {
    const cases: Array<[unknown, string]> = [
      [{ limit: 0 }, "limit"],
      [{ limit: 101 }, "limit"],
      [{ priority: "P9" }, "priority"],
      [{ riskFlag: "spam" }, "riskFlag"],
      [{ status: "lost" }, "status"],
      [{ clientId: "nope" }, "clientId"],
      [{ cursor: "bm90LWEtY3Vyc29y" }, "cursor"],
    ];
    for (const [input, field] of cases) {
      const outcome = await callQueue(app, { cookie: moderator, name: "list", input });
      expect({ field, status: outcome.status, fields: Object.keys(outcome.error?.details.fields ?? {}) }).toEqual({
        field,
        status: 400,
        fields: [field],
      });
    }
  });

  it("answers NOT_FOUND for a client outside the moderator's scope", async () => {
    const cookie = await signInFirstClientModerator(app, db.owner, a);
    const outcome = await callQueue(app, { cookie, name: "list", input: { clientId: a.otherClient.id } });
    expect(outcome.error?.code).toBe("NOT_FOUND");
    const all = await list({ limit: 100 }, cookie);
    expect(new Set(all.items.map((item) => item.clientId))).toEqual(new Set([a.client.id]));
  });
});

describe("queue.counts", () => {
  it("counts queued (by priority) and claimed items per client the caller works on", async () => {
    const agency = await makeAgency(db.owner);
    const cookie = await signInAs(app, agency.users.moderator.email);
    await seedItems(db.owner, {
      agency,
      clientId: agency.client.id,
      items: [
        { priority: "P1" },
        { priority: "P1" },
        { priority: "P3" },
        { priority: "P4", status: "responded" },
        { priority: "P2", status: "escalated" },
      ],
    });
    await seedItems(db.owner, { agency, clientId: agency.otherClient.id, items: [{ priority: "P2" }] });
    await claimNext(app, { cookie, clientId: agency.client.id });
    const outcome = await callQueue(app, { cookie, name: "counts" });
    const counts = outcome.data as QueueCountsView[];
    const byClient = new Map(counts.map((row) => [row.clientId, row]));
    expect(byClient.get(agency.client.id)).toEqual({
      clientId: agency.client.id,
      clientName: agency.client.name,
      queued: 2,
      claimed: 1,
      mine: 1,
      lastP1At: null,
      byPriority: { P1: 1, P2: 0, P3: 1, P4: 0 },
      spike: null,
    });
    expect(byClient.get(agency.otherClient.id)).toEqual({
      clientId: agency.otherClient.id,
      clientName: agency.otherClient.name,
      queued: 1,
      claimed: 0,
      mine: 0,
      lastP1At: null,
      byPriority: { P1: 0, P2: 1, P3: 0, P4: 0 },
      spike: null,
    });
    expect(counts).toHaveLength(2);
  });

  it("shows an account manager or moderator only their clients, including empty ones", async () => {
    const scoped = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "account_manager",
      assignments: [{ clientId: a.otherClient.id, authority: "view" }],
    });
    const cookie = await signInAs(app, scoped.email);
    const counts = (await callQueue(app, { cookie, name: "counts" })).data as QueueCountsView[];
    expect(counts.map((row) => [row.clientId, row.queued])).toEqual([[a.otherClient.id, 20]]);
    const empty = await makeAgency(db.owner);
    const emptyCounts = (await callQueue(app, { cookie: await signInAs(app, empty.users.owner.email), name: "counts" }))
      .data as QueueCountsView[];
    expect(emptyCounts.map((row) => row.queued + row.claimed)).toEqual([0, 0]);
  });
});
