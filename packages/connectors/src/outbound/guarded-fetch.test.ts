import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { emptyOutboundAllowlist, parseOutboundAllowlist } from "@parley/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifier } from "../notify";
import { createGuardedFetch, type ResolveHost } from "./guarded-fetch";
import { createOutboundSender, type OutboundRequest } from "./index";

/** A server inside "the network": records what reaches it and answers as `answer` says. */
interface Inside {
  url: string;
  hits: string[];
  server: Server;
}

async function startInside(
  answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string },
) {
  const inside: Inside = { url: "", hits: [], server: createServer() };
  inside.server.on("request", (request, response) => {
    inside.hits.push(request.url ?? "");
    request.resume();
    const { status, headers, body } = answer(request.url ?? "");
    response.writeHead(status, headers).end(body ?? "");
  });
  await new Promise<void>((resolve) => inside.server.listen(0, "127.0.0.1", resolve));
  inside.url = `http://127.0.0.1:${(inside.server.address() as AddressInfo).port}`;
  return inside;
}

const allowLoopback = (() => {
  const parsed = parseOutboundAllowlist("127.0.0.1");
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.allowlist;
})();

const allowLocalhost = (() => {
  const parsed = parseOutboundAllowlist("localhost");
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.allowlist;
})();

function genericRequest(callbackUrl: string): OutboundRequest {
  return {
    deliveryId: "d-1",
    action: "hide",
    channel: {
      id: "c-1",
      platform: "generic",
      externalAccountId: "acct",
      credentials: { callbackUrl },
      ingestSecret: "ingest-secret",
    },
    item: { id: "i-1", externalId: "e-1", kind: "comment", threadExternalId: null, aliasExternalId: null, url: null },
    reply: null,
  };
}

let target: Inside;
let redirector: Inside;

beforeAll(async () => {
  target = await startInside(() => ({ status: 500, body: "root:x:0:0 internal secrets of the network" }));
  redirector = await startInside(() => ({ status: 302, headers: { location: `${target.url}/after-redirect` } }));
});
afterAll(async () => {
  for (const inside of [target, redirector]) await new Promise((resolve) => inside.server.close(resolve));
});

describe("guarded outbound requests", () => {
  it("refuses loopback, private and metadata addresses without sending anything", async () => {
    const send = createOutboundSender({ allowlist: emptyOutboundAllowlist, timeoutMs: 5_000 });
    for (const url of [`${target.url}/x`, target.url.replace("http:", "https:"), "https://169.254.169.254/latest"]) {
      expect(await send(genericRequest(url))).toEqual({
        ok: false,
        retryable: false,
        error: "The channel's callback was not called: its address is not allowed",
      });
    }
    expect(target.hits).toEqual([]);
  });

  it("refuses an escalation webhook to a loopback address (playbook levels' webhookUrl)", async () => {
    const notifier = createNotifier({ from: "Parley <x@parley.test>", appSecret: "s".repeat(32) });
    await expect(
      notifier.send({ kind: "webhook", url: `${target.url}/escalations`, clientId: "c-1", payload: { type: "x" } }),
    ).rejects.toMatchObject({ name: "OutboundAddressRefused" });
    expect(target.hits).toEqual([]);
  });

  it("checks every address a name resolves to, and connects only to a checked one", async () => {
    const resolve: ResolveHost = async (hostname) =>
      hostname === "rebinding.example.com"
        ? [
            { address: "93.184.216.34", family: 4 },
            { address: "169.254.169.254", family: 4 },
          ]
        : [{ address: "10.0.0.8", family: 4 }];
    const guarded = createGuardedFetch(emptyOutboundAllowlist, { resolve });
    for (const url of ["https://rebinding.example.com/hook", "https://intranet.example.com/hook"]) {
      await expect(guarded(url, { method: "POST", body: "{}" })).rejects.toMatchObject({
        name: "OutboundAddressRefused",
      });
    }
  });

  it("does not follow redirects, and tells the tenant the status with a fixed reason, never the body", async () => {
    const send = createOutboundSender({ allowlist: allowLoopback, timeoutMs: 5_000 });
    expect(await send(genericRequest(`${redirector.url}/hook`))).toEqual({
      ok: false,
      retryable: false,
      error: "The channel's callback answered 302: a redirect, which Parley does not follow",
    });
    expect(target.hits).toEqual([]);
    const failed = await send(genericRequest(`${target.url}/hook`));
    expect(failed).toEqual({
      ok: false,
      retryable: true,
      error: "The channel's callback answered 500: a server error",
    });
    expect(JSON.stringify(failed)).not.toContain("secrets");
    expect(target.hits).toEqual(["/hook"]);
    // A name goes through the guarded lookup and connects to the address it checked.
    const byName = createGuardedFetch(allowLocalhost);
    const answer = await byName(`${target.url.replace("127.0.0.1", "localhost")}/by-name`, {
      method: "POST",
      body: "{}",
    });
    expect(answer.status).toBe(500);
    expect(target.hits).toEqual(["/hook", "/by-name"]);
  });
});
