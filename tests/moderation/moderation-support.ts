import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createOutboundSender } from "@parley/connectors";
import type { Platform } from "@parley/contracts";
import { resolveScope } from "@parley/core/agencies";
import { type DeliveryDeps, deliverDue } from "@parley/core/deliveries";
import { ingestChannelItems } from "@parley/core/moderation";
import { createProtocolVersion } from "@parley/core/protocols";
import { schema, withTenant } from "@parley/db";
import {
  createTestDatabase,
  makeAgency,
  type TestAgency,
  type TestDatabase,
  testOutboundAllowlist,
  testSecretBox,
} from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { gamesProtocol } from "../ingest/fixtures";
import { callProcedure, makeTestApp, signInAs, type TestApp, type TrpcOutcome } from "../support/http";

/** The games protocol plus what the moderator's console shows: voice, approved answers, a tight length limit. */
export const moderationProtocol = {
  ...gamesProtocol,
  voiceGuidelines: "Warm, brief, first names.",
  maxReplyLength: { generic: 280, facebook: 500 },
  approvedAnswers: [
    { id: "refund-policy", categoryKey: "refund", text: "Refunds go through the store you bought from." },
    { id: "praise-thanks", categoryKey: "praise", platforms: ["facebook"], text: "Thank you, that means a lot!" },
  ],
};

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakePlatform {
  url: string;
  requests: RecordedRequest[];
  /** What the platform answers; a 200 with a fresh id by default. */
  respond: (request: RecordedRequest) => { status: number; body?: unknown; delayMs?: number };
  close(): Promise<void>;
}

/** A platform on 127.0.0.1 that records every request and answers as `respond` says. */
export async function startFakePlatform(): Promise<FakePlatform> {
  let counter = 0;
  const platform: FakePlatform = {
    url: "",
    requests: [],
    respond: () => {
      counter += 1;
      return { status: 200, body: { id: `platform-${counter}` } };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      platform.requests.push(recorded);
      const answer = platform.respond(recorded);
      setTimeout(() => {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  platform.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return platform;
}

/** What `deliverDue` needs, sending to the fake platform (Meta Graph at its root). */
export function deliveryDeps(platform: FakePlatform, extra: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return {
    secretBox: testSecretBox,
    send: createOutboundSender({
      metaGraphBaseUrl: `${platform.url}/graph`,
      allowlist: testOutboundAllowlist,
      timeoutMs: 5000,
    }),
    ...extra,
  };
}

export function deliverFor(db: TestDatabase, a: TestAgency, deps: DeliveryDeps) {
  return deliverDue(db.app, { agencyId: a.agency.id }, deps);
}

/** A channel of the client on a platform, with credentials (a Facebook page, a generic callback…). */
export async function addChannel(
  db: TestDatabase,
  a: TestAgency,
  options: {
    clientId: string;
    platform: Platform;
    credentials?: Record<string, string>;
    name?: string;
    externalAccountId?: string;
  },
) {
  const [channel] = await db.owner
    .insert(schema.channels)
    .values({
      agencyId: a.agency.id,
      clientId: options.clientId,
      platform: options.platform,
      externalAccountId: options.externalAccountId ?? `${options.platform}-${Math.random().toString(36).slice(2)}`,
      displayName: options.name ?? `${options.platform} page`,
      ingestSecretEnc: testSecretBox.encrypt("channel-ingest-secret"),
      credentialsEnc: options.credentials ? testSecretBox.encrypt(JSON.stringify(options.credentials)) : null,
    })
    .returning();
  if (!channel) throw new Error("channel not created");
  return channel;
}

export async function setCredentials(db: TestDatabase, channelId: string, credentials: Record<string, string>) {
  await db.owner
    .update(schema.channels)
    .set({ credentialsEnc: testSecretBox.encrypt(JSON.stringify(credentials)) })
    .where(eq(schema.channels.id, channelId));
}

export async function saveProtocol(
  db: TestDatabase,
  a: TestAgency,
  clientId: string,
  document: unknown = moderationProtocol,
) {
  const scope = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  return withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    createProtocolVersion(scope, tx, { clientId, document }),
  );
}

export interface ModerationSuite {
  db: TestDatabase;
  app: TestApp;
  platform: FakePlatform;
  agency: TestAgency;
  /** The moderator's Cookie header. */
  moderator: string;
  /** The version of the moderation protocol on the agency's first client. */
  protocolVersionId: string;
  close(): Promise<void>;
}

/**
 * A database of its own served over HTTP, a fake platform and an agency whose first client (or both clients) has the
 * moderation protocol and a generic channel that calls the platform back; the agency's moderator is signed in.
 */
export async function openModerationSuite(options: { clients?: "first" | "both" } = {}): Promise<ModerationSuite> {
  const db = await createTestDatabase();
  const app = makeTestApp(db.app);
  const platform = await startFakePlatform();
  const agency = await makeAgency(db.owner);
  const protocol = await saveProtocol(db, agency, agency.client.id);
  if (options.clients === "both") await saveProtocol(db, agency, agency.otherClient.id);
  const clientIds = options.clients === "both" ? [agency.client.id, agency.otherClient.id] : [agency.client.id];
  for (const clientId of clientIds) {
    await setCredentials(db, genericChannelOf(agency, clientId).id, { callbackUrl: `${platform.url}/callback` });
  }
  return {
    db,
    app,
    platform,
    agency,
    moderator: await signInAs(app, agency.users.moderator.email),
    protocolVersionId: protocol.id,
    async close() {
      await platform.close();
      await db.close();
    },
  };
}

let counter = 0;

/** Ingests one item through the real ingest path (classified by the client's active protocol); returns its row. */
export async function ingestItem(
  db: TestDatabase,
  channel: { id: string; agencyId: string; clientId: string; platform: Platform },
  options: { body: string; author?: string; threadExternalId?: string; externalId?: string; createdAt?: Date },
) {
  counter += 1;
  const externalId = options.externalId ?? `item-${Date.now()}-${counter}`;
  const author = options.author ?? `author-${counter}`;
  await ingestChannelItems(db.app, channel, [
    {
      op: "upsert",
      item: {
        externalId,
        kind: "comment",
        threadExternalId: options.threadExternalId,
        author: { externalId: author, handle: author },
        body: options.body,
        createdAt: options.createdAt ?? new Date(),
      },
    },
  ]);
  const [row] = await db.owner
    .select()
    .from(schema.items)
    .where(and(eq(schema.items.channelId, channel.id), eq(schema.items.externalId, externalId)));
  if (!row) throw new Error("item not ingested");
  return row;
}

export function genericChannelOf(a: TestAgency, clientId: string) {
  const channel = a.channels.find((c) => c.clientId === clientId);
  if (!channel) throw new Error("no channel");
  return channel;
}

export function mutate(app: TestApp, cookie: string, path: string, input: unknown): Promise<TrpcOutcome> {
  return callProcedure(app, { cookie, path, type: "mutation", input });
}

export function query(app: TestApp, cookie: string, path: string, input?: unknown): Promise<TrpcOutcome> {
  return callProcedure(app, { cookie, path, type: "query", input });
}

export async function itemRow(db: TestDatabase, itemId: string) {
  const [row] = await db.owner.select().from(schema.items).where(eq(schema.items.id, itemId));
  if (!row) throw new Error(`no item ${itemId}`);
  return row;
}

export function auditOf(db: TestDatabase, subjectId: string) {
  return db.owner
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.subjectId, subjectId))
    .orderBy(schema.auditEvents.createdAt);
}

export function deliveriesOf(db: TestDatabase, itemId: string) {
  return db.owner
    .select()
    .from(schema.outboundDeliveries)
    .where(eq(schema.outboundDeliveries.itemId, itemId))
    .orderBy(schema.outboundDeliveries.createdAt);
}
