import { connect } from "node:net";
import { serve } from "@hono/node-server";
import { createApp, maxBodyBytes, serverOptions } from "@parley/api/app";
import { createJsonLogger } from "@parley/api/logger";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let db: TestDatabase;
let a: TestAgency;
const logged: string[] = [];
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  app = createApp({
    services: { db: db.app, secretBox: testSecretBox },
    trustProxy: 1,
    logger: createJsonLogger("warn", { write: (line: string) => void logged.push(JSON.parse(line).msg) }),
  });
});
afterAll(() => db.close());

/** A body that never ends: anything that waits to read it all never answers. */
const endless = () => new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });

function postDeclaring(path: string, length: number, body: ReadableStream<Uint8Array> | string = endless()) {
  return app.request(`http://parley.test${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": String(length),
      host: "parley.test",
      origin: "http://parley.test",
    },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("request bodies", () => {
  it("refuses an unauthenticated body larger than the endpoint takes from its Content-Length, before reading it", async () => {
    for (const [path, limit] of [
      ["/auth/login", maxBodyBytes.auth],
      ["/auth/invitations/accept", maxBodyBytes.auth],
      ["/trpc/clients.create", maxBodyBytes.trpc],
      [`/webhooks/meta/${a.channels[0]?.id}`, 1024 * 1024],
    ] as const) {
      const response = await postDeclaring(path, limit + 1);
      expect({ path, status: response.status }).toEqual({ path, status: 413 });
      expect(await response.json()).toMatchObject({ error: { details: { reason: "payload_too_large" } } });
    }
  });

  it("cuts off a chunked body at the limit", async () => {
    const chunk = new TextEncoder().encode("x".repeat(4096));
    let sent = 0;
    const response = await app.request("http://parley.test/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", host: "parley.test", origin: "http://parley.test" },
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(maxBodyBytes.auth * 4);
  });

  it("gives a request 30 s to arrive: a slow body is answered 408 and its connection closed", async () => {
    expect(serverOptions.requestTimeout).toBe(30_000);
    const server = serve({
      fetch: app.fetch,
      port: 0,
      hostname: "127.0.0.1",
      serverOptions: { ...serverOptions, requestTimeout: 300, headersTimeout: 200, connectionsCheckingInterval: 50 },
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const { port } = server.address() as { port: number };
    try {
      const started = performance.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => {
          socket.write(
            "POST /auth/login HTTP/1.1\r\nHost: parley.test\r\nOrigin: http://parley.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
          );
        });
        let received = "";
        socket.on("data", (data) => {
          received += data;
        });
        socket.on("close", () => resolve(received));
        socket.on("error", reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("logs one line, not a stack, for an unauthenticated text/plain POST to /trpc", async () => {
    logged.length = 0;
    const response = await app.request("http://parley.test/trpc/clients.create", {
      method: "POST",
      headers: { "content-type": "text/plain", host: "parley.test", origin: "http://parley.test" },
      body: "hello",
    });
    expect(response.status).toBe(415);
    const body = (await response.json()) as { error: { json: { data: { appError: { code: string } } } } };
    expect(body.error.json.data.appError).toMatchObject({
      code: "BAD_INPUT",
      details: { reason: "unsupported_media_type" },
    });
    expect(logged).toEqual(["trpc POST /trpc/clients.create refused: unsupported_media_type"]);
  });
});
