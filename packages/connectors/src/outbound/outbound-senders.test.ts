import { describe, expect, it } from "vitest";
import { verifyGenericSignature } from "../generic-ingest";
import { createOutboundSender, type OutboundRequest } from "./index";

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** A stand-in for the network: records each request and answers with `status` and `body`. */
function recordingFetch(answer: { status: number; body?: unknown } = { status: 200, body: { id: 991 } }) {
  const sent: Sent[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({
      url: String(url),
      method: init?.method ?? "GET",
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === "string" ? init.body : "",
    });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  }) as typeof globalThis.fetch;
  return { sent, fetch };
}

function request(overrides: {
  action?: OutboundRequest["action"];
  channel?: Partial<OutboundRequest["channel"]>;
  item?: Partial<OutboundRequest["item"]>;
}): OutboundRequest {
  return {
    deliveryId: "d-1",
    action: overrides.action ?? "reply",
    channel: {
      id: "c-1",
      platform: "forum",
      externalAccountId: "community.example.com",
      credentials: { apiKey: "key-1", apiUsername: "parley" },
      ingestSecret: "ingest-secret",
      ...overrides.channel,
    },
    item: {
      id: "i-1",
      externalId: "5501",
      kind: "forum_post",
      threadExternalId: "812",
      aliasExternalId: "topic:812#4",
      url: "https://community.example.com/t/launch/812/4",
      ...overrides.item,
    },
    reply: { id: "r-1", body: "Thanks for the report!" },
  };
}

describe("outbound senders", () => {
  it("posts a Discourse reply to the topic, answering the post by number, with the API key headers", async () => {
    const { sent, fetch } = recordingFetch();
    const outcome = await createOutboundSender({ fetch })(request({}));
    expect(outcome).toEqual({ ok: true, externalId: "991" });
    expect(sent).toEqual([
      {
        url: "https://community.example.com/posts.json",
        method: "POST",
        headers: { "api-key": "key-1", "api-username": "parley", "content-type": "application/json" },
        body: JSON.stringify({ topic_id: 812, raw: "Thanks for the report!", reply_to_post_number: 4 }),
      },
    ]);
  });

  it("deletes a Discourse post and refuses to hide one, without calling the forum", async () => {
    const { sent, fetch } = recordingFetch({ status: 200 });
    const send = createOutboundSender({ fetch });
    expect(
      await send(
        request({
          action: "delete",
          channel: { credentials: { apiKey: "k", apiUsername: "u", baseUrl: "https://forum.test/" } },
        }),
      ),
    ).toEqual({
      ok: true,
      externalId: null,
    });
    expect(sent.map((s) => [s.method, s.url])).toEqual([["DELETE", "https://forum.test/posts/5501.json"]]);
    expect(await send(request({ action: "hide" }))).toMatchObject({ ok: false, retryable: false });
    expect(sent).toHaveLength(1);
  });

  it("replies to an Instagram comment through /replies and hides with `hide`", async () => {
    const { sent, fetch } = recordingFetch();
    const send = createOutboundSender({ fetch, metaGraphBaseUrl: "https://graph.test/v21.0/" });
    const instagram = { platform: "instagram" as const, credentials: { pageAccessToken: "ig-token" } };
    await send(request({ channel: instagram, item: { externalId: "1789" } }));
    await send(request({ action: "hide", channel: instagram, item: { externalId: "1789" } }));
    expect(sent.map((s) => [s.method, s.url, s.body, s.headers.authorization])).toEqual([
      ["POST", "https://graph.test/v21.0/1789/replies", "message=Thanks+for+the+report%21", "Bearer ig-token"],
      ["POST", "https://graph.test/v21.0/1789", "hide=true", "Bearer ig-token"],
    ]);
  });

  it("signs a generic callback like ingest, and classifies answers: 5xx and 429 retry, other 4xx do not", async () => {
    const generic = { platform: "generic" as const, credentials: { callbackUrl: "https://hooks.test/parley" } };
    const now = new Date("2026-11-23T12:00:00Z");
    const ok = recordingFetch({ status: 202 });
    await createOutboundSender({ fetch: ok.fetch, now: () => now })(request({ channel: generic }));
    const [call] = ok.sent;
    expect(
      verifyGenericSignature({
        secret: "ingest-secret",
        timestamp: call?.headers["x-parley-timestamp"],
        signature: call?.headers["x-parley-signature"],
        rawBody: call?.body ?? "",
        now,
      }),
    ).toEqual({ ok: true });
    for (const [status, retryable] of [
      [500, true],
      [503, true],
      [429, true],
      [400, false],
      [404, false],
    ] as const) {
      const { fetch } = recordingFetch({ status, body: { error: "nope" } });
      expect(await createOutboundSender({ fetch })(request({ channel: generic }))).toEqual({
        ok: false,
        retryable,
        error: expect.stringMatching(new RegExp(`^The channel's callback answered ${status}: [a-z :']+$`)),
      });
    }
    expect(await createOutboundSender()(request({ channel: { platform: "x" } }))).toMatchObject({
      ok: false,
      retryable: false,
    });
  });
});
