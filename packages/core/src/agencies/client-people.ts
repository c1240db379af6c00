import { type Executor, schema } from "@parley/db";
import { and, asc, eq, inArray } from "drizzle-orm";

const { clientAssignments, memberships, users } = schema;

export interface PersonView {
  userId: string;
  name: string;
  email: string;
}

/** The client's portal users who may see escalations and its protocol (stakeholders with view or approve authority). */
export async function findPortalUsers(
  tx: Executor,
  { agencyId, clientId }: { agencyId: string; clientId: string },
): Promise<PersonView[]> {
  return tx
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(clientAssignments)
    .innerJoin(memberships, eq(memberships.id, clientAssignments.membershipId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(clientAssignments.agencyId, agencyId),
        eq(clientAssignments.clientId, clientId),
        eq(memberships.role, "client_stakeholder"),
        inArray(clientAssignments.authority, ["view", "approve"]),
      ),
    )
    .orderBy(asc(users.name));
}

/** The agency's owners and admins: who runs every client's setup (protocols, channels, playbooks). */
export async function findAgencyLeads(tx: Executor, { agencyId }: { agencyId: string }): Promise<PersonView[]> {
  return tx
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.agencyId, agencyId), inArray(memberships.role, ["owner", "admin"])))
    .orderBy(asc(users.name));
}
