import { createApp } from "@parley/api/app";
import { createJsonLogger } from "@parley/api/logger";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../apps/api/src/metrics";
import { postItems, wireItem } from "../ingest/fixtures";
import { callProcedure, jsonRequest, signInAs } from "../support/http";

let db: TestDatabase;
let a: TestAgency;
const lines: Array<Record<string, unknown>> = [];
const metricsToken = "a-metrics-token-for-tests";
let app: ReturnType<typeof createApp>;
let metrics: ReturnType<typeof createMetrics>;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  // The production logger's settings, writing into `lines`.
  const logger = createJsonLogger("info", {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  metrics = createMetrics({ db: db.app });
  app = createApp({
    services: { db: db.app, secretBox: testSecretBox },
    trustProxy: 1,
    logger,
    metrics,
    metricsToken,
  });
});
afterAll(() => db.close());

/** The request lines logged since `from`. */
const requestLines = (from: number) => lines.slice(from).filter((line) => "route" in line);

describe("the request log", () => {
  it("writes one line per request: method, route, status, duration, request id, agency — never the text", async () => {
    const from = lines.length;
    const channel = a.channels[0];
    if (!channel) throw new Error("no channel");
    const secret = testSecretBox.decrypt(channel.ingestSecretEnc);
    const text = "My card number is 4111 1111 1111 1111, please call me";
    const stored = await postItems(app, { channelId: channel.id, secret, body: { items: [wireItem({ body: text })] } });
    expect(stored.status).toBe(200);
    const refused = await postItems(app, { channelId: channel.id, secret: "not-the-secret", body: wireItem() });
    expect(refused.status).toBe(401);
    const wrongPassword = "a-wrong-password-123";
    const login = await app.request(
      "http://parley.test/auth/login",
      jsonRequest({ email: a.users.owner.email, password: wrongPassword }),
    );
    expect(login.status).toBe(401);
    const cookie = await signInAs(app, a.users.moderator.email);
    const claim = await callProcedure(app, { cookie, path: "queue.claimNext", type: "mutation", input: {} });
    expect(claim.status).toBe(200);

    const logged = requestLines(from);
    expect(logged).toEqual([
      expect.objectContaining({
        method: "POST",
        route: "/v1/channels/:channelId/items",
        status: 200,
        agencyId: a.agency.id,
      }),
      expect.objectContaining({
        method: "POST",
        route: "/v1/channels/:channelId/items",
        status: 401,
        agencyId: a.agency.id,
      }),
      expect.objectContaining({ method: "POST", route: "/auth/login", status: 401, agencyId: null }),
      expect.objectContaining({ method: "POST", route: "/auth/login", status: 200, agencyId: null }),
      expect.objectContaining({ method: "POST", route: "/trpc/queue.claimNext", status: 200, agencyId: a.agency.id }),
    ]);
    for (const line of logged) {
      expect(line).toMatchObject({ level: 30, requestId: expect.any(String), durationMs: expect.any(Number) });
    }
    const everything = JSON.stringify(lines.slice(from));
    // The card number in part or run together; not a bare "4111", which a request id (random hex) may contain.
    for (const secretThing of [
      text,
      "4111 1111",
      "4111-1111",
      "4111111111111111",
      wrongPassword,
      secret,
      cookie.split("=")[1],
    ]) {
      expect(everything).not.toContain(secretThing);
    }
  });

  it("names a batch of procedures, and an unknown one without echoing it", async () => {
    const cookie = await signInAs(app, a.users.owner.email);
    const from = lines.length;
    await app.request("http://parley.test/trpc/me.get,queue.counts?batch=1&input={}", { headers: { cookie } });
    await app.request("http://parley.test/trpc/no.such.procedure-4111", { headers: { cookie } });
    expect(requestLines(from).map((line) => [line.route, line.procedures])).toEqual([
      ["/trpc/(batch)", ["me.get", "queue.counts"]],
      ["/trpc/(unknown)", undefined],
    ]);
  });
});

describe("GET /metrics", () => {
  it("is 404 without METRICS_TOKEN, 401 without the token, and Prometheus text with it", async () => {
    const off = createApp({ services: { db: db.app, secretBox: testSecretBox } });
    expect(await (await off.request("http://parley.test/metrics")).json()).toMatchObject({
      error: { code: "NOT_FOUND", details: { reason: "metrics_disabled" } },
    });
    expect((await app.request("http://parley.test/metrics")).status).toBe(401);
    const wrong = await app.request("http://parley.test/metrics", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    // The first test stored one item, claimed at once; one more waits in the queue.
    const channel = a.channels[0];
    if (!channel) throw new Error("no channel");
    const secret = testSecretBox.decrypt(channel.ingestSecretEnc);
    expect((await postItems(app, { channelId: channel.id, secret, body: wireItem() })).status).toBe(200);
    const response = await app.request("http://parley.test/metrics", {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^parley_ingested_items_total\{outcome="created"\} 2$/m);
    expect(text).toMatch(
      /^parley_http_request_duration_seconds_count\{method="POST",route="\/v1\/channels\/:channelId\/items",status="200"\} 2$/m,
    );
    expect(text).toMatch(/^parley_claim_duration_seconds_count\{outcome="claimed"\} 1$/m);
    expect(text).toContain(`parley_queue_depth{agency_id="${a.agency.id}",client_id="${channel.clientId}"} 1\n`);
    expect(text).toMatch(/^parley_outbox_deliveries\{state="pending"\} \d+$/m);
  });
});

describe("GET /readyz", () => {
  it("answers ready when the database answers (the server adds its migrations and workers)", async () => {
    const response = await app.request("http://parley.test/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, db: "up" });
  });
});
