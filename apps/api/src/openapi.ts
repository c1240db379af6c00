import { sessionCookieName } from "@parley/auth";
import { type ApiKeyScope, apiKeyScopes, appErrorCodes, badInput } from "@parley/contracts";
import type { Env, Hono, ValidationTargets } from "hono";
import { type DescribeRouteOptions, openAPIRouteHandler, resolver, validator } from "hono-openapi";
import { z } from "zod";

/**
 * The OpenAPI 3.1 document of `/v1`, generated from the routes themselves: each route carries its documentation
 * (`describeRoute`) beside its handler, with the zod schemas it parses with (`parsed`) and answers with
 * (`jsonContent`), and `GET /v1/openapi.json` walks the app's routes. A `/v1` route registered without
 * documentation is missing from the document, which tests/api/openapi.int.test.ts refuses.
 */

/** The one error shape every route answers with. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(appErrorCodes),
      message: z.string(),
      details: z
        .looseObject({
          reason: z.string().optional(),
          fields: z
            .record(z.string(), z.string())
            .optional()
            .describe("bad field or query parameter (dotted path) → what is wrong with it"),
        })
        .describe("machine-readable cause; `fields` names each bad input"),
      requestId: z.string().describe("also in the `x-request-id` response header"),
    }),
  })
  .meta({ ref: "Error" });

export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: resolver(errorSchema) } } };
}

export function jsonResponse(description: string, schema: z.ZodType) {
  return { description, content: { "application/json": { schema: resolver(schema) } } };
}

/** Reads take an agency API key with `scope` (OpenAPI 3.1 lists a bearer scheme's required scopes) or the session cookie. */
export function readSecurity(scope: ApiKeyScope): Array<Record<string, string[]>> {
  return [{ bearerAuth: [scope] }, { sessionCookie: [] }];
}
export const readErrors = {
  "401": errorResponse("No session cookie and no API key, or an unknown, revoked or expired key (`api_key_expired`)"),
  "403": errorResponse(
    "An API key without the route's scope (`missing_scope`, `details.scope` names it); signed in, but no agency " +
      "chosen (items: or signed in as a client's stakeholder)",
  ),
};

export function pathParameter(name: string, schema: Record<string, unknown>, description?: string) {
  return { name, in: "path" as const, required: true, ...(description ? { description } : {}), schema };
}

export const uuidPathParameter = (name: string) => pathParameter(name, { type: "string", format: "uuid" });

export type RouteDocumentation = DescribeRouteOptions;

/**
 * Parses (and documents) a request part with `schema`; bad input is the app's 400 naming each field, as
 * everywhere else. Read the result with `c.req.valid(target)`.
 */
export function parsed<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return validator(target, schema, (result) => {
    if (!result.success) {
      throw badInput(
        result.error.map((issue) => ({
          path: (issue.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment)),
          message: issue.message,
        })),
      );
    }
  });
}

/** `GET /v1/openapi.json`: the document of every documented route of `app`. */
export function openApiDocumentHandler<E extends Env>(app: Hono<E>) {
  return openAPIRouteHandler(app, {
    // `/v1/openapi.json` is a route like any other, not a static file to leave out.
    excludeStaticFile: false,
    documentation: {
      openapi: "3.1.0",
      info: {
        title: "Parley public API",
        version: "1.0.0",
        description:
          "Read items with an agency API key (`Authorization: Bearer pk_live_…`, created by an agency admin) or the " +
          "web app's session cookie; push items into a channel with its HMAC-signed ingest endpoint. Every error " +
          "has the shape `{ error: { code, message, details, requestId } }`, with bad fields in `details.fields`.",
      },
      servers: [{ url: "/" }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "pk_live_…",
            description:
              `Agency API key, made under Admin → API keys with scopes (${apiKeyScopes.join(", ")}), optionally ` +
              "restricted to one client (it then sees only that client's items and invoices) and with an expiry. " +
              "Each route lists the scope it needs; a key without it gets 403 `missing_scope`.",
          },
          sessionCookie: { type: "apiKey", in: "cookie", name: sessionCookieName, description: "Web app session" },
        },
      },
    },
  });
}
