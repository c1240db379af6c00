import {
  AppError,
  type InvitationSentView,
  type InvitationView,
  isAllowed,
  type MemberInviteInput,
  type PasswordResetLinkView,
} from "@parley/contracts";
import { type Database, type Executor, schema } from "@parley/db";
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { type Clock, systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { generateSecret, hashToken } from "../kernel/secret-box";
import { listUserMemberships } from "./me";
import { assertMayGrant, getMember } from "./members";

const { invitations, memberships, users, passwordResets } = schema;

export const invitationLifetimeMs = 7 * 24 * 60 * 60 * 1000;
/** An owner hands the reset link over themselves, so it lives longer than one sent by e-mail. */
export const issuedResetLifetimeMs = 24 * 60 * 60 * 1000;

/** Where a link token goes in the web app; the API turns it into an absolute URL (`PUBLIC_URL`). */
export type LinkKind = "invitation" | "reset-password";

/** Sends a link by e-mail (SMTP); structurally the connectors' `EmailSender`. */
export interface LinkMailer {
  send(message: { to: readonly string[]; subject: string; text: string }): Promise<void>;
}

export interface LinkDeps {
  linkFor(kind: LinkKind, token: string): string;
  /** Set when SMTP is configured: links go to the person, not to the inviter's screen. */
  mailer?: LinkMailer | null;
  now?: Clock;
}

type InvitationRow = typeof invitations.$inferSelect;

/** Whoever only typed an e-mail sees what they typed: never a user id, a name Parley knew, or another agency. */
function toInvitationView(row: InvitationRow, invitedBy: string): InvitationView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    invitedBy,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

/**
 * Invites someone by e-mail into the agency: a single-use link valid for 7 days (only its SHA-256 is stored). No
 * user or membership is made or looked up: the answer is the same whether or not Parley knows the address, and
 * the person joins only by accepting. A new invitation to the same address replaces a pending one.
 */
export async function inviteMember(
  scope: Scope,
  tx: Executor,
  input: MemberInviteInput,
  deps: LinkDeps,
): Promise<InvitationSentView> {
  assertMayGrant(scope, input.role);
  const now = (deps.now ?? systemClock)();
  const [member] = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.agencyId, scope.agencyId), sql`lower(${users.email}) = ${input.email}`));
  if (member) {
    throw new AppError("CONFLICT", "This person is already a member of the agency", {
      reason: "already_member",
      fields: { email: "is already a member of this agency" },
    });
  }
  await tx
    .update(invitations)
    .set({ revokedAt: now, updatedAt: now })
    .where(
      and(
        eq(invitations.agencyId, scope.agencyId),
        eq(invitations.email, input.email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  const token = generateSecret(32);
  const [row] = await tx
    .insert(invitations)
    .values({
      agencyId: scope.agencyId,
      email: input.email,
      name: input.name,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: scope.actorId,
      expiresAt: new Date(now.getTime() + invitationLifetimeMs),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Invitation was not stored");
  const link = deps.linkFor("invitation", token);
  const [inviter] = await tx.select({ name: users.name }).from(users).where(eq(users.id, scope.actorId));
  const [agency] = await tx
    .select({ name: schema.agencies.name })
    .from(schema.agencies)
    .where(eq(schema.agencies.id, scope.agencyId));
  if (deps.mailer) {
    await deps.mailer.send({
      to: [input.email],
      subject: `${inviter?.name ?? "Someone"} invites you to ${agency?.name ?? "an agency"} on Parley`,
      text: [
        `Hello ${input.name},`,
        "",
        `${inviter?.name ?? "Someone"} invites you to join ${agency?.name ?? "their agency"} on Parley.`,
        `Accept within 7 days: ${link}`,
        "",
        "If you did not expect this, ignore this e-mail: nothing happens unless you accept.",
      ].join("\n"),
    });
  }
  await recordAudit(tx, scope, {
    action: "member.invited",
    subjectType: "invitation",
    subjectId: row.id,
    after: { email: input.email, role: input.role, emailed: Boolean(deps.mailer) },
  });
  return {
    invitation: toInvitationView(row, inviter?.name ?? ""),
    link: deps.mailer ? null : link,
    emailed: Boolean(deps.mailer),
  };
}

/** The agency's invitations still waiting for an answer, oldest first. */
export async function listInvitations(scope: Scope, tx: Executor, deps: { now?: Clock } = {}) {
  const now = (deps.now ?? systemClock)();
  const rows = await tx
    .select({ invitation: invitations, invitedBy: users.name })
    .from(invitations)
    .innerJoin(users, eq(users.id, invitations.invitedBy))
    .where(
      and(
        eq(invitations.agencyId, scope.agencyId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now),
      ),
    )
    .orderBy(asc(invitations.createdAt));
  return rows.map((row) => toInvitationView(row.invitation, row.invitedBy));
}

/** Withdraws a pending invitation: its link stops working at once. */
export async function revokeInvitation(
  scope: Scope,
  tx: Executor,
  input: { invitationId: string },
  deps: { now?: Clock } = {},
): Promise<{ ok: true }> {
  const now = (deps.now ?? systemClock)();
  const [row] = await tx
    .update(invitations)
    .set({ revokedAt: now, updatedAt: now })
    .where(
      and(
        eq(invitations.id, input.invitationId),
        eq(invitations.agencyId, scope.agencyId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Invitation not found", { reason: "invitation_not_found" });
  await recordAudit(tx, scope, {
    action: "member.invitation_revoked",
    subjectType: "invitation",
    subjectId: row.id,
    before: { email: row.email, role: row.role },
  });
  return { ok: true };
}

/**
 * An owner's reset link for a member who cannot sign in: single-use, valid 24 hours, shown once to the owner.
 * Passwords are global, so an owner may reset only a person who belongs to their agency alone; anyone who also
 * works for another agency resets their password themselves, by e-mail.
 */
export async function issuePasswordReset(
  scope: Scope,
  tx: Executor,
  input: { membershipId: string },
  deps: LinkDeps & { db: Database },
): Promise<PasswordResetLinkView> {
  if (!isAllowed(scope.role, "resetPasswords")) {
    throw new AppError("FORBIDDEN", "Only an owner can issue a password reset link", { reason: "owner_only" });
  }
  const member = await getMember(scope, tx, input.membershipId);
  // Trusted read: all of the member's agencies, as they themselves would see them.
  const agencies = await listUserMemberships(deps.db, member.userId);
  if (agencies.some((membership) => membership.agencyId !== scope.agencyId)) {
    throw new AppError("INVALID_STATE", "This person resets their password themselves, by e-mail", {
      reason: "member_of_other_agencies",
    });
  }
  const now = (deps.now ?? systemClock)();
  const token = generateSecret(32);
  const expiresAt = new Date(now.getTime() + issuedResetLifetimeMs);
  await tx
    .insert(passwordResets)
    .values({ userId: member.userId, tokenHash: hashToken(token), issuedBy: scope.actorId, expiresAt, createdAt: now });
  await recordAudit(tx, scope, {
    action: "member.password_reset_issued",
    subjectType: "membership",
    subjectId: member.membershipId,
    after: { email: member.email, expiresAt },
  });
  return { email: member.email, link: deps.linkFor("reset-password", token), expiresAt };
}
