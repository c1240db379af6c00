import { createApp } from "@parley/api/app";
import { parseEnv } from "@parley/api/env";
import { silentLogger } from "@parley/api/logger";
import {
  freeFailuresPerEmailFromAddress,
  maxFailuresPerEmail,
  maxFailuresPerEmailFromAddress,
  maxFailuresPerIp,
  sessionIdOf,
  signIn,
} from "@parley/auth";
import { schema } from "@parley/db";
import {
  createTestDatabase,
  makeAgency,
  makeUser,
  type TestAgency,
  type TestDatabase,
  testPassword,
  testSecretBox,
} from "@parley/testing";
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

  it("answers a wrong password and an unknown e-mail alike, and audits both", async () => {
    // Their timing is measured apart from the tests, on a quiet machine: npm run bench -- sign-in.
    const wrong = await login({ email: a.users.moderator.email, password: "nope" }, "198.51.100.1");
    const unknown = await login({ email: "nobody@example.test", password: "nope" }, "198.51.100.2");
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const withoutRequestId = async (response: Response) => {
      const { error } = (await response.json()) as { error: { requestId: string } };
      return { ...error, requestId: undefined };
    };
    expect(await withoutRequestId(unknown)).toEqual(await withoutRequestId(wrong));
    const audited = await db.owner.execute<{ subject_id: string; actor_user_id: string | null }>(
      sql`select subject_id, actor_user_id from audit_events
          where action = 'auth.sign_in_failed' and subject_id in (${a.users.moderator.email}, 'nobody@example.test')
          order by actor_user_id nulls first`,
    );
    expect(audited).toEqual([
      { subject_id: "nobody@example.test", actor_user_id: null },
      { subject_id: a.users.moderator.email.toLowerCase(), actor_user_id: a.users.moderator.id },
    ]);
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

  it("slows guesses from one address with 429 and Retry-After, and audits them", async () => {
    const email = a.users.accountManager.email;
    for (let i = 0; i < freeFailuresPerEmailFromAddress; i++) {
      expect((await login({ email, password: "wrong" }, "192.0.2.9")).status).toBe(401);
    }
    const slowed = await login({ email, password: testPassword }, "192.0.2.9");
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get("retry-after"))).toBeGreaterThan(0);
    const [row] = await db.owner.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_events where action = 'auth.sign_in_failed' and subject_id = ${email}`,
    );
    expect(row?.n).toBe(freeFailuresPerEmailFromAddress);
  });

  it("does not let a stranger's guesses lock the person out", async () => {
    const person = await makeUser(db.owner, { agencyId: a.agency.id, role: "moderator" });
    let refused = 0;
    for (let i = 0; i < 15; i++) {
      const answer = await login({ email: person.email, password: `guess ${i}` }, "198.51.100.66");
      if (answer.status === 429) refused += 1;
    }
    expect(refused).toBeGreaterThan(0);
    // From elsewhere (a rotating stranger stays far below the e-mail's global ceiling, too).
    for (let i = 0; i < 20; i++) await login({ email: person.email, password: "wrong" }, `203.0.113.${100 + i}`);
    expect((await login({ email: person.email, password: testPassword }, "192.0.2.77")).status).toBe(200);
  });

  it("reserves each attempt before checking the password, so concurrent guesses cannot outrun the limits", async () => {
    const person = await makeUser(db.owner, { agencyId: a.agency.id, role: "moderator" });
    const wave = (ips: (i: number) => string, rightAt: number) =>
      Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const response = await login(
            { email: person.email, password: i === rightAt ? testPassword : `guess ${i}` },
            ips(i),
          );
          return response.status;
        }),
      );
    // One address: 199 wrong guesses and the right password in one wave.
    const fromOne = await wave(() => "198.51.100.200", 199);
    const evaluated = fromOne.filter((status) => status !== 429);
    expect(evaluated.length).toBeLessThanOrEqual(maxFailuresPerEmailFromAddress);
    expect(fromOne.filter((status) => status === 429).length).toBeGreaterThanOrEqual(190);
    // 200 addresses at once: the e-mail's ceiling still holds.
    const fromMany = await wave((i) => `100.${i % 250}.7.${1 + Math.floor(i / 250)}`, -1);
    expect(fromMany.filter((status) => status === 401).length).toBeLessThanOrEqual(maxFailuresPerEmail);
  });

  it("doubles the wait after each failure from one address, and caps failures per e-mail and address", async () => {
    const person = await makeUser(db.owner, { agencyId: a.agency.id, role: "moderator" });
    const start = Date.parse("2026-12-01T09:00:00Z");
    const attempt = async (second: number, password = "wrong") => {
      try {
        await signIn(db.app, {
          email: person.email,
          password,
          ip: "192.0.2.123",
          now: () => new Date(start + second * 1000),
        });
        return "signed in";
      } catch (error) {
        const details = (error as { details?: { retryAfterSeconds?: number } }).details;
        return details?.retryAfterSeconds ? `wait ${details.retryAfterSeconds}` : "wrong";
      }
    };
    const outcomes: string[] = [];
    for (const second of [0, 0, 0, 0, 1, 1, 3, 7, 15, 31, 63, 127]) outcomes.push(await attempt(second));
    expect(outcomes).toEqual([
      "wrong",
      "wrong",
      "wrong",
      "wait 1",
      "wrong",
      "wait 2",
      "wrong",
      "wrong",
      "wrong",
      "wrong",
      "wrong",
      "wrong",
    ]);
    // Ten failures from this address: the right password waits for the window too.
    expect(await attempt(200, testPassword)).toBe(`wait ${15 * 60 - 200}`);
    expect(await attempt(15 * 60 + 1, testPassword)).toBe("signed in");
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

  it("reads every request's scope with its session: assignments as they are now, a removed member refused", async () => {
    const member = await makeUser(db.owner, {
      agencyId: a.agency.id,
      role: "moderator",
      assignments: [{ clientId: a.client.id, authority: "respond" }],
    });
    const cookie = await signInAs(app, member.email);
    const clientIds = async () => {
      const listed = await callProcedure(app, { cookie, path: "clients.list", type: "query", input: {} });
      return listed.status === 200 ? (listed.data as Array<{ id: string }>).map((client) => client.id) : listed.status;
    };
    expect(await clientIds()).toEqual([a.client.id]);
    await db.owner.execute(sql`select set_config('app.agency_id', ${a.agency.id}, false)`);
    await db.owner.insert(schema.clientAssignments).values({
      agencyId: a.agency.id,
      membershipId: member.membershipId,
      clientId: a.otherClient.id,
      authority: "respond",
    });
    expect((await clientIds()) as string[]).toHaveLength(2);
    await db.owner
      .delete(schema.clientAssignments)
      .where(eq(schema.clientAssignments.membershipId, member.membershipId));
    await db.owner.delete(schema.memberships).where(eq(schema.memberships.id, member.membershipId));
    expect(await clientIds()).toBe(403);
    // Signed in still, with no agency to act in: /auth/me answers, without one.
    expect((await app.request("http://parley.test/auth/me", { headers: { cookie } })).status).toBe(200);
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

describe("behind proxies (TRUST_PROXY) and at a public address (PUBLIC_URL)", () => {
  const appWith = (options: { trustProxy: number; publicUrl?: string }) =>
    createApp({ services: { db: db.app, secretBox: testSecretBox }, logger: silentLogger, ...options });
  const loginVia = (on: ReturnType<typeof appWith>, headers: Record<string, string>, body: unknown) =>
    on.request("http://parley.test/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", host: "parley.test", origin: testOrigin, ...headers },
      body: JSON.stringify(body),
    });
  const auditedIps = async (email: string) =>
    (
      await db.owner.execute<{ ip: string }>(
        sql`select ip from audit_events where action = 'auth.sign_in_failed' and subject_id = ${email} order by created_at`,
      )
    ).map((row) => row.ip);

  it("takes the client's address the configured number of hops from the right of X-Forwarded-For", async () => {
    const oneHop = appWith({ trustProxy: 1 });
    const twoHops = appWith({ trustProxy: 2 });
    const email = `proxied-${Date.now()}@example.test`;
    await loginVia(oneHop, { "x-forwarded-for": "6.6.6.6, 198.51.100.31" }, { email, password: "x" });
    await loginVia(twoHops, { "x-forwarded-for": "6.6.6.6, 198.51.100.32, 10.0.0.2" }, { email, password: "x" });
    await loginVia(twoHops, { "x-forwarded-for": "198.51.100.33" }, { email, password: "x" });
    expect(await auditedIps(email)).toEqual(["198.51.100.31", "198.51.100.32", "198.51.100.33"]);
  });

  it("keeps the per-address limit when the client rotates what it writes into X-Forwarded-For", async () => {
    const oneHop = appWith({ trustProxy: 1 });
    const statuses: number[] = [];
    for (let i = 0; i <= maxFailuresPerIp; i++) {
      const forwarded = `${i}.${i}.${i}.${i}, 198.51.100.44`;
      const response = await loginVia(
        oneHop,
        { "x-forwarded-for": forwarded },
        { email: `rotating-${i}@example.test`, password: "x" },
      );
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it("marks the cookie Secure and checks the Origin's scheme, host and port against PUBLIC_URL", async () => {
    const behindTls = appWith({ trustProxy: 1, publicUrl: "https://parley.example.com" });
    const body = { email: a.users.owner.email, password: testPassword };
    for (const origin of ["http://parley.example.com", "https://parley.example.com:8443", "https://evil.example"]) {
      const refused = await loginVia(behindTls, { origin, "x-forwarded-for": "192.0.2.61" }, body);
      expect({ origin, status: refused.status }).toEqual({ origin, status: 403 });
    }
    const accepted = await loginVia(
      behindTls,
      { origin: "https://parley.example.com", "x-forwarded-for": "192.0.2.61" },
      body,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get("set-cookie")).toMatch(/; Secure/);
    // Without PUBLIC_URL the request's own scheme counts: an https Origin on a plain http request is another origin.
    const plain = appWith({ trustProxy: 1 });
    expect(
      (await loginVia(plain, { origin: "https://parley.test", "x-forwarded-for": "192.0.2.62" }, body)).status,
    ).toBe(403);
    const proxiedTls = await loginVia(
      plain,
      { origin: "https://parley.test", "x-forwarded-proto": "https", "x-forwarded-for": "192.0.2.62" },
      body,
    );
    expect(proxiedTls.status).toBe(200);
    expect(proxiedTls.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("reads TRUST_PROXY as a number of hops and PUBLIC_URL as an origin, refusing anything else in one line", () => {
    expect(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(parseEnv({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(1);
    expect(parseEnv({}).TRUST_PROXY).toBe(0);
    expect(() => parseEnv({ TRUST_PROXY: "yes" })).toThrow(/^Invalid environment: TRUST_PROXY /);
    expect(parseEnv({ PUBLIC_URL: "https://parley.example.com/" }).PUBLIC_URL).toBe("https://parley.example.com");
    expect(() => parseEnv({ PUBLIC_URL: "https://parley.example.com/app" })).toThrow(/PUBLIC_URL must be an origin/);
    expect(parseEnv({ OUTBOUND_ALLOWLIST: "127.0.0.1, fake.test" }).OUTBOUND_ALLOWLIST.names).toEqual(["fake.test"]);
    expect(() => parseEnv({ OUTBOUND_ALLOWLIST: "http://x" })).toThrow(/OUTBOUND_ALLOWLIST/);
  });
});
