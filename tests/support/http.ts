import { randomInt } from "node:crypto";
import { type AppOptions, createApp } from "@parley/api/app";
import { silentLogger } from "@parley/api/logger";
import type { Database } from "@parley/db";
import { testOutboundAllowlist, testPassword, testSecretBox } from "@parley/testing";
import superjson from "superjson";

export const testOrigin = "http://parley.test";

/** The real Hono app over the given (app-role) database, for `app.request()`. */
export function makeTestApp(db: Database, options: Partial<Omit<AppOptions, "services">> = {}) {
  return createApp({
    services: { db, secretBox: testSecretBox, outboundAllowlist: testOutboundAllowlist },
    trustProxy: 1,
    logger: silentLogger,
    ...options,
  });
}

export type TestApp = ReturnType<typeof makeTestApp>;

/** What the helpers below call: a Hono app's `request()`, or `remoteApp`'s over the network. */
export interface RequestTarget {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/** A server running elsewhere (another process), called like an in-process app: same origin, real HTTP. */
export function remoteApp(baseUrl: string): RequestTarget {
  return {
    request(input, init = {}) {
      const headers = new Headers(init.headers);
      headers.delete("host");
      if (headers.has("origin")) headers.set("origin", baseUrl);
      return fetch(input.replace(testOrigin, baseUrl), { ...init, headers });
    },
  };
}

export function jsonRequest(body: unknown, init: { cookie?: string; origin?: string | null; method?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", host: "parley.test" };
  if (init.origin !== null) headers.origin = init.origin ?? testOrigin;
  if (init.cookie) headers.cookie = init.cookie;
  return { method: init.method ?? "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) };
}

/** Signs in through POST /auth/login and returns the Cookie header to send afterwards. */
export async function signInAs(app: RequestTarget, email: string, password = testPassword): Promise<string> {
  const request = jsonRequest({ email, password });
  // Each sign-in from its own address, so tests that exhaust the per-IP limit stay apart.
  const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const response = await app.request("http://parley.test/auth/login", {
    ...request,
    headers: { ...request.headers, "x-forwarded-for": ip },
  });
  if (response.status !== 200)
    throw new Error(`sign-in as ${email} failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("no session cookie");
  return cookie;
}

export interface TrpcOutcome {
  status: number;
  data?: unknown;
  error?: { code: string; message: string; details: Record<string, unknown> };
}

/** Calls one tRPC procedure over HTTP as the browser does (superjson, same origin). */
export async function callProcedure(
  app: RequestTarget,
  options: { cookie?: string; path: string; type: "query" | "mutation"; input?: unknown },
): Promise<TrpcOutcome> {
  const serialized = superjson.serialize(options.input);
  const url = `http://parley.test/trpc/${options.path}`;
  const response =
    options.type === "query"
      ? await app.request(`${url}?input=${encodeURIComponent(JSON.stringify(serialized))}`, {
          headers: { host: "parley.test", ...(options.cookie ? { cookie: options.cookie } : {}) },
        })
      : await app.request(url, jsonRequest(serialized, { cookie: options.cookie }));
  const body = (await response.json()) as {
    result?: { data: { json: unknown; meta?: unknown } };
    error?: { json: { data: { appError: TrpcOutcome["error"] } } };
  };
  if (body.result) {
    return { status: response.status, data: superjson.deserialize(body.result.data as never) };
  }
  return { status: response.status, error: body.error?.json.data.appError };
}
