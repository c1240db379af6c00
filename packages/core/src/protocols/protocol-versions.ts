import { AppError, badInput, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, getTableColumns, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { notifyProtocolChange } from "./protocol-change-notices";
import { diffProtocols, type ProtocolChange } from "./protocol-diff";
import { type ProtocolDocument, protocolDocument, storedProtocolDocument } from "./protocol-document";

const { protocolVersions, clients, users } = schema;
type ProtocolVersionRow = typeof protocolVersions.$inferSelect & { authorName?: string | null };

export const protocolClientInput = z.object({ clientId: uuid });
export type ProtocolClientInput = z.infer<typeof protocolClientInput>;
/** The document is checked by `protocolDocument` inside the use case, so every problem is named under `document.`. */
export const protocolSaveInput = z.object({ clientId: uuid, document: z.unknown() });
export type ProtocolSaveInput = z.infer<typeof protocolSaveInput>;
export const protocolVersionInput = z.object({ versionId: uuid });
export type ProtocolVersionInput = z.infer<typeof protocolVersionInput>;
export const protocolDiffInput = z.object({ fromVersionId: uuid, toVersionId: uuid });
export type ProtocolDiffInput = z.infer<typeof protocolDiffInput>;

export interface ProtocolVersionView {
  id: string;
  clientId: string;
  version: number;
  active: boolean;
  createdBy: string | null;
  /** The author's name at the time of reading; null for versions the seed or a removed user wrote. */
  authorName: string | null;
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
    authorName: row.authorName ?? null,
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
  const rows = await selectWithAuthor(tx)
    .where(and(eq(protocolVersions.agencyId, scope.agencyId), eq(protocolVersions.clientId, client.id)))
    .orderBy(desc(protocolVersions.version));
  return rows.map(toVersionView);
}

function selectWithAuthor(tx: Executor) {
  return tx
    .select({ ...getTableColumns(protocolVersions), authorName: users.name })
    .from(protocolVersions)
    .leftJoin(users, eq(users.id, protocolVersions.createdBy));
}

/** One version of a protocol of a client visible in this scope (its own address in the app); NOT_FOUND otherwise. */
export async function getProtocolVersion(
  scope: Scope,
  tx: Executor,
  input: ProtocolVersionInput,
): Promise<ProtocolView> {
  const [row] = await selectWithAuthor(tx).where(
    and(eq(protocolVersions.id, input.versionId), eq(protocolVersions.agencyId, scope.agencyId)),
  );
  if (!row) throw new AppError("NOT_FOUND", "Protocol version not found", { reason: "protocol_version_not_found" });
  // Another client's version reads as missing, like the client itself.
  await getClient(scope, tx, row.clientId).catch((error: unknown) => {
    if (error instanceof AppError && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) {
      throw new AppError("NOT_FOUND", "Protocol version not found", { reason: "protocol_version_not_found" });
    }
    throw error;
  });
  return toProtocolView(row);
}

export interface ProtocolDiffView {
  from: ProtocolVersionView;
  to: ProtocolVersionView;
  /** What `to` changes in `from`, field by field (`diffProtocols`). */
  changes: ProtocolChange[];
}

/** What changed between two versions of one client's protocol, in either direction. */
export async function diffProtocolVersions(
  scope: Scope,
  tx: Executor,
  input: ProtocolDiffInput,
): Promise<ProtocolDiffView> {
  const from = await getProtocolVersion(scope, tx, { versionId: input.fromVersionId });
  const to = await getProtocolVersion(scope, tx, { versionId: input.toVersionId });
  if (from.clientId !== to.clientId) {
    throw badInput([{ path: ["toVersionId"], message: "must be a version of the same client's protocol" }]);
  }
  const { document: before, ...fromView } = from;
  const { document: after, ...toView } = to;
  return { from: fromView, to: toView, changes: diffProtocols(before, after) };
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
  return publishProtocolVersion(scope, tx, { clientId: client.id, document: parsed.data, restoredFrom: null });
}

/**
 * Rolls a client's protocol back to an earlier version: its document becomes a new version (the history is never
 * rewritten, and items keep naming the version they were taken under).
 */
export async function rollBackProtocol(scope: Scope, tx: Executor, input: ProtocolVersionInput): Promise<ProtocolView> {
  const earlier = await getProtocolVersion(scope, tx, input);
  assertMayEditProtocol(scope, earlier.clientId);
  return publishProtocolVersion(scope, tx, {
    clientId: earlier.clientId,
    document: earlier.document,
    restoredFrom: { id: earlier.id, version: earlier.version },
  });
}

/**
 * Makes `document` the client's active version, unless it says what the active one says (refused: "nothing
 * changed"), then tells the other side: a client admin's change reaches the agency's owners and admins, an agency
 * change the client's stakeholders. It goes live at once either way (docs/ARCHITECTURE.md, "Brand protocols").
 */
async function publishProtocolVersion(
  scope: Scope,
  tx: Executor,
  input: { clientId: string; document: ProtocolDocument; restoredFrom: { id: string; version: number } | null },
): Promise<ProtocolView> {
  const client = { id: input.clientId };
  const parsed = { data: input.document };
  // One save at a time per client: the row lock orders concurrent saves, so versions never collide.
  await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.id, client.id), eq(clients.agencyId, scope.agencyId)))
    .for("update");
  const previous = await findActiveRow(tx, { clientId: client.id, agencyId: scope.agencyId });
  const changes = previous ? diffProtocols(documentOf(previous), parsed.data) : null;
  if (previous && changes?.length === 0) {
    throw new AppError(
      "INVALID_STATE",
      `Nothing changed: this is what version ${previous.version}, the active one, already says`,
      { reason: "protocol_unchanged", activeVersion: previous.version },
    );
  }
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
    after: { id: row.id, version: row.version, changes, restoredFrom: input.restoredFrom },
  });
  // The first version is the client's set-up; every later one changes a protocol people already work under.
  if (changes) {
    await notifyProtocolChange(tx, scope, {
      clientId: client.id,
      versionId: row.id,
      version: row.version,
      changeCount: changes.length,
      restoredVersion: input.restoredFrom?.version ?? null,
      at: row.createdAt,
    });
  }
  const [author] = await tx.select({ name: users.name }).from(users).where(eq(users.id, scope.actorId));
  return toProtocolView({ ...row, authorName: author?.name ?? null });
}
