import type { Role } from "@parley/contracts";
import type { TenantContext } from "@parley/db";

/** Who is acting, for whom: built once from the session by the API, passed first to every use case. */
export interface Scope {
  agencyId: string;
  actorId: string;
  membershipId: string;
  role: Role;
  /** The clients a scoped member may touch; `null` for owners and admins (every client). */
  clientIds: readonly string[] | null;
  /** Clients where this member is the client's admin (stakeholders). */
  clientAdminOf: readonly string[];
  ip?: string | null;
}

export function tenantOf(scope: Scope): TenantContext {
  return { agencyId: scope.agencyId, clientIds: scope.clientIds, userId: scope.actorId };
}

export function seesAllClients(scope: Scope): boolean {
  return scope.clientIds === null;
}
