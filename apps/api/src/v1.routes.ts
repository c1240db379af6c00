import { type ApiKeyScope, AppError } from "@parley/contracts";
import { slaMetrics, slaPriorities } from "@parley/contracts/billing";
import { type ApiKeyPrincipal, authenticateApiKey } from "@parley/core/api-keys";
import { assertAllowed, type Scope } from "@parley/core/kernel";
import {
  findItems,
  getItemDetail,
  itemDetailView,
  itemListQuery,
  itemPageView,
  itemView,
  type ReadScope,
} from "@parley/core/moderation";
import { getSlaMonth, type SlaMonthView, slaMonthInput } from "@parley/core/sla";
import { type Database, type TenantContext, withTenant } from "@parley/db";
import type { Services } from "@parley/trpc";
import { type Context, Hono, type MiddlewareHandler, type Next } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { errorResponse, jsonResponse, parsed, readErrors, readSecurity, uuidPathParameter } from "./openapi";
import { noteAgency } from "./request-log";
import type { SessionAuth } from "./session-auth";

/**
 * Who is reading: an API key speaks for its agency, or the one client it is restricted to (`scope` null,
 * `clientIds` that client or null); a session for its member (`clientIds` the member's).
 */
export interface ApiPrincipal {
  agencyId: string;
  scope: Scope | null;
  clientIds: readonly string[] | null;
}

export interface ReaderVariables {
  requestId: string;
  auth: Pick<SessionAuth, "session" | "user" | "scope"> | null;
  principal: ApiPrincipal;
}

export interface ReaderAuthenticationOptions {
  db: Database;
  /** What an API key must allow to pass (a session is judged by its role downstream). */
  requiredScope: ApiKeyScope;
  /** The app's cookie-session loader (sets `auth`); reads are GETs, so no Origin check is needed. */
  loadSession: MiddlewareHandler;
}

const bearer = /^Bearer +(\S+)$/i;

/**
 * The API key in `Authorization: Bearer pk_live_…`, when it may do `requiredScope`: 401 for a malformed,
 * unknown, revoked or expired key; 403 naming the scope it lacks.
 */
export async function authenticateBearerKey(
  db: Database,
  input: { authorization: string; requiredScope: ApiKeyScope },
): Promise<ApiKeyPrincipal> {
  const secret = bearer.exec(input.authorization.trim())?.[1];
  const key = secret ? await authenticateApiKey(db, { secret }) : ({ refused: "invalid" } as const);
  if ("refused" in key) {
    throw key.refused === "expired"
      ? new AppError("UNAUTHENTICATED", "The API key has expired", { reason: "api_key_expired" })
      : new AppError("UNAUTHENTICATED", "The API key is malformed, unknown or revoked", {
          reason: "invalid_api_key",
        });
  }
  if (!key.scopes.includes(input.requiredScope)) {
    throw new AppError("FORBIDDEN", `The API key lacks the scope ${input.requiredScope}`, {
      reason: "missing_scope",
      scope: input.requiredScope,
    });
  }
  return key;
}

/**
 * Middleware for every `/v1` read: an agency API key (`Authorization: Bearer pk_live_…`) with the route's
 * scope, or the web app's session cookie, sets `principal`; with neither, or a bad or expired key, 401; a key
 * without the scope, or signed in without an agency, 403.
 */
export function createReaderAuthentication(options: ReaderAuthenticationOptions) {
  const { db, requiredScope } = options;
  return async function authenticateReader(c: Context<{ Variables: ReaderVariables }>, next: Next) {
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const key = await authenticateBearerKey(db, { authorization, requiredScope });
      c.set("principal", { agencyId: key.agencyId, scope: null, clientIds: key.clientId ? [key.clientId] : null });
      noteAgency(c, key.agencyId);
      return await next();
    }
    return await options.loadSession(c, async () => {
      const auth = c.get("auth");
      if (!auth) {
        throw new AppError("UNAUTHENTICATED", "Sign in, or send an API key as `Authorization: Bearer pk_live_…`", {
          reason: "no_credentials",
        });
      }
      const scope = auth.scope;
      if (!scope) throw new AppError("FORBIDDEN", "Choose an agency first", { reason: "no_agency" });
      c.set("principal", { agencyId: scope.agencyId, scope, clientIds: scope.clientIds });
      await next();
    });
  };
}

export interface V1RoutesOptions {
  services: Pick<Services, "db">;
  loadSession: MiddlewareHandler;
}

/**
 * Raw items (hidden, deleted and spam included) are the agency's working material: staff read them, over `/v1` as
 * over tRPC's `items.get`. A client's stakeholders see what is addressed to them (escalations, approvals, SLA
 * reports) in the portal; an agency API key reads for the agency.
 */
const itemReadersOnly: MiddlewareHandler<{ Variables: ReaderVariables }> = async (c, next) => {
  const { scope } = c.get("principal");
  if (scope) assertAllowed(scope, "viewOperations", "Items are read by the agency's staff");
  await next();
};

function readScopeOf(principal: ApiPrincipal): ReadScope {
  return { agencyId: principal.agencyId, clientIds: principal.clientIds };
}

function tenantOfReader(reader: ReadScope): TenantContext {
  return { agencyId: reader.agencyId, clientIds: reader.clientIds, userId: null };
}

/** The item views under the names the document gives them; a page's items refer to `Item`. */
const Item = itemView.meta({ ref: "Item" });
const ItemDetail = itemDetailView.meta({ ref: "ItemDetail" });
const ItemPage = itemPageView.extend({ items: z.array(Item) }).meta({ ref: "ItemPage" });

const SlaMonth = z
  .object({
    clientId: z.uuid(),
    clientName: z.string(),
    month: z.string().describe('"YYYY-MM", a month of the client\'s local dates'),
    timeZone: z.string(),
    asOf: z.iso.datetime(),
    contractInForce: z.boolean(),
    targets: z.array(
      z.object({
        priority: z.enum(slaPriorities),
        metric: z.enum(slaMetrics),
        decided: z.number().int().describe("clocks stopped, or past due: the ones the month is judged on so far"),
        met: z.number().int(),
        pending: z.number().int().describe("clocks still running within their target (or paused)"),
        attainmentPercent: z.number().nullable(),
        targetPercent: z.number().nullable(),
        targetMinutes: z.number().nullable(),
      }),
    ),
  })
  .meta({ ref: "SlaMonth" }) satisfies z.ZodType<Omit<SlaMonthView, "asOf"> & { asOf: string }>;

/** The public item and report reads. */
export function createV1Routes(options: V1RoutesOptions) {
  const { db } = options.services;
  const app = new Hono<{ Variables: ReaderVariables }>();
  const authenticateReader = createReaderAuthentication({
    db,
    requiredScope: "items:read",
    loadSession: options.loadSession,
  });

  app.get(
    "/v1/items",
    describeRoute({
      operationId: "listItems",
      summary: "Items, newest first",
      description:
        "Keyset-paginated on (receivedAt, id): follow `nextCursor` until it is null. A session sees the " +
        "clients its member works on; an API key sees every client of its agency.",
      security: readSecurity("items:read"),
      responses: {
        "200": jsonResponse("A page of items", ItemPage),
        "400": errorResponse("A query parameter is invalid (named in `details.fields`)"),
        ...readErrors,
        "404": errorResponse("`clientId` names no client you can see"),
      },
    }),
    authenticateReader,
    itemReadersOnly,
    parsed("query", itemListQuery),
    async (c) => {
      const reader = readScopeOf(c.get("principal"));
      const query = c.req.valid("query");
      return c.json(await withTenant(db, tenantOfReader(reader), (tx) => findItems(reader, tx, query)));
    },
  );

  app.get(
    "/v1/items/:id",
    describeRoute({
      operationId: "getItem",
      summary: "One item, with a summary of the replies on it",
      security: readSecurity("items:read"),
      parameters: [uuidPathParameter("id")],
      responses: {
        "200": jsonResponse("The item", ItemDetail),
        ...readErrors,
        "404": errorResponse("No such item in your scope (also for another agency's item or a malformed id)"),
      },
    }),
    authenticateReader,
    itemReadersOnly,
    async (c) => {
      const reader = readScopeOf(c.get("principal"));
      const itemId = c.req.param("id") ?? "";
      return c.json(await withTenant(db, tenantOfReader(reader), (tx) => getItemDetail(reader, tx, { itemId })));
    },
  );

  const authenticateReportReader = createReaderAuthentication({
    db,
    requiredScope: "reports:read",
    loadSession: options.loadSession,
  });
  app.get(
    "/v1/reports/sla-month",
    describeRoute({
      operationId: "getSlaMonth",
      summary: "A client's month of SLA results against its contract's targets, as its invoice will count them",
      description: "`month` defaults to the current month in the client's time zone.",
      security: readSecurity("reports:read"),
      responses: {
        "200": jsonResponse("The month's results per priority and metric", SlaMonth),
        "400": errorResponse("A query parameter is invalid (named in `details.fields`)"),
        ...readErrors,
        "404": errorResponse("`clientId` names no client you can see"),
      },
    }),
    authenticateReportReader,
    parsed("query", slaMonthInput),
    async (c) => {
      const reader = readScopeOf(c.get("principal"));
      const query = c.req.valid("query");
      return c.json(await withTenant(db, tenantOfReader(reader), (tx) => getSlaMonth(reader, tx, query)));
    },
  );

  return app;
}
