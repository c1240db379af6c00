import { randomBytes } from "node:crypto";
import { hashPassword } from "@parley/auth";
import { type Authority, parseOutboundAllowlist, type Role } from "@parley/contracts";
import { createSecretBox, generateSecret } from "@parley/core/kernel";
import { type Database, schema, withTenant } from "@parley/db";
import { sql } from "drizzle-orm";

export const testPassword = "correct horse battery staple";
export const testAppSecret = "test-app-secret-0123456789abcdef0123456789";
export const testSecretBox = createSecretBox(testAppSecret);
/** Local fakes (platforms, webhook receivers) listen on loopback over plain http: the tests allow it. */
export const testOutboundAllowlist = (() => {
  const parsed = parseOutboundAllowlist("127.0.0.1,::1,localhost");
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.allowlist;
})();

let cachedHash: Promise<string> | undefined;
/** argon2id is slow on purpose; every factory user shares one hash of testPassword. */
function testPasswordHash(): Promise<string> {
  cachedHash ??= hashPassword(testPassword);
  return cachedHash;
}

export interface TestUser {
  id: string;
  email: string;
  membershipId: string;
  role: Role;
}

const unique = () => randomBytes(4).toString("hex");

export async function makeUser(
  db: Database,
  options: {
    agencyId: string;
    role: Role;
    email?: string;
    assignments?: Array<{ clientId: string; authority: Authority; clientAdmin?: boolean }>;
  },
): Promise<TestUser> {
  const email = options.email ?? `${options.role.replace("_", "-")}-${unique()}@example.test`;
  const [user] = await db
    .insert(schema.users)
    .values({ email, name: `${options.role} ${unique()}`, passwordHash: await testPasswordHash() })
    .returning();
  if (!user) throw new Error("user not created");
  return withTenant(db, { agencyId: options.agencyId, clientIds: null }, async (tx) => {
    const [membership] = await tx
      .insert(schema.memberships)
      .values({ agencyId: options.agencyId, userId: user.id, role: options.role })
      .returning();
    if (!membership) throw new Error("membership not created");
    if (options.assignments?.length) {
      await tx.insert(schema.clientAssignments).values(
        options.assignments.map((a) => ({
          agencyId: options.agencyId,
          membershipId: membership.id,
          clientId: a.clientId,
          authority: a.authority,
          clientAdmin: a.clientAdmin ?? false,
        })),
      );
    }
    return { id: user.id, email, membershipId: membership.id, role: options.role };
  });
}

/**
 * An agency with two clients (each with a generic channel) and one member per role: owner, admin,
 * account manager (both clients), moderator (both clients, respond) and a stakeholder of the first client.
 */
export async function makeAgency(db: Database, options: { name?: string } = {}) {
  const [agency] = await db
    .insert(schema.agencies)
    .values({ name: options.name ?? `Agency ${unique()}` })
    .returning();
  if (!agency) throw new Error("agency not created");
  const { clients, channels } = await withTenant(db, { agencyId: agency.id, clientIds: null }, async (tx) => {
    const clients = await tx
      .insert(schema.clients)
      .values([
        { agencyId: agency.id, name: `Client A ${unique()}`, timeZone: "Europe/London" },
        { agencyId: agency.id, name: `Client B ${unique()}`, timeZone: "America/New_York" },
      ])
      .returning();
    const channels = await tx
      .insert(schema.channels)
      .values(
        clients.map((client) => ({
          agencyId: agency.id,
          clientId: client.id,
          platform: "generic" as const,
          externalAccountId: `acct-${unique()}`,
          displayName: `${client.name} community`,
          ingestSecretEnc: testSecretBox.encrypt(generateSecret()),
        })),
      )
      .returning();
    return { clients, channels };
  });
  const [client, otherClient] = clients;
  if (!client || !otherClient) throw new Error("clients not created");
  const both = [client.id, otherClient.id];
  const users = {
    owner: await makeUser(db, { agencyId: agency.id, role: "owner" }),
    admin: await makeUser(db, { agencyId: agency.id, role: "admin" }),
    accountManager: await makeUser(db, {
      agencyId: agency.id,
      role: "account_manager",
      assignments: both.map((clientId) => ({ clientId, authority: "view" as const })),
    }),
    moderator: await makeUser(db, {
      agencyId: agency.id,
      role: "moderator",
      assignments: both.map((clientId) => ({ clientId, authority: "respond" as const })),
    }),
    stakeholder: await makeUser(db, {
      agencyId: agency.id,
      role: "client_stakeholder",
      assignments: [{ clientId: client.id, authority: "approve", clientAdmin: true }],
    }),
  };
  return { agency, client, otherClient, channels, users };
}

export type TestAgency = Awaited<ReturnType<typeof makeAgency>>;

/**
 * Gives a client business hours as a version in force since `effectiveAt` (default 2000-01-01, before anything a
 * test makes), written as the owner: tests that need hours for a past they make up use this.
 */
export async function setBusinessHours(
  db: Database,
  options: { agencyId: string; clientId: string; calendar: unknown; effectiveAt?: Date },
): Promise<void> {
  const effectiveAt = options.effectiveAt ?? new Date("2000-01-01T00:00:00Z");
  await db.execute(sql`insert into business_calendars (agency_id, client_id, version, effective_from, effective_at, calendar)
    select ${options.agencyId}, ${options.clientId}, coalesce(max(version), 0) + 1, ${effectiveAt.toISOString().slice(0, 10)},
      ${effectiveAt.toISOString()}, ${options.calendar === null ? null : JSON.stringify(options.calendar)}::jsonb
    from business_calendars where client_id = ${options.clientId}`);
}
