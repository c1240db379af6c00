import { type Session, type SessionUser, sessionIdOf, validateSessionToken } from "@parley/auth";
import { resolveScope, resolveSessionScope } from "@parley/core/agencies";
import type { Scope } from "@parley/core/kernel";
import type { Database } from "@parley/db";

/** A request signed in by its session cookie: the session, its user, and their scope in its current agency. */
export interface SessionAuth {
  session: Session;
  user: SessionUser;
  token: string;
  /** Null when the session has no agency, or its user is no longer a member of it. */
  scope: Scope | null;
}

/**
 * The cookie's session (validated, expiry slid: `validateSessionToken`) and its scope, read together: two statements
 * at once instead of one after the other on every signed-in request. Null when the session is unknown or expired.
 */
export async function readSessionAuth(db: Database, token: string): Promise<SessionAuth | null> {
  const [found, sessionScope] = await Promise.all([
    validateSessionToken(db, token),
    resolveSessionScope(db, sessionIdOf(token)),
  ]);
  if (!found) return null;
  const agencyId = found.session.currentAgencyId;
  // Read at once, the two can straddle a change of agency: the scope used is always the validated session's.
  const scope =
    sessionScope?.actorId === found.user.id && sessionScope.agencyId === agencyId
      ? sessionScope
      : agencyId
        ? await resolveScope(db, { userId: found.user.id, agencyId })
        : null;
  return { ...found, token, scope };
}
