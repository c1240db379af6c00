import { type Executor, schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import type { Scope } from "../kernel/scope";

const { memberships } = schema;

/**
 * The member's console is connected at `at` (the live event stream calls this when it opens and at each heartbeat):
 * the floor view counts them online for `onlineWithinMs` after.
 */
export async function recordPresence(scope: Scope, tx: Executor, input: { at: Date }): Promise<void> {
  await tx
    .update(memberships)
    .set({ lastSeenAt: input.at })
    .where(and(eq(memberships.agencyId, scope.agencyId), eq(memberships.id, scope.membershipId)));
}
