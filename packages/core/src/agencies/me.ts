import { agencyWideRoles, type MeView, type Role } from "@parley/contracts";
import { type Database, executePrepared, schema, withTenant, withUser } from "@parley/db";
import { asc, eq, sql } from "drizzle-orm";
import type { Scope } from "../kernel/scope";

const { memberships, agencies, users, clientAssignments } = schema;

/** A row of `parley_member_scope` (migration 0042) or `parley_session_scope` (0052). */
interface MemberScopeRow {
  membership_id: string;
  role: Role;
  client_ids: string[];
  client_admin_of: string[];
}

function scopeOf(row: MemberScopeRow, who: { agencyId: string; userId: string; ip?: string | null }): Scope {
  return {
    agencyId: who.agencyId,
    actorId: who.userId,
    membershipId: row.membership_id,
    role: row.role,
    clientIds: agencyWideRoles.includes(row.role) ? null : row.client_ids,
    clientAdminOf: row.client_admin_of,
    ip: who.ip ?? null,
  };
}

/**
 * Builds the scope of a user acting in an agency, or null when they are not a member of it.
 * Trusted code: reads the membership agency-wide before the client restriction exists. One call of
 * `parley_member_scope` (migration 0042), which sets the tenant for its own transaction.
 */
export async function resolveScope(
  db: Database,
  options: { userId: string; agencyId: string; ip?: string | null },
): Promise<Scope | null> {
  const [member] = await executePrepared<MemberScopeRow>(
    db,
    sql`select * from parley_member_scope(${options.agencyId}::uuid, ${options.userId}::uuid)`,
  );
  return member ? scopeOf(member, options) : null;
}

/**
 * The scope of a stored session's user in its current agency, by the session's id alone, so it is read alongside
 * the session rather than after it (`loadSession` in apps/api): null when the session is unknown, has no agency,
 * or its user is no longer a member there. It does not judge expiry; the caller uses it only with the session it
 * validated, and only when both name the same user and agency. One call of `parley_session_scope` (migration 0052).
 */
export async function resolveSessionScope(db: Database, sessionId: string): Promise<Scope | null> {
  const [member] = await executePrepared<MemberScopeRow & { agency_id: string; user_id: string }>(
    db,
    sql`select * from parley_session_scope(${sessionId})`,
  );
  return member ? scopeOf(member, { agencyId: member.agency_id, userId: member.user_id }) : null;
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
