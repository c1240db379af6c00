import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { type Clock, systemClock } from "@parley/core/kernel";
import { type Database, schema } from "@parley/db";
import { eq } from "drizzle-orm";

const { sessions, users } = schema;

export const sessionLifetimeMs = 30 * 24 * 60 * 60 * 1000;
const renewWhenLeftMs = sessionLifetimeMs / 2;

export type Session = typeof sessions.$inferSelect;
export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** 160 random bits, base32: the cookie's value. Only its SHA-256 is stored. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdOf(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(
  db: Database,
  options: { token: string; userId: string; currentAgencyId: string | null; now?: Clock },
): Promise<Session> {
  const now = (options.now ?? systemClock)();
  const [session] = await db
    .insert(sessions)
    .values({
      id: sessionIdOf(options.token),
      userId: options.userId,
      currentAgencyId: options.currentAgencyId,
      expiresAt: new Date(now.getTime() + sessionLifetimeMs),
    })
    .returning();
  if (!session) throw new Error("session was not stored");
  return session;
}

/** The session and its user, or null when unknown or expired; extends the expiry past half-life (sliding). */
export async function validateSessionToken(
  db: Database,
  token: string,
  options: { now?: Clock } = {},
): Promise<{ session: Session; user: SessionUser } | null> {
  const now = (options.now ?? systemClock)();
  const id = sessionIdOf(token);
  const [row] = await db
    .select({ session: sessions, user: { id: users.id, email: users.email, name: users.name } })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id));
  if (!row) return null;
  if (row.session.expiresAt.getTime() <= now.getTime()) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  if (row.session.expiresAt.getTime() - now.getTime() < renewWhenLeftMs) {
    row.session.expiresAt = new Date(now.getTime() + sessionLifetimeMs);
    await db.update(sessions).set({ expiresAt: row.session.expiresAt }).where(eq(sessions.id, id));
  }
  return row;
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Database, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function setSessionAgency(db: Database, sessionId: string, agencyId: string): Promise<void> {
  await db.update(sessions).set({ currentAgencyId: agencyId }).where(eq(sessions.id, sessionId));
}
