import { AppError, badInput, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { diffProtocols } from "./protocol-diff";
import { type ProtocolDocument, protocolDocument, storedProtocolDocument } from "./protocol-document";

const { protocolVersions, clients } = schema;
type ProtocolVersionRow = typeof protocolVersions.$inferSelect;

export const protocolClientInput = z.object({ clientId: uuid });
export type ProtocolClientInput = z.infer<typeof protocolClientInput>;
/** The document is checked by `protocolDocument` inside the use case, so every problem is named under `document.`. */
export const protocolSaveInput = z.object({ clientId: uuid, document: z.unknown() });
export type ProtocolSaveInput = z.infer<typeof protocolSaveInput>;

export interface ProtocolVersionView {
  id: string;
  clientId: string;
  version: number;
  active: boolean;
  createdBy: string | null;
  createdAt: Date;
}

export interface ProtocolView extends ProtocolVersionView {
  document: ProtocolDocument;
}

/** What ingest classifies with: an immutable version and its parsed document. */
export interface ActiveProtocol {
  id: string;
  version: number;
  document: ProtocolDocument;
}

/**
 * Parsed documents by version id. Versions never change, so the cache never goes stale, and the same
 * document object keeps its compiled regexes (classifyItem caches them per object) across requests.
 */
const parsedDocuments = new Map<string, ProtocolDocument>();
const maxCachedDocuments = 500;

function documentOf(row: Pick<ProtocolVersionRow, "id" | "document">): ProtocolDocument {
  const cached = parsedDocuments.get(row.id);
  if (cached) return cached;
  const document = storedProtocolDocument.parse(row.document);
  if (parsedDocuments.size >= maxCachedDocuments) {
    const oldest = parsedDocuments.keys().next().value;
    if (oldest !== undefined) parsedDocuments.delete(oldest);
  }
  parsedDocuments.set(row.id, document);
  return document;
}

function toVersionView(row: ProtocolVersionRow): ProtocolVersionView {
  return {
    id: row.id,
    clientId: row.clientId,
    version: row.version,
    active: row.active,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

function toProtocolView(row: ProtocolVersionRow): ProtocolView {
  return { ...toVersionView(row), document: documentOf(row) };
}

async function findActiveRow(
  tx: Executor,
  where: { clientId: string; agencyId?: string },
): Promise<ProtocolVersionRow | undefined> {
  const [row] = await tx
    .select()
    .from(protocolVersions)
    .where(
      and(
        eq(protocolVersions.clientId, where.clientId),
        eq(protocolVersions.active, true),
        where.agencyId ? eq(protocolVersions.agencyId, where.agencyId) : undefined,
      ),
    );
  return row;
}

/**
 * The client's active protocol, or null when it has none. Trusted callers only (ingest): it takes no scope;
 * the transaction's tenant (row-level security) still limits what it can see.
 */
export async function getActiveProtocol(tx: Executor, clientId: string): Promise<ActiveProtocol | null> {
  const row = await findActiveRow(tx, { clientId });
  return row ? { id: row.id, version: row.version, document: documentOf(row) } : null;
}

/** The active protocol of a client visible in this scope, or null when the client has none yet. */
export async function findActiveProtocol(
  scope: Scope,
  tx: Executor,
  input: ProtocolClientInput,
): Promise<ProtocolView | null> {
  const client = await getClient(scope, tx, input.clientId);
  const row = await findActiveRow(tx, { clientId: client.id, agencyId: scope.agencyId });
  return row ? toProtocolView(row) : null;
}

/** Every version of a client's protocol, newest first (without their documents). */
export async function listProtocolVersions(
  scope: Scope,
  tx: Executor,
  input: ProtocolClientInput,
): Promise<ProtocolVersionView[]> {
  const client = await getClient(scope, tx, input.clientId);
  const rows = await tx
    .select()
    .from(protocolVersions)
    .where(and(eq(protocolVersions.agencyId, scope.agencyId), eq(protocolVersions.clientId, client.id)))
    .orderBy(desc(protocolVersions.version));
  return rows.map(toVersionView);
}

/** Agency owners and admins edit every client's protocol; a stakeholder only where they are the client's admin. */
function assertMayEditProtocol(scope: Scope, clientId: string): void {
  if (scope.role === "owner" || scope.role === "admin") return;
  if (scope.role === "client_stakeholder" && scope.clientAdminOf.includes(clientId)) return;
  throw new AppError("FORBIDDEN", "Only agency admins and the client's admin may change its protocol", {
    reason: "not_protocol_editor",
  });
}

/**
 * Saves a new version of a client's protocol (the highest version + 1) and makes it the active one. Earlier
 * versions are kept unchanged: items and actions keep naming the version they were taken under.
 */
export async function createProtocolVersion(
  scope: Scope,
  tx: Executor,
  input: { clientId: string; document: unknown },
): Promise<ProtocolView> {
  const client = await getClient(scope, tx, input.clientId);
  assertMayEditProtocol(scope, client.id);
  const parsed = protocolDocument.safeParse(input.document);
  if (!parsed.success) {
    throw badInput(parsed.error.issues.map((issue) => ({ ...issue, path: ["document", ...issue.path] })));
  }
  // One save at a time per client: the row lock orders concurrent saves, so versions never collide.
  await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.id, client.id), eq(clients.agencyId, scope.agencyId)))
    .for("update");
  const previous = await findActiveRow(tx, { clientId: client.id, agencyId: scope.agencyId });
  const [latest] = await tx
    .select({ version: sql<number>`coalesce(max(${protocolVersions.version}), 0)::int` })
    .from(protocolVersions)
    .where(and(eq(protocolVersions.agencyId, scope.agencyId), eq(protocolVersions.clientId, client.id)));
  if (previous) {
    await tx
      .update(protocolVersions)
      .set({ active: false })
      .where(and(eq(protocolVersions.id, previous.id), eq(protocolVersions.agencyId, scope.agencyId)));
  }
  const [row] = await tx
    .insert(protocolVersions)
    .values({
      agencyId: scope.agencyId,
      clientId: client.id,
      version: (latest?.version ?? 0) + 1,
      document: parsed.data,
      createdBy: scope.actorId,
      active: true,
    })
    .returning();
  if (!row) throw new AppError("INTERNAL", "Protocol version was not created");
  parsedDocuments.set(row.id, parsed.data);
  await recordAudit(tx, scope, {
    action: "protocol.version_created",
    subjectType: "protocol_version",
    subjectId: row.id,
    clientId: client.id,
    protocolVersionId: row.id,
    before: previous ? { id: previous.id, version: previous.version } : null,
    after: {
      id: row.id,
      version: row.version,
      changes: previous ? diffProtocols(documentOf(previous), parsed.data) : null,
    },
  });
  return toProtocolView(row);
}
