import { makeContractTerms } from "@parley/contracts/billing/contract-terms.fixture";
import { saveContract } from "@parley/core/billing";
import { ingestChannelItems } from "@parley/core/moderation";
import { withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownerScopeOf } from "../sla/support";
import { callProcedure, jsonRequest, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let b: TestAgency;
let ownerCookie: string;
let apiKey: string;

/** The parts of the answers these tests read (business hours, contract, error, OpenAPI document). */
interface Answer {
  upcoming: Array<{ calendar: unknown }>;
  versions: unknown[];
  preview: unknown[];
  error: { details: { reason?: string; fields: Record<string, string> } };
  paths: Record<string, unknown>;
  slaClocks: Array<Record<string, unknown>>;
}

const request = async (path: string, init: RequestInit = {}) => {
  const response = await app.request(`http://parley.test${path}`, {
    ...init,
    headers: { host: "parley.test", ...(init.headers as Record<string, string>) },
  });
  return { status: response.status, json: (await response.json()) as Answer };
};
const bearer = () => ({ headers: { authorization: `Bearer ${apiKey}` } });
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const berlinHours = {
  timeZone: "Europe/Berlin",
  weekly: {
    mon: [
      ["09:00", "12:00"],
      ["13:00", "18:00"],
    ],
    fri: [["22:00", "02:00"]],
    sat: [["00:00", "24:00"]],
  },
  holidays: ["2030-12-25"],
  overrides: { "2030-12-24": [["09:00", "12:00"]] },
};

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  ownerCookie = await signInAs(app, a.users.owner.email);
  const created = await callProcedure(app, {
    cookie: ownerCookie,
    path: "apiKeys.create",
    type: "mutation",
    input: { name: "Reports", scopes: ["items:read", "reports:read"] },
  });
  apiKey = (created.data as { secret: string }).secret;
});
afterAll(() => db.close());

describe("/v1/clients/{id}/business-hours", () => {
  it("sets hours from a date with the session, and reads them with an API key", async () => {
    const put = await request(
      `/v1/clients/${a.client.id}/business-hours`,
      jsonRequest({ effectiveFrom: tomorrow(), calendar: berlinHours }, { cookie: ownerCookie, method: "PUT" }),
    );
    expect(put.status).toBe(200);
    expect(put.json.upcoming).toHaveLength(1);
    expect(put.json.upcoming[0]?.calendar).toEqual(berlinHours);
    const got = await request(`/v1/clients/${a.client.id}/business-hours`, bearer());
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ clientId: a.client.id, timeZone: "Europe/London", current: null });
    expect(got.json.preview).toHaveLength(14);
  });

  it("refuses bad input naming the field, API keys, other origins and other agencies, changing nothing", async () => {
    const put = (body: unknown, init: { cookie?: string; origin?: string | null } = { cookie: ownerCookie }) =>
      request(`/v1/clients/${a.client.id}/business-hours`, jsonRequest(body, { ...init, method: "PUT" }));
    const bad = await put({
      effectiveFrom: tomorrow(),
      calendar: { ...berlinHours, weekly: { mon: [["18:00", "18:00"]] } },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.details.fields)).toEqual(["calendar.weekly.mon.0.1"]);
    const past = await put({ effectiveFrom: "2020-01-01", calendar: null });
    expect(past.status).toBe(400);
    expect(Object.keys(past.json.error.details.fields)).toEqual(["effectiveFrom"]);
    expect(
      (await put({ effectiveFrom: tomorrow(), calendar: null }, { cookie: ownerCookie, origin: "http://evil.test" }))
        .status,
    ).toBe(403);
    const withKey = await request(`/v1/clients/${a.client.id}/business-hours`, {
      ...jsonRequest({ effectiveFrom: tomorrow(), calendar: null }, { method: "PUT" }),
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", origin: "http://parley.test" },
    });
    expect(withKey.status).toBe(403);
    const bCookie = await signInAs(app, b.users.owner.email);
    expect((await put({ effectiveFrom: tomorrow(), calendar: null }, { cookie: bCookie })).status).toBe(404);
    const moderator = await signInAs(app, a.users.moderator.email);
    expect((await put({ effectiveFrom: tomorrow(), calendar: null }, { cookie: moderator })).status).toBe(403);
    const got = await request(`/v1/clients/${a.client.id}/business-hours`, bearer());
    expect(got.json.versions).toHaveLength(1);
  });
});

describe("/v1/clients/{clientId}/contract", () => {
  it("returns the contract in force at an instant with its SLA targets, and 404 when none is", async () => {
    const scope = await ownerScopeOf(db.app, a);
    await withTenant(db.app, { agencyId: a.agency.id, clientIds: null, userId: scope.actorId }, (tx) =>
      saveContract(scope, tx, {
        clientId: a.otherClient.id,
        terms: makeContractTerms({ validFrom: "2026-01-01", validTo: "2027-01-01" }),
      }),
    );
    const found = await request(`/v1/clients/${a.otherClient.id}/contract?at=2026-06-01T12:00:00Z`, bearer());
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({
      clientId: a.otherClient.id,
      validFrom: "2026-01-01",
      validTo: "2027-01-01",
      timeZone: "America/New_York",
      slaTargets: [
        { priority: "P1", metric: "first_response", minutes: 15, calendar: "24x7", complianceTargetPercent: 95 },
        { priority: "P2", metric: "resolution", minutes: 480, calendar: "business_hours", complianceTargetPercent: 90 },
      ],
      // Saved without the term: the default, acknowledgements count.
      acknowledgementCountsAsFirstResponse: true,
    });
    // 1 January 2027 03:00 UTC is still 31 December in New York.
    expect((await request(`/v1/clients/${a.otherClient.id}/contract?at=2027-01-01T03:00:00Z`, bearer())).status).toBe(
      200,
    );
    const none = await request(`/v1/clients/${a.otherClient.id}/contract?at=2027-01-01T06:00:00Z`, bearer());
    expect(none.status).toBe(404);
    expect(none.json.error.details.reason).toBe("no_contract_in_force");
    const bad = await request(`/v1/clients/${a.otherClient.id}/contract?at=tomorrow`, bearer());
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.details.fields)).toEqual(["at"]);
    const document = await request("/v1/openapi.json");
    expect(Object.keys(document.json.paths)).toEqual(
      expect.arrayContaining(["/v1/clients/{id}/business-hours", "/v1/clients/{clientId}/contract"]),
    );
  });
});

describe("/v1/items/{id}", () => {
  it("shows the item's clocks: target, calendar, due time, state and the contract they came from", async () => {
    const channel = a.channels.find((candidate) => candidate.clientId === a.client.id);
    if (!channel) throw new Error("no channel");
    await ingestChannelItems(db.app, { ...channel, version: null }, [
      {
        op: "upsert",
        item: {
          externalId: "clocked-1",
          kind: "comment",
          author: { externalId: "fan", handle: "fan" },
          body: "Hello there",
          createdAt: new Date(),
        },
      },
    ]);
    const page = await request(`/v1/items?clientId=${a.client.id}`, bearer());
    const itemId = (page.json as unknown as { items: Array<{ id: string }> }).items[0]?.id;
    const item = await request(`/v1/items/${itemId}`, bearer());
    expect(item.status).toBe(200);
    // No contract for this client: the agency's default policy (P3: 240 and 1440 business minutes).
    expect(item.json.slaClocks).toEqual([
      expect.objectContaining({
        metric: "first_response",
        targetMinutes: 240,
        calendar: "business_hours",
        contractId: null,
        stoppedAt: null,
        pausedMs: 0,
        state: expect.stringMatching(/^(running|at_risk|breached)$/),
      }),
      expect.objectContaining({
        metric: "resolution",
        targetMinutes: 1440,
        calendar: "business_hours",
        contractId: null,
      }),
    ]);
  });
});
