import { resolveScope } from "@parley/core/agencies";
import { createProtocolVersion } from "@parley/core/protocols";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gamesProtocol } from "../ingest/fixtures";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let owner: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  owner = await signInAs(app, a.users.owner.email);
  const scope = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    createProtocolVersion(scope, tx, { clientId: a.client.id, document: gamesProtocol }),
  );
});
afterAll(() => db.close());

const level = (contacts: Record<string, unknown> = {}) => ({ respondWithinMinutes: 60, calendar: "24x7", contacts });
const save = (document: unknown, clientId = a.client.id) =>
  callProcedure(app, {
    cookie: owner,
    path: "playbooks.save",
    type: "mutation",
    input: { clientId, name: "Urgent", document },
  });
const playbookCount = async () =>
  (await db.owner.select().from(schema.playbooks).where(eq(schema.playbooks.agencyId, a.agency.id))).length;

describe("a playbook's references", () => {
  it("offers the protocol's categories and the client's stakeholders as the pickers' options", async () => {
    const options = await callProcedure(app, {
      cookie: owner,
      path: "playbooks.options",
      type: "query",
      input: { clientId: a.client.id },
    });
    const data = options.data as { categories: Array<{ key: string }>; portalUsers: Array<{ userId: string }> };
    expect(data.categories.map((c) => c.key)).toEqual(
      expect.arrayContaining(["account_hacked", "refund", gamesProtocol.defaultCategory.key]),
    );
    expect(data.portalUsers).toEqual([
      { userId: a.users.stakeholder.id, name: expect.any(String), email: a.users.stakeholder.email },
    ]);
  });

  it("refuses an unknown trigger category, naming it and the field, and saves nothing", async () => {
    const before = await playbookCount();
    const refused = await save({ triggers: { categories: ["account_hacked", "no_such_category"] }, levels: [level()] });
    expect(refused.status).toBe(400);
    expect(refused.error?.details.fields).toEqual({
      "document.triggers.categories.1": expect.stringContaining("“no_such_category” is not a category"),
    });
    // A client without a protocol has no categories to trigger on.
    const noProtocol = await save({ triggers: { categories: ["refund"] }, levels: [level()] }, a.otherClient.id);
    expect(noProtocol.error?.details.fields).toEqual({
      "document.triggers.categories.0": "“refund” is not a category: this client has no protocol yet",
    });
    expect(await playbookCount()).toBe(before);
  });

  it("names the invalid e-mail address, and refuses a contact who is not the client's stakeholder", async () => {
    const badEmail = await save({
      levels: [level({ emails: ["ops@cobalt.test", "ops at cobalt"] })],
    });
    expect(badEmail.error?.details.fields).toEqual({
      "document.levels.0.contacts.emails.1": "“ops at cobalt” is not an e-mail address",
    });
    const notStakeholder = await save({ levels: [level({ portalUserIds: [a.users.moderator.id] })] });
    expect(notStakeholder.error?.details.fields).toEqual({
      "document.levels.0.contacts.portalUserIds.0": "is not a stakeholder of this client who sees escalations",
    });
    const saved = await save({
      triggers: { categories: ["account_hacked"] },
      levels: [level({ portalUserIds: [a.users.stakeholder.id], emails: ["ops@cobalt.test"] })],
    });
    expect(saved.status).toBe(200);
  });
});

describe("authority by role", () => {
  it("answers a stakeholder offered Respond in words, not raw keys", async () => {
    const refused = await callProcedure(app, {
      cookie: owner,
      path: "members.assignClients",
      type: "mutation",
      input: {
        membershipId: a.users.stakeholder.membershipId,
        assignments: [{ clientId: a.client.id, authority: "respond" }],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.error?.details.fields).toEqual({
      "assignments.0.authority": "a client stakeholder may hold “View only” or “Approve replies”, not “Respond”",
    });
    expect(refused.error?.message).not.toContain("client_stakeholder");
  });
});
