import { AppError, type InvitationPreview } from "@parley/contracts";
import { type Database, type Executor, schema, setTenant, type Transaction } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import { hashToken } from "../kernel/secret-box";

/*
 * Deliberately unscoped: an invitation link arrives before anyone knows the agency. The lookup sees the one row
 * whose token hash the server put in `app.invitation_token_hash` (the `invitation_lookup` policy); accepting then
 * runs scoped to the invitation's agency.
 */

const { invitations, agencies, memberships, users, auditEvents } = schema;

type InvitationRow = typeof invitations.$inferSelect;

const invalidLink = () =>
  new AppError("NOT_FOUND", "This invitation link is not valid: it was used, withdrawn or mistyped", {
    reason: "invitation_not_found",
  });

/** The pending invitation the token names, read in `tx` and then scoped to its agency; NOT_FOUND/INVALID_STATE otherwise. */
async function findPendingInvitation(tx: Transaction, token: string, now: Date): Promise<InvitationRow> {
  await tx.execute(sql`select set_config('app.invitation_token_hash', ${hashToken(token)}, true)`);
  const [found] = await tx
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, hashToken(token)));
  if (!found || found.acceptedAt || found.revokedAt) throw invalidLink();
  if (found.expiresAt.getTime() <= now.getTime()) {
    throw new AppError("INVALID_STATE", "This invitation has expired: ask for a new one", {
      reason: "invitation_expired",
    });
  }
  await setTenant(tx, { agencyId: found.agencyId, clientIds: null, userId: null });
  return found;
}

async function findUserIdByEmail(tx: Executor, email: string): Promise<string | null> {
  const [user] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email}`);
  return user?.id ?? null;
}

/** What the holder of the link sees before accepting: the agency, the role, and whether they sign in or sign up. */
export function previewInvitation(
  db: Database,
  input: { token: string },
  deps: { now?: Clock } = {},
): Promise<InvitationPreview & { userId: string | null }> {
  return db.transaction(async (tx) => {
    const invitation = await findPendingInvitation(tx, input.token, (deps.now ?? systemClock)());
    const [agency] = await tx
      .select({ name: agencies.name })
      .from(agencies)
      .where(eq(agencies.id, invitation.agencyId));
    const userId = await findUserIdByEmail(tx, invitation.email);
    return {
      agencyName: agency?.name ?? "",
      email: invitation.email,
      name: invitation.name,
      role: invitation.role,
      expiresAt: invitation.expiresAt,
      account: userId ? "existing" : "new",
      userId,
    };
  });
}

/**
 * Accepts an invitation in one transaction: the link is used once (the row is locked, then marked accepted), the
 * person joins the agency in the invited role, and the agency's audit trail records it. `as` is the person Parley
 * already knows, signed in or proven by their password (the caller checked), or a new account with the name and
 * password hash they chose. A person who is already a member keeps their role.
 */
export function acceptInvitation(
  db: Database,
  input: {
    token: string;
    as: { userId: string } | { newUser: { name: string; passwordHash: string } };
    ip?: string | null;
  },
  deps: { now?: Clock } = {},
): Promise<{ agencyId: string; userId: string }> {
  const now = (deps.now ?? systemClock)();
  return db.transaction(async (tx) => {
    const found = await findPendingInvitation(tx, input.token, now);
    const [invitation] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, found.id), eq(invitations.agencyId, found.agencyId)))
      .for("update");
    if (!invitation || invitation.acceptedAt || invitation.revokedAt) throw invalidLink();
    const existingUserId = await findUserIdByEmail(tx, invitation.email);
    let userId: string;
    if ("userId" in input.as) {
      if (existingUserId !== input.as.userId) {
        throw new AppError("FORBIDDEN", `This invitation is for ${invitation.email}: sign in as them to accept it`, {
          reason: "invitation_for_another_user",
        });
      }
      userId = input.as.userId;
    } else {
      if (existingUserId) {
        throw new AppError("CONFLICT", `${invitation.email} already has a Parley account: sign in to accept`, {
          reason: "account_exists",
        });
      }
      const [created] = await tx
        .insert(users)
        .values({ email: invitation.email, name: input.as.newUser.name, passwordHash: input.as.newUser.passwordHash })
        .returning({ id: users.id });
      if (!created) throw new AppError("INTERNAL", "User was not created");
      userId = created.id;
    }
    await tx
      .update(invitations)
      .set({ acceptedAt: now, updatedAt: now })
      .where(and(eq(invitations.id, invitation.id), eq(invitations.agencyId, invitation.agencyId)));
    const [membership] = await tx
      .insert(memberships)
      .values({ agencyId: invitation.agencyId, userId, role: invitation.role })
      .onConflictDoNothing()
      .returning({ id: memberships.id });
    await tx.insert(auditEvents).values({
      agencyId: invitation.agencyId,
      actorUserId: userId,
      ip: input.ip ?? null,
      action: "member.joined",
      subjectType: "invitation",
      subjectId: invitation.id,
      after: { email: invitation.email, role: invitation.role, membershipId: membership?.id ?? null },
    });
    return { agencyId: invitation.agencyId, userId };
  });
}
