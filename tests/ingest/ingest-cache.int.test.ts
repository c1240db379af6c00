// The ingest endpoint keeps channels (with their decrypted secrets) and each channel's classification context
// (active protocol version, playbooks, business calendar) in memory. These tests change what was cached —
// through the real use cases, from this process and from a second one with its own caches — and check that
// the very next delivery sees the change: a rotated secret is refused and the new one accepted, a newly
// published protocol version classifies, a newly saved playbook triages.
import { resolveScope, rotateChannelSecret } from "@parley/core/agencies";
import { savePlaybook } from "@parley/core/escalations";
import type { Scope } from "@parley/core/kernel";
import { createProtocolVersion } from "@parley/core/protocols";
import { closeDatabase, createDatabase, type Database, schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, type TestApp } from "../support/http";
import { gamesProtocol, postItems, wireItem } from "./fixtures";

let db: TestDatabase;
/** A second process: its own database handle, so its own channel and context caches. */
let otherDb: Database;
let app: TestApp;
let otherApp: TestApp;
let a: TestAgency;
let scope: Scope;
let channelId: string;
let secret: string;

beforeAll(async () => {
  db = await createTestDatabase();
  otherDb = createDatabase({ url: db.appUrl, max: 4 });
  app = makeTestApp(db.app);
  otherApp = makeTestApp(otherDb);
  a = await makeAgency(db.owner);
  const channel = a.channels.find((c) => c.clientId === a.client.id);
  if (!channel) throw new Error("no channel");
  channelId = channel.id;
  secret = testSecretBox.decrypt(channel.ingestSecretEnc);
  const found = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!found) throw new Error("no scope");
  scope = found;
});
afterAll(async () => {
  await closeDatabase(otherDb);
  await db.close();
});

const asOwner = <T>(work: (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) => Promise<T>) =>
  withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, work);

async function itemOf(externalId: string) {
  const [row] = await db.owner
    .select()
    .from(schema.items)
    .where(and(eq(schema.items.channelId, channelId), eq(schema.items.externalId, externalId)));
  if (!row) throw new Error(`item ${externalId} not stored`);
  return row;
}

describe("ingest caches", () => {
  it("refuses a rotated secret at once and accepts the new one, in this process and in another", async () => {
    // Both processes have the channel (and its secret) in memory.
    for (const instance of [app, otherApp]) {
      expect((await postItems(instance, { channelId, secret, body: wireItem() })).status).toBe(200);
    }
    const rotated = await asOwner((tx) => rotateChannelSecret(scope, tx, { channelId }, { secretBox: testSecretBox }));
    const before = await db.owner.select({ id: schema.items.id }).from(schema.items);
    for (const instance of [app, otherApp]) {
      const refused = await postItems(instance, { channelId, secret, body: wireItem() });
      expect(refused.status).toBe(401);
      expect(refused.json).toMatchObject({ error: { code: "UNAUTHENTICATED", details: { reason: "bad_signature" } } });
    }
    expect(await db.owner.select({ id: schema.items.id }).from(schema.items)).toHaveLength(before.length);
    for (const instance of [app, otherApp]) {
      const accepted = await postItems(instance, { channelId, secret: rotated.ingestSecret, body: wireItem() });
      expect(accepted.status).toBe(200);
      expect(accepted.json).toMatchObject({ created: 1 });
    }
    secret = rotated.ingestSecret;
  });

  it("classifies with a protocol version published after the context was cached, in this process and in another", async () => {
    const first = wireItem({ body: "I want a refund please" });
    const second = wireItem({ body: "I want a refund please" });
    // No protocol yet: uncategorised; both processes now hold the channel's context.
    expect((await postItems(app, { channelId, secret, body: first })).status).toBe(200);
    expect((await postItems(otherApp, { channelId, secret, body: wireItem() })).status).toBe(200);
    expect(await itemOf(String(first.externalId))).toMatchObject({ categoryKey: null, protocolVersionId: null });

    const published = await asOwner((tx) =>
      createProtocolVersion(scope, tx, { clientId: a.client.id, document: gamesProtocol }),
    );
    expect((await postItems(otherApp, { channelId, secret, body: second })).status).toBe(200);
    expect(await itemOf(String(second.externalId))).toMatchObject({
      categoryKey: "refund",
      priority: "P2",
      protocolVersionId: published.id,
    });

    const third = wireItem({ body: "I want a refund please" });
    const next = await asOwner((tx) =>
      createProtocolVersion(scope, tx, {
        clientId: a.client.id,
        document: { ...gamesProtocol, defaultCategory: { key: "general", priority: "P4" }, categories: [] },
      }),
    );
    expect((await postItems(app, { channelId, secret, body: third })).status).toBe(200);
    expect(await itemOf(String(third.externalId))).toMatchObject({
      categoryKey: "general",
      priority: "P4",
      protocolVersionId: next.id,
    });
  });

  it("triages by a playbook saved after the context was cached", async () => {
    const before = wireItem({ body: "The volcano level is too hard" });
    expect((await postItems(app, { channelId, secret, body: before })).status).toBe(200);
    await asOwner((tx) =>
      savePlaybook(scope, tx, {
        clientId: a.client.id,
        name: "Volcano",
        document: {
          triggers: { keywords: ["volcano"] },
          levels: [
            {
              name: "Level designers",
              contacts: { emails: ["levels@brand.test"] },
              respondWithinMinutes: 60,
              calendar: "24x7",
            },
          ],
        },
      }),
    );
    const after = wireItem({ body: "The volcano level is too hard" });
    expect((await postItems(app, { channelId, secret, body: after })).status).toBe(200);
    const triage = async (externalId: string) =>
      db.owner
        .select()
        .from(schema.workflowWakeups)
        .where(
          and(
            eq(schema.workflowWakeups.subjectId, (await itemOf(externalId)).id),
            eq(schema.workflowWakeups.flow, "triage"),
          ),
        );
    expect(await triage(String(before.externalId))).toHaveLength(0);
    expect(await triage(String(after.externalId))).toHaveLength(1);
  });
});
