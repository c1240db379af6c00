import { maxFailuresPerIp, sessionIdOf } from "@parley/auth";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testPassword } from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, jsonRequest, makeTestApp, signInAs, type TestApp, testOrigin } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
});
afterAll(() => db.close());

const login = (body: unknown, ip = "203.0.113.7") =>
  app.request("http://parley.test/auth/login", {
    ...jsonRequest(body),
    headers: { ...jsonRequest(body).headers, "x-forwarded-for": ip },
  });

async function timed(body: unknown, ip: string): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const response = await login(body, ip);
  return { status: response.status, body: await response.json(), ms: performance.now() - started };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;

describe("sign-in", () => {
  it("signs in with the right password and sets a secure-by-default session cookie", async () => {
    const response = await login({ email: a.users.owner.email, password: testPassword });
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^parley_session=[a-z2-7]{32};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http here; https sets it
    const body = (await response.json()) as { me: { current: { agencyId: string; role: string } } };
    expect(body.me.current).toMatchObject({ agencyId: a.agency.id, role: "owner" });
  });

  it("marks the cookie Secure when served over https", async () => {
    const response = await app.request("https://parley.test/auth/login", {
      ...jsonRequest({ email: a.users.admin.email, password: testPassword }, { origin: "https://parley.test" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("answers a wrong password and an unknown e-mail alike, in similar time", async () => {
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      const w = await timed({ email: a.users.moderator.email, password: "nope" }, `198.51.100.${i}`);
      const u = await timed({ email: `nobody-${i}@example.test`, password: "nope" }, `198.51.100.${50 + i}`);
      expect(w.status).toBe(401);
      expect(u.status).toBe(401);
      expect((u.body as { error: { message: string } }).error.message).toBe(
        (w.body as { error: { message: string } }).error.message,
      );
      wrong.push(w.ms);
      unknown.push(u.ms);
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });

  it("names the bad field", async () => {
    const response = await login({ email: "not-an-email", password: "" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { fields: Record<string, string> } } };
    expect(body.error.code).toBe("BAD_INPUT");
    expect(Object.keys(body.error.details.fields).sort()).toEqual(["email", "password"]);
    const malformed = await app.request("http://parley.test/auth/login", jsonRequest("{not json"));
    expect(malformed.status).toBe(400);
  });

  it("rate limits failures per e-mail with 429 and Retry-After, and audits them", async () => {
    const email = a.users.accountManager.email;
    for (let i = 0; i < 10; i++) {
      expect((await login({ email, password: "wrong" }, `192.0.2.${i}`)).status).toBe(401);
    }
    const limited = await login({ email, password: testPassword }, "192.0.2.200");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const [row] = await db.owner.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_events where action = 'auth.sign_in_failed' and subject_id = ${email}`,
    );
    expect(row?.n).toBe(10);
  });

  it("rate limits failures per IP across e-mails", async () => {
    for (let i = 0; i < maxFailuresPerIp; i++) {
      await login({ email: `spray-${i}@example.test`, password: "wrong" }, "192.0.2.250");
    }
    expect((await login({ email: a.users.stakeholder.email, password: testPassword }, "192.0.2.250")).status).toBe(429);
    expect((await login({ email: a.users.stakeholder.email, password: testPassword }, "192.0.2.251")).status).toBe(200);
  });
});

describe("sessions", () => {
  it("stores only the SHA-256 of the token", async () => {
    const cookie = await signInAs(app, a.users.moderator.email);
    const token = cookie.split("=")[1] ?? "";
    const rows = await db.owner.select().from(schema.sessions).where(eq(schema.sessions.userId, a.users.moderator.id));
    expect(rows.map((r) => r.id)).toContain(sessionIdOf(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("refuses an expired session and a logged-out one", async () => {
    const cookie = await signInAs(app, a.users.owner.email);
    const me = await app.request("http://parley.test/auth/me", { headers: { cookie } });
    expect(me.status).toBe(200);
    await db.owner
      .update(schema.sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.sessions.id, sessionIdOf(cookie.split("=")[1] ?? "")));
    expect((await app.request("http://parley.test/auth/me", { headers: { cookie } })).status).toBe(401);

    const second = await signInAs(app, a.users.owner.email);
    const out = await app.request("http://parley.test/auth/logout", jsonRequest({}, { cookie: second }));
    expect(out.status).toBe(200);
    expect((await app.request("http://parley.test/auth/me", { headers: { cookie: second } })).status).toBe(401);
    expect((await callProcedure(app, { cookie: second, path: "clients.list", type: "query", input: {} })).status).toBe(
      401,
    );
  });

  it("refuses cookie-authenticated mutations from another origin or without one, and changes nothing", async () => {
    const cookie = await signInAs(app, a.users.owner.email);
    const attempt = (origin: string | null) =>
      app.request("http://parley.test/trpc/clients.create", {
        ...jsonRequest({ json: { name: "CSRF Client", timeZone: "UTC" } }, { cookie, origin }),
      });
    for (const origin of ["https://evil.example", null]) {
      const response = await attempt(origin);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { details: { reason: string } } }).error.details.reason).toMatch(
        /^csrf_/,
      );
    }
    const rows = await db.owner.select().from(schema.clients).where(eq(schema.clients.name, "CSRF Client"));
    expect(rows).toEqual([]);
    expect((await attempt(testOrigin)).status).toBe(200);
  });

  it("lets a user in several agencies pick the current one", async () => {
    const other = await makeAgency(db.owner);
    await db.owner.execute(sql`select set_config('app.agency_id', ${other.agency.id}, false)`);
    await db.owner
      .insert(schema.memberships)
      .values({ agencyId: other.agency.id, userId: a.users.admin.id, role: "moderator" });
    const cookie = await signInAs(app, a.users.admin.email);
    const switched = await callProcedure(app, {
      cookie,
      path: "me.switchAgency",
      type: "mutation",
      input: { agencyId: other.agency.id },
    });
    expect(switched.data).toMatchObject({ current: { agencyId: other.agency.id, role: "moderator" } });
    const clients = await callProcedure(app, { cookie, path: "clients.list", type: "query", input: {} });
    expect((clients.data as Array<{ id: string }>).map((c) => c.id)).toEqual([]);
    const foreign = await callProcedure(app, {
      cookie,
      path: "me.switchAgency",
      type: "mutation",
      input: { agencyId: "0192b6a0-0000-7000-8000-000000000000" },
    });
    expect(foreign.error?.code).toBe("NOT_FOUND");
  });
});

describe("responses", () => {
  it("carries security headers and answers unknown routes with the error shape", async () => {
    const response = await app.request("http://parley.test/nowhere");
    expect(response.status).toBe(404);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(await response.json()).toMatchObject({ error: { code: "NOT_FOUND", requestId: expect.any(String) } });
  });

  it("reports database health", async () => {
    const response = await app.request("http://parley.test/healthz");
    expect(await response.json()).toEqual({ ok: true, db: "up" });
  });
});
