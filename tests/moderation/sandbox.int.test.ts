import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createOutboundSender, signGenericPayload } from "@parley/connectors";
import { schema } from "@parley/db";
import { type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp } from "../support/http";
import {
  addChannel,
  deliverFor,
  deliveriesOf,
  type ModerationSuite,
  mutate,
  openModerationSuite,
  query,
  setCredentials,
} from "./moderation-support";

let suite: ModerationSuite;
let db: TestDatabase;
let a: TestAgency;
let moderator: string;
let server: Server;
let baseUrl: string;
let sandbox: Awaited<ReturnType<typeof addChannel>>;
let app: ReturnType<typeof makeTestApp>;

beforeAll(async () => {
  suite = await openModerationSuite();
  ({ db, agency: a, moderator } = suite);
  // The app served over real HTTP: the outbox reaches the sandbox at this address, as the API reaches itself.
  app = makeTestApp(db.app, { sandboxLatencyMs: 20 });
  server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sandbox = await addChannel(db, a, { clientId: a.client.id, platform: "sandbox", name: "Hexfall page (Sandbox)" });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await suite.close();
});

const deps = () => ({
  secretBox: testSecretBox,
  send: createOutboundSender({ sandboxBaseUrl: baseUrl, timeoutMs: 5000 }),
});

/** A customer's comment through the sandbox's customer side, signed with the channel's ingest secret. */
async function comment(body: Record<string, unknown>, channelId = sandbox.id, secret = "channel-ingest-secret") {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(`${baseUrl}/sandbox/channels/${channelId}/comments`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-parley-timestamp": String(timestamp),
      "x-parley-signature": signGenericPayload({ secret, timestamp, rawBody: raw }),
    },
    body: raw,
  });
}

async function postComment(text: string, author = "Riley") {
  const response = await comment({ author, text });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { externalId: string; itemId: string };
  expect(answer.itemId).toEqual(expect.any(String));
  return answer;
}

async function page() {
  const read = await query(suite.app, moderator, "sandbox.page", { channelId: sandbox.id });
  if (!read.data) throw new Error(`sandbox.page refused: ${JSON.stringify(read.error)}`);
  return read.data as {
    posts: Array<{
      externalId: string;
      parentExternalId: string | null;
      byBrand: boolean;
      body: string;
      state: string;
    }>;
  };
}

describe("the sandbox platform", () => {
  it("takes a customer's comment into the queue and a reply back onto its public page, stopping the clock", async () => {
    const posted = await postComment("The servers keep dropping me since the patch");
    const sent = await mutate(suite.app, moderator, "replies.send", {
      itemId: posted.itemId,
      text: "Sorry Riley, we're on it — try the EU-2 server meanwhile.",
    });
    expect(sent.error).toBeUndefined();
    expect(await deliverFor(db, a, deps())).toEqual({ sent: 1, retrying: 0, failed: 0 });

    const { posts } = await page();
    const brand = posts.find((post) => post.byBrand && post.parentExternalId === posted.externalId);
    expect(brand).toMatchObject({
      body: "Sorry Riley, we're on it — try the EU-2 server meanwhile.",
      state: "visible",
    });
    expect(posts.findIndex((post) => post.externalId === posted.externalId)).toBeLessThan(
      posts.indexOf(brand ?? posts[0]!),
    );

    const [reply] = await db.owner.select().from(schema.replies).where(eq(schema.replies.itemId, posted.itemId));
    expect(reply).toMatchObject({ status: "sent", externalId: brand?.externalId });
    const [delivery] = await deliveriesOf(db, posted.itemId);
    // The sandbox's webhook echoed the brand's post back: the platform itself confirmed the reply is public.
    expect(delivery?.echoItemId).toEqual(expect.any(String));
    const [clock] = await db.owner
      .select()
      .from(schema.slaClocks)
      .where(and(eq(schema.slaClocks.itemId, posted.itemId), eq(schema.slaClocks.metric, "first_response")));
    expect(clock?.stoppedAt).toEqual(reply?.sentAt);
  });

  it("puts items sent through the signed REST ingest on the page, so a reply to one is delivered", async () => {
    const raw = JSON.stringify({
      items: [
        {
          externalId: "rest-1",
          kind: "comment",
          author: { externalId: "fan-9", handle: "sky", displayName: "Sky" },
          body: "Loving the new season so far",
          createdAt: new Date().toISOString(),
        },
      ],
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const ingested = await fetch(`${baseUrl}/v1/channels/${sandbox.id}/items`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-parley-timestamp": String(timestamp),
        "x-parley-signature": signGenericPayload({ secret: "channel-ingest-secret", timestamp, rawBody: raw }),
      },
      body: raw,
    });
    expect(ingested.status).toBe(200);
    const { items } = (await ingested.json()) as { items: Array<{ id: string; created: boolean }> };
    expect((await page()).posts.find((post) => post.externalId === "rest-1")).toMatchObject({
      body: "Loving the new season so far",
      byBrand: false,
      state: "visible",
    });
    const sent = await mutate(suite.app, moderator, "replies.send", {
      itemId: items[0]?.id,
      text: "Thanks Sky, glad you're enjoying it!",
    });
    expect(sent.error).toBeUndefined();
    expect(await deliverFor(db, a, deps())).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect((await page()).posts.filter((post) => post.parentExternalId === "rest-1" && post.byBrand)).toHaveLength(1);
  });

  it("hides, unhides and deletes the post on the page", async () => {
    const posted = await postComment("Buy cheap followers at spam.example");
    const states = async () => (await page()).posts.find((post) => post.externalId === posted.externalId)?.state;
    await mutate(suite.app, moderator, "items.hide", { itemId: posted.itemId });
    await deliverFor(db, a, deps());
    expect(await states()).toBe("hidden");
    await mutate(suite.app, moderator, "items.unhide", { itemId: posted.itemId });
    await deliverFor(db, a, deps());
    expect(await states()).toBe("visible");
    await mutate(suite.app, moderator, "items.delete", { itemId: posted.itemId });
    await deliverFor(db, a, deps());
    expect(await states()).toBe("deleted");
    expect((await deliveriesOf(db, posted.itemId)).map((d) => [d.action, d.status])).toEqual([
      ["hide", "sent"],
      ["unhide", "sent"],
      ["delete", "sent"],
    ]);
  });

  it("fails the share of deliveries its failure rate asks for: an outage is retried, a revoked token fails", async () => {
    await setCredentials(db, sandbox.id, { failureRate: "1" });
    const outage = await postComment("Is the shop down?");
    await mutate(suite.app, moderator, "replies.send", { itemId: outage.itemId, text: "Checking now, one moment." });
    expect(await deliverFor(db, a, deps())).toEqual({ sent: 0, retrying: 1, failed: 0 });
    expect((await deliveriesOf(db, outage.itemId))[0]?.lastError).toBe("The sandbox answered 503: a server error");

    await setCredentials(db, sandbox.id, { failureRate: "1", failWith: "revoked" });
    const revoked = await postComment("Hello?");
    await mutate(suite.app, moderator, "replies.send", { itemId: revoked.itemId, text: "Hi! How can we help today?" });
    await deliverFor(db, a, deps());
    const [reply] = await db.owner.select().from(schema.replies).where(eq(schema.replies.itemId, revoked.itemId));
    expect(reply).toMatchObject({
      status: "failed",
      failureReason: "The sandbox answered 401: refused: check the channel's credentials",
    });
    expect((await page()).posts.some((post) => post.parentExternalId === revoked.externalId)).toBe(false);
    await setCredentials(db, sandbox.id, { failureRate: "0" });
  });

  it("refuses a bad signature, a channel that is not a sandbox, and a malformed comment, naming the field", async () => {
    expect((await comment({ author: "X", text: "hi" }, sandbox.id, "wrong-secret")).status).toBe(401);
    const generic = a.channels.find((channel) => channel.clientId === a.client.id);
    expect((await comment({ author: "X", text: "hi" }, generic?.id)).status).toBe(404);
    const bad = await comment({ author: "", text: "hi" });
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { error: { details: { fields: Record<string, string> } } }).error.details.fields,
    ).toEqual({
      author: "is required",
    });
    const before = await page();
    const missing = await comment({ author: "X", text: "an answer", replyTo: "sandbox-nothing" });
    expect(missing.status).toBe(400);
    expect((await page()).posts).toHaveLength(before.posts.length);
  });

  it("masks a card number on the page as ingest does", async () => {
    const posted = await postComment("My card 4111 1111 1111 1111 was charged twice");
    const post = (await page()).posts.find((p) => p.externalId === posted.externalId);
    expect(post?.body).toBe("My card •••• •••• •••• 1111 was charged twice");
  });

  it("shows the page only to the channel's agency, and only for a sandbox channel", async () => {
    const generic = a.channels.find((channel) => channel.clientId === a.client.id);
    const read = await query(suite.app, moderator, "sandbox.page", { channelId: generic?.id });
    expect(read.error?.code).toBe("NOT_FOUND");
  });
});
