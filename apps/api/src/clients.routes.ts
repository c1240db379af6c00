import { AppError, uuid } from "@parley/contracts";
import { contractInForceView, getContractInForce } from "@parley/core/billing";
import { assertAllowed, systemClock } from "@parley/core/kernel";
import { businessCalendarSchema, businessHoursView, getBusinessHours, saveBusinessHours } from "@parley/core/sla";
import { withTenant } from "@parley/db";
import type { Services } from "@parley/trpc";
import { Hono, type MiddlewareHandler } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { errorResponse, jsonResponse, parsed, readErrors, readSecurity, uuidPathParameter } from "./openapi";
import { createReaderAuthentication, type ReaderVariables } from "./v1.routes";

export interface ClientRoutesOptions {
  services: Pick<Services, "db" | "now">;
  loadSession: MiddlewareHandler;
  /** The app's body limit and same-origin check for cookie-authenticated writes. */
  guardWrite: MiddlewareHandler;
}

const BusinessHours = businessHoursView.meta({ ref: "BusinessHours" });
const businessHoursBody = z
  .object({
    effectiveFrom: z
      .string({ message: 'must be a date "YYYY-MM-DD"' })
      .describe("the client's local date the hours apply from: today or later (today: from now on)"),
    calendar: businessCalendarSchema
      .nullable()
      .describe(
        'time zone, weekly spans per weekday ("HH:MM" pairs; several a day; an end before the start runs overnight; ' +
          '"24:00" ends the day), holidays (dates) and date overrides; null = around the clock',
      ),
  })
  .meta({ ref: "BusinessHoursChange" });
const contractQuery = z.object({
  at: z.iso
    .datetime({ offset: true, message: "must be an ISO 8601 instant such as 2026-11-20T10:00:00Z" })
    .optional()
    .describe("the instant (default: now); the contract whose period holds the client's local date then"),
});

/**
 * A client's business hours and contract in force over `/v1`. Reads take an API key with `reports:read` (a
 * client-restricted key: its client only) or the session; changing the hours takes an owner's or admin's session
 * (API keys are read-only).
 */
export function createClientRoutes(options: ClientRoutesOptions) {
  const { db } = options.services;
  const now = options.services.now ?? systemClock;
  const app = new Hono<{ Variables: ReaderVariables }>();
  const authenticateReader = createReaderAuthentication({
    db,
    requiredScope: "reports:read",
    loadSession: options.loadSession,
  });
  const clientIdOf = (raw: string | undefined) => {
    const parsedId = uuid.safeParse(raw);
    if (!parsedId.success) throw new AppError("NOT_FOUND", "Client not found", { reason: "client_not_found" });
    return parsedId.data;
  };
  const readerOf = (principal: ReaderVariables["principal"]) => {
    if (principal.scope) assertAllowed(principal.scope, "manageAccounts");
    return { agencyId: principal.agencyId, clientIds: principal.clientIds };
  };

  app.get(
    "/v1/clients/:id/business-hours",
    describeRoute({
      operationId: "getBusinessHours",
      summary: "A client's business hours: the version in force, those planned, and the next 14 days",
      security: readSecurity("reports:read"),
      parameters: [uuidPathParameter("id")],
      responses: {
        "200": jsonResponse("The client's business hours", BusinessHours),
        ...readErrors,
        "404": errorResponse("No such client in your scope"),
      },
    }),
    authenticateReader,
    async (c) => {
      const reader = readerOf(c.get("principal"));
      const clientId = clientIdOf(c.req.param("id"));
      return c.json(
        await withTenant(db, { ...reader, userId: null }, (tx) =>
          getBusinessHours(reader, tx, { clientId }, options.services),
        ),
      );
    },
  );

  app.put(
    "/v1/clients/:id/business-hours",
    describeRoute({
      operationId: "setBusinessHours",
      summary: "Sets a client's business hours from a date on (a new version; the past keeps its hours)",
      description:
        "Clocks already running keep the calendar they started with; items arriving from `effectiveFrom` on run on " +
        "the new hours, and a month is always judged by the hours in force during it. Owners and admins, with the " +
        "session cookie (an API key is read-only).",
      security: [{ sessionCookie: [] }],
      parameters: [uuidPathParameter("id")],
      responses: {
        "200": jsonResponse("The client's business hours after the change", BusinessHours),
        "400": errorResponse("A field is invalid (named in `details.fields`)"),
        ...readErrors,
        "404": errorResponse("No such client in your scope"),
      },
    }),
    options.guardWrite,
    authenticateReader,
    parsed("json", businessHoursBody),
    async (c) => {
      const { scope } = c.get("principal");
      if (!scope) throw new AppError("FORBIDDEN", "API keys are read-only", { reason: "api_key_read_only" });
      const clientId = clientIdOf(c.req.param("id"));
      const body = c.req.valid("json");
      const tenant = { agencyId: scope.agencyId, clientIds: scope.clientIds, userId: scope.actorId };
      return c.json(
        await withTenant(db, tenant, (tx) => saveBusinessHours(scope, tx, { ...body, clientId }, options.services)),
      );
    },
  );

  app.get(
    "/v1/clients/:clientId/contract",
    describeRoute({
      operationId: "getContractInForce",
      summary: "The client's contract in force at an instant, with the SLA targets its clocks run on",
      security: readSecurity("reports:read"),
      parameters: [uuidPathParameter("clientId")],
      responses: {
        "200": jsonResponse("The contract in force", contractInForceView),
        "400": errorResponse("`at` is not an instant"),
        ...readErrors,
        "404": errorResponse("No such client in your scope, or no contract in force then (`no_contract_in_force`)"),
      },
    }),
    authenticateReader,
    parsed("query", contractQuery),
    async (c) => {
      const reader = readerOf(c.get("principal"));
      const clientId = clientIdOf(c.req.param("clientId"));
      const { at } = c.req.valid("query");
      return c.json(
        await withTenant(db, { ...reader, userId: null }, (tx) =>
          getContractInForce(reader, tx, { clientId, at: at ? new Date(at) : now() }),
        ),
      );
    },
  );

  return app;
}
