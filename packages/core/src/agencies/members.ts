import {
  AppError,
  authoritiesByRole,
  authorityNames,
  type MemberAssignInput,
  type MemberView,
  type Role,
  roleNames,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";

const { memberships, users, clientAssignments, clients, sessions } = schema;

async function loadMembers(scope: Scope, tx: Executor, membershipIds?: string[]): Promise<MemberView[]> {
  const rows = await tx
    .select({
      membershipId: memberships.id,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.agencyId, scope.agencyId), membershipIds ? inArray(memberships.id, membershipIds) : undefined),
    )
    .orderBy(asc(users.name));
  if (rows.length === 0) return [];
  const assignments = await tx
    .select()
    .from(clientAssignments)
    .where(
      and(
        eq(clientAssignments.agencyId, scope.agencyId),
        inArray(
          clientAssignments.membershipId,
          rows.map((row) => row.membershipId),
        ),
      ),
    );
  return rows.map((row) => ({
    ...row,
    assignments: assignments
      .filter((a) => a.membershipId === row.membershipId)
      .map((a) => ({ clientId: a.clientId, authority: a.authority, clientAdmin: a.clientAdmin })),
  }));
}

export async function getMember(scope: Scope, tx: Executor, membershipId: string): Promise<MemberView> {
  const [member] = await loadMembers(scope, tx, [membershipId]);
  if (!member) throw new AppError("NOT_FOUND", "Member not found", { reason: "member_not_found" });
  return member;
}

export function listMembers(scope: Scope, tx: Executor): Promise<MemberView[]> {
  return loadMembers(scope, tx);
}

/** Only owners grant or take away the owner role. */
export function assertMayGrant(scope: Scope, role: Role): void {
  if (role === "owner" && scope.role !== "owner") {
    throw new AppError("FORBIDDEN", "Only an owner can make someone an owner", {
      reason: "owner_only",
      fields: { role: "only an owner can grant the owner role" },
    });
  }
}

export async function assignClients(scope: Scope, tx: Executor, input: MemberAssignInput): Promise<MemberView> {
  const before = await getMember(scope, tx, input.membershipId);
  const allowed = authoritiesByRole[before.role];
  const fields: Record<string, string> = {};
  input.assignments.forEach((assignment, index) => {
    if (!allowed.includes(assignment.authority)) {
      const who = roleNames[before.role];
      fields[`assignments.${index}.authority`] = allowed.length
        ? `${who} may hold ${allowed.map((authority) => `“${authorityNames[authority]}”`).join(" or ")}, not “${authorityNames[assignment.authority]}”`
        : `${who} sees every client and takes no assignments`;
    }
    if (assignment.clientAdmin && before.role !== "client_stakeholder") {
      fields[`assignments.${index}.clientAdmin`] = "only client stakeholders can be a client's admin";
    }
  });
  const clientIds = [...new Set(input.assignments.map((a) => a.clientId))];
  if (clientIds.length !== input.assignments.length) fields.assignments = "lists a client more than once";
  if (Object.keys(fields).length > 0) {
    throw new AppError("BAD_INPUT", `Invalid assignments — ${Object.values(fields).join("; ")}`, {
      reason: "validation",
      fields,
    });
  }
  if (clientIds.length > 0) {
    const found = await tx
      .select({ id: clients.id })
      .from(clients)
      .where(and(eq(clients.agencyId, scope.agencyId), inArray(clients.id, clientIds)));
    const missing = input.assignments.findIndex((a) => !found.some((row) => row.id === a.clientId));
    if (missing >= 0) {
      throw new AppError("NOT_FOUND", "Client not found", {
        reason: "client_not_found",
        fields: { [`assignments.${missing}.clientId`]: "is not a client of this agency" },
      });
    }
  }
  await tx
    .delete(clientAssignments)
    .where(
      and(eq(clientAssignments.agencyId, scope.agencyId), eq(clientAssignments.membershipId, before.membershipId)),
    );
  if (input.assignments.length > 0) {
    await tx.insert(clientAssignments).values(
      input.assignments.map((a) => ({
        agencyId: scope.agencyId,
        membershipId: before.membershipId,
        clientId: a.clientId,
        authority: a.authority,
        clientAdmin: a.clientAdmin,
      })),
    );
  }
  const after = await getMember(scope, tx, before.membershipId);
  await recordAudit(tx, scope, {
    action: "member.assignments_changed",
    subjectType: "membership",
    subjectId: before.membershipId,
    before: before.assignments,
    after: after.assignments,
  });
  return after;
}

async function assertNotLastOwner(scope: Scope, tx: Executor, member: MemberView): Promise<void> {
  if (member.role !== "owner") return;
  const owners = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.agencyId, scope.agencyId), eq(memberships.role, "owner")));
  if (owners.length <= 1) {
    throw new AppError("INVALID_STATE", "The agency must keep at least one owner", { reason: "last_owner" });
  }
}

function assertNotSelf(scope: Scope, member: MemberView, what: string): void {
  if (member.membershipId === scope.membershipId) {
    throw new AppError("INVALID_STATE", `You cannot ${what} yourself`, { reason: "self_change" });
  }
}

export async function changeMemberRole(
  scope: Scope,
  tx: Executor,
  input: { membershipId: string; role: Role },
): Promise<MemberView> {
  const before = await getMember(scope, tx, input.membershipId);
  assertNotSelf(scope, before, "change the role of");
  assertMayGrant(scope, input.role);
  assertMayGrant(scope, before.role);
  if (before.role === input.role) return before;
  await assertNotLastOwner(scope, tx, before);
  await tx
    .update(memberships)
    .set({ role: input.role, updatedAt: new Date() })
    .where(and(eq(memberships.id, before.membershipId), eq(memberships.agencyId, scope.agencyId)));
  // Assignments that the new role may not hold go with the old role.
  const keep = authoritiesByRole[input.role];
  const stale = before.assignments.filter((a) => !keep.includes(a.authority)).map((a) => a.clientId);
  if (stale.length > 0) {
    await tx
      .delete(clientAssignments)
      .where(
        and(
          eq(clientAssignments.agencyId, scope.agencyId),
          eq(clientAssignments.membershipId, before.membershipId),
          inArray(clientAssignments.clientId, stale),
        ),
      );
  }
  const after = await getMember(scope, tx, before.membershipId);
  await recordAudit(tx, scope, {
    action: "member.role_changed",
    subjectType: "membership",
    subjectId: before.membershipId,
    before: { role: before.role },
    after: { role: after.role },
  });
  return after;
}

export async function removeMember(scope: Scope, tx: Executor, input: { membershipId: string }): Promise<{ ok: true }> {
  const before = await getMember(scope, tx, input.membershipId);
  assertNotSelf(scope, before, "remove");
  assertMayGrant(scope, before.role);
  await assertNotLastOwner(scope, tx, before);
  await tx
    .delete(memberships)
    .where(and(eq(memberships.id, before.membershipId), eq(memberships.agencyId, scope.agencyId)));
  // Their sessions in this agency lose it at once.
  await tx
    .update(sessions)
    .set({ currentAgencyId: null })
    .where(and(eq(sessions.userId, before.userId), eq(sessions.currentAgencyId, scope.agencyId)));
  await recordAudit(tx, scope, {
    action: "member.removed",
    subjectType: "membership",
    subjectId: before.membershipId,
    before: { email: before.email, role: before.role },
  });
  return { ok: true };
}
