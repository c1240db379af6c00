import type { ClaimedItemView } from "@parley/core/moderation";
import { type Database, schema } from "@parley/db";
import { makeUser, type TestAgency } from "@parley/testing";
import { callProcedure, type RequestTarget, signInAs, type TestApp, type TrpcOutcome } from "../support/http";

type Priority = (typeof schema.itemPriorities)[number];

export interface QueuedItemSpec {
  priority?: Priority;
  /** Seconds after a fixed start, so arrival order is explicit. */
  arrival?: number;
  riskFlags?: string[];
  status?: (typeof schema.itemStatuses)[number];
  body?: string;
}

const start = Date.parse("2026-11-02T09:00:00Z");

/** Queued items on a client's channel, written straight to the table (as ingest would leave them). */
export async function seedItems(
  db: Database,
  options: { agency: TestAgency; clientId: string; items: QueuedItemSpec[] },
): Promise<Array<typeof schema.items.$inferSelect>> {
  const channel = options.agency.channels.find((c) => c.clientId === options.clientId);
  if (!channel) throw new Error("no channel for client");
  const rows = await db
    .insert(schema.items)
    .values(
      options.items.map((item, index) => ({
        agencyId: options.agency.agency.id,
        clientId: options.clientId,
        channelId: channel.id,
        externalId: `seed-${crypto.randomUUID()}`,
        kind: "comment" as const,
        authorExternalId: `author-${index}`,
        authorHandle: `someone${index}`,
        body: item.body ?? `item ${index}`,
        createdAt: new Date(start),
        receivedAt: new Date(start + (item.arrival ?? index) * 1000),
        priority: item.priority ?? "P3",
        riskFlags: item.riskFlags ?? [],
        status: item.status ?? "queued",
      })),
    )
    .returning();
  return rows;
}

/** Signs in a new moderator who works on the agency's first client only; returns the Cookie header. */
export async function signInFirstClientModerator(app: TestApp, db: Database, agency: TestAgency): Promise<string> {
  const moderator = await makeUser(db, {
    agencyId: agency.agency.id,
    role: "moderator",
    assignments: [{ clientId: agency.client.id, authority: "respond" }],
  });
  return signInAs(app, moderator.email);
}

/** `queue.<name>` over HTTP as the console calls it. */
export function callQueue(
  app: RequestTarget,
  options: { cookie: string; name: "list" | "counts" | "claimNext" | "release" | "skip" | "renew"; input?: unknown },
): Promise<TrpcOutcome> {
  const type = options.name === "list" || options.name === "counts" ? "query" : "mutation";
  return callProcedure(app, {
    cookie: options.cookie,
    path: `queue.${options.name}`,
    type,
    input: options.input ?? {},
  });
}

/** The item `queue.claimNext` handed out, or null for an empty queue; throws on an error answer. */
export async function claimNext(
  app: RequestTarget,
  options: { cookie: string; clientId?: string; skip?: string[] },
): Promise<ClaimedItemView | null> {
  const { cookie, ...input } = options;
  const outcome = await callQueue(app, { cookie, name: "claimNext", input });
  if (outcome.error) throw new Error(`claimNext failed: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.data as ClaimedItemView | null;
}
