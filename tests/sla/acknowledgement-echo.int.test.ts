import { createTriageStore } from "@parley/core/escalations";
import { createWakeupQueue } from "@parley/core/flows";
import { createClockStore } from "@parley/core/sla";
import { schema } from "@parley/db";
import {
  createTestDatabase,
  feedCommentValue,
  makeAgency,
  metaDelivery,
  sha256Signature,
  type TestAgency,
  type TestDatabase,
} from "@parley/testing";
import { createEmbeddedDriver } from "@parley/workflows";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addChannel,
  deliverFor,
  deliveryDeps,
  type FakePlatform,
  startFakePlatform,
} from "../moderation/moderation-support";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { hackedAccountPlaybook, prepareClient } from "./support";

/*
 * The loop issue 23 describes: a customer's complaint is acknowledged automatically; Meta echoes the acknowledgement
 * back as a comment by the Page. Before, the echo was a new queued item whose own triage could acknowledge it again.
 */

const pageId = "104537291837465";
const postId = `${pageId}_822391047755120`;
const appSecret = "meta-app-secret-acknowledgement-echo";

let db: TestDatabase;
let a: TestAgency;
let platform: FakePlatform;
let app: TestApp;
let facebook: Awaited<ReturnType<typeof addChannel>>;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  platform = await startFakePlatform();
  app = makeTestApp(db.app);
  await prepareClient(db, a, hackedAccountPlaybook({}, a.users.stakeholder.id));
  facebook = await addChannel(db, a, {
    clientId: a.client.id,
    platform: "facebook",
    externalAccountId: pageId,
    credentials: { appSecret, pageAccessToken: "page-token" },
  });
});
afterAll(async () => {
  await platform.close();
  await db.close();
});

async function postMeta(body: unknown) {
  const raw = JSON.stringify(body);
  const response = await app.request(`http://parley.test/webhooks/meta/${facebook.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": sha256Signature(appSecret, raw) },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const comment = (options: Parameters<typeof feedCommentValue>[0]) =>
  metaDelivery("page", [{ id: pageId, changes: [{ field: "feed", value: feedCommentValue(options) }] }]);

describe("an automatic acknowledgement's echo", () => {
  it("is stored as the brand's reply and starts nothing: no new item in the queue, no second acknowledgement", async () => {
    const driver = createEmbeddedDriver({
      store: createTriageStore({ db: db.app, notifier: { send: async () => {} } }),
      clockStore: createClockStore({ db: db.app }),
      wakeups: createWakeupQueue(db.app),
    });
    const now = () => Math.floor(Date.now() / 1000);

    // A customer's account was hacked: P1, triage, and the playbook acknowledges automatically.
    const complaint = await postMeta(
      comment({
        postId,
        commentId: "822391047755120_1",
        from: { id: "6983412277351902", name: "Dana Whitfield" },
        message: "My account was hacked overnight and someone is spending my credits!",
        createdTime: now(),
      }),
    );
    expect(complaint).toMatchObject({ status: 200, json: { created: 1 } });
    await driver.tick();
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const [acknowledgement] = await db.owner
      .select()
      .from(schema.replies)
      .where(and(eq(schema.replies.agencyId, a.agency.id), eq(schema.replies.kind, "acknowledgement")));
    expect(acknowledgement).toMatchObject({ status: "sent", externalId: expect.any(String) });
    const [posted] = platform.requests;
    expect(posted).toMatchObject({ method: "POST", path: "/graph/822391047755120_1/comments" });

    // Meta echoes the acknowledgement: a comment by the Page, with the id Meta gave the reply.
    const echo = await postMeta(
      comment({
        postId,
        commentId: acknowledgement?.externalId ?? "",
        parentId: "822391047755120_1",
        from: { id: pageId, name: "Acme Outdoor" },
        message: acknowledgement?.body ?? "",
        createdTime: now(),
      }),
    );
    expect(echo).toMatchObject({ status: 200, json: { created: 1, byBrand: 1, deliveriesConfirmed: 1 } });

    // The flows run again (whatever is due): nothing is acknowledged twice, nothing new is sent.
    await driver.tick();
    expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(platform.requests).toHaveLength(1);

    const items = await db.owner.select().from(schema.items).where(eq(schema.items.channelId, facebook.id));
    expect(items.map(({ externalId, byBrand, status }) => ({ externalId, byBrand, status }))).toEqual(
      expect.arrayContaining([
        { externalId: "822391047755120_1", byBrand: false, status: "escalated" },
        { externalId: acknowledgement?.externalId, byBrand: true, status: "resolved" },
      ]),
    );
    expect(items).toHaveLength(2);
    const echoItem = items.find((item) => item.byBrand);
    const repliesToEcho = await db.owner
      .select()
      .from(schema.replies)
      .where(inArray(schema.replies.itemId, [echoItem?.id ?? ""]));
    expect(repliesToEcho).toEqual([]);
    expect(
      await db.owner
        .select()
        .from(schema.escalations)
        .where(eq(schema.escalations.itemId, echoItem?.id ?? "")),
    ).toEqual([]);
    const allReplies = await db.owner.select().from(schema.replies).where(eq(schema.replies.agencyId, a.agency.id));
    expect(allReplies.map((reply) => reply.kind)).toEqual(["acknowledgement"]);

    // And no moderator is handed the echo.
    const cookie = await signInAs(app, a.users.moderator.email);
    const claimed = await callProcedure(app, { cookie, path: "queue.claimNext", type: "mutation", input: {} });
    expect(claimed).toMatchObject({ status: 200, data: null });
  });
});
