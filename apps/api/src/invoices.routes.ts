import { createStripeGateway } from "@parley/connectors/stripe";
import { AppError, badInput, uuid } from "@parley/contracts";
import type { StripeGateway } from "@parley/contracts/billing";
import {
  getInvoice,
  getInvoiceClockEvidence,
  getInvoiceFileDocument,
  type InvoiceReader,
  invoiceDetailView,
  invoiceListInput,
  invoiceReaderOf,
  invoiceView,
  listInvoices,
  receiveStripeWebhook,
} from "@parley/core/billing";
import { type Transaction, withTenant } from "@parley/db";
import { renderInvoiceEvidenceCsv, renderInvoiceLinesCsv, renderInvoicePdf } from "@parley/documents";
import type { Services } from "@parley/trpc";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { describeRoute, resolver } from "hono-openapi";
import { z } from "zod";
import type { Env } from "./env";
import {
  errorResponse,
  jsonResponse,
  parsed,
  pathParameter,
  readErrors,
  readSecurity,
  uuidPathParameter,
} from "./openapi";
import { createReaderAuthentication, type ReaderVariables } from "./v1.routes";

const Invoice = invoiceView.meta({ ref: "Invoice" });
const InvoiceDetail = invoiceDetailView.meta({ ref: "InvoiceDetail" });

export interface InvoiceRoutesOptions {
  services: Pick<Services, "db" | "stripe">;
  /** The app's cookie-session loader (sets `auth`). */
  loadSession: MiddlewareHandler;
}

/** The Stripe adapter from the environment, or null when STRIPE_SECRET_KEY is unset. */
export function createStripeGatewayFromEnv(env: Env): StripeGateway | null {
  if (!env.STRIPE_SECRET_KEY) return null;
  return createStripeGateway({
    secretKey: env.STRIPE_SECRET_KEY,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    apiBase: env.STRIPE_API_BASE,
  });
}

const invoiceRef = /^(?<id>[^.]+)(?:\.(?<format>csv|pdf))?$/;

/**
 * Invoice reads under /v1 and Stripe's webhook. Reads take an agency API key
 * (`Authorization: Bearer pk_live_…`, every invoice of the agency) or the session cookie (account
 * managers, owners, admins; stakeholders their own client's finalized invoices).
 */
export function createInvoiceRoutes(options: InvoiceRoutesOptions) {
  const { db } = options.services;
  const app = new Hono<{ Variables: ReaderVariables }>();

  const authenticateReader = createReaderAuthentication({
    db,
    requiredScope: "invoices:read",
    loadSession: options.loadSession,
  });
  /** API keys read every invoice of their agency; people read through their scope. */
  const readerOf = (c: Context<{ Variables: ReaderVariables }>): InvoiceReader => {
    const { agencyId, scope, clientIds } = c.get("principal");
    return scope ? invoiceReaderOf(scope) : { agencyId, clientIds, finalizedOnly: false };
  };

  const read = <T>(reader: InvoiceReader, work: (tx: Transaction) => Promise<T>) =>
    withTenant(db, { agencyId: reader.agencyId, clientIds: reader.clientIds }, work);

  function parseInvoiceId(value: string | undefined): string {
    const parsed = uuid.safeParse(value);
    if (!parsed.success) throw badInput([{ path: ["id"], message: "must be a UUID" }]);
    return parsed.data;
  }

  app.get(
    "/v1/invoices",
    describeRoute({
      operationId: "listInvoices",
      summary: "Invoices and credit notes, newest period first",
      description:
        "An API key sees every invoice of its agency; a session: owners, admins and account managers their " +
        "clients' invoices, stakeholders their own client's finalized ones.",
      security: readSecurity("invoices:read"),
      responses: {
        "200": jsonResponse("The invoices", z.array(Invoice)),
        "400": errorResponse("A query parameter is invalid (named in `details.fields`)"),
        ...readErrors,
      },
    }),
    authenticateReader,
    parsed("query", invoiceListInput),
    async (c) => {
      const reader = readerOf(c);
      const query = c.req.valid("query");
      return c.json(await read(reader, (tx) => listInvoices(reader, tx, query)));
    },
  );

  app.get(
    "/v1/invoices/:id/evidence.csv",
    describeRoute({
      operationId: "getInvoiceEvidence",
      summary: "The SLA clocks behind an invoice's service credits, as CSV",
      security: readSecurity("invoices:read"),
      parameters: [uuidPathParameter("id")],
      responses: {
        "200": { description: "One row per clock", content: { "text/csv": { schema: { type: "string" } } } },
        "400": errorResponse("`id` is not a UUID"),
        ...readErrors,
        "404": errorResponse("No such invoice visible to you"),
      },
    }),
    authenticateReader,
    async (c) => {
      const reader = readerOf(c);
      const invoiceId = parseInvoiceId(c.req.param("id"));
      const evidence = await read(reader, (tx) => getInvoiceClockEvidence(reader, tx, { invoiceId }));
      const csv = renderInvoiceEvidenceCsv(evidence.rows, { timeZone: evidence.timeZone });
      return c.body(csv, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${evidence.number ?? "draft"}-evidence.csv"`,
      });
    },
  );

  app.get(
    "/v1/invoices/:ref",
    describeRoute({
      operationId: "getInvoice",
      summary: "One invoice: JSON with lines and evidence, or its lines as CSV (`<id>.csv`) or the PDF (`<id>.pdf`)",
      security: readSecurity("invoices:read"),
      parameters: [
        pathParameter(
          "ref",
          { type: "string", pattern: "^[0-9a-fA-F-]{36}(\\.(csv|pdf))?$" },
          "the invoice id, optionally followed by `.csv` or `.pdf`",
        ),
      ],
      responses: {
        "200": {
          description: "The invoice",
          content: {
            "application/json": { schema: resolver(InvoiceDetail) },
            "text/csv": { schema: { type: "string" } },
            "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf" } },
          },
        },
        "400": errorResponse("`ref` does not start with a UUID"),
        ...readErrors,
        "404": errorResponse("No such invoice visible to you"),
      },
    }),
    authenticateReader,
    async (c) => {
      const reader = readerOf(c);
      const match = invoiceRef.exec(c.req.param("ref") ?? "");
      const invoiceId = parseInvoiceId(match?.groups?.id);
      const format = match?.groups?.format;
      if (!format) return c.json(await read(reader, (tx) => getInvoice(reader, tx, { invoiceId })));
      // Invoices and credit notes alike (a credit note's document names the invoice it corrects).
      const document = await read(reader, (tx) => getInvoiceFileDocument(reader, tx, { invoiceId }));
      const filename = document.status === "finalized" ? document.number : `draft-${invoiceId}`;
      if (format === "csv") {
        return c.body(renderInvoiceLinesCsv(document), 200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${filename}.csv"`,
        });
      }
      const pdf = await renderInvoicePdf(document);
      return c.body(new Uint8Array(pdf), 200, {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="${filename}.pdf"`,
      });
    },
  );

  /** Stripe's events about pushed invoices: verified first, so a bad signature changes nothing. */
  app.post("/webhooks/stripe", async (c) => {
    const stripe = options.services.stripe;
    if (!stripe) {
      throw new AppError("INVALID_STATE", "Stripe is not configured (STRIPE_SECRET_KEY)", {
        reason: "stripe_not_configured",
      });
    }
    const payload = await c.req.text();
    const outcome = await receiveStripeWebhook(db, stripe, { payload, signature: c.req.header("stripe-signature") });
    return c.json({ received: true, ...outcome });
  });

  return app;
}
