import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { trpcServer } from "@hono/trpc-server";
import {
  invalidateSession,
  type Session,
  type SessionUser,
  sessionCookieAttributes,
  sessionCookieName,
  signIn,
  validateSessionToken,
} from "@parley/auth";
import { AppError, badInput, httpStatusOf, loginInput } from "@parley/contracts";
import { getMe, resolveScope, type Scope } from "@parley/core/agencies";
import { createClaimBatcher } from "@parley/core/moderation";
import { appErrorOf, appRouter, type Context, type Services } from "@parley/trpc";
import { sql } from "drizzle-orm";
import { Hono, type Context as HonoContext } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { createIngestRoutes } from "./ingest.routes";
import { createInvoiceRoutes } from "./invoices.routes";
import { createLiveRoutes, type LiveEventSource } from "./live.routes";
import { createV1Routes } from "./v1.routes";

export interface AppOptions {
  services: Services;
  trustProxy?: boolean;
  /** Built web app to serve at / (apps/web/dist); omitted in API-only tests. */
  webRoot?: string;
  log?: (line: string, extra?: unknown) => void;
  /** The process's LISTEN on live events; without it there is no `GET /events`. */
  liveEvents?: LiveEventSource;
  liveHeartbeatMs?: number;
  /** The Meta Graph API base (`META_GRAPH_BASE_URL`): Instagram @mentions are read from it. */
  metaGraphBaseUrl?: string;
}

interface Variables {
  requestId: string;
  auth: { session: Session; user: SessionUser; token: string } | null;
}

type AppContext = HonoContext<{ Variables: Variables }>;

function errorBody(error: AppError, requestId: string) {
  return { error: { code: error.code, message: error.message, details: error.details, requestId } };
}

function clientIp(c: AppContext, trustProxy: boolean): string {
  const forwarded = trustProxy ? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
}

function isHttps(c: AppContext, trustProxy: boolean): boolean {
  if (trustProxy && c.req.header("x-forwarded-proto") === "https") return true;
  return new URL(c.req.url).protocol === "https:";
}

/** Cookie-authenticated mutations must come from our own origin (CSRF). */
function assertSameOrigin(c: AppContext): void {
  const origin = c.req.header("origin");
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  if (!origin) throw new AppError("FORBIDDEN", "Missing Origin header", { reason: "csrf_origin_missing" });
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError("FORBIDDEN", "Malformed Origin header", { reason: "csrf_origin_mismatch" });
  }
  if (originHost !== host)
    throw new AppError("FORBIDDEN", "Cross-origin request refused", { reason: "csrf_origin_mismatch" });
}

export function createApp(options: AppOptions) {
  const { services } = options;
  const clock = services.clock;
  const claims = createClaimBatcher(services.db, clock ? { now: () => clock.now() } : {});
  const trustProxy = options.trustProxy ?? false;
  const log = options.log ?? ((line, extra) => console.error(line, extra ?? ""));
  const app = new Hono<{ Variables: Variables }>();

  app.use(async (c, next) => {
    c.set("requestId", c.req.header("x-request-id") ?? randomUUID());
    c.header("x-request-id", c.get("requestId"));
    await next();
  });
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
    if (appError.code === "INTERNAL") log(`[${c.get("requestId")}] unhandled error`, error);
    const retryAfter = appError.details.retryAfterSeconds;
    if (typeof retryAfter === "number") c.header("Retry-After", String(retryAfter));
    return c.json(errorBody(appError, c.get("requestId")), httpStatusOf[appError.code] as 400);
  });

  // Session from the cookie, for /auth and /trpc.
  const loadSession = async (c: AppContext, next: () => Promise<void>) => {
    const token = getCookie(c, sessionCookieName);
    const found = token ? await validateSessionToken(services.db, token) : null;
    c.set("auth", found && token ? { ...found, token } : null);
    if (token && !found) deleteCookie(c, sessionCookieName, { path: "/" });
    if (found && token) {
      setCookie(
        c,
        sessionCookieName,
        token,
        sessionCookieAttributes({ secure: isHttps(c, trustProxy), expiresAt: found.session.expiresAt }),
      );
    }
    await next();
  };
  const csrf = async (c: AppContext, next: () => Promise<void>) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") assertSameOrigin(c);
    await next();
  };
  app.use("/auth/*", csrf, loadSession);
  app.use("/trpc/*", csrf, loadSession);
  app.use("/events", loadSession);

  app.get("/healthz", async (c) => {
    try {
      await services.db.execute(sql`select 1`);
      return c.json({ ok: true, db: "up" });
    } catch {
      return c.json({ ok: false, db: "down" }, 503);
    }
  });

  app.post("/auth/login", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError("BAD_INPUT", "Request body is not valid JSON", { reason: "malformed_json" });
    }
    const parsed = loginInput.safeParse(body);
    if (!parsed.success) throw badInput(parsed.error.issues);
    const previous = c.get("auth");
    if (previous) await invalidateSession(services.db, previous.session.id);
    const { token, session } = await signIn(services.db, { ...parsed.data, ip: clientIp(c, trustProxy) });
    setCookie(
      c,
      sessionCookieName,
      token,
      sessionCookieAttributes({ secure: isHttps(c, trustProxy), expiresAt: session.expiresAt }),
    );
    return c.json({
      me: await getMe(services.db, { userId: session.userId, currentAgencyId: session.currentAgencyId }),
    });
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
    });
  });

  app.use(
    "/trpc/*",
    trpcServer({
      endpoint: "/trpc",
      router: appRouter,
      createContext: async (_opts, c) => {
        const auth = (c as AppContext).get("auth");
        let scope: Scope | null = null;
        if (auth?.session.currentAgencyId) {
          scope = await resolveScope(services.db, {
            userId: auth.user.id,
            agencyId: auth.session.currentAgencyId,
            ip: clientIp(c as AppContext, trustProxy),
          });
        }
        const context: Context = {
          services,
          claims,
          requestId: (c as AppContext).get("requestId"),
          session: auth
            ? { id: auth.session.id, userId: auth.user.id, currentAgencyId: auth.session.currentAgencyId }
            : null,
          scope,
        };
        return context as unknown as Record<string, unknown>;
      },
      onError: ({ error, ctx }) => {
        if (appErrorOf(error).code === "INTERNAL")
          log(`[${(ctx as Context | undefined)?.requestId}] trpc error`, error);
      },
    }),
  );

  // Inbound items: generic signed ingest (/v1) and platform webhooks (/webhooks/*).
  app.route("/", createIngestRoutes({ services, log, metaGraphBaseUrl: options.metaGraphBaseUrl }));
  app.route("/", createInvoiceRoutes({ services, loadSession }));
  if (options.liveEvents) {
    const { liveEvents, liveHeartbeatMs: heartbeatMs } = options;
    app.route("/", createLiveRoutes({ db: services.db, liveEvents, heartbeatMs, log }));
  }
  app.route("/", createV1Routes({ services, loadSession }));

  if (options.webRoot && existsSync(path.join(options.webRoot, "index.html"))) {
    const webRoot = options.webRoot;
    const indexHtml = readFileSync(path.join(webRoot, "index.html"), "utf8");
    app.use("/assets/*", serveStatic({ root: path.relative(process.cwd(), webRoot) }));
    app.get("*", (c, next) => {
      const p = c.req.path;
      if (p.startsWith("/v1") || p.startsWith("/webhooks") || p.startsWith("/api/")) return next();
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
