import { createApp } from "@parley/api/app";
import { silentLogger } from "@parley/api/logger";
import type { MeView } from "@parley/contracts";
import { schema, withTenant } from "@parley/db";
import {
  createTestDatabase,
  makeAgency,
  makeUser,
  type TestAgency,
  type TestDatabase,
  testOutboundAllowlist,
  testPassword,
  testSecretBox,
} from "@parley/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, jsonRequest, makeTestApp, signInAs, type TestApp } from "../support/http";

let db: TestDatabase;
let app: TestApp;
let southpaw: TestAgency;
let northwind: TestAgency;
const mailed: Array<{ to: readonly string[]; subject: string; text: string }> = [];
let mailingApp: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  mailingApp = createApp({
    services: {
      db: db.app,
      secretBox: testSecretBox,
      outboundAllowlist: testOutboundAllowlist,
      mailer: { send: async (message) => void mailed.push(message) },
    },
    trustProxy: 1,
    logger: silentLogger,
  });
  southpaw = await makeAgency(db.owner, { name: "Southpaw" });
  northwind = await makeAgency(db.owner, { name: "Northwind" });
});
afterAll(() => db.close());

const linkPattern = /^http:\/\/parley\.test\/invitation\/([A-Za-z0-9_-]{43})$/;
const tokenOf = (link: unknown) => linkPattern.exec(String(link))?.[1] ?? "";

async function post(path: string, body: unknown, cookie?: string, on: TestApp = app) {
  const response = await on.request(`http://parley.test${path}`, jsonRequest(body, { cookie }));
  const cookieSet = response.headers.get("set-cookie")?.split(";")[0];
  return {
    status: response.status,
    body: (await response.json()) as { error?: { details: Record<string, unknown> }; me?: MeView },
    cookie: cookieSet,
  };
}

async function invite(owner: string, input: { email: string; name: string; role: string }, on: TestApp = app) {
  const outcome = await callProcedure(on, { cookie: owner, path: "members.invite", type: "mutation", input });
  return outcome.data as { invitation: Record<string, unknown>; link: string | null; emailed: boolean };
}

const membershipsOf = async (cookie: string) => {
  const me = await app.request("http://parley.test/auth/me", { headers: { cookie } });
  return ((await me.json()) as { me: { memberships: Array<{ agencyId: string }> } }).me.memberships.map(
    (m) => m.agencyId,
  );
};

describe("invitations", () => {
  it("answer with a single-use link and nothing about the person, whether or not Parley knows the address", async () => {
    const owner = await signInAs(app, southpaw.users.owner.email);
    const known = northwind.users.moderator;
    const forKnown = await invite(owner, { email: known.email, name: "Typed Name", role: "moderator" });
    const forNew = await invite(owner, { email: "newcomer-1@example.test", name: "Newcomer", role: "moderator" });
    for (const [answer, email, name] of [
      [forKnown, known.email, "Typed Name"],
      [forNew, "newcomer-1@example.test", "Newcomer"],
    ] as const) {
      expect(Object.keys(answer).sort()).toEqual(["emailed", "invitation", "link"]);
      expect(Object.keys(answer.invitation).sort()).toEqual([
        "createdAt",
        "email",
        "expiresAt",
        "id",
        "invitedBy",
        "name",
        "role",
      ]);
      expect(answer.invitation).toMatchObject({ email, name, role: "moderator" });
      expect(answer.link).toMatch(linkPattern);
      expect(answer.emailed).toBe(false);
    }
    expect(JSON.stringify(forKnown)).not.toContain(known.id);
    // Nobody was added or created: a person joins only by accepting.
    const members = await callProcedure(app, { cookie: owner, path: "members.list", type: "query" });
    expect(JSON.stringify(members.data)).not.toContain(known.email);
    const created = await db.owner.select().from(schema.users).where(eq(schema.users.email, "newcomer-1@example.test"));
    expect(created).toEqual([]);
    // Only the token's SHA-256 is stored.
    const rows = await withTenant(db.owner, { agencyId: southpaw.agency.id, clientIds: null }, (tx) =>
      tx.select().from(schema.invitations),
    );
    expect(rows.length).toBeGreaterThan(1);
    expect(JSON.stringify(rows)).not.toContain(tokenOf(forNew.link));
  });

  it("let someone new choose their own password; the link works once", async () => {
    const owner = await signInAs(app, southpaw.users.owner.email);
    const { link } = await invite(owner, { email: "Newcomer-2@Example.test", name: "Newcomer", role: "moderator" });
    const token = tokenOf(link);
    const preview = await app.request(`http://parley.test/auth/invitations/${token}`);
    expect(await preview.json()).toMatchObject({
      invitation: { agencyName: "Southpaw", email: "newcomer-2@example.test", role: "moderator", account: "new" },
    });
    const short = await post("/auth/invitations/accept", { token, name: "New Person", password: "short" });
    expect(short.status).toBe(400);
    expect(short.body.error?.details.fields).toHaveProperty("password");
    const accepted = await post("/auth/invitations/accept", {
      token,
      name: "New Person",
      password: "a long passphrase",
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.me).toMatchObject({
      user: { email: "newcomer-2@example.test", name: "New Person" },
      current: { agencyId: southpaw.agency.id, role: "moderator" },
    });
    expect(accepted.cookie).toMatch(/^parley_session=/);
    expect(
      (await post("/auth/invitations/accept", { token, name: "Again", password: "another passphrase" })).status,
    ).toBe(404);
    await signInAs(app, "newcomer-2@example.test", "a long passphrase");
  });

  it("close the cross-agency takeover: someone another agency employs joins only by accepting as themselves", async () => {
    const southpawOwner = await signInAs(app, southpaw.users.owner.email);
    const northwindOwner = await signInAs(app, northwind.users.owner.email);
    // x joins Southpaw with a password only x knows.
    const first = await invite(southpawOwner, { email: "x@cobalt.test", name: "X", role: "moderator" });
    await post("/auth/invitations/accept", { token: tokenOf(first.link), name: "X", password: "x's own secret" });
    // Northwind invites the same address, as Cobalt Bank's approver.
    const second = await invite(northwindOwner, { email: "x@cobalt.test", name: "X", role: "client_stakeholder" });
    const token = tokenOf(second.link);
    // Until x accepts, Northwind is not among x's agencies, and switching to it is refused.
    const x = await signInAs(app, "x@cobalt.test", "x's own secret");
    expect(await membershipsOf(x)).toEqual([southpaw.agency.id]);
    const switched = await callProcedure(app, {
      cookie: x,
      path: "me.switchAgency",
      type: "mutation",
      input: { agencyId: northwind.agency.id },
    });
    expect(switched.error?.code).toBe("NOT_FOUND");
    // Holding the link is not enough: whoever accepts proves they are x.
    const anonymous = await post("/auth/invitations/accept", { token });
    expect(anonymous).toMatchObject({ status: 401, body: { error: { details: { reason: "sign_in_required" } } } });
    const southpawAdmin = await signInAs(app, southpaw.users.admin.email);
    expect((await post("/auth/invitations/accept", { token }, southpawAdmin)).status).toBe(401);
    expect((await post("/auth/invitations/accept", { token, password: "a guess" })).status).toBe(401);
    expect(await membershipsOf(x)).toEqual([southpaw.agency.id]);
    // x, signed in, accepts.
    const preview = await app.request(`http://parley.test/auth/invitations/${token}`, { headers: { cookie: x } });
    expect(await preview.json()).toMatchObject({ invitation: { account: "existing" }, signedInAsInvitee: true });
    const accepted = await post("/auth/invitations/accept", { token }, x);
    expect(accepted.status).toBe(200);
    expect(accepted.body.me?.current).toMatchObject({ agencyId: northwind.agency.id, role: "client_stakeholder" });
  });

  it("stop working when withdrawn or expired", async () => {
    const owner = await signInAs(app, southpaw.users.owner.email);
    const withdrawn = await invite(owner, { email: "withdrawn@example.test", name: "W", role: "moderator" });
    const withdrawnId = String(withdrawn.invitation.id);
    const listed = await callProcedure(app, { cookie: owner, path: "members.invitations", type: "query" });
    expect((listed.data as Array<{ id: string }>).map((i) => i.id)).toContain(withdrawnId);
    const revoked = await callProcedure(app, {
      cookie: owner,
      path: "members.revokeInvitation",
      type: "mutation",
      input: { invitationId: withdrawnId },
    });
    expect(revoked.data).toEqual({ ok: true });
    const late = { token: tokenOf(withdrawn.link), name: "W", password: "a long passphrase" };
    expect((await post("/auth/invitations/accept", late)).status).toBe(404);

    const expired = await invite(owner, { email: "expired@example.test", name: "E", role: "moderator" });
    await withTenant(db.owner, { agencyId: southpaw.agency.id, clientIds: null }, (tx) =>
      tx.execute(
        sql`update invitations set expires_at = now() - interval '1 minute' where id = ${String(expired.invitation.id)}`,
      ),
    );
    const tooLate = await post("/auth/invitations/accept", { ...late, token: tokenOf(expired.link) });
    expect(tooLate).toMatchObject({ status: 409, body: { error: { details: { reason: "invitation_expired" } } } });
  });

  it("e-mail the link through SMTP when it is configured, and show it to nobody", async () => {
    const owner = await signInAs(mailingApp, southpaw.users.owner.email);
    const answer = await invite(owner, { email: "mailed@example.test", name: "Mailed", role: "moderator" }, mailingApp);
    expect(answer).toMatchObject({ link: null, emailed: true });
    const [message] = mailed.splice(0);
    expect(message?.to).toEqual(["mailed@example.test"]);
    expect(message?.text).toMatch(/http:\/\/parley\.test\/invitation\/[A-Za-z0-9_-]{43}/);
  });
});

describe("passwords", () => {
  it("change: the current password is checked, the person's other sessions end, this one stays", async () => {
    const person = await makeUser(db.owner, { agencyId: southpaw.agency.id, role: "moderator" });
    const here = await signInAs(app, person.email);
    const elsewhere = await signInAs(app, person.email);
    const change = (currentPassword: string) =>
      callProcedure(app, {
        cookie: here,
        path: "me.changePassword",
        type: "mutation",
        input: { currentPassword, newPassword: "a brand new passphrase" },
      });
    const wrong = await change("not my password");
    expect(wrong.status).toBe(400);
    expect(wrong.error?.details.fields).toHaveProperty("currentPassword");
    expect((await change(testPassword)).data).toEqual({ ok: true });
    expect((await app.request("http://parley.test/auth/me", { headers: { cookie: elsewhere } })).status).toBe(401);
    expect((await app.request("http://parley.test/auth/me", { headers: { cookie: here } })).status).toBe(200);
    await expect(signInAs(app, person.email)).rejects.toThrow(/401/);
    await signInAs(app, person.email, "a brand new passphrase");
  });

  it("reset by e-mailed link: the same answer for unknown addresses, one use, and every session ends", async () => {
    const person = await makeUser(db.owner, { agencyId: southpaw.agency.id, role: "moderator" });
    const session = await signInAs(app, person.email);
    const known = await post("/auth/password-reset/request", { email: person.email }, undefined, mailingApp);
    const unknown = await post("/auth/password-reset/request", { email: "nobody@example.test" }, undefined, mailingApp);
    expect(known).toMatchObject({ status: 202, body: { ok: true, emailed: true } });
    expect(unknown).toMatchObject({ status: 202, body: known.body });
    const [message, ...others] = mailed.splice(0);
    expect(others).toEqual([]);
    expect(message?.to).toEqual([person.email]);
    const token = /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(message?.text ?? "")?.[1] ?? "";
    const preview = await app.request(`http://parley.test/auth/password-reset/${token}`);
    expect(await preview.json()).toMatchObject({ reset: { email: person.email } });
    const reset = await post("/auth/password-reset", { token, password: "after the reset" });
    expect(reset.status).toBe(200);
    expect(reset.body.me?.user.email).toBe(person.email);
    expect((await app.request("http://parley.test/auth/me", { headers: { cookie: session } })).status).toBe(401);
    expect((await post("/auth/password-reset", { token, password: "once more please" })).status).toBe(404);
    await signInAs(app, person.email, "after the reset");
  });

  it("an owner issues a reset link for someone only their agency employs; never for another agency's person", async () => {
    const owner = await signInAs(app, southpaw.users.owner.email);
    const admin = await signInAs(app, southpaw.users.admin.email);
    const solo = await makeUser(db.owner, { agencyId: southpaw.agency.id, role: "moderator" });
    const issue = (cookie: string, membershipId: string) =>
      callProcedure(app, { cookie, path: "members.issuePasswordReset", type: "mutation", input: { membershipId } });
    expect((await issue(admin, solo.membershipId)).error?.code).toBe("FORBIDDEN");
    const issued = await issue(owner, solo.membershipId);
    const link = (issued.data as { link: string }).link;
    expect(link).toMatch(/^http:\/\/parley\.test\/reset-password\/[A-Za-z0-9_-]{43}$/);
    const token = link.split("/").at(-1);
    expect((await post("/auth/password-reset", { token, password: "chosen by solo" })).status).toBe(200);

    // Someone Northwind also employs: Southpaw's owner cannot reset their password.
    const shared = await makeUser(db.owner, { agencyId: northwind.agency.id, role: "moderator" });
    const [membership] = await withTenant(db.owner, { agencyId: southpaw.agency.id, clientIds: null }, (tx) =>
      tx
        .insert(schema.memberships)
        .values({ agencyId: southpaw.agency.id, userId: shared.id, role: "moderator" })
        .returning(),
    );
    const refused = await issue(owner, membership?.id ?? "");
    expect(refused.error?.details.reason).toBe("member_of_other_agencies");
  });
});
