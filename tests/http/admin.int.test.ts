import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, jsonRequest, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let owner: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  owner = await signInAs(app, a.users.owner.email);
});
afterAll(() => db.close());

const call = (path: string, input?: unknown, cookie = owner) =>
  callProcedure(app, { cookie, path, type: path.endsWith(".list") || path === "me.get" ? "query" : "mutation", input });

describe("clients", () => {
  it("creates, renames and archives a client, auditing each step", async () => {
    const created = await call("clients.create", { name: "Lumen Audio", timeZone: "Asia/Tokyo" });
    expect(created.data).toMatchObject({ name: "Lumen Audio", timeZone: "Asia/Tokyo", status: "active" });
    const id = (created.data as { id: string }).id;
    expect((await call("clients.update", { clientId: id, name: "Lumen Audio KK" })).data).toMatchObject({
      name: "Lumen Audio KK",
    });
    expect((await call("clients.archive", { clientId: id })).data).toMatchObject({ status: "archived" });
    expect((await call("clients.archive", { clientId: id })).error?.code).toBe("INVALID_STATE");
    const listed = (await call("clients.list", {})).data as Array<{ id: string }>;
    expect(listed.map((c) => c.id)).not.toContain(id);
    const all = (await call("clients.list", { includeArchived: true })).data as Array<{ id: string }>;
    expect(all.map((c) => c.id)).toContain(id);
    const audit = await db.owner.select().from(schema.auditEvents).where(eq(schema.auditEvents.subjectId, id));
    expect(audit.map((e) => e.action).sort()).toEqual(["client.archived", "client.created", "client.updated"]);
  });

  it("names each bad field and stores nothing", async () => {
    const outcome = await call("clients.create", { name: " ", timeZone: "Europe/Atlantis" });
    expect(outcome.status).toBe(400);
    expect(outcome.error?.details.fields).toEqual({ name: "is required", timeZone: expect.stringMatching(/IANA/) });
    const duplicate = await call("clients.create", { name: a.client.name.toUpperCase(), timeZone: "UTC" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.error?.details.fields).toEqual({ name: expect.any(String) });
    const unstorable = await call("clients.create", { name: "Lumen\u0000Audio", timeZone: "UTC" });
    expect(unstorable.status).toBe(400);
    expect(unstorable.error?.details.fields).toEqual({ name: "must not contain NUL (U+0000) characters" });
    const rows = await db.owner.select().from(schema.clients).where(eq(schema.clients.agencyId, a.agency.id));
    expect(rows).toHaveLength(3); // two from the factory, one from the first test
  });
});

describe("channels", () => {
  it("shows the ingest secret once and keeps it encrypted at rest", async () => {
    const created = await call("channels.create", {
      clientId: a.client.id,
      platform: "facebook",
      externalAccountId: "page-123",
      displayName: "Client A on Facebook",
      credentials: { appSecret: "meta-app-secret", verifyToken: "verify-me" },
    });
    const { channel, ingestSecret } = created.data as {
      channel: { id: string; hasCredentials: boolean };
      ingestSecret: string;
    };
    expect(ingestSecret).toMatch(/^[\w-]{40,}$/);
    expect(channel.hasCredentials).toBe(true);
    const listed = await call("channels.list", { clientId: a.client.id });
    expect(JSON.stringify(listed.data)).not.toContain(ingestSecret);
    const [row] = await db.owner.select().from(schema.channels).where(eq(schema.channels.id, channel.id));
    expect(row?.ingestSecretEnc).not.toContain(ingestSecret);
    expect(testSecretBox.decrypt(row?.ingestSecretEnc ?? "")).toBe(ingestSecret);
    expect(JSON.parse(testSecretBox.decrypt(row?.credentialsEnc ?? ""))).toEqual({
      appSecret: "meta-app-secret",
      verifyToken: "verify-me",
    });

    const rotated = (await call("channels.rotateSecret", { channelId: channel.id })).data as { ingestSecret: string };
    expect(rotated.ingestSecret).not.toBe(ingestSecret);
    const [after] = await db.owner.select().from(schema.channels).where(eq(schema.channels.id, channel.id));
    expect(testSecretBox.decrypt(after?.ingestSecretEnc ?? "")).toBe(rotated.ingestSecret);
    const audit = await db.owner.select().from(schema.auditEvents).where(eq(schema.auditEvents.subjectId, channel.id));
    expect(JSON.stringify(audit)).not.toContain(rotated.ingestSecret);
  });

  it("refuses a duplicate account and an unknown platform, naming the field", async () => {
    const input = { clientId: a.client.id, platform: "generic", externalAccountId: "dup-acct", displayName: "Dup" };
    expect((await call("channels.create", input)).status).toBe(200);
    const duplicate = await call("channels.create", input);
    expect(duplicate.status).toBe(409);
    expect(duplicate.error?.details.fields).toHaveProperty("externalAccountId");
    const bad = await call("channels.create", { ...input, platform: "myspace" });
    expect(bad.status).toBe(400);
    expect(bad.error?.details.fields).toHaveProperty("platform");
  });
});

describe("members", () => {
  it("invites by link, assigns clients, changes role and removes", async () => {
    const invited = await call("members.invite", { email: "New.Mod@Example.test", name: "New Mod", role: "moderator" });
    const { invitation, link } = invited.data as { invitation: { email: string }; link: string };
    expect(invitation.email).toBe("new.mod@example.test");
    const accepted = await app.request(
      "http://parley.test/auth/invitations/accept",
      jsonRequest({ token: link.split("/").at(-1), name: "New Mod", password: "new mod's passphrase" }),
    );
    expect(accepted.status).toBe(200);
    const newcomer = await signInAs(app, "new.mod@example.test", "new mod's passphrase");
    const members = (await call("members.list", undefined)).data as Array<{ email: string; membershipId: string }>;
    const member = members.find((m) => m.email === "new.mod@example.test") ?? { membershipId: "" };

    const assigned = await call("members.assignClients", {
      membershipId: member.membershipId,
      assignments: [{ clientId: a.client.id, authority: "triage" }],
    });
    expect(assigned.data).toMatchObject({
      assignments: [{ clientId: a.client.id, authority: "triage", clientAdmin: false }],
    });
    const seen = (await call("clients.list", {}, newcomer)).data as Array<{ id: string }>;
    expect(seen.map((c) => c.id)).toEqual([a.client.id]);

    const wrongAuthority = await call("members.assignClients", {
      membershipId: member.membershipId,
      assignments: [{ clientId: a.client.id, authority: "approve" }],
    });
    expect(wrongAuthority.error?.details.fields).toHaveProperty(["assignments.0.authority"]);

    expect((await call("members.changeRole", { membershipId: member.membershipId, role: "admin" })).data).toMatchObject(
      {
        role: "admin",
        assignments: [],
      },
    );
    expect(
      (await call("members.invite", { email: "new.mod@example.test", name: "Again", role: "moderator" })).status,
    ).toBe(409);
    expect((await call("members.remove", { membershipId: member.membershipId })).data).toEqual({ ok: true });
    expect((await call("clients.list", {}, newcomer)).error?.code).toBe("FORBIDDEN");
  });

  it("keeps the last owner and refuses changes to oneself", async () => {
    expect((await call("members.remove", { membershipId: a.users.owner.membershipId })).error?.code).toBe(
      "INVALID_STATE",
    );
    const admin = await signInAs(app, a.users.admin.email);
    expect(
      (await call("members.changeRole", { membershipId: a.users.owner.membershipId, role: "moderator" }, admin)).error
        ?.code,
    ).toBe("FORBIDDEN");
  });
});
