import { AppError, type ClientCreateInput, type ClientUpdateInput, type ClientView } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, ne } from "drizzle-orm";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";

const { clients } = schema;
type ClientRow = typeof clients.$inferSelect;

export function toClientView(row: ClientRow): ClientView {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.timeZone,
    status: row.status,
    billing: { billingAddress: row.billingAddress, taxId: row.taxId, billingEmail: row.billingEmail },
    createdAt: row.createdAt,
  };
}

export async function listClients(
  scope: Scope,
  tx: Executor,
  input: { includeArchived: boolean },
): Promise<ClientView[]> {
  const rows = await tx
    .select()
    .from(clients)
    .where(
      and(eq(clients.agencyId, scope.agencyId), input.includeArchived ? undefined : ne(clients.status, "archived")),
    )
    .orderBy(asc(clients.name));
  return rows.map(toClientView);
}

/** The client, or NOT_FOUND when it is not visible in this scope (another agency's or another client's). */
export async function getClient(
  scope: Pick<Scope, "agencyId" | "clientIds">,
  tx: Executor,
  clientId: string,
): Promise<ClientRow> {
  const [row] = await tx
    .select()
    .from(clients)
    .where(and(eq(clients.id, clientId), eq(clients.agencyId, scope.agencyId)));
  if (!row || (scope.clientIds && !scope.clientIds.includes(row.id))) {
    throw new AppError("NOT_FOUND", "Client not found", { reason: "client_not_found" });
  }
  return row;
}

async function assertNameFree(scope: Scope, tx: Executor, name: string, exceptId?: string): Promise<void> {
  const rows = await tx
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(eq(clients.agencyId, scope.agencyId));
  const taken = rows.some((row) => row.id !== exceptId && row.name.toLowerCase() === name.toLowerCase());
  if (taken) {
    throw new AppError("CONFLICT", `A client named "${name}" already exists`, {
      reason: "duplicate_name",
      fields: { name: "is already used by another client" },
    });
  }
}

export async function createClient(scope: Scope, tx: Executor, input: ClientCreateInput): Promise<ClientView> {
  await assertNameFree(scope, tx, input.name);
  const [row] = await tx
    .insert(clients)
    .values({ agencyId: scope.agencyId, name: input.name, timeZone: input.timeZone })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Client was not created");
  await recordAudit(tx, scope, {
    action: "client.created",
    subjectType: "client",
    subjectId: row.id,
    clientId: row.id,
    after: row,
  });
  return toClientView(row);
}

export async function updateClient(scope: Scope, tx: Executor, input: ClientUpdateInput): Promise<ClientView> {
  const before = await getClient(scope, tx, input.clientId);
  if (input.name !== undefined) await assertNameFree(scope, tx, input.name, before.id);
  return changeClient(scope, tx, before, "client.updated", {
    name: input.name ?? before.name,
    timeZone: input.timeZone ?? before.timeZone,
  });
}

export async function archiveClient(scope: Scope, tx: Executor, input: { clientId: string }): Promise<ClientView> {
  const before = await getClient(scope, tx, input.clientId);
  if (before.status === "archived") {
    throw new AppError("INVALID_STATE", "Client is already archived", { reason: "already_archived" });
  }
  return changeClient(scope, tx, before, "client.archived", { status: "archived" });
}

/** Writes `changes` to a client read within the scope, audited as `action` with the client before and after. */
async function changeClient(
  scope: Scope,
  tx: Executor,
  before: ClientRow,
  action: "client.updated" | "client.archived",
  changes: Partial<Pick<typeof clients.$inferInsert, "name" | "timeZone" | "status">>,
): Promise<ClientView> {
  const [row] = await tx
    .update(clients)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(clients.id, before.id), eq(clients.agencyId, scope.agencyId)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Client not found", { reason: "client_not_found" });
  await recordAudit(tx, scope, {
    action,
    subjectType: "client",
    subjectId: row.id,
    clientId: row.id,
    before,
    after: row,
  });
  return toClientView(row);
}
