import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";

/** What the request log reads from a request's context, set by whoever learns it (session, API key, channel). */
export interface RequestLogVariables {
  requestId: string;
  /** The agency the request acted for, once known. */
  logAgencyId?: string;
}

/** Records the agency a request acts for, for its log line. */
export function noteAgency(c: Context, agencyId: string | null | undefined): void {
  if (agencyId) (c as Context<{ Variables: RequestLogVariables }>).set("logAgencyId", agencyId);
}

/**
 * The route a request matched, as registered (`/v1/channels/:channelId/items`): bounded, and free of ids and
 * text. tRPC calls name their procedure (`/trpc/queue.claimNext`) when it is one the router has; a batch of
 * several is `/trpc/(batch)`.
 */
function routeOf(c: Context, procedures: ReadonlySet<string>): { route: string; procedures?: string[] } {
  const route = routePath(c);
  if (!c.req.path.startsWith("/trpc/")) return { route };
  const names = decodeURIComponent(c.req.path.slice("/trpc/".length)).split(",");
  const known = names.filter((name) => procedures.has(name));
  if (known.length !== names.length) return { route: "/trpc/(unknown)" };
  return { route: known.length === 1 ? `/trpc/${known[0]}` : "/trpc/(batch)", procedures: known };
}

/** What load balancers and Prometheus call every few seconds: logged at debug level (still in the metrics). */
const probes = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * One log line per request, when its response is ready: method, route, status, duration, request id, agency id
 * — never a header, a query string or a body. 5xx at error level, health checks and scrapes at debug, the rest at
 * info. The same observation goes to the HTTP histogram of the metrics.
 */
export function logRequests(options: {
  logger: Logger;
  metrics: Metrics;
  procedures: ReadonlySet<string>;
}): MiddlewareHandler<{ Variables: RequestLogVariables }> {
  const { logger, metrics } = options;
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const { route, procedures } = routeOf(c, options.procedures);
    const status = c.res.status;
    metrics.httpRequests.observe({ method: c.req.method, route, status: String(status) }, seconds);
    const line = {
      method: c.req.method,
      route,
      ...(procedures && procedures.length > 1 ? { procedures } : {}),
      status,
      durationMs: Math.round(seconds * 10_000) / 10,
      requestId: c.get("requestId"),
      agencyId: c.get("logAgencyId") ?? null,
    };
    const message = `${line.method} ${route} ${status} ${line.durationMs} ms`;
    if (status >= 500) logger.error(line, message);
    else if (probes.has(route)) logger.debug(line, message);
    else logger.info(line, message);
  };
}
