import { AppError, type PasswordResetPreview } from "@parley/contracts";
import type { LinkDeps } from "@parley/core/agencies";
import { type Clock, generateSecret, hashToken, systemClock } from "@parley/core/kernel";
import { type Database, schema } from "@parley/db";
import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { hashPassword } from "./password";
import { checkCredentials, openSession, type SignInResult } from "./sign-in";

const { users, sessions, passwordResets, auditEvents } = schema;

/** A link sent by e-mail is used at once or not at all. */
export const emailedResetLifetimeMs = 60 * 60 * 1000;
/** Reset e-mails sent to one person per hour, at most: asking again and again fills nobody's inbox. */
export const maxResetEmailsPerHour = 3;

async function auditUserEvent(db: Database, options: { userId: string; action: string; ip: string }) {
  await db.insert(auditEvents).values({
    agencyId: null,
    actorUserId: options.userId,
    action: options.action,
    subjectType: "user",
    subjectId: options.userId,
    ip: options.ip,
  });
}

/**
 * A signed-in person changes their password: the current one is checked under the sign-in limits, and every
 * other session of theirs ends (the one they are using stays).
 */
export async function changePassword(
  db: Database,
  options: { userId: string; sessionId: string; currentPassword: string; newPassword: string; ip: string },
): Promise<{ ok: true }> {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, options.userId));
  if (!user) throw new AppError("UNAUTHENTICATED", "Sign in first", { reason: "no_session" });
  try {
    await checkCredentials(db, { email: user.email, password: options.currentPassword, ip: options.ip });
  } catch (error) {
    if (error instanceof AppError && error.code === "UNAUTHENTICATED") {
      throw new AppError("BAD_INPUT", "Invalid input — currentPassword: is not your current password", {
        reason: "wrong_password",
        fields: { currentPassword: "is not your current password" },
      });
    }
    throw error;
  }
  const passwordHash = await hashPassword(options.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, options.userId));
    await tx.delete(sessions).where(and(eq(sessions.userId, options.userId), ne(sessions.id, options.sessionId)));
  });
  await auditUserEvent(db, { userId: options.userId, action: "auth.password_changed", ip: options.ip });
  return { ok: true };
}

/**
 * Someone who forgot their password asks for a link by e-mail. The answer never says whether the address is
 * known; without SMTP nothing is sent (an owner issues the link instead).
 */
export async function requestPasswordReset(
  db: Database,
  options: { email: string; ip: string; now?: Clock } & Pick<LinkDeps, "linkFor" | "mailer">,
): Promise<void> {
  const now = (options.now ?? systemClock)();
  if (!options.mailer) return;
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(sql`lower(${users.email}) = ${options.email.toLowerCase()}`);
  if (!user) return;
  const [recent] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(passwordResets)
    .where(
      and(
        eq(passwordResets.userId, user.id),
        isNull(passwordResets.issuedBy),
        gt(passwordResets.createdAt, new Date(now.getTime() - 60 * 60 * 1000)),
      ),
    );
  if ((recent?.count ?? 0) >= maxResetEmailsPerHour) return;
  const token = generateSecret(32);
  await db.insert(passwordResets).values({
    userId: user.id,
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + emailedResetLifetimeMs),
    createdAt: now,
  });
  await options.mailer.send({
    to: [user.email],
    subject: "Reset your Parley password",
    text: [
      `Hello ${user.name},`,
      "",
      `Someone (from ${options.ip}) asked to reset the password of your Parley account.`,
      `Choose a new one within the hour: ${options.linkFor("reset-password", token)}`,
      "",
      "If it was not you, ignore this e-mail: your password stays as it is.",
    ].join("\n"),
  });
  await auditUserEvent(db, { userId: user.id, action: "auth.password_reset_requested", ip: options.ip });
}

const invalidResetLink = () =>
  new AppError("NOT_FOUND", "This reset link is not valid: it was used, has expired or was mistyped", {
    reason: "reset_link_invalid",
  });

/** The account a reset link is for, or NOT_FOUND when it is used, expired or unknown. */
export async function previewPasswordReset(
  db: Database,
  options: { token: string; now?: Clock },
): Promise<PasswordResetPreview> {
  const now = (options.now ?? systemClock)();
  const [row] = await db
    .select({ email: users.email, expiresAt: passwordResets.expiresAt, usedAt: passwordResets.usedAt })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, hashToken(options.token)));
  if (!row || row.usedAt || row.expiresAt.getTime() <= now.getTime()) throw invalidResetLink();
  return { email: row.email, expiresAt: row.expiresAt };
}

/**
 * Sets a new password from a reset link: the link is used once, every session of the person ends (whoever held
 * one no longer does), and the person is signed in afresh.
 */
export async function resetPassword(
  db: Database,
  options: { token: string; password: string; ip: string; now?: Clock },
): Promise<SignInResult> {
  const now = (options.now ?? systemClock)();
  const passwordHash = await hashPassword(options.password);
  const userId = await db.transaction(async (tx) => {
    const [used] = await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(
        and(
          eq(passwordResets.tokenHash, hashToken(options.token)),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, now),
        ),
      )
      .returning({ userId: passwordResets.userId });
    if (!used) throw invalidResetLink();
    await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, used.userId));
    await tx.delete(sessions).where(eq(sessions.userId, used.userId));
    // Any other link still open for the person is spent too.
    await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, used.userId), isNull(passwordResets.usedAt)));
    return used.userId;
  });
  await auditUserEvent(db, { userId, action: "auth.password_reset", ip: options.ip });
  return openSession(db, { userId, ip: options.ip, now: options.now });
}
