import type { Executor } from "@parley/db";
import { schema } from "@parley/db";
import type { Scope } from "./scope";

export interface AuditEntry {
  action: string;
  subjectType: string;
  subjectId?: string | null;
  clientId?: string | null;
  before?: unknown;
  after?: unknown;
  protocolVersionId?: string | null;
}

/** Appends one audit event for an action taken under `scope`, in the caller's transaction. */
export async function recordAudit(tx: Executor, scope: Scope, entry: AuditEntry): Promise<void> {
  await tx.insert(schema.auditEvents).values({
    agencyId: scope.agencyId,
    actorUserId: scope.actorId,
    ip: scope.ip ?? null,
    clientId: entry.clientId ?? null,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    protocolVersionId: entry.protocolVersionId ?? null,
  });
}
