import { createHash } from "node:crypto";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let b: TestAgency;
let ownerCookie: string;
let apiKey: string;
let bApiKey: string;

interface ApiError {
  error: {
    code: string;
    message: string;
    details: { reason?: string; fields?: Record<string, string> };
    requestId: string;
  };
}
interface ItemPage {
  items: Array<{ id: string; clientId: string; status: string; receivedAt: string }>;
  nextCursor: string | null;
}

/** Items straight in SQL, `count` per client, several sharing one arrival instant (to the microsecond). */
async function seedItems(agency: TestAgency, count: number) {
  await db.owner.execute(sql`
    insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
      created_at, received_at, status)
    select ${agency.agency.id}, ch.client_id, ch.id, 'seed-' || ch.id || '-' || n, 'comment', 'author-' || n, 'someone',
      'Comment ' || n, now() - interval '1 day',
      timestamptz '2026-11-20 10:00:00.123456+00' + ((n / 3) || ' seconds')::interval,
      (case when n % 4 = 0 then 'responded' else 'queued' end)::item_status
    from generate_series(1, ${count}) n cross join (select id, client_id from channels where agency_id = ${agency.agency.id}) ch`);
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await app.request(`http://parley.test${path}`, { headers: { host: "parley.test", ...headers } });
  return { status: response.status, json: (await response.json()) as unknown };
}
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createKey(
  cookie: string,
  name: string,
): Promise<{ key: { id: string; prefix: string }; secret: string }> {
  const created = await callProcedure(app, {
    cookie,
    path: "apiKeys.create",
    type: "mutation",
    input: { name, scopes: ["items:read"] },
  });
  expect(created.status).toBe(200);
  return created.data as { key: { id: string; prefix: string }; secret: string };
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  await seedItems(a, 12);
  await seedItems(b, 3);
  ownerCookie = await signInAs(app, a.users.owner.email);
  apiKey = (await createKey(ownerCookie, "Data warehouse")).secret;
  bApiKey = (await createKey(await signInAs(app, b.users.owner.email), "B's key")).secret;
});
afterAll(() => db.close());

describe("API keys", () => {
  it("shows the secret once and stores only its SHA-256", async () => {
    const { key, secret } = await createKey(ownerCookie, "Looker export");
    expect(secret).toMatch(/^pk_live_[A-Za-z0-9_-]{43}$/);
    expect(key.prefix).toBe(secret.slice(0, 10));
    const listed = await callProcedure(app, { cookie: ownerCookie, path: "apiKeys.list", type: "query" });
    expect(listed.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: key.id, name: "Looker export", revokedAt: null })]),
    );
    expect(JSON.stringify(listed.data)).not.toContain(secret);
    expect(JSON.stringify(listed.data)).not.toContain("keyHash");
    const [row] = await db.owner.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, key.id));
    expect(row?.keyHash).toBe(createHash("sha256").update(secret).digest("hex"));
    const stored = await db.owner.execute(sql`
      select to_jsonb(k)::text as row from api_keys k where id = ${key.id}
      union all select to_jsonb(e)::text from audit_events e where subject_id = ${key.id}`);
    expect(stored.length).toBe(2);
    for (const { row: text } of stored) expect(text).not.toContain(secret.slice(10));
  });

  it("is for admins only, and a name is required", async () => {
    const moderator = await signInAs(app, a.users.moderator.email);
    const refused = await callProcedure(app, {
      cookie: moderator,
      path: "apiKeys.create",
      type: "mutation",
      input: { name: "Mine", scopes: ["items:read"] },
    });
    expect(refused.error?.code).toBe("FORBIDDEN");
    const unnamed = await callProcedure(app, {
      cookie: ownerCookie,
      path: "apiKeys.create",
      type: "mutation",
      input: { name: "  ", scopes: ["items:read"] },
    });
    expect(unnamed.status).toBe(400);
    expect(unnamed.error?.details.fields).toEqual({ name: "is required" });
  });

  it("reads with a bearer key, counting its use; a revoked key gets 401", async () => {
    const { key, secret } = await createKey(ownerCookie, "Short-lived");
    const ok = await get("/v1/items?limit=5", bearer(secret));
    expect(ok.status).toBe(200);
    expect((ok.json as ItemPage).items).toHaveLength(5);
    const [used] = await db.owner.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, key.id));
    expect(used).toMatchObject({ requestCount: 1, lastUsedAt: expect.any(Date) });

    const revoked = await callProcedure(app, {
      cookie: ownerCookie,
      path: "apiKeys.revoke",
      type: "mutation",
      input: { apiKeyId: key.id },
    });
    expect(revoked.data).toMatchObject({ id: key.id, revokedAt: expect.any(Date) });
    const refused = await get("/v1/items", bearer(secret));
    expect(refused.status).toBe(401);
    expect((refused.json as ApiError).error).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { reason: "invalid_api_key" },
      requestId: expect.any(String),
    });
    const again = await callProcedure(app, {
      cookie: ownerCookie,
      path: "apiKeys.revoke",
      type: "mutation",
      input: { apiKeyId: key.id },
    });
    expect(again.error?.code).toBe("INVALID_STATE");
  });

  it("answers 401 in the error shape without credentials or with a bad key", async () => {
    for (const headers of [
      {},
      bearer("pk_live_notarealkeynotarealkeynotarealkey12345"),
      { authorization: "Basic abc" },
    ]) {
      const { status, json } = await get("/v1/items", headers);
      expect(status).toBe(401);
      expect(json).toEqual({
        error: {
          code: "UNAUTHENTICATED",
          message: expect.any(String),
          details: expect.any(Object),
          requestId: expect.any(String),
        },
      });
    }
  });
});

describe("GET /v1/items/{id}", () => {
  it("returns the item with a summary of its replies, by key and by cookie", async () => {
    const [item] = await db.owner
      .select()
      .from(schema.items)
      .where(eq(schema.items.clientId, a.otherClient.id))
      .limit(1);
    if (!item) throw new Error("no item");
    const sentAt = new Date("2026-11-20T11:00:00Z");
    await db.owner.insert(schema.replies).values([
      {
        agencyId: a.agency.id,
        clientId: item.clientId,
        itemId: item.id,
        channelId: item.channelId,
        body: "Thanks!",
        status: "sent",
        sentAt,
      },
      {
        agencyId: a.agency.id,
        clientId: item.clientId,
        itemId: item.id,
        channelId: item.channelId,
        body: "Draft",
        status: "draft",
      },
    ]);
    const byKey = await get(`/v1/items/${item.id}`, bearer(apiKey));
    expect(byKey.status).toBe(200);
    expect(byKey.json).toMatchObject({
      id: item.id,
      clientId: a.otherClient.id,
      body: item.body,
      author: { handle: "someone" },
      replies: { total: 2, byStatus: { sent: 1, draft: 1 }, lastSentAt: sentAt.toISOString() },
    });
    const moderator = await signInAs(app, a.users.moderator.email);
    const byCookie = await get(`/v1/items/${item.id}`, { cookie: moderator });
    expect(byCookie.status).toBe(200);
    expect(byCookie.json).toEqual(byKey.json);
  });

  it("is 404 for another agency's item, another client's item, an unknown id and a malformed id", async () => {
    const [bItem] = await db.owner.select().from(schema.items).where(eq(schema.items.agencyId, b.agency.id)).limit(1);
    const [otherClientItem] = await db.owner
      .select()
      .from(schema.items)
      .where(eq(schema.items.clientId, a.otherClient.id))
      .limit(1);
    const scopedModerator = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "respond" }],
    });
    const scopedCookie = await signInAs(app, scopedModerator.email);
    const cases: Array<[string, Record<string, string>]> = [
      [`/v1/items/${bItem?.id}`, bearer(apiKey)],
      [`/v1/items/${bItem?.id}`, { cookie: ownerCookie }],
      [`/v1/items/${otherClientItem?.id}`, bearer(bApiKey)],
      [`/v1/items/${otherClientItem?.id}`, { cookie: scopedCookie }],
      ["/v1/items/0193a1b2-0000-7000-8000-000000000000", bearer(apiKey)],
      ["/v1/items/not-a-uuid", bearer(apiKey)],
    ];
    for (const [path, headers] of cases) {
      const { status, json } = await get(path, headers);
      expect({ path, status, code: (json as ApiError).error?.code }).toEqual({ path, status: 404, code: "NOT_FOUND" });
    }
  });
});

describe("GET /v1/items", () => {
  async function walk(query: string, headers: Record<string, string>) {
    const seen: ItemPage["items"] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, json } = await get(`/v1/items?${query}${cursor ? `&cursor=${cursor}` : ""}`, headers);
      expect(status).toBe(200);
      const page = json as ItemPage;
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { seen, pages };
  }

  it("pages through every item of the agency, newest first, each once, even on equal arrival times", async () => {
    const expected = await db.owner.execute<{ id: string }>(sql`
      select id from items where agency_id = ${a.agency.id} order by received_at desc, id desc`);
    const { seen, pages } = await walk("limit=5", bearer(apiKey));
    expect(seen.map((item) => item.id)).toEqual(expected.map((row) => row.id));
    expect(pages).toBe(Math.ceil(expected.length / 5));
  });

  it("filters by client and status", async () => {
    const { seen } = await walk(`limit=4&clientId=${a.client.id}&status=queued`, bearer(apiKey));
    const [row] = await db.owner.execute<{ n: number }>(sql`
      select count(*)::int as n from items where client_id = ${a.client.id} and status = 'queued'`);
    expect(seen).toHaveLength(row?.n ?? -1);
    expect(seen.every((item) => item.clientId === a.client.id && item.status === "queued")).toBe(true);
  });

  it("refuses items to a client's stakeholder, as tRPC's items.get does", async () => {
    const stakeholder = await signInAs(app, a.users.stakeholder.email);
    const [item] = await db.owner.select().from(schema.items).where(eq(schema.items.clientId, a.client.id)).limit(1);
    for (const path of ["/v1/items?limit=5", `/v1/items/${item?.id}`]) {
      const { status, json } = await get(path, { cookie: stakeholder });
      expect({ path, status, code: (json as ApiError).error?.code }).toEqual({ path, status: 403, code: "FORBIDDEN" });
    }
    const viaTrpc = await callProcedure(app, {
      cookie: stakeholder,
      path: "items.get",
      type: "query",
      input: { itemId: item?.id },
    });
    expect(viaTrpc.error?.code).toBe("FORBIDDEN");
  });

  it("scopes a session to its clients and an API key to its agency", async () => {
    const scoped = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "triage" }],
    });
    const moderator = await signInAs(app, scoped.email);
    const { seen } = await walk("limit=200", { cookie: moderator });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((item) => item.clientId === a.client.id)).toBe(true);
    const otherClient = await get(`/v1/items?clientId=${a.otherClient.id}`, { cookie: moderator });
    expect(otherClient.status).toBe(404);
    const byB = await walk("limit=200", bearer(bApiKey));
    expect(byB.seen).toHaveLength(6);
    const aClientByB = await get(`/v1/items?clientId=${a.client.id}`, bearer(bApiKey));
    expect((aClientByB.json as ApiError).error).toMatchObject({
      code: "NOT_FOUND",
      details: { fields: { clientId: expect.any(String) } },
    });
  });

  it("answers 400 naming the bad query parameter", async () => {
    const cases: Array<[string, string]> = [
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=ten", "limit"],
      ["limit=2.5", "limit"],
      ["status=pending", "status"],
      ["clientId=acme", "clientId"],
      ["cursor=bm90LWEtY3Vyc29y", "cursor"],
    ];
    for (const [query, parameter] of cases) {
      const { status, json } = await get(`/v1/items?${query}`, bearer(apiKey));
      const error = (json as ApiError).error;
      expect({ query, status, fields: Object.keys(error.details.fields ?? {}) }).toEqual({
        query,
        status: 400,
        fields: [parameter],
      });
      expect(error.message).toContain(parameter);
    }
  });
});
