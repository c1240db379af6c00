import { describe, expect, it } from "vitest";
import { fetchInstagramMention } from "./meta-mentions";

const now = new Date("2025-03-14T12:00:00Z");
const accountId = "17841405309211844";

/** A stand-in for the Graph API: records each request and answers with `status` and `body`. */
function graph(answer: { status: number; body: unknown }) {
  const sent: Array<{ url: string; authorization: string | null }> = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), authorization: new Headers(init?.headers).get("authorization") });
    return new Response(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body), {
      status: answer.status,
    });
  }) as typeof globalThis.fetch;
  return { sent, http: { fetch, timeoutMs: 1000 } };
}

const read = (mention: { mediaId: string; commentId?: string }, http: ReturnType<typeof graph>["http"]) =>
  fetchInstagramMention(
    { change: "entry.0.changes.0", accountId, ...mention },
    { baseUrl: "https://graph.test/v21.0/", accessToken: "page-token", http, now },
  );

describe("fetchInstagramMention", () => {
  it("reads a mention in a comment through mentioned_comment, with the page token", async () => {
    const { sent, http } = graph({
      status: 200,
      body: {
        mentioned_comment: {
          id: "17920112008063024",
          text: "@acmeoutdoor the zip broke again",
          timestamp: "2025-03-14T09:20:05+0000",
          media: { id: "17887498072083520", permalink: "https://www.instagram.com/p/DAbc123/" },
        },
        id: accountId,
      },
    });
    const result = await read({ mediaId: "17887498072083520", commentId: "17920112008063024" }, http);
    expect(result).toEqual({
      ok: true,
      event: {
        op: "upsert",
        createdAtFrom: "mentioned_comment.timestamp",
        item: {
          externalId: "17920112008063024",
          kind: "mention",
          threadExternalId: "17887498072083520",
          author: { externalId: "unknown:17920112008063024", handle: "unknown" },
          body: "@acmeoutdoor the zip broke again",
          createdAt: new Date("2025-03-14T09:20:05Z"),
          url: "https://www.instagram.com/p/DAbc123/",
        },
      },
    });
    expect(sent).toHaveLength(1);
    const url = new URL(sent[0]?.url ?? "");
    expect(url.pathname).toBe(`/v21.0/${accountId}`);
    expect(url.searchParams.get("fields")).toBe(
      "mentioned_comment.comment_id(17920112008063024){id,text,timestamp,media{id,permalink}}",
    );
    expect(sent[0]?.authorization).toBe("Bearer page-token");
  });

  it("reads a mention in a caption through mentioned_media, its author by username", async () => {
    const { sent, http } = graph({
      status: 200,
      body: {
        mentioned_media: {
          id: "17887498072083520",
          caption: "Summit day with @acmeoutdoor",
          timestamp: "2025-03-13T18:00:00+0000",
          username: "trail.runner.jo",
          permalink: "https://www.instagram.com/p/DAbc124/",
        },
        id: accountId,
      },
    });
    const result = await read({ mediaId: "17887498072083520" }, http);
    expect(result).toMatchObject({
      ok: true,
      event: {
        createdAtFrom: "mentioned_media.timestamp",
        item: {
          externalId: "17887498072083520",
          kind: "mention",
          author: { externalId: "username:trail.runner.jo", handle: "trail.runner.jo" },
          body: "Summit day with @acmeoutdoor",
        },
      },
    });
    expect(new URL(sent[0]?.url ?? "").searchParams.get("fields")).toBe(
      "mentioned_media.media_id(17887498072083520){id,caption,timestamp,username,permalink}",
    );
  });

  it.each([
    { name: "a 500", status: 500, body: { error: { message: "oops" } }, retryable: true },
    { name: "a 429", status: 429, body: { error: { message: "slow down" } }, retryable: true },
    { name: "a 400 (comments disabled)", status: 400, body: { error: { message: "no" } }, retryable: false },
    { name: "an answer without the mention", status: 200, body: { id: accountId }, retryable: false },
    { name: "an answer that is not JSON", status: 200, body: "<html>", retryable: false },
    {
      name: "a mention written in year 0001",
      status: 200,
      body: { mentioned_comment: { id: "1", text: "hi", timestamp: "0001-01-01T00:00:00+0000" } },
      retryable: false,
    },
  ])("fails on $name, retryable only when the Graph API may answer later", async ({ status, body, retryable }) => {
    const result = await read({ mediaId: "1", commentId: "1" }, graph({ status, body }).http);
    expect(result).toMatchObject({ ok: false, retryable });
  });
});
