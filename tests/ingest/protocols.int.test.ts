import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";
import { gamesProtocol } from "./fixtures";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let b: TestAgency;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  const viewer = await makeUser(db.owner, {
    agencyId: a.agency.id,
    role: "client_stakeholder",
    assignments: [{ clientId: a.client.id, authority: "approve" }],
  });
  cookies.clientAdmin = await signInAs(app, a.users.stakeholder.email); // client admin of a.client
  cookies.stakeholder = await signInAs(app, viewer.email); // same client, not its admin
  cookies.owner = await signInAs(app, a.users.owner.email);
  cookies.moderator = await signInAs(app, a.users.moderator.email);
  cookies.otherAgency = await signInAs(app, b.users.owner.email);
});
afterAll(() => db.close());

const save = (cookie: string | undefined, clientId: string, document: unknown = gamesProtocol) =>
  callProcedure(app, { cookie, path: "protocols.save", type: "mutation", input: { clientId, document } });
const query = (cookie: string | undefined, path: "protocols.active" | "protocols.versions", clientId: string) =>
  callProcedure(app, { cookie, path, type: "query", input: { clientId } });

async function versionsInDb(clientId: string) {
  return db.owner.select().from(schema.protocolVersions).where(eq(schema.protocolVersions.clientId, clientId));
}

describe("protocols", () => {
  it("lets the client's admin save versions; the newest is the one active", async () => {
    expect((await query(cookies.clientAdmin, "protocols.active", a.client.id)).data).toBeNull();
    const first = await save(cookies.clientAdmin, a.client.id);
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({ clientId: a.client.id, version: 1, active: true });
    const changed = {
      ...gamesProtocol,
      forbiddenPhrases: [...gamesProtocol.forbiddenPhrases, { phrase: "our fault", reason: "No admission" }],
    };
    const second = await save(cookies.owner, a.client.id, changed);
    expect(second.data).toMatchObject({ version: 2, active: true });
    const active = await query(cookies.moderator, "protocols.active", a.client.id);
    expect(active.data).toMatchObject({ version: 2, document: { forbiddenPhrases: expect.any(Array) } });
    const versions = await query(cookies.stakeholder, "protocols.versions", a.client.id);
    expect((versions.data as Array<{ version: number; active: boolean }>).map((v) => [v.version, v.active])).toEqual([
      [2, true],
      [1, false],
    ]);
    const audit = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(
        and(eq(schema.auditEvents.action, "protocol.version_created"), eq(schema.auditEvents.clientId, a.client.id)),
      );
    expect(audit).toHaveLength(2);
    expect(audit.find((e) => (e.after as { version: number }).version === 2)?.after).toMatchObject({
      changes: [expect.objectContaining({ change: "added" })],
    });
  });

  it("refuses a stakeholder who is not the client's admin (FORBIDDEN)", async () => {
    const before = await versionsInDb(a.client.id);
    const outcome = await save(cookies.stakeholder, a.client.id);
    expect(outcome.error?.code).toBe("FORBIDDEN");
    expect(await versionsInDb(a.client.id)).toHaveLength(before.length);
  });

  it("hides another client, and another agency's, as NOT_FOUND", async () => {
    expect((await save(cookies.clientAdmin, a.otherClient.id)).error?.code).toBe("NOT_FOUND");
    expect((await query(cookies.clientAdmin, "protocols.active", a.otherClient.id)).error?.code).toBe("NOT_FOUND");
    expect((await save(cookies.otherAgency, a.client.id)).error?.code).toBe("NOT_FOUND");
    expect((await query(cookies.otherAgency, "protocols.versions", a.client.id)).error?.code).toBe("NOT_FOUND");
    expect(await versionsInDb(a.otherClient.id)).toHaveLength(0);
  });

  it("refuses moderators, and names each bad field of a bad document", async () => {
    expect((await save(cookies.moderator, a.client.id)).error?.code).toBe("FORBIDDEN");
    const bad = await save(cookies.owner, a.otherClient.id, {
      ...gamesProtocol,
      categories: [{ ...gamesProtocol.categories[0], priority: "P9" }],
    });
    expect(bad.status).toBe(400);
    expect(bad.error?.details.fields).toMatchObject({ "document.categories.0.priority": expect.any(String) });
    expect(await versionsInDb(a.otherClient.id)).toHaveLength(0);
  });

  it("names text PostgreSQL cannot store anywhere in a document (NUL, half a surrogate pair), storing nothing", async () => {
    const [category] = gamesProtocol.categories;
    if (!category) throw new Error("the games protocol has categories");
    const bad = await save(cookies.owner, a.otherClient.id, {
      ...gamesProtocol,
      voiceGuidelines: "Friendly\u0000",
      categories: [{ ...category, match: { ...category.match, keywords: ["refund", "cut \ud83c"] } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.error).toMatchObject({
      code: "BAD_INPUT",
      details: {
        fields: {
          "document.voiceGuidelines": "must not contain NUL (U+0000) characters",
          "document.categories.0.match.keywords.1": "must be valid Unicode text (it holds half of a surrogate pair)",
        },
      },
    });
    expect(await versionsInDb(a.otherClient.id)).toHaveLength(0);
  });
});

describe("protocol versions: no-op saves, diffs, rollbacks and notices", () => {
  const noticesOf = (userId: string) =>
    db.owner
      .select()
      .from(schema.notifications)
      .where(
        and(
          eq(schema.notifications.recipientUserId, userId),
          eq(schema.notifications.kind, "protocol.version_created"),
        ),
      );
  const versionCount = async (clientId: string) => (await versionsInDb(clientId)).length;

  it("refuses a save identical to the active version, even with fields in another order, storing nothing", async () => {
    const client = a.otherClient.id;
    expect((await save(cookies.owner, client)).status).toBe(200);
    const count = await versionCount(client);
    const reordered = Object.fromEntries(Object.entries(gamesProtocol).reverse());
    const again = await save(cookies.owner, client, reordered);
    expect(again.status).toBe(409);
    expect(again.error).toMatchObject({ code: "INVALID_STATE", details: { reason: "protocol_unchanged" } });
    expect(again.error?.message).toMatch(/^Nothing changed/);
    expect(await versionCount(client)).toBe(count);
  });

  it("tells the agency's owners and admins when the client admin changes it, with a link to the version", async () => {
    const before = await noticesOf(a.users.owner.id);
    const changed = { ...gamesProtocol, voiceGuidelines: "Warm, short, never sarcastic." };
    const saved = await save(cookies.clientAdmin, a.client.id, changed);
    expect(saved.status).toBe(200);
    const version = saved.data as { id: string; version: number; authorName: string };
    expect(version.authorName).toMatch(/^client_stakeholder/);
    const after = await noticesOf(a.users.owner.id);
    expect(after).toHaveLength(before.length + 1);
    const notice = after.find((row) => row.subjectId === version.id);
    expect(notice).toMatchObject({
      subjectType: "protocol_version",
      clientId: a.client.id,
      title: expect.stringContaining(`version ${version.version}`),
      // Version 2 added a forbidden phrase that this document leaves out, and the voice is new: two changes.
      body: expect.stringContaining("(client admin) changed 2 things in the protocol"),
    });
    // Not the author, and not the agency's moderators.
    expect((await noticesOf(a.users.stakeholder.id)).some((row) => row.subjectId === version.id)).toBe(false);
    expect((await noticesOf(a.users.moderator.id)).some((row) => row.subjectId === version.id)).toBe(false);
  });

  it("tells the client's stakeholders when the agency changes it", async () => {
    const changed = { ...gamesProtocol, voiceGuidelines: "Warm and short." };
    const saved = await save(cookies.owner, a.client.id, changed);
    const version = saved.data as { id: string };
    for (const user of [a.users.stakeholder.id]) {
      expect((await noticesOf(user)).find((row) => row.subjectId === version.id)?.body).toMatch(
        /at the agency changed/,
      );
    }
    expect((await noticesOf(a.users.owner.id)).some((row) => row.subjectId === version.id)).toBe(false);
  });

  it("diffs any two versions and rolls back as a new version; a rollback to what is active is refused", async () => {
    const versions = (await query(cookies.stakeholder, "protocols.versions", a.client.id)).data as Array<{
      id: string;
      version: number;
      authorName: string | null;
    }>;
    const [latest, previous] = versions;
    if (!latest || !previous) throw new Error("two versions at least");
    const diff = await callProcedure(app, {
      cookie: cookies.stakeholder,
      path: "protocols.diff",
      type: "query",
      input: { fromVersionId: previous.id, toVersionId: latest.id },
    });
    expect(diff.data).toMatchObject({
      from: { version: previous.version },
      to: { version: latest.version },
      changes: [{ path: "voiceGuidelines", change: "changed", after: "Warm and short." }],
    });
    const rollback = (cookie: string | undefined, versionId: string) =>
      callProcedure(app, { cookie, path: "protocols.rollback", type: "mutation", input: { versionId } });
    expect((await rollback(cookies.stakeholder, previous.id)).error?.code).toBe("FORBIDDEN");
    const rolled = await rollback(cookies.owner, previous.id);
    expect(rolled.data).toMatchObject({
      version: latest.version + 1,
      active: true,
      document: { voiceGuidelines: "Warm, short, never sarcastic." },
    });
    const audit = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.subjectId, (rolled.data as { id: string }).id));
    expect(audit[0]?.after).toMatchObject({ restoredFrom: { id: previous.id, version: previous.version } });
    const count = await versionCount(a.client.id);
    expect((await rollback(cookies.owner, previous.id)).error?.details.reason).toBe("protocol_unchanged");
    expect(await versionCount(a.client.id)).toBe(count);
    // Another client's version is not found, whoever asks outside it.
    const other = (await versionsInDb(a.otherClient.id))[0];
    const hidden = await callProcedure(app, {
      cookie: cookies.clientAdmin,
      path: "protocols.version",
      type: "query",
      input: { versionId: other?.id },
    });
    expect(hidden.error?.code).toBe("NOT_FOUND");
  });

  it("previews what a forbidden phrase matches, in word forms", async () => {
    const preview = await callProcedure(app, {
      cookie: cookies.clientAdmin,
      path: "protocols.previewPhrase",
      type: "query",
      input: { clientId: a.client.id, phrase: "guaranteed return", sample: "We guarantee a return on every order" },
    });
    expect(preview.data).toMatchObject({ sampleMatches: true, checked: 0, matched: 0, examples: [] });
    const miss = await callProcedure(app, {
      cookie: cookies.clientAdmin,
      path: "protocols.previewPhrase",
      type: "query",
      input: { clientId: a.client.id, phrase: "guaranteed return", sample: "Returns are free" },
    });
    expect((miss.data as { sampleMatches: boolean }).sampleMatches).toBe(false);
    const bad = await callProcedure(app, {
      cookie: cookies.clientAdmin,
      path: "protocols.previewPhrase",
      type: "query",
      input: { clientId: a.client.id, phrase: " " },
    });
    expect(bad.error?.details.fields).toMatchObject({ phrase: "phrase is required" });
  });
});
