import { AppError } from "@parley/contracts";
import { listUserMemberships } from "@parley/core/agencies";
import { type Database, schema, withTenant } from "@parley/db";
import { and, gt, inArray, lt, sql } from "drizzle-orm";
import { verifyDecoyPassword, verifyPassword } from "./password";
import { createSession, generateSessionToken, type Session } from "./session";

const { users, loginFailures, auditEvents } = schema;

export const loginWindowMs = 15 * 60 * 1000;
/** Failures allowed per e-mail, and per IP (an agency office shares one address, so more). */
export const maxFailuresPerEmail = 10;
export const maxFailuresPerIp = 50;

export interface SignInOptions {
  email: string;
  password: string;
  ip: string;
  now?: Date;
}

function keysOf(options: SignInOptions) {
  return { email: `email:${options.email.toLowerCase()}`, ip: `ip:${options.ip}` };
}

/** Throws LIMIT_EXCEEDED (with retryAfterSeconds) when the e-mail or the IP failed too often in the window. */
async function assertNotLimited(db: Database, options: SignInOptions, now: Date): Promise<void> {
  const keys = keysOf(options);
  const since = new Date(now.getTime() - loginWindowMs);
  const rows = await db
    .select({
      key: loginFailures.key,
      count: sql<number>`count(*)::int`,
      oldest: sql<Date>`min(${loginFailures.createdAt})`,
    })
    .from(loginFailures)
    .where(and(inArray(loginFailures.key, [keys.email, keys.ip]), gt(loginFailures.createdAt, since)))
    .groupBy(loginFailures.key);
  const limited = rows.filter((row) => row.count >= (row.key === keys.ip ? maxFailuresPerIp : maxFailuresPerEmail));
  if (limited.length === 0) return;
  const freeAt = Math.max(...limited.map((row) => new Date(row.oldest).getTime() + loginWindowMs));
  throw new AppError("LIMIT_EXCEEDED", "Too many failed sign-ins; try again later", {
    reason: "login_rate_limited",
    retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)),
  });
}

async function recordFailure(db: Database, options: SignInOptions, now: Date, userId: string | null): Promise<void> {
  const keys = keysOf(options);
  await db.insert(loginFailures).values([
    { key: keys.email, createdAt: now },
    { key: keys.ip, createdAt: now },
  ]);
  await db.delete(loginFailures).where(lt(loginFailures.createdAt, new Date(now.getTime() - 24 * 60 * 60 * 1000)));
  await db.insert(auditEvents).values({
    agencyId: null,
    actorUserId: userId,
    action: "auth.sign_in_failed",
    subjectType: "user",
    subjectId: options.email.toLowerCase(),
    ip: options.ip,
  });
}

export interface SignInResult {
  token: string;
  session: Session;
}

/**
 * Checks the password (argon2id; a decoy check for unknown e-mails so both answer alike), applies
 * the rate limit, opens a session in the user's first agency and audits the outcome.
 */
export async function signIn(db: Database, options: SignInOptions): Promise<SignInResult> {
  const now = options.now ?? new Date();
  await assertNotLimited(db, options, now);
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${options.email.toLowerCase()}`);
  const valid = user
    ? await verifyPassword(user.passwordHash, options.password)
    : await verifyDecoyPassword(options.password);
  if (!user || !valid) {
    await recordFailure(db, options, now, user?.id ?? null);
    throw new AppError("UNAUTHENTICATED", "Wrong e-mail or password", { reason: "bad_credentials" });
  }
  await db.delete(loginFailures).where(sql`${loginFailures.key} = ${keysOf(options).email}`);
  const [first] = await listUserMemberships(db, user.id);
  const token = generateSessionToken();
  const session = await createSession(db, { token, userId: user.id, currentAgencyId: first?.agencyId ?? null, now });
  const audit = {
    actorUserId: user.id,
    action: "auth.signed_in",
    subjectType: "user",
    subjectId: user.id,
    ip: options.ip,
  };
  if (first) {
    await withTenant(db, { agencyId: first.agencyId, clientIds: null, userId: user.id }, (tx) =>
      tx.insert(auditEvents).values({ ...audit, agencyId: first.agencyId }),
    );
  } else {
    await db.insert(auditEvents).values({ ...audit, agencyId: null });
  }
  return { token, session };
}
