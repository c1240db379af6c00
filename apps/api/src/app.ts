import { randomUUID, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { trpcServer } from "@hono/trpc-server";
import {
  acceptInvitationAndSignIn,
  invalidateSession,
  previewPasswordReset,
  requestPasswordReset,
  resetPassword,
  type SignInResult,
  sessionCookieAttributes,
  sessionCookieName,
  signIn,
} from "@parley/auth";
import { createChannelConnectionTester } from "@parley/connectors";
import {
  AppError,
  badInput,
  httpStatusOf,
  type InvitationLookupAnswer,
  invitationAcceptInput,
  linkTokenInput,
  loginInput,
  type PasswordResetLookupAnswer,
  type PasswordResetRequestAnswer,
  passwordResetInput,
  passwordResetRequestInput,
  type SessionAnswer,
} from "@parley/contracts";
import { getMe, type LinkKind, previewInvitation } from "@parley/core/agencies";
import type { Scope } from "@parley/core/kernel";
import {
  type ClaimBatcher,
  createClaimBatcher,
  createQueueCounter,
  createSharedClusters,
} from "@parley/core/moderation";
import { appErrorOf, appRouter, type Context, type Services } from "@parley/trpc";
import { sql } from "drizzle-orm";
import { Hono, type Context as HonoContext, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { describeRoute } from "hono-openapi";
import type { z } from "zod";
import { createClientRoutes } from "./clients.routes";
import { createIngestRoutes } from "./ingest.routes";
import { createInvoiceRoutes } from "./invoices.routes";
import { createLiveRoutes, type LiveEventSource } from "./live.routes";
import { fallbackLogger, type Logger } from "./logger";
import { createMetrics, type Metrics } from "./metrics";
import { openApiDocumentHandler } from "./openapi";
import { checkReadiness, type ReadinessSource } from "./readiness";
import { createReportRoutes } from "./reports.routes";
import { logRequests, noteAgency } from "./request-log";
import { createSandboxRoutes } from "./sandbox.routes";
import { readSessionAuth, type SessionAuth } from "./session-auth";
import { createV1Routes } from "./v1.routes";

export interface AppOptions {
  services: Services;
  /** Reverse proxies in front of the app (`TRUST_PROXY`): 0 ignores X-Forwarded-For and X-Forwarded-Proto. */
  trustProxy?: number;
  /** `PUBLIC_URL`'s origin: decides the cookie's `Secure`, the CSRF origin and the links in e-mails. */
  publicUrl?: string;
  /** Built web app to serve at / (apps/web/dist); omitted in API-only tests. */
  webRoot?: string;
  /** Request lines and unexpected errors; default: errors only, as JSON on stdout. */
  logger?: Logger;
  /** The process's metrics; default: a registry of this app's own (tests). */
  metrics?: Metrics;
  /** Bearer token of `GET /metrics`; without it, /metrics is 404. */
  metricsToken?: string;
  /** What `/readyz` checks beyond the database (migrations, workers); the server's main passes it. */
  readiness?: ReadinessSource;
  /** The process's LISTEN on live events; without it there is no `GET /events`. */
  liveEvents?: LiveEventSource;
  liveHeartbeatMs?: number;
  /** The Meta Graph API base (`META_GRAPH_BASE_URL`): Instagram @mentions are read from it. */
  metaGraphBaseUrl?: string;
  /** The sandbox platform's typical answer time (`SANDBOX_LATENCY_MS`); default 0 (tests). */
  sandboxLatencyMs?: number;
}

interface Variables {
  requestId: string;
  logAgencyId?: string;
  auth: SessionAuth | null;
}

type AppContext = HonoContext<{ Variables: Variables }>;

function errorBody(error: AppError, requestId: string) {
  return { error: { code: error.code, message: error.message, details: error.details, requestId } };
}

/** The socket's peer address; `app.request()` in tests has no socket. */
function socketAddress(c: AppContext): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * The client's address. Each trusted proxy appends the address it received the request from to X-Forwarded-For,
 * so the client is `hops` entries from the right; anything further left was written by the client and proves
 * nothing. Fewer entries than hops: the leftmost (as Express's `trust proxy` counts).
 */
function clientIp(c: AppContext, hops: number): string {
  if (hops === 0) return socketAddress(c);
  const chain = (c.req.header("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return chain[Math.max(0, chain.length - hops)] ?? socketAddress(c);
}

/** The scheme people use: `PUBLIC_URL`'s, else the nearest trusted proxy's X-Forwarded-Proto, else the request's. */
function isHttps(c: AppContext, hops: number, publicUrl: string | undefined): boolean {
  if (publicUrl) return publicUrl.startsWith("https:");
  const forwarded = hops > 0 ? c.req.header("x-forwarded-proto")?.split(",").at(-1)?.trim() : undefined;
  if (forwarded) return forwarded === "https";
  return new URL(c.req.url).protocol === "https:";
}

/** Scheme, host and port people reach the app at: `PUBLIC_URL`, else what this request says. */
function appOrigin(c: AppContext, hops: number, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  return new URL(`${isHttps(c, hops, publicUrl) ? "https" : "http"}://${host}`).origin;
}

/** Cookie-authenticated mutations must come from our own origin: scheme, host and port (CSRF). */
function assertSameOrigin(c: AppContext, expected: string): void {
  const origin = c.req.header("origin");
  if (!origin) throw new AppError("FORBIDDEN", "Missing Origin header", { reason: "csrf_origin_missing" });
  let given: string;
  try {
    given = new URL(origin).origin;
  } catch {
    throw new AppError("FORBIDDEN", "Malformed Origin header", { reason: "csrf_origin_mismatch" });
  }
  if (given !== expected)
    throw new AppError("FORBIDDEN", "Cross-origin request refused", { reason: "csrf_origin_mismatch" });
}

/**
 * A link into the web app for a single-use token: a path of its router (apps/web/src/routes.tsx), which the
 * web root below answers with index.html. Links handed out as `/#/<kind>/<token>` still land there.
 */
function linkIn(origin: string) {
  return (kind: LinkKind, token: string) => `${origin}/${kind}/${token}`;
}

/**
 * Largest body each unauthenticated entry point reads (ingest and webhooks keep their own 1 MiB limit). A
 * Content-Length over it is refused before anything is read; a chunked body is cut off at it.
 */
export const maxBodyBytes = { auth: 16 * 1024, trpc: 2 * 1024 * 1024 } as const;

function bodyTooLarge(c: AppContext, limit: number) {
  return c.json(
    errorBody(
      new AppError("LIMIT_EXCEEDED", `A request body holds at most ${limit} bytes`, {
        reason: "payload_too_large",
        limit,
        unit: "bytes",
      }),
      c.get("requestId"),
    ),
    413,
  );
}

function limitBody(limit: number): MiddlewareHandler {
  const streaming = bodyLimit({ maxSize: limit, onError: (c) => bodyTooLarge(c as AppContext, limit) });
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number(length) > limit ? bodyTooLarge(c as AppContext, limit) : next();
    }
    return streaming(c, next);
  };
}

/**
 * The Node server's own limits: a request (headers and body) must arrive within 30 s, checked every second, so
 * a slow body cannot hold a connection for the default 300 s. Answers and streams (SSE) are not limited.
 */
export const serverOptions = { requestTimeout: 30_000, headersTimeout: 20_000, connectionsCheckingInterval: 1_000 };

/** Claim next, timed into the metrics by outcome. */
function timeClaims(claims: ClaimBatcher, metrics: Metrics): ClaimBatcher {
  return {
    async claim(scope, input) {
      const end = metrics.claims.startTimer();
      try {
        const item = await claims.claim(scope, input);
        end({ outcome: item ? "claimed" : "empty" });
        return item;
      } catch (error) {
        end({ outcome: "error" });
        throw error;
      }
    },
  };
}

/** Whether `Authorization: Bearer <token>` carries `expected` (compared in constant time). */
function hasBearerToken(header: string | undefined, expected: string): boolean {
  const given = Buffer.from(/^Bearer +(\S+)$/i.exec(header?.trim() ?? "")?.[1] ?? "");
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function createApp(options: AppOptions) {
  const services = {
    ...options.services,
    testConnection:
      options.services.testConnection ??
      createChannelConnectionTester({
        metaGraphBaseUrl: options.metaGraphBaseUrl,
        allowlist: options.services.outboundAllowlist,
      }),
  };
  const logger = options.logger ?? fallbackLogger;
  const metrics = options.metrics ?? createMetrics({ db: services.db });
  const claims = timeClaims(createClaimBatcher(services.db, services), metrics);
  const queueCounts = createQueueCounter(services.db, services);
  const clusters = createSharedClusters();
  const trustProxy = options.trustProxy ?? 0;
  const publicUrl = options.publicUrl;
  const app = new Hono<{ Variables: Variables }>();

  app.use(async (c, next) => {
    c.set("requestId", c.req.header("x-request-id") ?? randomUUID());
    c.header("x-request-id", c.get("requestId"));
    await next();
  });
  app.use(logRequests({ logger, metrics, procedures: new Set(Object.keys(appRouter._def.procedures)) }));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
      strictTransportSecurity: "max-age=31536000; includeSubDomains",
      referrerPolicy: "strict-origin-when-cross-origin",
    }),
  );

  app.onError((error, c) => {
    const appError = error instanceof AppError ? error : appErrorOf(error);
    if (appError.code === "INTERNAL") logger.error({ err: error, requestId: c.get("requestId") }, "unhandled error");
    const retryAfter = appError.details.retryAfterSeconds;
    if (typeof retryAfter === "number") c.header("Retry-After", String(retryAfter));
    return c.json(errorBody(appError, c.get("requestId")), httpStatusOf[appError.code] as 400);
  });

  // Session from the cookie, with its scope, for /auth, /trpc, /events and the cookie-signed REST routes.
  const loadSession = async (c: AppContext, next: () => Promise<void>) => {
    const token = getCookie(c, sessionCookieName);
    const found = token ? await readSessionAuth(services.db, token) : null;
    c.set("auth", found);
    noteAgency(c, found?.session.currentAgencyId);
    if (token && !found) deleteCookie(c, sessionCookieName, { path: "/" });
    if (found && token) {
      setCookie(
        c,
        sessionCookieName,
        token,
        sessionCookieAttributes({ secure: isHttps(c, trustProxy, publicUrl), expiresAt: found.session.expiresAt }),
      );
    }
    await next();
  };
  const csrf = async (c: AppContext, next: () => Promise<void>) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") assertSameOrigin(c, appOrigin(c, trustProxy, publicUrl));
    await next();
  };
  app.use("/auth/*", limitBody(maxBodyBytes.auth), csrf, loadSession);
  app.use("/trpc/*", limitBody(maxBodyBytes.trpc), csrf, loadSession);
  app.use("/events", loadSession);

  app.get("/healthz", async (c) => {
    try {
      await services.db.execute(sql`select 1`);
      return c.json({ ok: true, db: "up" });
    } catch {
      return c.json({ ok: false, db: "down" }, 503);
    }
  });

  // Ready for traffic: the database answers, the migrations are applied, the workers run (and not shutting down).
  app.get("/readyz", async (c) => {
    const report = await checkReadiness(services.db, options.readiness);
    return c.json(report, report.ok ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    if (!options.metricsToken) {
      throw new AppError("NOT_FOUND", "Metrics are off: set METRICS_TOKEN", { reason: "metrics_disabled" });
    }
    if (!hasBearerToken(c.req.header("authorization"), options.metricsToken)) {
      throw new AppError("UNAUTHENTICATED", "Send the metrics token as `Authorization: Bearer …`", {
        reason: "invalid_metrics_token",
      });
    }
    return c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  });

  /** The JSON body checked against `schema` (400 naming each field). */
  async function readInput<T extends z.ZodType>(c: AppContext, schema: T): Promise<z.infer<T>> {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError("BAD_INPUT", "Request body is not valid JSON", { reason: "malformed_json" });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw badInput(parsed.error.issues);
    return parsed.data;
  }

  /** Sets the session cookie (ending the browser's previous session) and answers with the person's `me`. */
  async function startSession(c: AppContext, { token, session }: SignInResult) {
    const previous = c.get("auth");
    if (previous && previous.session.id !== session.id) await invalidateSession(services.db, previous.session.id);
    setCookie(
      c,
      sessionCookieName,
      token,
      sessionCookieAttributes({ secure: isHttps(c, trustProxy, publicUrl), expiresAt: session.expiresAt }),
    );
    return c.json({
      me: await getMe(services.db, { userId: session.userId, currentAgencyId: session.currentAgencyId }),
    } satisfies SessionAnswer);
  }

  const linkFor = (c: AppContext) => linkIn(appOrigin(c, trustProxy, publicUrl));

  app.post("/auth/login", async (c) => {
    const input = await readInput(c, loginInput);
    return startSession(c, await signIn(services.db, { ...input, ip: clientIp(c, trustProxy) }));
  });

  // Invitations: the link's holder sees what they are invited to, then accepts (signing up or in).
  app.get("/auth/invitations/:token", async (c) => {
    const { token } = linkTokenInput.parse({ token: c.req.param("token") });
    const { userId, ...preview } = await previewInvitation(services.db, { token });
    return c.json({
      invitation: preview,
      signedInAsInvitee: userId !== null && c.get("auth")?.user.id === userId,
    } satisfies InvitationLookupAnswer);
  });

  app.post("/auth/invitations/accept", async (c) => {
    const input = await readInput(c, invitationAcceptInput);
    const signedIn = await acceptInvitationAndSignIn(services.db, {
      ...input,
      signedInUserId: c.get("auth")?.user.id ?? null,
      ip: clientIp(c, trustProxy),
    });
    return startSession(c, signedIn);
  });

  // Password reset: by e-mail link (SMTP), or by a link an owner issued (members.issuePasswordReset).
  app.post("/auth/password-reset/request", async (c) => {
    const { email } = await readInput(c, passwordResetRequestInput);
    await requestPasswordReset(services.db, {
      email,
      ip: clientIp(c, trustProxy),
      linkFor: linkFor(c),
      mailer: services.mailer,
    });
    return c.json({ ok: true, emailed: Boolean(services.mailer) } satisfies PasswordResetRequestAnswer, 202);
  });

  app.get("/auth/password-reset/:token", async (c) => {
    const { token } = linkTokenInput.parse({ token: c.req.param("token") });
    return c.json({ reset: await previewPasswordReset(services.db, { token }) } satisfies PasswordResetLookupAnswer);
  });

  app.post("/auth/password-reset", async (c) => {
    const input = await readInput(c, passwordResetInput);
    return startSession(c, await resetPassword(services.db, { ...input, ip: clientIp(c, trustProxy) }));
  });

  app.post("/auth/logout", async (c) => {
    const auth = c.get("auth");
    if (auth) await invalidateSession(services.db, auth.session.id);
    deleteCookie(c, sessionCookieName, { path: "/" });
    return c.json({ ok: true });
  });

  app.get("/auth/me", async (c) => {
    const auth = c.get("auth");
    if (!auth) throw new AppError("UNAUTHENTICATED", "Sign in first", { reason: "no_session" });
    return c.json({
      me: await getMe(services.db, { userId: auth.user.id, currentAgencyId: auth.session.currentAgencyId }),
    } satisfies SessionAnswer);
  });

  app.use(
    "/trpc/*",
    trpcServer({
      endpoint: "/trpc",
      router: appRouter,
      createContext: async (_opts, c) => {
        const auth = (c as AppContext).get("auth");
        const scope: Scope | null = auth?.scope ? { ...auth.scope, ip: clientIp(c as AppContext, trustProxy) } : null;
        const context: Context = {
          services,
          claims,
          queueCounts,
          clusters,
          requestId: (c as AppContext).get("requestId"),
          session: auth
            ? { id: auth.session.id, userId: auth.user.id, currentAgencyId: auth.session.currentAgencyId }
            : null,
          scope,
          ip: clientIp(c as AppContext, trustProxy),
          linkFor: linkFor(c as AppContext),
        };
        return context as unknown as Record<string, unknown>;
      },
      onError: ({ error, ctx, path, req }) => {
        const appError = appErrorOf(error);
        const requestId = (ctx as Context | undefined)?.requestId;
        if (appError.code === "INTERNAL") logger.error({ err: error, requestId, procedure: path }, "procedure failed");
        // Refused before any procedure ran (junk traffic): one line, no stack.
        else if (!ctx) {
          const where = path ?? new URL(req.url).pathname;
          const reason = appError.details.reason ?? appError.code;
          logger.warn({ requestId }, `trpc ${req.method} ${where} refused: ${reason}`);
        }
      },
    }),
  );

  // Inbound items: generic signed ingest (/v1) and platform webhooks (/webhooks/*).
  app.route(
    "/",
    createIngestRoutes({
      services: { ...services, db: services.ingestDb ?? services.db },
      logger,
      metrics,
      metaGraphBaseUrl: options.metaGraphBaseUrl,
    }),
  );
  app.route("/", createInvoiceRoutes({ services, loadSession }));
  // The sandbox platform: its deliveries' endpoint and its customers' side. It stands in for the platforms, so its
  // writes (customers' comments are ingest) take the ingest pool's connections, not the moderators'.
  app.route(
    "/",
    createSandboxRoutes({
      services: { ...services, db: services.ingestDb ?? services.db },
      latencyMs: options.sandboxLatencyMs ?? 0,
    }),
  );
  if (options.liveEvents) {
    const { liveEvents, liveHeartbeatMs: heartbeatMs } = options;
    app.route("/", createLiveRoutes({ db: services.db, liveEvents, heartbeatMs, logger, metrics }));
  }
  app.route("/", createV1Routes({ services, loadSession }));
  app.route(
    "/",
    createReportRoutes({ services, loadSession, originOf: (c) => appOrigin(c as AppContext, trustProxy, publicUrl) }),
  );
  const guardWrite: MiddlewareHandler = (c, next) =>
    limitBody(maxBodyBytes.trpc)(c, () => csrf(c as AppContext, async () => void (await next())));
  app.route("/", createClientRoutes({ services, loadSession, guardWrite }));
  app.get(
    "/v1/openapi.json",
    describeRoute({
      operationId: "getOpenApiDocument",
      summary: "This document",
      security: [],
      responses: {
        "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } },
      },
    }),
    openApiDocumentHandler(app),
  );

  if (options.webRoot && existsSync(path.join(options.webRoot, "index.html"))) {
    const webRoot = options.webRoot;
    const indexHtml = readFileSync(path.join(webRoot, "index.html"), "utf8");
    // Vite names every asset by its content's hash: cached for a year, never revalidated. Each has a brotli and a
    // gzip twin from the build, sent to browsers that accept them. Source maps stay on the server's disk.
    const assets = serveStatic({ root: webRoot, precompressed: true });
    app.get(
      "/assets/*",
      async (c, next) => {
        if (c.req.path.endsWith(".map")) return next();
        const found = await assets(c, next);
        if (found instanceof Response) {
          found.headers.set("Cache-Control", "public, max-age=31536000, immutable");
          found.headers.set("Vary", "Accept-Encoding");
        }
        return found;
      },
      (c) => {
        throw new AppError("NOT_FOUND", `No asset ${c.req.path}`, { reason: "no_route" });
      },
    );
    app.get("*", (c, next) => {
      const p = c.req.path;
      if (p.startsWith("/v1") || p.startsWith("/webhooks") || p.startsWith("/api/")) return next();
      // The page names the current assets: always revalidated, so a deploy reaches every browser at once.
      c.header("Cache-Control", "no-cache");
      return c.html(indexHtml);
    });
  }

  app.notFound((c) =>
    c.json(
      errorBody(
        new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`, { reason: "no_route" }),
        c.get("requestId"),
      ),
      404,
    ),
  );

  return app;
}

export type App = ReturnType<typeof createApp>;
