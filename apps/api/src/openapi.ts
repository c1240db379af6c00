import { sessionCookieName } from "@parley/auth";
import { inboundItemEvent, maxBatchItems, maxTimestampSkewSeconds } from "@parley/connectors";
import { appErrorCodes } from "@parley/contracts";
import { invoiceListInput } from "@parley/core/billing";
import { itemDetailView, itemListQuery, itemPageView, itemView } from "@parley/core/moderation";
import { schema } from "@parley/db";
import { z } from "zod";
import { maxIngestBodyBytes } from "./ingest.routes";

type JsonSchema = Record<string, unknown>;

/** Zod → JSON Schema 2020-12 (what OpenAPI 3.1 uses); dates travel as ISO-8601 strings. */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "date") Object.assign(jsonSchema, { type: "string", format: "date-time" });
      // The format says it; zod's long regexes only make the document harder to read.
      if (jsonSchema.format) delete jsonSchema.pattern;
    },
  });
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const errorSchema = z.object({
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
});

const ingestResult = z.object({
  received: z.number().int(),
  created: z.number().int(),
  duplicates: z.number().int().describe("events that changed nothing (redelivered, or a removal already recorded)"),
  edited: z.number().int(),
  removed: z.number().int(),
  restored: z.number().int().describe("removed items the delivery brought back (an upsert after a removal)"),
  byBrand: z.number().int().describe('new items marked `"byBrand": true`: stored on their thread, never queued'),
  deliveriesConfirmed: z
    .number()
    .int()
    .describe("Parley replies echoed back (a brand item whose externalId is the id the reply was published with)"),
  items: z.array(z.object({ externalId: z.string(), id: z.uuid(), created: z.boolean() })),
});

/** The invoice view as the routes answer it (core keeps it as a TypeScript interface; these are its fields). */
const invoiceView = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  clientName: z.string(),
  kind: z.enum(schema.invoiceKinds),
  status: z.enum(schema.invoiceStatuses),
  period: z.string().describe('the client\'s month, "YYYY-MM"'),
  periodStart: z.string().describe("local date, YYYY-MM-DD"),
  periodEnd: z.string().describe("local date, YYYY-MM-DD (exclusive)"),
  currency: z.string().describe("ISO 4217"),
  feesMinor: z.number().int().describe("integer minor units of `currency`"),
  creditsMinor: z.number().int(),
  totalMinor: z.number().int(),
  number: z.string().nullable().describe("set when finalized"),
  correctsInvoiceId: z.uuid().nullable().describe("credit notes: the invoice they correct"),
  finalizedAt: z.date().nullable(),
  stripeInvoiceId: z.string().nullable(),
  paymentStatus: z.enum(schema.paymentStatuses),
  updatedAt: z.date(),
});
const invoiceDetailView = invoiceView.extend({
  issuedOn: z.string().nullable().describe("finalized invoices: the issue date, the client's local date YYYY-MM-DD"),
  dueOn: z
    .string()
    .nullable()
    .describe("finalized invoices: the due date, issue date + the contract's payment terms (YYYY-MM-DD)"),
  lines: z.array(
    z.looseObject({
      position: z.number().int(),
      kind: z.string(),
      description: z.string(),
      quantity: z.number(),
      unitPriceMinor: z.number().int(),
      amountMinor: z.number().int(),
    }),
  ),
  evidence: z.looseObject({}).describe("SLA summary, volume, pending clocks and contract the lines were computed from"),
});

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ref("Error") } },
});
const jsonResponse = (description: string, schema: JsonSchema) => ({
  description,
  content: { "application/json": { schema } },
});

const readSecurity = [{ bearerAuth: [] }, { sessionCookie: [] }];
const readErrors = {
  "401": errorResponse("No session cookie and no API key, or an unknown or revoked key"),
  "403": errorResponse("Signed in, but no agency chosen (items: or signed in as a client's stakeholder)"),
};

function queryParameters(schema: z.ZodObject): JsonSchema[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const fieldSchema = jsonSchemaOf(field as z.ZodType, "input");
    const { description, ...rest } = fieldSchema;
    return { name, in: "query", required: false, ...(description ? { description } : {}), schema: rest };
  });
}

/**
 * The OpenAPI 3.1 document of every `/v1` route, built from the same zod schemas the routes parse with.
 * tests/api checks it against the routes registered on the app, so it cannot drift.
 */
export function buildOpenApiDocument() {
  return {
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
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "pk_live_…", description: "Agency API key" },
        sessionCookie: { type: "apiKey", in: "cookie", name: sessionCookieName, description: "Web app session" },
      },
      schemas: {
        Error: jsonSchemaOf(errorSchema, "output"),
        Item: jsonSchemaOf(itemView, "output"),
        ItemDetail: jsonSchemaOf(itemDetailView, "output"),
        ItemPage: jsonSchemaOf(itemPageView, "output"),
        IngestItem: jsonSchemaOf(inboundItemEvent, "input"),
        IngestResult: jsonSchemaOf(ingestResult, "output"),
        Invoice: jsonSchemaOf(invoiceView, "output"),
        InvoiceDetail: jsonSchemaOf(invoiceDetailView, "output"),
      },
    },
    paths: {
      "/v1/items": {
        get: {
          operationId: "listItems",
          summary: "Items, newest first",
          description:
            "Keyset-paginated on (receivedAt, id): follow `nextCursor` until it is null. A session sees the " +
            "clients its member works on; an API key sees every client of its agency.",
          security: readSecurity,
          parameters: queryParameters(itemListQuery),
          responses: {
            "200": jsonResponse("A page of items", ref("ItemPage")),
            "400": errorResponse("A query parameter is invalid (named in `details.fields`)"),
            ...readErrors,
            "404": errorResponse("`clientId` names no client you can see"),
          },
        },
      },
      "/v1/items/{id}": {
        get: {
          operationId: "getItem",
          summary: "One item, with a summary of the replies on it",
          security: readSecurity,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
          responses: {
            "200": jsonResponse("The item", ref("ItemDetail")),
            ...readErrors,
            "404": errorResponse("No such item in your scope (also for another agency's item or a malformed id)"),
          },
        },
      },
      "/v1/channels/{channelId}/items": {
        post: {
          operationId: "ingestItems",
          summary: "Push items into a channel (generic signed ingest)",
          description:
            `One item, or \`{ "items": [...] }\` with 1 to ${maxBatchItems}. Idempotent per (channel, externalId): ` +
            'a redelivery changes nothing; new text is an edit; `"op": "remove"` records a removal, and an upsert after ' +
            "a removal restores the item. `createdAt` must lie between 2000-01-01 and a day after the server's clock. " +
            'Mark your brand\'s own messages (e.g. your echo of a reply Parley sent you) `"byBrand": true`: they are ' +
            "stored on their thread and never queued.",
          security: [],
          parameters: [
            { name: "channelId", in: "path", required: true, schema: { type: "string", format: "uuid" } },
            {
              name: "X-Parley-Timestamp",
              in: "header",
              required: true,
              description: `Unix seconds; refused when more than ${maxTimestampSkewSeconds} s from the server's clock`,
              schema: { type: "string", pattern: "^\\d{1,15}$" },
            },
            {
              name: "X-Parley-Signature",
              in: "header",
              required: true,
              description:
                "`sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>`, keyed with the channel's ingest secret",
              schema: { type: "string", pattern: "^sha256=[0-9a-f]{64}$" },
            },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    ref("IngestItem"),
                    {
                      type: "object",
                      properties: {
                        items: { type: "array", items: ref("IngestItem"), minItems: 1, maxItems: maxBatchItems },
                      },
                      required: ["items"],
                    },
                  ],
                },
              },
            },
          },
          responses: {
            "200": jsonResponse("What the delivery changed, item by item", ref("IngestResult")),
            "400": errorResponse("Malformed JSON or an invalid item (every bad field named, nothing stored)"),
            "401": errorResponse("Missing, wrong or stale signature (nothing stored)"),
            "404": errorResponse("No such channel"),
            "413": errorResponse(`Body over ${maxIngestBodyBytes} bytes or more than ${maxBatchItems} items`),
          },
        },
      },
      "/v1/invoices": {
        get: {
          operationId: "listInvoices",
          summary: "Invoices and credit notes, newest period first",
          description:
            "An API key sees every invoice of its agency; a session: owners, admins and account managers their " +
            "clients' invoices, stakeholders their own client's finalized ones.",
          security: readSecurity,
          parameters: queryParameters(invoiceListInput),
          responses: {
            "200": jsonResponse("The invoices", { type: "array", items: ref("Invoice") }),
            "400": errorResponse("A query parameter is invalid (named in `details.fields`)"),
            ...readErrors,
          },
        },
      },
      "/v1/invoices/{ref}": {
        get: {
          operationId: "getInvoice",
          summary:
            "One invoice: JSON with lines and evidence, or its lines as CSV (`<id>.csv`) or the PDF (`<id>.pdf`)",
          security: readSecurity,
          parameters: [
            {
              name: "ref",
              in: "path",
              required: true,
              description: "the invoice id, optionally followed by `.csv` or `.pdf`",
              schema: { type: "string", pattern: "^[0-9a-fA-F-]{36}(\\.(csv|pdf))?$" },
            },
          ],
          responses: {
            "200": {
              description: "The invoice",
              content: {
                "application/json": { schema: ref("InvoiceDetail") },
                "text/csv": { schema: { type: "string" } },
                "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf" } },
              },
            },
            "400": errorResponse("`ref` does not start with a UUID"),
            ...readErrors,
            "404": errorResponse("No such invoice visible to you"),
          },
        },
      },
      "/v1/invoices/{id}/evidence.csv": {
        get: {
          operationId: "getInvoiceEvidence",
          summary: "The SLA clocks behind an invoice's service credits, as CSV",
          security: readSecurity,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
          responses: {
            "200": { description: "One row per clock", content: { "text/csv": { schema: { type: "string" } } } },
            "400": errorResponse("`id` is not a UUID"),
            ...readErrors,
            "404": errorResponse("No such invoice visible to you"),
          },
        },
      },
      "/v1/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document",
          security: [],
          responses: { "200": jsonResponse("OpenAPI 3.1", { type: "object" }) },
        },
      },
    },
  };
}
