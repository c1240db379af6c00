import { createJsonLogger } from "@parley/api/logger";
import { schema } from "@parley/db";
import {
  createTestDatabase,
  discoursePostPayload,
  discourseTopicPayload,
  feedCommentValue,
  feedPostValue,
  instagramCommentValue,
  instagramMentionValue,
  type MetaChange,
  makeAgency,
  metaDelivery,
  pageMentionValue,
  sha256Signature,
  type TestAgency,
  type TestDatabase,
  testSecretBox,
} from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  addChannel,
  auditOf,
  deliverFor,
  deliveriesOf,
  deliveryDeps,
  type FakePlatform,
  genericChannelOf,
  moderationProtocol,
  mutate,
  query,
  saveProtocol,
  startFakePlatform,
} from "../moderation/moderation-support";
import { makeTestApp, signInAs, type TestApp } from "../support/http";
import { postItems } from "./fixtures";

/*
 * The platforms' own payloads (see @parley/testing's platform-payloads for where each shape comes from), signed and
 * posted to the real app: the brand's echoes, partial batches, recoveries, mentions, titles and times.
 */

const pageId = "104537291837465";
const igAccountId = "17841405822304914";
const meta = { appSecret: "meta-app-secret-for-payload-tests", pageAccessToken: "page-token-acme" };
const forumCredentials = {
  webhookSecret: "discourse-secret-payloads",
  apiKey: "forum-key",
  apiUsername: "acme_support",
};
const postId = `${pageId}_822391047755120`;

let db: TestDatabase;
let a: TestAgency;
let platform: FakePlatform;
let app: TestApp;
let moderator: string;
const logged: string[] = [];
let facebook: Awaited<ReturnType<typeof addChannel>>;
let instagram: Awaited<ReturnType<typeof addChannel>>;
let forum: Awaited<ReturnType<typeof addChannel>>;
let graphAnswer: (path: string) => { status: number; body?: unknown };

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  platform = await startFakePlatform();
  app = makeTestApp(db.app, {
    metaGraphBaseUrl: `${platform.url}/graph`,
    logger: createJsonLogger("info", { write: (line: string) => void logged.push(JSON.parse(line).msg) }),
  });
  await saveProtocol(db, a, a.client.id, moderationProtocol);
  facebook = await addChannel(db, a, {
    clientId: a.client.id,
    platform: "facebook",
    externalAccountId: pageId,
    credentials: meta,
  });
  instagram = await addChannel(db, a, {
    clientId: a.client.id,
    platform: "instagram",
    externalAccountId: igAccountId,
    credentials: meta,
  });
  forum = await addChannel(db, a, {
    clientId: a.client.id,
    platform: "forum",
    credentials: { ...forumCredentials, baseUrl: `${platform.url}/forum` },
  });
  moderator = await signInAs(app, a.users.moderator.email);
});
afterAll(async () => {
  await platform.close();
  await db.close();
});

let sequence = 0;
beforeEach(() => {
  logged.length = 0;
  platform.requests.length = 0;
  graphAnswer = () => ({ status: 404, body: { error: { message: "not stubbed" } } });
  platform.respond = (request) => {
    if (request.method === "GET") return graphAnswer(request.path);
    sequence += 1;
    return { status: 200, body: { id: `platform-${sequence}` } };
  };
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function postMeta(channelId: string, body: unknown) {
  const raw = JSON.stringify(body);
  const response = await app.request(`http://parley.test/webhooks/meta/${channelId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": sha256Signature(meta.appSecret, raw) },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function postDiscourse(event: string, body: unknown) {
  const raw = JSON.stringify(body);
  const response = await app.request(`http://parley.test/webhooks/discourse/${forum.id}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-discourse-event": event,
      "x-discourse-event-signature": sha256Signature(forumCredentials.webhookSecret, raw),
    },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const page = (...changes: MetaChange[]) => metaDelivery("page", [{ id: pageId, changes }]);
const feed = (value: unknown): MetaChange => ({ field: "feed", value });

async function itemOf(channelId: string, externalId: string) {
  const [row] = await db.owner
    .select()
    .from(schema.items)
    .where(and(eq(schema.items.channelId, channelId), eq(schema.items.externalId, externalId)));
  if (!row) throw new Error(`no item ${externalId}`);
  return row;
}

async function flowsOf(itemId: string) {
  const [clocks, wakeups] = await Promise.all([
    db.owner.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, itemId)),
    db.owner.select().from(schema.workflowWakeups).where(eq(schema.workflowWakeups.subjectId, itemId)),
  ]);
  return { clocks, wakeups };
}

/** The moderator answers the item; the outbox posts it to the fake platform, which gives it `platformId`. */
async function replyThroughPlatform(itemId: string, text: string, platformId: string) {
  const sent = await mutate(app, moderator, "replies.send", { itemId, text });
  if (!sent.data) throw new Error(`reply refused: ${JSON.stringify(sent.error)}`);
  platform.respond = () => ({ status: 200, body: { id: platformId } });
  expect(await deliverFor(db, a, deliveryDeps(platform))).toEqual({ sent: 1, retrying: 0, failed: 0 });
  const [delivery] = await deliveriesOf(db, itemId);
  if (!delivery) throw new Error("no delivery");
  return { replyId: (sent.data as { id: string }).id, delivery };
}

/** What an echo must be: the brand's reply on the thread, outside the queue, with nothing started for it. */
async function expectBrandReply(echoId: string, parentId: string) {
  const echo = await db.owner.select().from(schema.items).where(eq(schema.items.id, echoId));
  expect(echo[0]).toMatchObject({
    byBrand: true,
    status: "resolved",
    parentItemId: parentId,
    customerId: null,
    categoryKey: null,
    protocolVersionId: null,
  });
  expect(await flowsOf(echoId)).toEqual({ clocks: [], wakeups: [] });
}

describe("echoes of Parley's own replies", () => {
  it("Facebook: the Page's comment with the reply's id is the brand's reply on the thread and confirms the delivery", async () => {
    const customer = await postMeta(
      facebook.id,
      page(
        feed(
          feedCommentValue({
            postId,
            commentId: "822391047755120_1001",
            from: { id: "6983412277351902", name: "Dana Whitfield" },
            message: "Still waiting on my order",
            createdTime: nowSeconds(),
          }),
        ),
      ),
    );
    expect(customer).toMatchObject({ status: 200, json: { created: 1 } });
    const item = await itemOf(facebook.id, "822391047755120_1001");
    const { delivery } = await replyThroughPlatform(
      item.id,
      "Sorry Dana, we're looking into it.",
      "822391047755120_2002",
    );
    expect(platform.requests.map((request) => [request.method, request.path])).toEqual([
      ["POST", "/graph/822391047755120_1001/comments"],
    ]);

    const echoBody = page(
      feed(
        feedCommentValue({
          postId,
          commentId: "822391047755120_2002",
          parentId: "822391047755120_1001",
          from: { id: pageId, name: "Acme Outdoor" },
          message: "Sorry Dana, we're looking into it.",
          createdTime: nowSeconds(),
        }),
      ),
    );
    const echoed = await postMeta(facebook.id, echoBody);
    expect(echoed).toMatchObject({ status: 200, json: { created: 1, byBrand: 1, deliveriesConfirmed: 1, skipped: 0 } });
    const echo = await itemOf(facebook.id, "822391047755120_2002");
    await expectBrandReply(echo.id, item.id);
    expect(echo.kind).toBe("reply");
    const [confirmed] = await deliveriesOf(db, item.id);
    expect(confirmed).toMatchObject({ id: delivery.id, echoItemId: echo.id, echoedAt: expect.any(Date) });
    expect((await auditOf(db, delivery.id)).map((entry) => entry.action)).toContain("delivery.echoed");

    // The console shows it in the thread as the brand's, and the delivery as confirmed by the platform.
    const detail = await query(app, moderator, "items.get", { itemId: item.id });
    const data = detail.data as {
      thread: Array<{ id: string; byBrand: boolean }>;
      deliveries: Array<{ echoedAt: Date }>;
    };
    expect(data.thread.map(({ id, byBrand }) => ({ id, byBrand }))).toEqual([
      { id: item.id, byBrand: false },
      { id: echo.id, byBrand: true },
    ]);
    expect(data.deliveries[0]?.echoedAt).toBeInstanceOf(Date);

    // A redelivery of the echo changes nothing.
    expect(await postMeta(facebook.id, echoBody)).toMatchObject({
      json: { created: 0, duplicates: 1, deliveriesConfirmed: 0 },
    });
  });

  it("Instagram: the account's own reply (`from.id` is the account) is stored as the brand's and confirms the delivery", async () => {
    const comment = (value: Parameters<typeof instagramCommentValue>[0]) =>
      metaDelivery("instagram", [
        { id: igAccountId, changes: [{ field: "comments", value: instagramCommentValue(value) }] },
      ]);
    await postMeta(
      instagram.id,
      comment({
        id: "17865799348089039",
        text: "my zip broke",
        from: { id: "17841401234567890", username: "jo" },
        mediaId: "180312",
      }),
    );
    const item = await itemOf(instagram.id, "17865799348089039");
    const { delivery } = await replyThroughPlatform(
      item.id,
      "So sorry Jo, DM us your order number.",
      "17912345678901234",
    );
    expect(platform.requests.at(-1)?.path).toBe("/graph/17865799348089039/replies");
    const echoed = await postMeta(
      instagram.id,
      comment({
        id: "17912345678901234",
        text: "So sorry Jo, DM us your order number.",
        from: { id: igAccountId, username: "acmeoutdoor" },
        mediaId: "180312",
        parentId: "17865799348089039",
      }),
    );
    expect(echoed).toMatchObject({ status: 200, json: { byBrand: 1, deliveriesConfirmed: 1 } });
    const echo = await itemOf(instagram.id, "17912345678901234");
    await expectBrandReply(echo.id, item.id);
    expect((await deliveriesOf(db, item.id))[0]).toMatchObject({ id: delivery.id, echoItemId: echo.id });
  });

  it("Discourse: a post by the channel's API user is the brand's reply and confirms the delivery", async () => {
    await postDiscourse("post_created", discoursePostPayload({ id: 7001, topic_id: 701, post_number: 1 }));
    const item = await itemOf(forum.id, "7001");
    const { delivery } = await replyThroughPlatform(item.id, "Thanks Priya, a fix ships in 1.4.1.", "7002");
    expect(platform.requests.at(-1)).toMatchObject({ method: "POST", path: "/forum/posts.json" });
    const echoed = await postDiscourse(
      "post_created",
      discoursePostPayload({
        id: 7002,
        topic_id: 701,
        post_number: 2,
        reply_to_post_number: 1,
        user_id: 4,
        username: "Acme_Support",
        name: "Acme Support",
        raw: "Thanks Priya, a fix ships in 1.4.1.",
      }),
    );
    expect(echoed).toMatchObject({ status: 200, json: { byBrand: 1, deliveriesConfirmed: 1 } });
    const echo = await itemOf(forum.id, "7002");
    await expectBrandReply(echo.id, item.id);
    expect((await deliveriesOf(db, item.id))[0]).toMatchObject({ id: delivery.id, echoItemId: echo.id });
  });

  it("an echo that arrives before the platform's answer is recorded still confirms the delivery", async () => {
    await postMeta(
      facebook.id,
      page(
        feed(
          feedCommentValue({
            postId,
            commentId: "822391047755120_3001",
            from: { id: "u-31", name: "Sam" },
            message: "Hello?",
            createdTime: nowSeconds(),
          }),
        ),
      ),
    );
    const item = await itemOf(facebook.id, "822391047755120_3001");
    await mutate(app, moderator, "replies.send", { itemId: item.id, text: "Hi Sam, how can we help?" });
    const run = await deliverFor(db, a, {
      ...deliveryDeps(platform),
      send: async () => {
        // Meta's webhook for the new comment is faster than its answer to the POST.
        const early = await postMeta(
          facebook.id,
          page(
            feed(
              feedCommentValue({
                postId,
                commentId: "822391047755120_3002",
                parentId: "822391047755120_3001",
                from: { id: pageId, name: "Acme Outdoor" },
                message: "Hi Sam, how can we help?",
                createdTime: nowSeconds(),
              }),
            ),
          ),
        );
        expect(early.json).toMatchObject({ byBrand: 1, deliveriesConfirmed: 0 });
        return { ok: true, externalId: "822391047755120_3002" };
      },
    });
    expect(run.sent).toBe(1);
    const echo = await itemOf(facebook.id, "822391047755120_3002");
    const [delivery] = await deliveriesOf(db, item.id);
    expect(delivery).toMatchObject({ status: "sent", echoItemId: echo.id });
    const sent = (await auditOf(db, delivery?.id ?? "")).find((entry) => entry.action === "delivery.sent");
    expect(sent?.after).toMatchObject({ echoItemId: echo.id });
    await expectBrandReply(echo.id, item.id);
  });
});

describe("Meta deliveries, change by change", () => {
  it("stores the valid changes of a mixed two-entry batch, skips and counts the unusable ones, logs once, answers 200", async () => {
    await postMeta(
      facebook.id,
      page(
        feed(
          feedCommentValue({
            postId,
            commentId: "822391047755120_4000",
            from: { id: "u-40", name: "Lee" },
            message: "First",
            createdTime: nowSeconds(),
          }),
        ),
      ),
    );
    const body = metaDelivery("page", [
      // Captured: a change without `value`.
      { id: pageId, changes: [{ field: "feed" }] },
      {
        id: Number(pageId),
        changes: [
          feed(
            feedCommentValue({
              postId,
              commentId: "822391047755120_4001",
              from: { id: "u-41", name: "Kim" },
              message: "Valid",
              createdTime: nowSeconds(),
            }),
          ),
          feed(
            feedCommentValue({
              postId,
              commentId: "822391047755120_4002",
              from: { id: "u-42", name: "Ash" },
              message: "Ok",
              createdTime: 1e20,
            }),
          ),
          feed({
            item: "comment",
            verb: "add",
            post_id: postId,
            from: { id: "u-43" },
            message: "No id",
            created_time: nowSeconds(),
          }),
          // A removal of an item already stored, without created_time.
          feed({
            item: "comment",
            verb: "remove",
            post_id: postId,
            comment_id: "822391047755120_4000",
            parent_id: postId,
          }),
          // Ids as JSON numbers, as older payloads sent them.
          feed({
            item: "post",
            verb: "add",
            post_id: 55123,
            from: { id: 8423678347823, name: "Joe" },
            message: "Numbers",
            created_time: nowSeconds(),
          }),
        ],
      },
    ]);
    const { status, json } = await postMeta(facebook.id, body);
    expect(status).toBe(200);
    expect(json).toMatchObject({ received: 3, created: 2, removed: 1, skipped: 3 });
    expect(json.skippedChanges).toEqual([
      { change: "entry.0.changes.0", fields: { "entry.0.changes.0.value": "is required" } },
      {
        change: "entry.1.changes.1",
        fields: { "entry.1.changes.1.value.created_time": "must be unix seconds" },
      },
      { change: "entry.1.changes.2", fields: { "entry.1.changes.2.value.comment_id": "is required" } },
    ]);
    expect(logged.filter((line) => line.includes("skipped"))).toEqual([
      expect.stringContaining(
        `Meta delivery for channel ${facebook.id}: skipped 3 unusable change(s): entry.0.changes.0`,
      ),
    ]);
    expect((await itemOf(facebook.id, "822391047755120_4001")).body).toBe("Valid");
    expect(await itemOf(facebook.id, "822391047755120_4000")).toMatchObject({
      status: "deleted",
      removedAt: expect.any(Date),
    });
    expect(await itemOf(facebook.id, "55123")).toMatchObject({ authorExternalId: "8423678347823", kind: "post" });
  });

  it("answers 400 for a body that is not a Meta notification, 401 for a bad signature, 413 past 1000 changes", async () => {
    expect(await postMeta(facebook.id, { hello: "world" })).toMatchObject({
      status: 400,
      json: { error: { code: "BAD_INPUT", details: { fields: { object: "is required", entry: "is required" } } } },
    });
    const raw = JSON.stringify(
      page(
        feed(
          feedCommentValue({ postId, commentId: "x-401", from: { id: "u" }, message: "m", createdTime: nowSeconds() }),
        ),
      ),
    );
    const unsigned = await app.request(`http://parley.test/webhooks/meta/${facebook.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": sha256Signature("not-the-secret", raw) },
      body: raw,
    });
    expect(unsigned.status).toBe(401);
    const changes = Array.from({ length: 1001 }, (_, index) =>
      feed(
        feedCommentValue({
          postId,
          commentId: `bulk-${index}`,
          from: { id: "u" },
          message: "m",
          createdTime: nowSeconds(),
        }),
      ),
    );
    expect(await postMeta(facebook.id, page(...changes))).toMatchObject({
      status: 413,
      json: { error: { code: "LIMIT_EXCEEDED", details: { limit: 1000, received: 1001, unit: "changes" } } },
    });
    const stored = await db.owner
      .select()
      .from(schema.items)
      .where(and(eq(schema.items.channelId, facebook.id), eq(schema.items.externalId, "bulk-0")));
    expect(stored).toEqual([]);
  });

  it("puts a comment Meta adds again after removing it back in the queue, audited", async () => {
    const comment = (verb: "add" | "remove") =>
      page(
        feed(
          feedCommentValue({
            postId,
            commentId: "822391047755120_5001",
            from: { id: "u-51", name: "Noor" },
            message: "Where is my parcel?",
            createdTime: nowSeconds(),
            verb,
          }),
        ),
      );
    await postMeta(facebook.id, comment("add"));
    expect(await postMeta(facebook.id, comment("remove"))).toMatchObject({ json: { removed: 1 } });
    expect(await itemOf(facebook.id, "822391047755120_5001")).toMatchObject({
      status: "deleted",
      statusBeforeRemoval: "queued",
    });
    expect(await postMeta(facebook.id, comment("add"))).toMatchObject({ json: { restored: 1, duplicates: 0 } });
    const row = await itemOf(facebook.id, "822391047755120_5001");
    expect(row).toMatchObject({
      status: "queued",
      removedAt: null,
      statusBeforeRemoval: null,
      body: "Where is my parcel?",
    });
    const restored = (await auditOf(db, row.id)).find((entry) => entry.action === "item.restored");
    expect(restored).toMatchObject({
      before: expect.objectContaining({ status: "deleted" }),
      after: expect.objectContaining({ status: "queued", removedAt: null }),
    });
  });

  it("stores a visitor post edited with verb `edit`", async () => {
    const post = (verb: "add" | "edit", message: string) =>
      page(
        feed(
          feedPostValue({
            postId: `${pageId}_6001`,
            from: { id: "u-61", name: "Joe" },
            message,
            createdTime: nowSeconds(),
            verb,
          }),
        ),
      );
    await postMeta(facebook.id, post("add", "Does it come in green?"));
    expect(await postMeta(facebook.id, post("edit", "Does it come in green or blue?"))).toMatchObject({
      json: { edited: 1 },
    });
    expect((await itemOf(facebook.id, `${pageId}_6001`)).body).toBe("Does it come in green or blue?");
  });

  it("stores Page @mentions as mention items, queued like any other", async () => {
    const { json } = await postMeta(
      facebook.id,
      page(
        {
          field: "mention",
          value: pageMentionValue({
            postId: "55501_98722536423179",
            message: "Loving my tent from @Acme Outdoor",
            createdTime: nowSeconds(),
          }),
        },
        {
          field: "mention",
          value: pageMentionValue({
            postId: "55501_7363534231324",
            commentId: "7363534231324_3754798971271444",
            message: "@Acme Outdoor refund please",
            createdTime: nowSeconds(),
          }),
        },
      ),
    );
    expect(json).toMatchObject({ created: 2 });
    expect(await itemOf(facebook.id, "55501_98722536423179")).toMatchObject({ kind: "mention", status: "queued" });
    const refund = await itemOf(facebook.id, "7363534231324_3754798971271444");
    expect(refund).toMatchObject({ kind: "mention", categoryKey: "refund", authorHandle: "unknown" });
    expect((await flowsOf(refund.id)).clocks).toHaveLength(2);
  });

  it("reads Instagram @mentions from the Graph API; while it fails, stores the rest and answers 502 for a redelivery", async () => {
    const delivery = metaDelivery("instagram", [
      {
        id: igAccountId,
        changes: [
          {
            field: "mentions",
            value: instagramMentionValue({ mediaId: "17887498072083520", commentId: "17920112008063024" }),
          },
          {
            field: "comments",
            value: instagramCommentValue({
              id: "17800000000000001",
              text: "Nice",
              from: { id: "1780", username: "kai" },
              mediaId: "1788",
            }),
          },
        ],
      },
    ]);
    graphAnswer = () => ({ status: 503, body: { error: { message: "Service temporarily unavailable" } } });
    const outage = await postMeta(instagram.id, delivery);
    expect(outage).toMatchObject({
      status: 502,
      json: { error: { code: "UPSTREAM_FAILED", details: { reason: "mention_unavailable" } } },
    });
    expect((await itemOf(instagram.id, "17800000000000001")).body).toBe("Nice");

    graphAnswer = () => ({
      status: 200,
      body: {
        mentioned_comment: {
          id: "17920112008063024",
          text: "@acmeoutdoor my order never came",
          timestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "+0000"),
          media: { id: "17887498072083520", permalink: "https://www.instagram.com/p/DAbc123/" },
        },
        id: igAccountId,
      },
    });
    const redelivered = await postMeta(instagram.id, delivery);
    expect(redelivered).toMatchObject({ status: 200, json: { created: 1, duplicates: 1 } });
    const request = platform.requests.filter((r) => r.method === "GET").at(-1);
    expect(request?.path).toContain(`/graph/${igAccountId}?fields=`);
    expect(request?.headers.authorization).toBe(`Bearer ${meta.pageAccessToken}`);
    expect(await itemOf(instagram.id, "17920112008063024")).toMatchObject({
      kind: "mention",
      body: "@acmeoutdoor my order never came",
      threadExternalId: "17887498072083520",
      url: "https://www.instagram.com/p/DAbc123/",
      status: "queued",
    });
  });

  it("dates an Instagram comment by its own timestamp when it has one, and says which time it used", async () => {
    const written = new Date(Date.now() - 3_600_000);
    const stamp = written.toISOString().replace(/\.\d{3}Z$/, "+0000");
    await postMeta(
      instagram.id,
      metaDelivery("instagram", [
        {
          id: igAccountId,
          changes: [
            {
              field: "comments",
              value: instagramCommentValue({
                id: "17800000000000101",
                text: "Own time",
                from: { id: "1781", username: "li" },
                mediaId: "1788",
                timestamp: stamp,
              }),
            },
            {
              field: "comments",
              value: instagramCommentValue({
                id: "17800000000000102",
                text: "No time",
                from: { id: "1782", username: "mo" },
                mediaId: "1788",
              }),
            },
          ],
        },
      ]),
    );
    const own = await itemOf(instagram.id, "17800000000000101");
    expect(own.createdAt.getTime()).toBe(Math.floor(written.getTime() / 1000) * 1000);
    const received = (id: string) => auditOf(db, id).then((rows) => rows.find((row) => row.action === "item.received"));
    expect((await received(own.id))?.after).toMatchObject({ createdAtFrom: "value.timestamp" });
    const other = await itemOf(instagram.id, "17800000000000102");
    expect((await received(other.id))?.after).toMatchObject({ createdAtFrom: "entry.time" });
  });
});

describe("Discourse deliveries", () => {
  it("takes post_destroyed without raw, and restores the post on post_recovered, back in the queue", async () => {
    const post = discoursePostPayload({
      id: 8001,
      topic_id: 801,
      post_number: 3,
      reply_to_post_number: 1,
      raw: "Still broken for me",
    });
    await postDiscourse("post_created", post);
    const { raw: _raw, ...withoutRaw } = post.post;
    expect(await postDiscourse("post_destroyed", { post: withoutRaw })).toMatchObject({
      status: 200,
      json: { removed: 1 },
    });
    expect(await itemOf(forum.id, "8001")).toMatchObject({ status: "deleted" });
    expect(await postDiscourse("post_recovered", post)).toMatchObject({ status: 200, json: { restored: 1 } });
    const row = await itemOf(forum.id, "8001");
    expect(row).toMatchObject({ status: "queued", removedAt: null });
    expect((await auditOf(db, row.id)).map((entry) => entry.action)).toEqual([
      "item.received",
      "item.removed",
      "item.restored",
    ]);
  });

  it("keeps a topic's title on its first post, moderates it, and retitles it on topic_edited", async () => {
    const first = discoursePostPayload({
      id: 9001,
      topic_id: 901,
      post_number: 1,
      topic_title: "Talking to my lawyer about this",
      raw: "The update wiped my save.",
    });
    expect(await postDiscourse("post_created", first)).toMatchObject({ json: { created: 1 } });
    const row = await itemOf(forum.id, "9001");
    // The title alone carries the legal threat.
    expect(row).toMatchObject({
      title: "Talking to my lawyer about this",
      categoryKey: "legal_threat",
      priority: "P1",
    });
    const retitled = await postDiscourse(
      "topic_edited",
      discourseTopicPayload({ id: 901, title: "Update wiped my save" }),
    );
    expect(retitled).toMatchObject({ status: 200, json: { edited: 1 } });
    const after = await itemOf(forum.id, "9001");
    expect(after).toMatchObject({ title: "Update wiped my save", body: "The update wiped my save." });
    const edit = (await auditOf(db, row.id)).find((entry) => entry.action === "item.edited");
    expect(edit?.before).toMatchObject({ title: "Talking to my lawyer about this" });
    // A topic whose first post has not arrived yet changes nothing (its post_created carries the title).
    expect(await postDiscourse("topic_created", discourseTopicPayload({ id: 902 }))).toMatchObject({
      json: { created: 0, duplicates: 1 },
    });
  });

  it("answers 400 naming post.created_at for a post dated in year 0001, and stores nothing", async () => {
    const { status, json } = await postDiscourse(
      "post_created",
      discoursePostPayload({ id: 9101, created_at: "0001-01-01T00:00:00.000Z" }),
    );
    expect(status).toBe(400);
    expect(json).toMatchObject({
      error: { details: { fields: { "post.created_at": "must not be before 2000-01-01T00:00:00Z" } } },
    });
    const stored = await db.owner.select().from(schema.items).where(eq(schema.items.externalId, "9101"));
    expect(stored).toEqual([]);
  });
});

describe("generic ingest", () => {
  it("answers 400 naming createdAt for an item dated in year 9999, and stores nothing", async () => {
    const channel = genericChannelOf(a, a.client.id);
    const secret = "generic-secret-for-times";
    await db.owner
      .update(schema.channels)
      .set({ ingestSecretEnc: testSecretBox.encrypt(secret) })
      .where(eq(schema.channels.id, channel.id));
    const item = {
      externalId: "far-future",
      kind: "comment",
      author: { externalId: "u", handle: "u" },
      body: "Hi",
      createdAt: "9999-12-31T23:59:59Z",
    };
    const { status, json } = await postItems(app, { channelId: channel.id, secret, body: { items: [item] } });
    expect(status).toBe(400);
    expect(json).toMatchObject({
      error: { details: { fields: { "items.0.createdAt": "must not be more than a day in the future" } } },
    });
    const stored = await db.owner.select().from(schema.items).where(eq(schema.items.externalId, "far-future"));
    expect(stored).toEqual([]);
  });
});
