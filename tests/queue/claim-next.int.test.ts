import { defaultClaimLeaseSeconds } from "@parley/core/moderation";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, signInAs, type TestApp } from "../support/http";
import { callQueue, claimNext, seedItems, signInFirstClientModerator } from "./queue-support";

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
});
afterAll(() => db.close());

/** A fresh agency and a signed-in moderator of both its clients (each test works on its own queues). */
async function moderatedAgency() {
  const agency = await makeAgency(db.owner);
  return { ...agency, cookie: await signInAs(app, agency.users.moderator.email) };
}

async function itemRow(id: string) {
  const [row] = await db.owner.select().from(schema.items).where(eq(schema.items.id, id));
  if (!row) throw new Error(`no item ${id}`);
  return row;
}

async function itemStatusesOf(a: TestAgency) {
  const rows = await db.owner
    .select({ status: schema.items.status })
    .from(schema.items)
    .where(eq(schema.items.agencyId, a.agency.id));
  return rows.map((row) => row.status);
}

function auditOf(itemId: string, action: string) {
  return db.owner
    .select()
    .from(schema.auditEvents)
    .where(and(eq(schema.auditEvents.subjectId, itemId), eq(schema.auditEvents.action, action)));
}

/** Queues a P1 and a P2 item on the agency's first client; its moderator claims the P1 first. */
async function claimTopOfTwo(a: Awaited<ReturnType<typeof moderatedAgency>>) {
  const [top, next] = await seedItems(db.owner, {
    agency: a,
    clientId: a.client.id,
    items: [{ priority: "P1" }, { priority: "P2" }],
  });
  expect((await claimNext(app, { cookie: a.cookie }))?.id).toBe(top?.id);
  return { top, next };
}

/** Asks to renew, skip and release the item's claim, in that order; the error code of each answer. */
async function claimActionErrors(cookie: string, itemId: string | undefined) {
  const codes: Record<string, string | undefined> = {};
  for (const name of ["renew", "skip", "release"] as const) {
    codes[name] = (await callQueue(app, { cookie, name, input: { itemId } })).error?.code;
  }
  return codes;
}

describe("queue.claimNext", () => {
  it("hands each of 200 items to exactly one of 32 concurrent claimers, and all of them", async () => {
    const a = await moderatedAgency();
    const moderators = await Promise.all(
      Array.from({ length: 4 }, () =>
        makeUser(db.owner, {
          agencyId: a.agency.id,
          role: "moderator",
          assignments: [a.client, a.otherClient].map((client) => ({ clientId: client.id, authority: "respond" })),
        }),
      ),
    );
    const cookies = await Promise.all(moderators.map((m) => signInAs(app, m.email)));
    const priorities = ["P1", "P2", "P3", "P4"] as const;
    const seeded = [
      ...(await seedItems(db.owner, {
        agency: a,
        clientId: a.client.id,
        items: Array.from({ length: 100 }, (_, i) => ({ priority: priorities[i % 4] })),
      })),
      ...(await seedItems(db.owner, {
        agency: a,
        clientId: a.otherClient.id,
        items: Array.from({ length: 100 }, (_, i) => ({ priority: priorities[(i + 1) % 4] })),
      })),
    ];
    const handedOut: Array<{ itemId: string; cookie: string }> = [];
    await Promise.all(
      Array.from({ length: 32 }, async (_, worker) => {
        const cookie = cookies[worker % cookies.length] ?? "";
        for (;;) {
          const item = await claimNext(app, { cookie });
          if (!item) return;
          handedOut.push({ itemId: item.id, cookie });
        }
      }),
    );
    const ids = handedOut.map((h) => h.itemId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(seeded.map((item) => item.id).sort());
    expect((await itemStatusesOf(a)).every((status) => status === "claimed")).toBe(true);
    const [audited] = await db.owner.execute<{ n: number }>(sql`
      select count(distinct subject_id)::int as n from audit_events
      where agency_id = ${a.agency.id} and action = 'item.claimed'`);
    expect(audited?.n).toBe(200);
  }, 60_000);

  it("hands out by priority, then arrival, across the moderator's clients, with a 10-minute lease", async () => {
    const a = await moderatedAgency();
    const first = await seedItems(db.owner, {
      agency: a,
      clientId: a.client.id,
      items: [
        { priority: "P3", arrival: 1 },
        { priority: "P1", arrival: 5 },
        { priority: "P2", arrival: 2 },
      ],
    });
    const second = await seedItems(db.owner, {
      agency: a,
      clientId: a.otherClient.id,
      items: [
        { priority: "P1", arrival: 3 },
        { priority: "P3", arrival: 0 },
      ],
    });
    const expected = [...first, ...second]
      .sort((x, y) => x.priority.localeCompare(y.priority) || x.receivedAt.getTime() - y.receivedAt.getTime())
      .map((item) => item.id);
    const claimed: string[] = [];
    for (let i = 0; i < expected.length; i += 1) {
      const before = Date.now();
      const item = await claimNext(app, { cookie: a.cookie });
      if (!item) throw new Error("queue ran dry early");
      claimed.push(item.id);
      const leaseMs = (item.claimExpiresAt?.getTime() ?? 0) - before;
      expect(leaseMs).toBeGreaterThan(defaultClaimLeaseSeconds * 1000 - 5_000);
      expect(leaseMs).toBeLessThanOrEqual(defaultClaimLeaseSeconds * 1000 + 1_000);
    }
    expect(defaultClaimLeaseSeconds).toBe(600);
    expect(claimed).toEqual(expected);
    expect(await claimNext(app, { cookie: a.cookie })).toBeNull();
  });

  it("never gives a moderator assigned to one client another client's items", async () => {
    const a = await moderatedAgency();
    const cookie = await signInFirstClientModerator(app, db.owner, a);
    await seedItems(db.owner, {
      agency: a,
      clientId: a.otherClient.id,
      items: [{ priority: "P1" }, { priority: "P1" }],
    });
    const mine = await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{ priority: "P4" }, {}] });
    const got = [await claimNext(app, { cookie }), await claimNext(app, { cookie }), await claimNext(app, { cookie })];
    expect(got.map((item) => item?.id ?? null).sort()).toEqual([...mine.map((item) => item.id), null].sort());
    const refused = await callQueue(app, { cookie, name: "claimNext", input: { clientId: a.otherClient.id } });
    expect(refused.error?.code).toBe("NOT_FOUND");
    const [left] = await db.owner.execute<{ n: number }>(sql`
      select count(*)::int as n from items where client_id = ${a.otherClient.id} and status = 'queued'`);
    expect(left?.n).toBe(2);
  });

  it("takes back a claim whose lease ran out and hands it out again", async () => {
    const a = await moderatedAgency();
    const other = await signInAs(app, a.users.owner.email);
    const [item] = await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{ priority: "P2" }] });
    const first = await claimNext(app, { cookie: a.cookie });
    expect(first?.id).toBe(item?.id);
    expect(await claimNext(app, { cookie: other })).toBeNull();
    await db.owner
      .update(schema.items)
      .set({ claimExpiresAt: new Date(Date.now() - 1_000) })
      .where(eq(schema.items.id, item?.id ?? ""));
    const again = await claimNext(app, { cookie: other });
    expect(again?.id).toBe(item?.id);
    expect((await itemRow(item?.id ?? "")).claimedBy).toBe(a.users.owner.id);
    expect(await auditOf(item?.id ?? "", "item.claim_expired")).toHaveLength(1);
  });

  it("rejects a malformed skip list with the field named, and claims nothing", async () => {
    const a = await moderatedAgency();
    await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{}] });
    const outcome = await callQueue(app, { cookie: a.cookie, name: "claimNext", input: { skip: ["not-a-uuid"] } });
    expect(outcome.status).toBe(400);
    expect(outcome.error?.details.fields).toHaveProperty("skip.0");
    expect(await itemStatusesOf(a)).toEqual(["queued"]);
  });
});

describe("queue.release, queue.skip, queue.renew", () => {
  it("releases a claim back to its place in the queue, audited; a second release is refused", async () => {
    const a = await moderatedAgency();
    const { top, next } = await claimTopOfTwo(a);
    const released = await callQueue(app, { cookie: a.cookie, name: "release", input: { itemId: top?.id } });
    expect(released.data).toEqual({ itemId: top?.id, status: "queued" });
    expect(await itemRow(top?.id ?? "")).toMatchObject({ status: "queued", claimedBy: null, claimExpiresAt: null });
    const audit = await auditOf(top?.id ?? "", "item.released");
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorUserId).toBe(a.users.moderator.id);
    const again = await callQueue(app, { cookie: a.cookie, name: "release", input: { itemId: top?.id } });
    expect(again.error).toMatchObject({ code: "INVALID_STATE", details: { reason: "not_claimed" } });
    expect((await claimNext(app, { cookie: a.cookie }))?.id).toBe(top?.id);
    expect(next).toBeDefined();
  });

  it("lets only the claimer skip or renew; an owner may take a claim back", async () => {
    const a = await moderatedAgency();
    const colleagueCookie = await signInFirstClientModerator(app, db.owner, a);
    const ownerCookie = await signInAs(app, a.users.owner.email);
    const [item] = await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{ priority: "P1" }] });
    const itemId = item?.id ?? "";
    await claimNext(app, { cookie: a.cookie });
    const before = await itemRow(itemId);
    expect(await claimActionErrors(colleagueCookie, itemId)).toEqual({
      renew: "FORBIDDEN",
      skip: "FORBIDDEN",
      release: "FORBIDDEN",
    });
    expect(await itemRow(itemId)).toEqual(before);
    const skippedByOwner = await callQueue(app, { cookie: ownerCookie, name: "skip", input: { itemId } });
    expect(skippedByOwner.error?.code).toBe("FORBIDDEN");
    const takenBack = await callQueue(app, { cookie: ownerCookie, name: "release", input: { itemId } });
    expect(takenBack.data).toEqual({ itemId, status: "queued" });
    const renewQueued = await callQueue(app, { cookie: a.cookie, name: "renew", input: { itemId } });
    expect(renewQueued.error?.code).toBe("INVALID_STATE");
  });

  it("renews the claimer's lease to a full lease from now", async () => {
    const a = await moderatedAgency();
    const [item] = await seedItems(db.owner, { agency: a, clientId: a.client.id, items: [{}] });
    const itemId = item?.id ?? "";
    await claimNext(app, { cookie: a.cookie });
    await db.owner
      .update(schema.items)
      .set({ claimExpiresAt: new Date(Date.now() + 30_000) })
      .where(eq(schema.items.id, itemId));
    const before = Date.now();
    const renewed = await callQueue(app, { cookie: a.cookie, name: "renew", input: { itemId } });
    const view = renewed.data as { itemId: string; status: string; claimExpiresAt: Date };
    expect(view).toMatchObject({ itemId, status: "claimed" });
    expect(view.claimExpiresAt.getTime() - before).toBeGreaterThan(defaultClaimLeaseSeconds * 1000 - 5_000);
    expect((await itemRow(itemId)).claimExpiresAt).toEqual(view.claimExpiresAt);
  });

  it("skips: the item goes back for others, and the skipper's claims pass over it while the console sends it", async () => {
    const a = await moderatedAgency();
    const ownerCookie = await signInAs(app, a.users.owner.email);
    const { top, next } = await claimTopOfTwo(a);
    const before = Date.now();
    const skipped = await callQueue(app, { cookie: a.cookie, name: "skip", input: { itemId: top?.id } });
    const view = skipped.data as { itemId: string; status: string; skipUntil: Date };
    expect(view).toMatchObject({ itemId: top?.id, status: "queued" });
    expect(view.skipUntil.getTime() - before).toBeGreaterThan(defaultClaimLeaseSeconds * 1000 - 5_000);
    const mine = await claimNext(app, { cookie: a.cookie, skip: [view.itemId] });
    expect(mine?.id).toBe(next?.id);
    const theirs = await claimNext(app, { cookie: ownerCookie });
    expect(theirs?.id).toBe(top?.id);
    const [audit] = await db.owner.execute<{ n: number }>(sql`
      select count(*)::int as n from audit_events where action = 'item.skipped' and subject_id = ${top?.id ?? ""}`);
    expect(audit?.n).toBe(1);
  });

  it("answers NOT_FOUND for an item outside the moderator's clients", async () => {
    const a = await moderatedAgency();
    const cookie = await signInFirstClientModerator(app, db.owner, a);
    const [item] = await seedItems(db.owner, { agency: a, clientId: a.otherClient.id, items: [{}] });
    await claimNext(app, { cookie: a.cookie, clientId: a.otherClient.id });
    expect(await claimActionErrors(cookie, item?.id)).toEqual({
      renew: "NOT_FOUND",
      skip: "NOT_FOUND",
      release: "NOT_FOUND",
    });
    const rows = await db.owner
      .select({ claimedBy: schema.items.claimedBy })
      .from(schema.items)
      .where(inArray(schema.items.id, [item?.id ?? ""]));
    expect(rows[0]?.claimedBy).toBe(a.users.moderator.id);
  });
});
