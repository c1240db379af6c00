import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "@parley/api/app";
import { silentLogger } from "@parley/api/logger";
import { createStripeGateway } from "@parley/connectors/stripe";
import type { InvoiceDetailView, InvoiceView } from "@parley/core/billing";
import { schema } from "@parley/db";
import { createTestDatabase, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure } from "../support/http";
import { clocksOn, contractTerms, insertItems, makeNorthwind, saveTerms } from "./fixtures";

const webhookSecret = "whsec_parley_test_secret";

interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: URLSearchParams;
}

/**
 * A local stand-in for api.stripe.com: records every request, creates customers, invoices and
 * invoice items, and replays the first answer for a repeated Idempotency-Key, as Stripe does.
 * `failOnce(path)` answers the next request to that path with a 500 before doing anything.
 */
function startFakeStripe() {
  const requests: RecordedRequest[] = [];
  const replies = new Map<string, { status: number; body: unknown }>();
  const objects = { customers: [] as string[], invoices: new Map<string, { status: string; items: number }>() };
  const failures = new Set<string>();
  let sequence = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      const key = req.headers["idempotency-key"] as string | undefined;
      const body = new URLSearchParams(raw);
      requests.push({ method: req.method ?? "", path, idempotencyKey: key, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "request-id": `req_${sequence}` });
        res.end(JSON.stringify(payload));
      };
      if (failures.delete(path)) return send(500, { error: { type: "api_error", message: "simulated outage" } });
      const replay = key ? replies.get(key) : undefined;
      if (replay) return send(replay.status, replay.body);
      sequence += 1;
      let reply: { status: number; body: unknown };
      const finalize = /^\/v1\/invoices\/([^/]+)\/finalize$/.exec(path);
      if (path === "/v1/customers") {
        const id = `cus_${sequence}`;
        objects.customers.push(id);
        reply = { status: 200, body: { id, object: "customer", name: body.get("name") } };
      } else if (path === "/v1/invoices") {
        const id = `in_${sequence}`;
        objects.invoices.set(id, { status: "draft", items: 0 });
        reply = { status: 200, body: { id, object: "invoice", status: "draft" } };
      } else if (path === "/v1/invoiceitems") {
        const invoice = objects.invoices.get(body.get("invoice") ?? "");
        if (invoice) invoice.items += 1;
        reply = {
          status: 200,
          body: { id: `ii_${sequence}`, object: "invoiceitem", amount: Number(body.get("amount")) },
        };
      } else if (finalize) {
        const invoice = objects.invoices.get(finalize[1] ?? "");
        if (invoice) invoice.status = "open";
        reply = { status: 200, body: { id: finalize[1], object: "invoice", status: "open" } };
      } else {
        reply = { status: 404, body: { error: { type: "invalid_request_error", message: `no route ${path}` } } };
      }
      if (key) replies.set(key, reply);
      send(reply.status, reply.body);
    });
  });
  return new Promise<{
    url: string;
    requests: RecordedRequest[];
    objects: typeof objects;
    failOnce(path: string): void;
    close(): Promise<void>;
  }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        objects,
        failOnce: (path) => failures.add(path),
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function signStripePayload(payload: string, secret = webhookSecret): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

let db: TestDatabase;
let stripe: Awaited<ReturnType<typeof startFakeStripe>>;
let app: ReturnType<typeof createApp>;
let a: TestAgency;
let am: string;
let invoice: InvoiceDetailView;

beforeAll(async () => {
  db = await createTestDatabase();
  stripe = await startFakeStripe();
  const gateway = createStripeGateway({
    secretKey: "sk_test_parley",
    webhookSecret,
    apiBase: stripe.url,
    maxNetworkRetries: 0,
  });
  app = createApp({
    services: { db: db.app, secretBox: testSecretBox, stripe: gateway },
    trustProxy: 1,
    logger: silentLogger,
  });
  const northwind = await makeNorthwind(db, app);
  ({ agency: a, am } = northwind);
  await saveTerms(db.app, northwind.amScope, a.client.id, contractTerms());
  await insertItems(db.owner, { agency: a, clientId: a.client.id }, clocksOn("2026-09-15", 10, 8));
  await db.owner
    .update(schema.clients)
    .set({
      billingAddress: "12 Harbour Street\nLeith\nEdinburgh EH6 6LY",
      taxId: "GB123456789",
      billingEmail: "accounts@client.test",
    })
    .where(eq(schema.clients.id, a.client.id));
  const created = await callProcedure(app, {
    cookie: am,
    path: "invoices.createDrafts",
    type: "mutation",
    input: { period: "2026-09", clientIds: [a.client.id] },
  });
  const draft = (created.data as Array<{ invoice: InvoiceView }>)[0]!.invoice;
  const finalized = await callProcedure(app, {
    cookie: am,
    path: "invoices.finalize",
    type: "mutation",
    input: { invoiceId: draft.id },
  });
  invoice = finalized.data as InvoiceDetailView;
});
afterAll(async () => {
  await stripe?.close();
  await db.close();
});

const push = () =>
  callProcedure(app, { cookie: am, path: "invoices.pushToStripe", type: "mutation", input: { invoiceId: invoice.id } });

/** A Stripe `invoice.*` event about the Stripe invoice Parley pushed for `invoiceId`. */
async function stripeEvent(invoiceId: string, type: string, id: string): Promise<string> {
  const [row] = await db.owner.select().from(schema.invoices).where(eq(schema.invoices.id, invoiceId));
  return JSON.stringify({
    id,
    object: "event",
    type,
    data: {
      object: {
        id: row?.stripeInvoiceId,
        object: "invoice",
        metadata: { parley_agency_id: a.agency.id, parley_invoice_id: invoiceId },
      },
    },
  });
}

const paymentStatus = async (invoiceId: string) =>
  (await db.owner.select().from(schema.invoices).where(eq(schema.invoices.id, invoiceId)))[0]?.paymentStatus;

/** The invoice's payment-status audit trail, oldest first. */
const statusAudits = (invoiceId: string) =>
  db.owner
    .select({
      agencyId: schema.auditEvents.agencyId,
      clientId: schema.auditEvents.clientId,
      actorUserId: schema.auditEvents.actorUserId,
      before: schema.auditEvents.before,
      after: schema.auditEvents.after,
    })
    .from(schema.auditEvents)
    .where(
      and(eq(schema.auditEvents.subjectId, invoiceId), eq(schema.auditEvents.action, "invoice.payment_status_changed")),
    )
    .orderBy(asc(schema.auditEvents.createdAt));

const webhook = (payload: string, signature: string | null) =>
  app.request("http://parley.test/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
    body: payload,
  });

describe("Stripe", () => {
  it("refuses to push a draft", async () => {
    const created = await callProcedure(app, {
      cookie: am,
      path: "invoices.createDrafts",
      type: "mutation",
      input: { period: "2026-08", clientIds: [a.client.id] },
    });
    const draft = (created.data as Array<{ invoice: InvoiceView }>)[0]!.invoice;
    const pushed = await callProcedure(app, {
      cookie: am,
      path: "invoices.pushToStripe",
      type: "mutation",
      input: { invoiceId: draft.id },
    });
    expect(pushed.status).toBe(409);
    expect(pushed.error?.details.reason).toBe("not_finalized");
    expect(stripe.requests).toHaveLength(0);
    // With a gateway, the invoice screen is told Stripe is configured.
    const actions = await callProcedure(app, {
      cookie: am,
      path: "invoices.actions",
      type: "query",
      input: { invoiceId: draft.id },
    });
    expect(actions.data).toMatchObject({ pushToStripe: { configured: true } });
  });

  it("pushes once: a retry after a failure mid-way and a second push create nothing twice", async () => {
    const billable = invoice.lines.filter((line) => line.amountMinor !== 0);
    expect(billable.some((line) => line.kind === "service_credit")).toBe(true);
    stripe.failOnce("/v1/invoiceitems");
    const failed = await push();
    expect(failed.status).toBe(502);
    expect(failed.error?.details).toMatchObject({ reason: "stripe_failed", step: "invoice item" });
    const [client] = await db.owner.select().from(schema.clients).where(eq(schema.clients.id, a.client.id));
    expect(client?.stripeCustomerId).toBeNull(); // rolled back with the failed push

    const pushed = await push();
    expect(pushed.status).toBe(200);
    expect(pushed.data).toMatchObject({ paymentStatus: "open", stripeInvoiceId: expect.stringMatching(/^in_/) });
    expect(stripe.objects.customers).toHaveLength(1);
    expect([...stripe.objects.invoices.values()]).toEqual([{ status: "open", items: billable.length }]);
    const again = await push();
    expect(again.data).toMatchObject({ stripeInvoiceId: (pushed.data as InvoiceView).stripeInvoiceId });
    expect(stripe.objects.invoices.size).toBe(1);

    const sent = stripe.requests.filter((r) => r.path === "/v1/invoiceitems").map((r) => r.body.get("amount"));
    expect(new Set(sent)).toEqual(new Set(billable.map((line) => String(line.amountMinor))));
    expect(stripe.requests.every((r) => r.idempotencyKey?.startsWith(`parley-invoice-${invoice.id}-`))).toBe(true);
    const [stored] = await db.owner.select().from(schema.clients).where(eq(schema.clients.id, a.client.id));
    expect(stored?.stripeCustomerId).toBe(stripe.objects.customers[0]);
    // The customer and the invoice carry the buyer and the due date the finalized invoice prints.
    const customer = stripe.requests.find((r) => r.path === "/v1/customers")?.body;
    expect(customer?.get("email")).toBe("accounts@client.test");
    expect(customer?.get("address[line1]")).toBe("12 Harbour Street");
    expect(customer?.get("address[line2]")).toBe("Leith, Edinburgh EH6 6LY");
    const created = stripe.requests.find((r) => r.path === "/v1/invoices")?.body;
    expect(invoice.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(created?.get("due_date")).toBe(String(Date.parse(`${invoice.dueOn}T12:00:00Z`) / 1000));
    expect(created?.get("days_until_due")).toBeNull();
    expect(created?.get("custom_fields[0][name]")).toBe("Tax ID");
    expect(created?.get("custom_fields[0][value]")).toBe("GB123456789");
  });

  it("moves the payment status on a signed webhook and changes nothing on a bad signature", async () => {
    const paid = await stripeEvent(invoice.id, "invoice.paid", "evt_paid");
    const forged = await webhook(paid, signStripePayload(paid, "whsec_wrong"));
    expect(forged.status).toBe(401);
    expect((await webhook(paid, null)).status).toBe(401);
    const tampered = await webhook(paid.replace("invoice.paid", "invoice.voided"), signStripePayload(paid));
    expect(tampered.status).toBe(401);
    expect(await paymentStatus(invoice.id)).toBe("open");
    expect(await statusAudits(invoice.id)).toEqual([]);

    const uncollectible = await stripeEvent(invoice.id, "invoice.marked_uncollectible", "evt_uncollectible");
    const marked = await webhook(uncollectible, signStripePayload(uncollectible));
    expect(marked.status).toBe(200);
    expect(await marked.json()).toMatchObject({
      handled: true,
      paymentStatus: "uncollectible",
      previousStatus: "open",
    });
    expect(await paymentStatus(invoice.id)).toBe("uncollectible");

    const accepted = await webhook(paid, signStripePayload(paid));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({
      handled: true,
      paymentStatus: "paid",
      previousStatus: "uncollectible",
    });
    expect(await paymentStatus(invoice.id)).toBe("paid");

    // Paid is final in Stripe: a late "voided" is acknowledged (200, so Stripe stops retrying) and ignored.
    const voided = await stripeEvent(invoice.id, "invoice.voided", "evt_voided");
    const late = await webhook(voided, signStripePayload(voided));
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({
      handled: false,
      reason: "transition_not_allowed",
      paymentStatus: "paid",
    });
    expect(await paymentStatus(invoice.id)).toBe("paid");

    const other = JSON.stringify({
      id: "evt_customer",
      object: "event",
      type: "customer.created",
      data: { object: {} },
    });
    expect(await (await webhook(other, signStripePayload(other))).json()).toMatchObject({
      handled: false,
      reason: "event_ignored",
    });
  });

  it("audits each status change once, with no actor, the statuses and the Stripe event; redeliveries audit nothing", async () => {
    expect(await statusAudits(invoice.id)).toEqual([
      {
        agencyId: a.agency.id,
        clientId: a.client.id,
        actorUserId: null,
        before: { paymentStatus: "open" },
        after: {
          paymentStatus: "uncollectible",
          stripeEventId: "evt_uncollectible",
          stripeEventType: "invoice.marked_uncollectible",
          stripeInvoiceId: expect.stringMatching(/^in_/),
        },
      },
      {
        agencyId: a.agency.id,
        clientId: a.client.id,
        actorUserId: null,
        before: { paymentStatus: "uncollectible" },
        after: expect.objectContaining({ paymentStatus: "paid", stripeEventId: "evt_paid" }),
      },
    ]);
    const paid = await stripeEvent(invoice.id, "invoice.paid", "evt_paid");
    const again = await webhook(paid, signStripePayload(paid));
    expect(await again.json()).toMatchObject({ handled: false, reason: "duplicate_event", paymentStatus: "paid" });
    const twin = await stripeEvent(invoice.id, "invoice.paid", "evt_paid_twin");
    expect(await (await webhook(twin, signStripePayload(twin))).json()).toMatchObject({
      handled: false,
      reason: "status_unchanged",
    });
    expect(await statusAudits(invoice.id)).toHaveLength(2);
  });

  it("decides copies of one event delivered at once one after the other: one change, one audit", async () => {
    const august = (
      await callProcedure(app, {
        cookie: am,
        path: "invoices.list",
        type: "query",
        input: { clientId: a.client.id, period: "2026-08" },
      })
    ).data as InvoiceView[];
    const finalized = await callProcedure(app, {
      cookie: am,
      path: "invoices.finalize",
      type: "mutation",
      input: { invoiceId: august[0]!.id },
    });
    const second = finalized.data as InvoiceView;
    const pushed = await callProcedure(app, {
      cookie: am,
      path: "invoices.pushToStripe",
      type: "mutation",
      input: { invoiceId: second.id },
    });
    expect(pushed.data).toMatchObject({ paymentStatus: "open" });

    const voided = await stripeEvent(second.id, "invoice.voided", "evt_void_once");
    const answers = await Promise.all(
      Array.from({ length: 4 }, async () => (await webhook(voided, signStripePayload(voided))).json()),
    );
    expect(answers.filter((answer) => answer.handled === true)).toHaveLength(1);
    expect(answers.filter((answer) => answer.reason === "duplicate_event")).toHaveLength(3);
    expect(await paymentStatus(second.id)).toBe("void");
    expect(await statusAudits(second.id)).toMatchObject([
      { before: { paymentStatus: "open" }, after: { paymentStatus: "void", stripeEventId: "evt_void_once" } },
    ]);
  });
});
