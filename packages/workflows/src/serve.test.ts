import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createInngestClient } from "./client";
import { createInngestHandler } from "./serve";
import { createSlaWatchFunction } from "./sla-watch.function";
import { InMemoryClockStore } from "./testing/in-memory-clock-store";
import { InMemoryTriageStore } from "./testing/in-memory-triage-store";
import { createTriageFunction } from "./triage.function";

function createApp(fetchImpl?: typeof fetch) {
  const inngest = createInngestClient({ isDev: true, fetch: fetchImpl });
  const functions = [
    createTriageFunction({ inngest, store: new InMemoryTriageStore() }),
    createSlaWatchFunction({ inngest, store: new InMemoryClockStore() }),
  ];
  const handler = createInngestHandler({ inngest, functions });
  const app = new Hono();
  app.on(["GET", "PUT", "POST"], "/api/inngest", (c) => handler(c));
  return app;
}

describe("createInngestHandler", () => {
  it("answers GET introspection in dev mode", async () => {
    const response = await createApp().request("http://localhost/api/inngest");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ mode: "dev", function_count: 2 });
  });

  it("syncs the functions by id on PUT (to a stand-in dev server)", async () => {
    const registrations: Array<{ url: string; body: { appName: string; functions: Array<{ id: string }> } }> = [];
    const fakeDevServer = (async (input: string | URL | Request, init?: RequestInit) => {
      registrations.push({ url: String(input), body: JSON.parse(String(init?.body)) });
      return new Response(JSON.stringify({ ok: true, modified: true }), { status: 200 });
    }) as typeof fetch;

    const response = await createApp(fakeDevServer).request("http://localhost/api/inngest", { method: "PUT" });

    expect(response.status).toBe(200);
    expect(registrations).toHaveLength(1);
    expect(registrations[0]?.body.appName).toBe("parley");
    expect(registrations[0]?.body.functions.map((fn) => fn.id).sort()).toEqual([
      "parley-triage-item",
      "parley-watch-item-sla",
    ]);
    // Both flows: triggered per item, per-agency concurrency, once per item, cancelled on deletion.
    for (const id of ["parley-triage-item", "parley-watch-item-sla"]) {
      expect(registrations[0]?.body.functions.find((fn) => fn.id === id)).toMatchObject({
        triggers: [{ event: "moderation/item.received" }],
        concurrency: { key: "event.data.agencyId", limit: 10 },
        idempotency: "event.data.itemId",
        cancel: [{ event: "moderation/item.deleted", if: "event.data.itemId == async.data.itemId" }],
      });
    }
  });
});
