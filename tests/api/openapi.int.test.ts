import { createTestDatabase, type TestDatabase } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
});
afterAll(() => db.close());

interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, unknown>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, { type: string }>; schemas: Record<string, { properties?: object }> };
}

describe("GET /v1/openapi.json", () => {
  it("documents every /v1 route registered on the app", async () => {
    const response = await app.request("http://parley.test/v1/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toBe("3.1.0");
    const registered = new Set(
      app.routes
        .filter((route) => route.path.startsWith("/v1/") && route.method !== "ALL" && !route.path.includes("*"))
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    expect(registered.size).toBeGreaterThanOrEqual(4);
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method} ${path}`),
      ),
    );
    expect([...registered].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !registered.has(route))).toEqual([]);
    // Each route is documented in full: a unique operation id, a summary, its success answer, its path parameters.
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ route: `${method} ${path}`, path, operation })),
    );
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const { route, path, operation } of operations) {
      expect(operation.operationId, route).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.summary, route).toBeTruthy();
      expect(Object.keys(operation.responses), route).toContain("200");
      const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const documentedPathParameters = (operation.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      expect(documentedPathParameters.sort(), route).toEqual(pathParameters.sort());
    }
  });

  it("has bearer and cookie security and the error shape", async () => {
    const document = (await (await app.request("http://parley.test/v1/openapi.json")).json()) as OpenApiDocument;
    expect(document.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      sessionCookie: { type: "apiKey", in: "cookie", name: "parley_session" },
    });
    expect(document.components.schemas.Error).toMatchObject({
      properties: { error: { properties: { code: {}, message: {}, details: {}, requestId: {} } } },
    });
    const ingest = document.paths["/v1/channels/{channelId}/items"]?.post as unknown as {
      parameters: Array<{ name: string; in: string }>;
    };
    expect(ingest.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(["header:X-Parley-Timestamp", "header:X-Parley-Signature"]),
    );
    expect(document.components.schemas.Item?.properties).toMatchObject({ receivedAt: { format: "date-time" } });
  });

  it("names the API key scope each route needs", async () => {
    const document = (await (await app.request("http://parley.test/v1/openapi.json")).json()) as OpenApiDocument;
    const scopes = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).flatMap(([method, operation]) => {
        const security = (operation as { security?: Array<Record<string, string[]>> }).security ?? [];
        return security.flatMap((requirement) =>
          (requirement.bearerAuth ?? []).map((scope) => `${method} ${path} ${scope}`),
        );
      }),
    );
    expect(scopes.sort()).toEqual(
      [
        "get /v1/clients/{clientId}/contract reports:read",
        "get /v1/clients/{id}/business-hours reports:read",
        "get /v1/items items:read",
        "get /v1/items/{id} items:read",
        "get /v1/invoices invoices:read",
        "get /v1/invoices/{id}/evidence.csv invoices:read",
        "get /v1/invoices/{ref} invoices:read",
        "get /v1/reports/insight reports:read",
        "get /v1/reports/items.csv reports:read",
        "get /v1/reports/monthly.csv reports:read",
        "get /v1/reports/monthly.pdf reports:read",
        "get /v1/reports/sla-month reports:read",
        "get /v1/reports/summary reports:read",
        "get /v1/reports/topics reports:read",
        "get /v1/reports/summary.csv reports:read",
        "post /v1/channels/{channelId}/items ingest",
      ].sort(),
    );
  });
});
