import { createHmac } from "node:crypto";
import { generateSecret } from "@parley/core/kernel";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
const meta = { appSecret: "meta-app-secret-for-tests", verifyToken: "verify-me-please" };
const discourse = { webhookSecret: "discourse-webhook-secret" };
let facebookId: string;
let forumId: string;
let forumNoSecretId: string;
let forumIngestSecret: string;

async function makeChannel(platform: "facebook" | "forum", credentials?: Record<string, string>) {
  const ingestSecret = generateSecret();
  const [row] = await withTenant(db.owner, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    tx
      .insert(schema.channels)
      .values({
        agencyId: a.agency.id,
        clientId: a.client.id,
        platform,
        externalAccountId: platform === "forum" ? `https://forum-${generateSecret(4)}.example` : generateSecret(6),
        displayName: `${platform} channel`,
        ingestSecretEnc: testSecretBox.encrypt(ingestSecret),
        credentialsEnc: credentials ? testSecretBox.encrypt(JSON.stringify(credentials)) : null,
      })
      .returning(),
  );
  if (!row) throw new Error("channel not created");
  return { id: row.id, ingestSecret };
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  facebookId = (await makeChannel("facebook", meta)).id;
  forumId = (await makeChannel("forum", discourse)).id;
  const noSecret = await makeChannel("forum");
  forumNoSecretId = noSecret.id;
  forumIngestSecret = noSecret.ingestSecret;
});
afterAll(() => db.close());

const sign = (secret: string, raw: string) => `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;

async function itemOf(channelId: string, externalId: string) {
  const [row] = await db.owner
    .select()
    .from(schema.items)
    .where(and(eq(schema.items.channelId, channelId), eq(schema.items.externalId, externalId)));
  return row;
}

function feedChange(verb: "add" | "edited" | "remove", value: Record<string, unknown>) {
  return {
    object: "page",
    entry: [{ id: "page-1", time: 1_763_600_000, changes: [{ field: "feed", value: { verb, ...value } }] }],
  };
}

async function postMeta(body: unknown, signature?: string) {
  const raw = JSON.stringify(body);
  const response = await app.request(`http://parley.test/webhooks/meta/${facebookId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signature ?? sign(meta.appSecret, raw) },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("Meta webhooks", () => {
  it("answers the subscription handshake with the challenge, and refuses a wrong verify token", async () => {
    const base = `http://parley.test/webhooks/meta/${facebookId}?hub.mode=subscribe&hub.challenge=1158201444`;
    const ok = await app.request(`${base}&hub.verify_token=${meta.verifyToken}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await app.request(`${base}&hub.verify_token=guess`);
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { error: { details: unknown } }).error.details).toEqual({
      reason: "bad_verify_token",
    });
  });

  it("adds, edits and removes a signed comment", async () => {
    const comment = {
      item: "comment",
      post_id: "page-1_post-9",
      comment_id: "post-9_c-1",
      parent_id: "page-1_post-9",
      from: { id: "fb-user-77", name: "Robin Fan" },
      created_time: 1_763_600_000,
    };
    const added = await postMeta(feedChange("add", { ...comment, message: "Great trailer!" }));
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ received: 1, created: 1 });
    expect(await itemOf(facebookId, "post-9_c-1")).toMatchObject({
      kind: "comment",
      threadExternalId: "page-1_post-9",
      body: "Great trailer!",
      authorHandle: "Robin Fan",
      status: "queued",
    });
    const edited = await postMeta(feedChange("edited", { ...comment, message: "Great trailer! When is it out?" }));
    expect(edited.json).toMatchObject({ edited: 1, created: 0 });
    const row = await itemOf(facebookId, "post-9_c-1");
    expect(row?.body).toBe("Great trailer! When is it out?");
    const [audit] = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.subjectId, row?.id ?? ""), eq(schema.auditEvents.action, "item.edited")));
    expect(audit?.before).toMatchObject({ body: "Great trailer!" });
    const removed = await postMeta(feedChange("remove", comment));
    expect(removed.json).toMatchObject({ removed: 1 });
    expect(await itemOf(facebookId, "post-9_c-1")).toMatchObject({
      status: "deleted",
      removedAt: expect.any(Date),
      body: "Great trailer! When is it out?",
    });
  });

  it("answers 401 and stores nothing for a bad signature", async () => {
    const body = feedChange("add", {
      item: "comment",
      post_id: "p-2",
      comment_id: "c-unsigned",
      from: { id: "u-1" },
      message: "hello",
      created_time: 1_763_600_000,
    });
    const { status, json } = await postMeta(body, sign("wrong-secret", JSON.stringify(body)));
    expect(status).toBe(401);
    expect(json.error).toMatchObject({ code: "UNAUTHENTICATED", details: { reason: "bad_signature" } });
    expect(await itemOf(facebookId, "c-unsigned")).toBeUndefined();
  });

  it("answers 404 when the channel is not a Meta channel", async () => {
    const response = await app.request(`http://parley.test/webhooks/meta/${forumId}?hub.mode=subscribe`);
    expect(response.status).toBe(404);
  });
});

async function postDiscourse(event: string, body: unknown, options: { channelId?: string; secret?: string } = {}) {
  const raw = JSON.stringify(body);
  const response = await app.request(`http://parley.test/webhooks/discourse/${options.channelId ?? forumId}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-discourse-event": event,
      "x-discourse-event-signature": sign(options.secret ?? discourse.webhookSecret, raw),
    },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function discoursePost(overrides: Record<string, unknown>) {
  return {
    post: {
      id: 501,
      topic_id: 77,
      post_number: 1,
      post_type: 1,
      user_id: 12,
      username: "questlover",
      name: "Quest Lover",
      raw: "Is crossplay coming?",
      created_at: "2026-11-20T09:00:00.000Z",
      topic_slug: "crossplay",
      ...overrides,
    },
  };
}

describe("Discourse webhooks", () => {
  it("answers a ping", async () => {
    const { status, json } = await postDiscourse("ping", { ping: "OK" });
    expect(status).toBe(200);
    expect(json).toEqual({ ok: true, ping: true });
  });

  it("stores post_created, and links a reply named by its post number", async () => {
    const reply = await postDiscourse(
      "post_created",
      discoursePost({ id: 502, post_number: 2, reply_to_post_number: 1, raw: "Please say yes", user_id: 13 }),
    );
    expect(reply.json).toMatchObject({ created: 1 });
    const first = await postDiscourse("post_created", discoursePost({}));
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ received: 1, created: 1 });
    const topic = await itemOf(forumId, "501");
    expect(topic).toMatchObject({
      kind: "forum_post",
      threadExternalId: "77",
      body: "Is crossplay coming?",
      authorHandle: "questlover",
    });
    expect(topic?.url).toMatch(/\/t\/crossplay\/77\/1$/);
    expect(await itemOf(forumId, "502")).toMatchObject({ parentItemId: topic?.id, parentExternalId: "topic:77#1" });
  });

  it("falls back to the channel's ingest secret, and refuses a bad signature", async () => {
    const ok = await postDiscourse("post_created", discoursePost({ id: 900 }), {
      channelId: forumNoSecretId,
      secret: forumIngestSecret,
    });
    expect(ok.status).toBe(200);
    const bad = await postDiscourse("post_created", discoursePost({ id: 901 }), { secret: "nope" });
    expect(bad.status).toBe(401);
    expect(await itemOf(forumId, "901")).toBeUndefined();
  });

  it("answers 400 naming a bad field", async () => {
    const { status, json } = await postDiscourse("post_created", discoursePost({ username: undefined, id: 903 }));
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ details: { fields: { "post.username": "is required" } } });
  });
});
