import { deliverDueForEveryAgency } from "@parley/core/deliveries";
import { schema } from "@parley/db";
import { makeAgency, type TestAgency } from "@parley/testing";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAs } from "../support/http";
import {
  deliveriesOf,
  deliveryDeps,
  genericChannelOf,
  ingestItem,
  type ModerationSuite,
  mutate,
  openModerationSuite,
  saveProtocol,
  setCredentials,
} from "./moderation-support";

let suite: ModerationSuite;
let b: TestAgency;

beforeAll(async () => {
  suite = await openModerationSuite();
  b = await makeAgency(suite.db.owner);
  await saveProtocol(suite.db, b, b.client.id);
  await setCredentials(suite.db, genericChannelOf(b, b.client.id).id, {
    callbackUrl: `${suite.platform.url}/callback`,
  });
  // A platform that takes a little while to answer, as real ones do.
  suite.platform.respond = () => ({ status: 200, body: { id: `pub-${Math.random()}` }, delayMs: 15 });
});
afterAll(() => suite.close());

const backlog = 2000;

describe("the outbox serves agencies fairly", () => {
  it(`delivers another agency's single reply within seconds while one agency's ${backlog} wait`, {
    timeout: 240_000,
  }, async () => {
    const { db, agency: a, platform } = suite;
    // Agency A's spike: 2,000 hides queued on its first client's channel.
    const channel = genericChannelOf(a, a.client.id);
    const item = await ingestItem(db, channel, { body: "spam wave" });
    for (let start = 0; start < backlog; start += 1000) {
      await db.owner.insert(schema.outboundDeliveries).values(
        Array.from({ length: Math.min(1000, backlog - start) }, () => ({
          agencyId: a.agency.id,
          clientId: a.client.id,
          channelId: channel.id,
          itemId: item.id,
          action: "hide" as const,
        })),
      );
    }
    const began = Date.now();
    const sweep = deliverDueForEveryAgency(db.app, deliveryDeps(platform));
    // B's reply is queued once A's backlog is being worked through.
    await expect.poll(() => platform.requests.length, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
    const bItem = await ingestItem(db, genericChannelOf(b, b.client.id), { body: "Where is my parcel?" });
    const bModerator = await signInAs(suite.app, b.users.moderator.email);
    const sent = await mutate(suite.app, bModerator, "replies.send", { itemId: bItem.id, text: "Checking it now!" });
    expect(sent.error).toBeUndefined();
    const queuedAt = Date.now();
    await expect
      .poll(async () => (await deliveriesOf(db, bItem.id))[0]?.status, { timeout: 30_000, interval: 20 })
      .toBe("sent");
    const waitedMs = Date.now() - queuedAt;
    const [left] = await db.owner
      .select({ n: count() })
      .from(schema.outboundDeliveries)
      .where(and(eq(schema.outboundDeliveries.agencyId, a.agency.id), eq(schema.outboundDeliveries.status, "pending")));
    const run = await sweep;
    const drainMs = Date.now() - began;
    console.log(
      `outbox fairness: B's reply sent ${waitedMs} ms after it was queued, with ${left?.n} of A's ${backlog} still ` +
        `pending; the sweep sent ${run.sent} in ${drainMs} ms`,
    );
    expect(left?.n).toBeGreaterThan(backlog / 10);
    expect(waitedMs).toBeLessThan(5000);
    expect(run.sent).toBe(backlog + 1);
  });

  it("ends a sweep after its batch in flight when the process stops; the rest stays pending, then goes", async () => {
    const { db, platform } = suite;
    const channel = genericChannelOf(b, b.client.id);
    const item = await ingestItem(db, channel, { body: "another spam wave" });
    const queued = 400;
    await db.owner.insert(schema.outboundDeliveries).values(
      Array.from({ length: queued }, () => ({
        agencyId: b.agency.id,
        clientId: b.client.id,
        channelId: channel.id,
        itemId: item.id,
        action: "hide" as const,
      })),
    );
    const statuses = async () => {
      const rows = await db.owner
        .select({ status: schema.outboundDeliveries.status, n: count() })
        .from(schema.outboundDeliveries)
        .where(eq(schema.outboundDeliveries.itemId, item.id))
        .groupBy(schema.outboundDeliveries.status);
      return Object.fromEntries(rows.map((row) => [row.status, row.n]));
    };
    const stopping = new AbortController();
    const before = platform.requests.length;
    const sweep = deliverDueForEveryAgency(db.app, deliveryDeps(platform, { stopping: stopping.signal }));
    await expect.poll(() => platform.requests.length, { interval: 5 }).toBeGreaterThan(before);
    stopping.abort();
    const stopped = await sweep;
    expect(stopped.sent).toBeGreaterThan(0);
    expect(stopped.sent).toBeLessThan(queued);
    // Every delivery is either sent (counted by the sweep) or still pending: none is lost or left half-done.
    expect(await statuses()).toEqual({ sent: stopped.sent, pending: queued - stopped.sent });

    const rest = await deliverDueForEveryAgency(db.app, deliveryDeps(platform));
    expect(rest.sent).toBe(queued - stopped.sent);
    expect(await statuses()).toEqual({ sent: queued });
  });
});
