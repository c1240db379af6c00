import type { Session, SessionUser } from "@parley/auth";
import { AppError } from "@parley/contracts";
import { resolveScope } from "@parley/core/agencies";
import { authenticateApiKey } from "@parley/core/api-keys";
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
import { type Database, type TenantContext, withTenant } from "@parley/db";
import type { Services } from "@parley/trpc";
import { type Context, Hono, type MiddlewareHandler, type Next } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { errorResponse, jsonResponse, parsed, readErrors, readSecurity, uuidPathParameter } from "./openapi";
import { noteAgency } from "./request-log";

/** Who is reading: an API key speaks for its whole agency (`scope` null, read-only); a session for its member. */
export interface ApiPrincipal {
  agencyId: string;
  scope: Scope | null;
}

export interface ReaderVariables {
  requestId: string;
  auth: { session: Session; user: SessionUser } | null;
  principal: ApiPrincipal;
}

export interface ReaderAuthenticationOptions {
  db: Database;
  /** The app's cookie-session loader (sets `auth`); reads are GETs, so no Origin check is needed. */
  loadSession: MiddlewareHandler;
}

const bearer = /^Bearer +(\S+)$/i;

/**
 * Middleware for every `/v1` read: an agency API key (`Authorization: Bearer pk_live_…`) or the web app's
 * session cookie sets `principal`; with neither, or a bad key, 401; signed in without an agency, 403.
 */
export function createReaderAuthentication(options: ReaderAuthenticationOptions) {
  const { db } = options;
  return async function authenticateReader(c: Context<{ Variables: ReaderVariables }>, next: Next) {
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const secret = bearer.exec(authorization.trim())?.[1];
      const key = secret ? await authenticateApiKey(db, { secret }) : null;
      if (!key) {
        throw new AppError("UNAUTHENTICATED", "The API key is malformed, unknown or revoked", {
          reason: "invalid_api_key",
        });
      }
      c.set("principal", { agencyId: key.agencyId, scope: null });
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
      const agencyId = auth.session.currentAgencyId;
      const scope = agencyId ? await resolveScope(db, { userId: auth.user.id, agencyId }) : null;
      if (!scope) throw new AppError("FORBIDDEN", "Choose an agency first", { reason: "no_agency" });
      c.set("principal", { agencyId: scope.agencyId, scope });
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
  return { agencyId: principal.agencyId, clientIds: principal.scope?.clientIds ?? null };
}

function tenantOfReader(reader: ReadScope): TenantContext {
  return { agencyId: reader.agencyId, clientIds: reader.clientIds, userId: null };
}

/** The item views under the names the document gives them; a page's items refer to `Item`. */
const Item = itemView.meta({ ref: "Item" });
const ItemDetail = itemDetailView.meta({ ref: "ItemDetail" });
const ItemPage = itemPageView.extend({ items: z.array(Item) }).meta({ ref: "ItemPage" });

/** The public item reads. */
export function createV1Routes(options: V1RoutesOptions) {
  const { db } = options.services;
  const app = new Hono<{ Variables: ReaderVariables }>();
  const authenticateReader = createReaderAuthentication({ db, loadSession: options.loadSession });

  app.get(
    "/v1/items",
    describeRoute({
      operationId: "listItems",
      summary: "Items, newest first",
      description:
        "Keyset-paginated on (receivedAt, id): follow `nextCursor` until it is null. A session sees the " +
        "clients its member works on; an API key sees every client of its agency.",
      security: readSecurity,
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
      security: readSecurity,
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

  return app;
}
