import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wireItem } from "../ingest/fixtures";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let b: TestAgency;
let ownerCookie: string;

interface ApiError {
  error: {
    code: string;
    message: string;
    details: { reason?: string; scope?: string; fields?: Record<string, string> };
  };
}
interface ItemPage {
  items: Array<{ id: string; clientId: string }>;
  nextCursor: string | null;
}
interface CreatedKey {
  key: { id: string; scopes: string[]; clientId: string | null; expiresAt: Date | null };
  secret: string;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function request(path: string, init: { headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await app.request(`http://parley.test${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: { host: "parley.test", "content-type": "application/json", ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function create(input: Record<string, unknown>, cookie = ownerCookie) {
  return callProcedure(app, { cookie, path: "apiKeys.create", type: "mutation", input: { name: "Key", ...input } });
}
async function createKey(input: Record<string, unknown>): Promise<CreatedKey> {
  const created = await create(input);
  expect(created.error).toBeUndefined();
  return created.data as CreatedKey;
}

function channelOf(agency: TestAgency, clientId: string): string {
  const channel = agency.channels.find((c) => c.clientId === clientId);
  if (!channel) throw new Error("no channel");
  return channel.id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  ownerCookie = await signInAs(app, a.users.owner.email);
  // Items for both of A's clients, pushed with an ingest key (no channel signature).
  const ingest = await createKey({ name: "Ingest", scopes: ["ingest"] });
  for (const clientId of [a.client.id, a.otherClient.id]) {
    const pushed = await request(`/v1/channels/${channelOf(a, clientId)}/items`, {
      headers: bearer(ingest.secret),
      body: { items: [wireItem(), wireItem()] },
    });
    expect(pushed).toMatchObject({ status: 200, json: { received: 2, created: 2 } });
  }
});
afterAll(() => db.close());

describe("creating a key with scopes, a client and an expiry", () => {
  it("stores and lists what was chosen", async () => {
    const expiresAt = new Date(Date.now() + 7 * 24 * 3600_000);
    const { key } = await createKey({
      name: "Cobalt reports",
      scopes: ["reports:read", "items:read"],
      clientId: a.client.id,
      expiresAt,
    });
    expect(key).toMatchObject({ scopes: ["items:read", "reports:read"], clientId: a.client.id, expiresAt });
    const listed = await callProcedure(app, { cookie: ownerCookie, path: "apiKeys.list", type: "query" });
    expect(listed.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: key.id, clientId: a.client.id })]),
    );
  });

  it("refuses bad input naming the field, and creates nothing", async () => {
    const before = await db.owner.select({ id: schema.apiKeys.id }).from(schema.apiKeys);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ scopes: [] }, "scopes"],
      [{ scopes: ["items:write"] }, "scopes.0"],
      [{ scopes: ["items:read"], clientId: b.client.id }, "clientId"],
      [{ scopes: ["items:read"], clientId: "not-a-uuid" }, "clientId"],
      [{ scopes: ["items:read"], expiresAt: new Date(Date.now() - 60_000) }, "expiresAt"],
    ];
    for (const [input, field] of cases) {
      const refused = await create(input);
      expect({ input, status: refused.status, fields: Object.keys(refused.error?.details.fields ?? {}) }).toEqual({
        input,
        status: 400,
        fields: [field],
      });
    }
    const after = await db.owner.select({ id: schema.apiKeys.id }).from(schema.apiKeys);
    expect(after).toHaveLength(before.length);
  });

  it("gives keys made before scopes existed every read scope (the migration's default), so they keep working", async () => {
    const [row] = await db.owner
      .insert(schema.apiKeys)
      .values({ agencyId: a.agency.id, name: "Old", prefix: "pk_live_ol", keyHash: "old-key-hash" })
      .returning();
    expect(row?.scopes).toEqual(["items:read", "invoices:read", "reports:read"]);
    expect(row?.clientId).toBeNull();
    expect(row?.expiresAt).toBeNull();
  });
});

describe("scopes on /v1", () => {
  it("lets each key do what its scopes say, and answers 403 naming the missing scope", async () => {
    const items = (await createKey({ scopes: ["items:read"] })).secret;
    const invoices = (await createKey({ scopes: ["invoices:read"] })).secret;
    const reports = (await createKey({ scopes: ["reports:read"] })).secret;
    const routes: Array<[string, string]> = [
      ["/v1/items", "items:read"],
      ["/v1/invoices", "invoices:read"],
      [`/v1/reports/sla-month?clientId=${a.client.id}&month=2026-11`, "reports:read"],
    ];
    const keys: Record<string, string> = { "items:read": items, "invoices:read": invoices, "reports:read": reports };
    for (const [path, needed] of routes) {
      for (const [scope, secret] of Object.entries(keys)) {
        const { status, json } = await request(path, { headers: bearer(secret) });
        if (scope === needed) {
          expect({ path, scope, status }).toEqual({ path, scope, status: 200 });
        } else {
          expect({ path, scope, status }).toEqual({ path, scope, status: 403 });
          const error = (json as ApiError).error;
          expect(error).toMatchObject({ code: "FORBIDDEN", details: { reason: "missing_scope", scope: needed } });
          expect(error.message).toContain(needed);
        }
      }
    }
    const ingestWithReadKey = await request(`/v1/channels/${channelOf(a, a.client.id)}/items`, {
      headers: bearer(items),
      body: wireItem(),
    });
    expect(ingestWithReadKey.status).toBe(403);
    expect((ingestWithReadKey.json as ApiError).error.details).toMatchObject({ scope: "ingest" });
  });

  it("reads the SLA month by key as sla.month reports it", async () => {
    const { secret } = await createKey({ scopes: ["reports:read"] });
    const { status, json } = await request(`/v1/reports/sla-month?clientId=${a.client.id}&month=2026-11`, {
      headers: bearer(secret),
    });
    expect(status).toBe(200);
    const viaTrpc = await callProcedure(app, {
      cookie: ownerCookie,
      path: "sla.month",
      type: "query",
      input: { clientId: a.client.id, month: "2026-11" },
    });
    const { asOf: _asOf, ...expected } = viaTrpc.data as Record<string, unknown>;
    expect(json).toMatchObject(expected);
    const bad = await request(`/v1/reports/sla-month?clientId=${a.client.id}&month=2026-13`, {
      headers: bearer(secret),
    });
    expect(bad.status).toBe(400);
    expect(Object.keys((bad.json as ApiError).error.details.fields ?? {})).toEqual(["month"]);
  });

  it("answers 401 api_key_expired for a key past its expiry, without counting the request", async () => {
    const { key, secret } = await createKey({
      scopes: ["items:read"],
      expiresAt: new Date(Date.now() + 3600_000),
    });
    expect((await request("/v1/items?limit=1", { headers: bearer(secret) })).status).toBe(200);
    await db.owner.execute(sql`update api_keys set expires_at = now() - interval '1 second' where id = ${key.id}`);
    const { status, json } = await request("/v1/items", { headers: bearer(secret) });
    expect(status).toBe(401);
    expect((json as ApiError).error).toMatchObject({ code: "UNAUTHENTICATED", details: { reason: "api_key_expired" } });
    const [row] = await db.owner.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, key.id));
    expect(row?.requestCount).toBe(1);
  });

  it("shows a client-restricted key only its client: items, reports and channels", async () => {
    const { secret } = await createKey({
      scopes: ["items:read", "reports:read", "ingest"],
      clientId: a.client.id,
    });
    const page = (await request("/v1/items?limit=200", { headers: bearer(secret) })).json as ItemPage;
    expect(page.items).toHaveLength(2);
    expect(page.items.every((item) => item.clientId === a.client.id)).toBe(true);

    const [otherItem] = await db.owner
      .select()
      .from(schema.items)
      .where(eq(schema.items.clientId, a.otherClient.id))
      .limit(1);
    expect((await request(`/v1/items/${otherItem?.id}`, { headers: bearer(secret) })).status).toBe(404);
    expect((await request(`/v1/items?clientId=${a.otherClient.id}`, { headers: bearer(secret) })).status).toBe(404);
    expect(
      (await request(`/v1/reports/sla-month?clientId=${a.otherClient.id}`, { headers: bearer(secret) })).status,
    ).toBe(404);

    const before = await db.owner.select({ id: schema.items.id }).from(schema.items);
    for (const channelId of [channelOf(a, a.otherClient.id), channelOf(b, b.client.id)]) {
      const refused = await request(`/v1/channels/${channelId}/items`, { headers: bearer(secret), body: wireItem() });
      expect(refused.status).toBe(404);
    }
    const after = await db.owner.select({ id: schema.items.id }).from(schema.items);
    expect(after).toHaveLength(before.length);
    const own = await request(`/v1/channels/${channelOf(a, a.client.id)}/items`, {
      headers: bearer(secret),
      body: wireItem(),
    });
    expect(own).toMatchObject({ status: 200, json: { created: 1 } });
  });

  it("still takes the channel's signature without a key, and refuses an unsigned push", async () => {
    const unsigned = await request(`/v1/channels/${channelOf(a, a.client.id)}/items`, { body: wireItem() });
    expect(unsigned.status).toBe(401);
  });
});
