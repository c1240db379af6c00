import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake platform received, as it arrived. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. "/v21.0/123_456/comments". */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The raw body text. */
  body: string;
  /** The body parsed as JSON or as a form (`application/x-www-form-urlencoded`), when it is one of those. */
  params: Record<string, unknown> | null;
  receivedAt: Date;
}

export interface FakeReply {
  status: number;
  body: unknown;
}

export interface FakePlatform {
  /** Base URL, e.g. "http://127.0.0.1:41234". */
  url: string;
  /** Every request so far, oldest first. */
  requests: RecordedRequest[];
  /** Resolves with the first request (already received or arriving later) that `match` accepts. */
  waitFor(match: (request: RecordedRequest) => boolean, options?: { timeoutMs?: number }): Promise<RecordedRequest>;
  /** Replaces the answer for requests `match` accepts (e.g. to make the platform refuse a reply). */
  respond(
    match: (request: RecordedRequest) => boolean,
    reply: FakeReply | ((request: RecordedRequest) => FakeReply),
  ): void;
  close(): Promise<void>;
}

function parseParams(body: string, contentType: string | undefined): Record<string, unknown> | null {
  if (body === "") return null;
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(body));
  }
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The default answers, shaped like the Meta Graph API's: a new comment or reply gets `{ id }`, anything
 * else (hide, unhide, delete) `{ success: true }`.
 */
function defaultReply(request: RecordedRequest, sequence: number): FakeReply {
  if (request.method === "POST" && /\/(comments|replies)$/.test(request.path)) {
    const parent = decodeURIComponent(request.path.split("/").at(-2) ?? "node");
    return { status: 200, body: { id: `${parent}_reply${sequence}` } };
  }
  return { status: 200, body: { success: true } };
}

/**
 * A local HTTP server on 127.0.0.1 and a free port that records every request and answers like a platform API
 * (by default the Meta Graph API). Point the app at it with `META_GRAPH_BASE_URL` (`${url}/v21.0`).
 */
export async function startFakePlatform(): Promise<FakePlatform> {
  const requests: RecordedRequest[] = [];
  const overrides: Array<{
    match: (request: RecordedRequest) => boolean;
    reply: FakeReply | ((r: RecordedRequest) => FakeReply);
  }> = [];
  const waiters = new Set<{
    match: (request: RecordedRequest) => boolean;
    resolve: (request: RecordedRequest) => void;
  }>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake.local");
      const body = Buffer.concat(chunks).toString("utf8");
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        params: parseParams(body, req.headers["content-type"]),
        receivedAt: new Date(),
      };
      requests.push(recorded);
      const override = overrides.find((entry) => entry.match(recorded));
      const reply = override
        ? typeof override.reply === "function"
          ? override.reply(recorded)
          : override.reply
        : defaultReply(recorded, requests.length);
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply.body));
      for (const waiter of waiters) {
        if (waiter.match(recorded)) {
          waiters.delete(waiter);
          waiter.resolve(recorded);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor(match, options = {}) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (request: RecordedRequest) => {
            clearTimeout(timer);
            resolve(request);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const summary = requests.map((r) => `${r.method} ${r.path}`).join(", ") || "none";
          reject(new Error(`the fake platform saw no matching request (received: ${summary})`));
        }, options.timeoutMs ?? 15_000);
        waiters.add(waiter);
      });
    },
    respond(match, reply) {
      overrides.unshift({ match, reply });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A new comment on a Facebook Page post, as Meta's `feed` webhook delivers it (sign it with the app secret). */
export function metaFeedComment(options: { postId: string; commentId: string; from: string; message: string }) {
  const now = Math.floor(Date.now() / 1000);
  return {
    object: "page",
    entry: [
      {
        id: "page",
        time: now,
        changes: [
          {
            field: "feed",
            value: {
              item: "comment",
              verb: "add",
              post_id: options.postId,
              comment_id: options.commentId,
              parent_id: options.postId,
              message: options.message,
              from: { id: `user-${options.commentId}`, name: options.from },
              created_time: now,
            },
          },
        ],
      },
    ],
  };
}
