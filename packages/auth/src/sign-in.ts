import { AppError } from "@parley/contracts";
import { listUserMemberships } from "@parley/core/agencies";
import { type Clock, systemClock } from "@parley/core/kernel";
import { type Database, schema, withTenant } from "@parley/db";
import { and, gt, inArray, lt, sql } from "drizzle-orm";
import { verifyDecoyPassword, verifyPassword } from "./password";
import { createSession, generateSessionToken, type Session } from "./session";

const { users, loginFailures, auditEvents } = schema;

export const loginWindowMs = 15 * 60 * 1000;
/**
 * Failures allowed in the window: per e-mail from one address (the brute-force limit), per e-mail from anywhere
 * (a ceiling ten times higher, so a stranger's guesses do not lock the real person out), and per address across
 * e-mails (an agency office shares one address, so more).
 */
export const maxFailuresPerEmailFromAddress = 10;
export const maxFailuresPerEmail = 100;
export const maxFailuresPerIp = 50;
/** Failures from one address before each further try waits 1 s, then 2 s, 4 s… since the last one. */
export const freeFailuresPerEmailFromAddress = 3;

export interface CredentialsOptions {
  email: string;
  password: string;
  ip: string;
  now?: Clock;
}

type User = typeof users.$inferSelect;

function keysOf(options: { email: string; ip: string }) {
  const email = options.email.toLowerCase();
  return { pair: `pair:${email}|${options.ip}`, email: `email:${email}`, ip: `ip:${options.ip}` };
}

function limited(retryAfterMs: number): AppError {
  return new AppError("LIMIT_EXCEEDED", "Too many failed sign-ins; try again later", {
    reason: "login_rate_limited",
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}

/**
 * Reserves one attempt before the password is checked, atomically: the attempt's keys are locked (in a fixed
 * order), counted and recorded in one transaction, so concurrent guesses queue up behind each other and no more
 * than the limit are ever evaluated. The reservation counts as a failure until a success releases it.
 * Throws LIMIT_EXCEEDED (with retryAfterSeconds) when a limit or the progressive delay applies.
 */
async function reserveAttempt(db: Database, options: CredentialsOptions, now: Date): Promise<string[]> {
  const keys = keysOf(options);
  const since = new Date(now.getTime() - loginWindowMs);
  return db.transaction(async (tx) => {
    // One statement, keys in a fixed order: two attempts sharing keys never wait on each other crosswise.
    const ordered = Object.values(keys).sort();
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(key, 0)) from unnest(${sql.param(ordered)}::text[]) as key order by key`,
    );
    const rows = await tx
      .select({
        key: loginFailures.key,
        count: sql<number>`count(*)::int`,
        oldest: sql<string>`min(${loginFailures.createdAt})`,
        latest: sql<string>`max(${loginFailures.createdAt})`,
      })
      .from(loginFailures)
      .where(and(inArray(loginFailures.key, Object.values(keys)), gt(loginFailures.createdAt, since)))
      .groupBy(loginFailures.key);
    const maxOf = {
      [keys.pair]: maxFailuresPerEmailFromAddress,
      [keys.email]: maxFailuresPerEmail,
      [keys.ip]: maxFailuresPerIp,
    };
    const waits: number[] = [];
    for (const row of rows) {
      if (row.count >= (maxOf[row.key] ?? 0))
        waits.push(new Date(row.oldest).getTime() + loginWindowMs - now.getTime());
      if (row.key === keys.pair && row.count >= freeFailuresPerEmailFromAddress) {
        const delayMs = 1000 * 2 ** (row.count - freeFailuresPerEmailFromAddress);
        const wait = new Date(row.latest).getTime() + delayMs - now.getTime();
        if (wait > 0) waits.push(wait);
      }
    }
    if (waits.length > 0) throw limited(Math.max(...waits));
    const reserved = await tx
      .insert(loginFailures)
      .values(Object.values(keys).map((key) => ({ key, createdAt: now })))
      .returning({ id: loginFailures.id });
    return reserved.map((row) => row.id);
  });
}

async function recordFailure(db: Database, options: CredentialsOptions, now: Date, userId: string | null) {
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

/**
 * The user the e-mail and password name, under the sign-in limits: the attempt is reserved first, then the
 * password checked (argon2id; a decoy check for unknown e-mails so both answer alike). A success releases the
 * reservation and this address's earlier failures for the e-mail; a failure stays counted and is audited.
 */
export async function checkCredentials(db: Database, options: CredentialsOptions): Promise<User> {
  const now = (options.now ?? systemClock)();
  const reserved = await reserveAttempt(db, options, now);
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${options.email.toLowerCase()}`);
  const valid = user
    ? await verifyPassword(user.passwordHash, options.password)
    : await verifyDecoyPassword(options.password);
  if (!user || !valid) {
    await recordFailure(db, options, now, user?.id ?? null);
    throw new AppError("UNAUTHENTICATED", "Wrong e-mail or password", { reason: "bad_credentials" });
  }
  await db
    .delete(loginFailures)
    .where(sql`${inArray(loginFailures.id, reserved)} or ${loginFailures.key} = ${keysOf(options).pair}`);
  return user;
}

export interface SignInResult {
  token: string;
  session: Session;
}

/**
 * Opens a session for the user in `agencyId` (default: their first agency) and audits the sign-in there.
 * Used after a password check, an accepted invitation and a password reset.
 */
export async function openSession(
  db: Database,
  options: { userId: string; ip: string; agencyId?: string; now?: Clock },
): Promise<SignInResult> {
  const agencyId = options.agencyId ?? (await listUserMemberships(db, options.userId))[0]?.agencyId ?? null;
  const token = generateSessionToken();
  const session = await createSession(db, {
    token,
    userId: options.userId,
    currentAgencyId: agencyId,
    now: options.now,
  });
  const audit = {
    actorUserId: options.userId,
    action: "auth.signed_in",
    subjectType: "user",
    subjectId: options.userId,
    ip: options.ip,
  };
  if (agencyId) {
    await withTenant(db, { agencyId, clientIds: null, userId: options.userId }, (tx) =>
      tx.insert(auditEvents).values({ ...audit, agencyId }),
    );
  } else {
    await db.insert(auditEvents).values({ ...audit, agencyId: null });
  }
  return { token, session };
}

/** Checks the e-mail and password under the sign-in limits and opens a session in the user's first agency. */
export async function signIn(db: Database, options: CredentialsOptions): Promise<SignInResult> {
  const user = await checkCredentials(db, options);
  return openSession(db, { userId: user.id, ip: options.ip, now: options.now });
}
