import { agencyWideRoles, type MeView, type Role } from "@parley/contracts";
import { type Database, executePrepared, schema, withTenant, withUser } from "@parley/db";
import { asc, eq, sql } from "drizzle-orm";
import type { Scope } from "../kernel/scope";

const { memberships, agencies, users, clientAssignments } = schema;

/**
 * Builds the scope of a user acting in an agency, or null when they are not a member of it.
 * Trusted code: reads the membership agency-wide before the client restriction exists. One call of
 * `parley_member_scope` (migration 0042), which sets the tenant for its own transaction: every request builds it.
 */
export async function resolveScope(
  db: Database,
  options: { userId: string; agencyId: string; ip?: string | null },
): Promise<Scope | null> {
  const [member] = await executePrepared<{
    membership_id: string;
    role: Role;
    client_ids: string[];
    client_admin_of: string[];
  }>(db, sql`select * from parley_member_scope(${options.agencyId}::uuid, ${options.userId}::uuid)`);
  if (!member) return null;
  return {
    agencyId: options.agencyId,
    actorId: options.userId,
    membershipId: member.membership_id,
    role: member.role,
    clientIds: agencyWideRoles.includes(member.role) ? null : member.client_ids,
    clientAdminOf: member.client_admin_of,
    ip: options.ip ?? null,
  };
}

/** The agencies a user belongs to, oldest membership first. */
export function listUserMemberships(db: Database, userId: string) {
  return withUser(db, userId, (tx) =>
    tx
      .select({
        membershipId: memberships.id,
        agencyId: agencies.id,
        agencyName: agencies.name,
        role: memberships.role,
      })
      .from(memberships)
      .innerJoin(agencies, eq(agencies.id, memberships.agencyId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.createdAt)),
  );
}

export async function getMe(
  db: Database,
  options: { userId: string; currentAgencyId: string | null },
): Promise<MeView> {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, options.userId));
  if (!user) throw new Error(`session user ${options.userId} vanished`);
  const list = await listUserMemberships(db, options.userId);
  const current = list.find((m) => m.agencyId === options.currentAgencyId);
  if (!current) return { user, memberships: list, current: null };
  const assignments = await withTenant(db, { agencyId: current.agencyId, clientIds: null, userId: user.id }, (tx) =>
    tx
      .select({
        clientId: clientAssignments.clientId,
        authority: clientAssignments.authority,
        clientAdmin: clientAssignments.clientAdmin,
      })
      .from(clientAssignments)
      .where(eq(clientAssignments.membershipId, current.membershipId)),
  );
  return {
    user,
    memberships: list,
    current: { agencyId: current.agencyId, agencyName: current.agencyName, role: current.role, assignments },
  };
}
