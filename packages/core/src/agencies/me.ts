import { agencyWideRoles, type MeView } from "@parley/contracts";
import { type Database, schema, withTenant, withUser } from "@parley/db";
import { and, asc, eq } from "drizzle-orm";
import type { Scope } from "../kernel/scope";

const { memberships, agencies, users, clientAssignments } = schema;

/**
 * Builds the scope of a user acting in an agency, or null when they are not a member of it.
 * Trusted code: reads the membership agency-wide before the client restriction exists.
 */
export async function resolveScope(
  db: Database,
  options: { userId: string; agencyId: string; ip?: string | null },
): Promise<Scope | null> {
  return withTenant(db, { agencyId: options.agencyId, clientIds: null, userId: options.userId }, async (tx) => {
    const [membership] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.agencyId, options.agencyId), eq(memberships.userId, options.userId)));
    if (!membership) return null;
    const assignments = await tx
      .select()
      .from(clientAssignments)
      .where(and(eq(clientAssignments.agencyId, options.agencyId), eq(clientAssignments.membershipId, membership.id)));
    const agencyWide = agencyWideRoles.includes(membership.role);
    return {
      agencyId: options.agencyId,
      actorId: options.userId,
      membershipId: membership.id,
      role: membership.role,
      clientIds: agencyWide ? null : assignments.map((a) => a.clientId),
      clientAdminOf: assignments.filter((a) => a.clientAdmin).map((a) => a.clientId),
      ip: options.ip ?? null,
    };
  });
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
