import { verifyGenericSignature } from "@parley/connectors";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakePlatform, startFakePlatform } from "../support/fake-platform";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let owner: string;
let graph: FakePlatform;
let forum: FakePlatform;

const pageId = "104857600";
const goodToken = "EAAB-page-token";
const goodKey = "discourse-key";

beforeAll(async () => {
  db = await createTestDatabase();
  graph = await startFakePlatform();
  forum = await startFakePlatform();
  // Meta Graph's answer to GET /me: the page the token belongs to, or Meta's OAuth refusal.
  graph.respond(
    (request) => request.path === "/v21.0/me",
    (request) =>
      request.headers.authorization === `Bearer ${goodToken}`
        ? { status: 200, body: { id: pageId, name: "Acme" } }
        : {
            status: 400,
            body: { error: { type: "OAuthException", code: 190, message: "Invalid OAuth access token" } },
          },
  );
  // Discourse's answer to GET /session/current.json: the API user, or 403 for a wrong key.
  forum.respond(
    (request) => request.path === "/session/current.json",
    (request) =>
      request.headers["api-key"] === goodKey
        ? { status: 200, body: { current_user: { username: request.headers["api-username"] } } }
        : { status: 403, body: { errors: ["You are not permitted to view the requested resource."] } },
  );
  app = makeTestApp(db.app, { metaGraphBaseUrl: `${graph.url}/v21.0` });
  a = await makeAgency(db.owner);
  owner = await signInAs(app, a.users.owner.email);
});
afterAll(async () => {
  await graph?.close();
  await forum?.close();
  await db?.close();
});

const call = (path: string, type: "query" | "mutation", input: unknown, cookie = owner) =>
  callProcedure(app, { cookie, path, type, input });

async function createChannel(platform: string, externalAccountId: string, credentials: Record<string, string>) {
  const created = await call("channels.create", "mutation", {
    clientId: a.client.id,
    platform,
    externalAccountId,
    displayName: `${platform} ${externalAccountId}`,
    credentials,
  });
  expect(created.error).toBeUndefined();
  return created.data as { channel: { id: string }; ingestSecret: string };
}

const test = async (channelId: string) =>
  (await call("channels.testConnection", "mutation", { channelId })).data as { ok: boolean; message: string };

describe("Test connection, over real HTTP against local fakes", () => {
  it("Meta: checks the page access token against the Graph base URL, and names the page", async () => {
    const { channel } = await createChannel("facebook", pageId, {
      pageAccessToken: goodToken,
      appSecret: "app-secret",
      verifyToken: "acme handshake",
    });
    expect(await test(channel.id)).toEqual({
      ok: true,
      message: `Connected: Meta accepts the page access token for page ${pageId}.`,
    });
    const asked = graph.requests.filter((request) => request.path === "/v21.0/me");
    expect(asked.at(-1)?.query).toEqual({ fields: "id,name" });

    // Only the token changes: the other credentials are kept (a write-only field left empty keeps its value).
    expect(
      (
        await call("channels.update", "mutation", {
          channelId: channel.id,
          credentials: { pageAccessToken: "revoked" },
        })
      ).error,
    ).toBeUndefined();
    expect(await test(channel.id)).toEqual({
      ok: false,
      message: "The page access token does not work: Meta Graph answered 400: refused the request.",
    });
    const connection = await call("channels.connection", "query", { channelId: channel.id });
    expect(connection.data).toEqual({
      channelId: channel.id,
      storedKeys: ["appSecret", "pageAccessToken", "verifyToken"],
      values: { verifyToken: "acme handshake" },
    });

    // A token of another page would post as that page.
    const other = await createChannel("instagram", "999", { pageAccessToken: goodToken });
    expect((await test(other.channel.id)).message).toMatch(
      /^The token works, but for page 104857600, not this channel's 999/,
    );
  });

  it("Discourse: checks the API key and username against the forum", async () => {
    const { channel } = await createChannel("forum", forum.url, {
      baseUrl: forum.url,
      apiUsername: "acme_support",
      apiKey: goodKey,
    });
    expect(await test(channel.id)).toEqual({
      ok: true,
      message: `Connected: ${forum.url} accepts the API key for acme_support.`,
    });
    const request = forum.requests.find((r) => r.path === "/session/current.json");
    expect(request?.headers).toMatchObject({ "api-key": goodKey, "api-username": "acme_support" });

    await call("channels.update", "mutation", { channelId: channel.id, credentials: { apiKey: "wrong" } });
    expect(await test(channel.id)).toEqual({
      ok: false,
      message:
        "The forum did not accept the API key: The forum answered 403: refused: check the channel's credentials.",
    });
    // An empty value removes the key: the test names what is missing, without calling the forum.
    const before = forum.requests.length;
    await call("channels.update", "mutation", { channelId: channel.id, credentials: { apiKey: "" } });
    expect(await test(channel.id)).toEqual({
      ok: false,
      message: "Not tested: the channel has no API key. Add it and test again.",
    });
    expect(forum.requests.length).toBe(before);
  });

  it("generic: sends a ping signed with the ingest secret to the callback URL", async () => {
    const receiver = await startFakePlatform();
    try {
      const { channel, ingestSecret } = await createChannel("generic", "acme-hooks", {
        callbackUrl: `${receiver.url}/parley`,
      });
      expect(await test(channel.id)).toEqual({
        ok: true,
        message: `Connected: ${receiver.url}/parley accepted a signed ping.`,
      });
      const ping = receiver.requests.find((request) => request.path === "/parley");
      expect(ping?.params).toEqual({ action: "ping", channelId: channel.id });
      const check = verifyGenericSignature({
        secret: ingestSecret,
        timestamp: ping?.headers["x-parley-timestamp"] as string,
        signature: ping?.headers["x-parley-signature"] as string,
        rawBody: ping?.body ?? "",
        now: new Date(),
      });
      expect(check).toEqual({ ok: true });
      receiver.respond(() => true, { status: 500, body: {} });
      expect((await test(channel.id)).message).toBe(
        "The callback did not accept a signed ping: The callback answered 500: a server error.",
      );
    } finally {
      await receiver.close();
    }
  });

  it("audits each test, and hides another agency's channel (NOT_FOUND)", async () => {
    const audited = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(
        and(eq(schema.auditEvents.agencyId, a.agency.id), eq(schema.auditEvents.action, "channel.connection_tested")),
      );
    expect(audited.length).toBeGreaterThanOrEqual(6);
    const b = await makeAgency(db.owner);
    const intruder = await signInAs(app, b.users.owner.email);
    const channelId = a.channels[0]?.id;
    expect((await call("channels.testConnection", "mutation", { channelId }, intruder)).error?.code).toBe("NOT_FOUND");
    expect((await call("channels.connection", "query", { channelId }, intruder)).error?.code).toBe("NOT_FOUND");
  });
});
