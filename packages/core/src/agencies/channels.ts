import {
  AppError,
  type ChannelConnectionResult,
  type ChannelCreateInput,
  type ChannelListEntry,
  type ChannelSecretView,
  type ChannelUpdateInput,
  type ChannelView,
  type ConnectionTester,
  channelCredentialFields,
  deliveryProblemDays,
  emptyOutboundAllowlist,
  findOutboundUrlProblem,
  type OutboundAllowlist,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, gte, isNotNull, max, ne, sql } from "drizzle-orm";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { generateSecret, type SecretBox } from "../kernel/secret-box";
import { getClient } from "./clients";

const { channels, outboundDeliveries } = schema;
type ChannelRow = typeof channels.$inferSelect;

export interface ChannelDeps {
  secretBox: SecretBox;
  /** **Test connection** (`@parley/connectors`); absent: testing answers that it is not available here. */
  testConnection?: ConnectionTester;
  /** Hosts a channel's URLs may name although plain http or private (`OUTBOUND_ALLOWLIST`). */
  outboundAllowlist?: OutboundAllowlist;
}

/** Credentials that name a URL Parley sends requests to: a generic channel's callback, a forum's base URL. */
const outboundUrlCredentials = ["callbackUrl", "baseUrl"] as const;

/** Refuses, naming the field, a credential URL Parley must not call (see `findOutboundUrlProblem`). */
function assertOutboundUrls(credentials: Record<string, string> | undefined, deps: ChannelDeps): void {
  const fields: Record<string, string> = {};
  for (const key of outboundUrlCredentials) {
    const value = credentials?.[key];
    const problem =
      value === undefined || value.trim() === ""
        ? null
        : findOutboundUrlProblem(value, deps.outboundAllowlist ?? emptyOutboundAllowlist);
    if (problem) fields[`credentials.${key}`] = problem;
  }
  if (Object.keys(fields).length > 0) {
    throw new AppError(
      "BAD_INPUT",
      `Invalid input — ${Object.entries(fields)
        .map(([f, m]) => `${f}: ${m}`)
        .join("; ")}`,
      {
        reason: "validation",
        fields,
      },
    );
  }
}

/** A channel's decrypted credentials and ingest secret; `problem` says why they cannot be read (a changed APP_SECRET). */
export function decryptChannelSecrets(
  secretBox: SecretBox,
  channel: { credentialsEnc: string | null; ingestSecretEnc: string },
): { credentials: Record<string, string>; ingestSecret: string; problem: string | null } {
  try {
    const parsed: unknown = channel.credentialsEnc ? JSON.parse(secretBox.decrypt(channel.credentialsEnc)) : {};
    return {
      credentials: parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : {},
      ingestSecret: secretBox.decrypt(channel.ingestSecretEnc),
      problem: null,
    };
  } catch {
    return { credentials: {}, ingestSecret: "", problem: "The channel's credentials cannot be read; save them again" };
  }
}

/** Never carries secrets, not even encrypted: also what the audit trail records. */
function toChannelView(row: ChannelRow): ChannelView {
  return {
    id: row.id,
    clientId: row.clientId,
    platform: row.platform,
    externalAccountId: row.externalAccountId,
    displayName: row.displayName,
    hasCredentials: row.credentialsEnc !== null,
    createdAt: row.createdAt,
  };
}

/** The agency's channels (or one client's), each with its delivery health (`ChannelDeliveryHealth`). */
export async function listChannels(
  scope: Scope,
  tx: Executor,
  input: { clientId?: string },
): Promise<ChannelListEntry[]> {
  if (input.clientId) await getClient(scope, tx, input.clientId);
  const rows = await tx
    .select()
    .from(channels)
    .where(
      and(eq(channels.agencyId, scope.agencyId), input.clientId ? eq(channels.clientId, input.clientId) : undefined),
    )
    .orderBy(asc(channels.displayName));
  const since = new Date(Date.now() - deliveryProblemDays * 24 * 60 * 60 * 1000);
  const problems = await tx
    .select({
      channelId: outboundDeliveries.channelId,
      failed: sql<number>`count(*) filter (where ${outboundDeliveries.status} = 'failed')::int`,
      retrying: sql<number>`count(*) filter (where ${outboundDeliveries.status} = 'pending')::int`,
      lastError: sql<string>`(array_agg(${outboundDeliveries.lastError} order by ${outboundDeliveries.updatedAt} desc))[1]`,
      lastErrorAt: max(outboundDeliveries.updatedAt),
    })
    .from(outboundDeliveries)
    .where(
      and(
        eq(outboundDeliveries.agencyId, scope.agencyId),
        input.clientId ? eq(outboundDeliveries.clientId, input.clientId) : undefined,
        ne(outboundDeliveries.status, "sent"),
        isNotNull(outboundDeliveries.lastError),
        gte(outboundDeliveries.updatedAt, since),
      ),
    )
    .groupBy(outboundDeliveries.channelId);
  const byChannel = new Map(problems.map((problem) => [problem.channelId, problem]));
  // Channels with an open delivery incident first: they are what needs someone now.
  const ordered = [...rows].sort((x, y) => Number(y.incidentOpenedAt !== null) - Number(x.incidentOpenedAt !== null));
  return ordered.map((row) => {
    const problem = byChannel.get(row.id);
    return {
      ...toChannelView(row),
      delivery: {
        failed: problem?.failed ?? 0,
        retrying: problem?.retrying ?? 0,
        lastError: problem?.lastErrorAt ? { message: problem.lastError, at: problem.lastErrorAt } : null,
      },
      incident: row.incidentOpenedAt ? { openedAt: row.incidentOpenedAt, reason: row.incidentReason } : null,
    };
  });
}

export async function getChannel(scope: Scope, tx: Executor, channelId: string): Promise<ChannelRow> {
  const [row] = await tx
    .select()
    .from(channels)
    .where(and(eq(channels.id, channelId), eq(channels.agencyId, scope.agencyId)));
  if (!row || (scope.clientIds && !scope.clientIds.includes(row.clientId))) {
    throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
  }
  return row;
}

function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === "23505" || (error as { code?: string }).code === "23505";
}

const duplicateAccount = () =>
  new AppError("CONFLICT", "This client already has a channel for that platform account", {
    reason: "duplicate_channel",
    fields: { externalAccountId: "is already connected for this client and platform" },
  });

export async function createChannel(
  scope: Scope,
  tx: Executor,
  input: ChannelCreateInput,
  deps: ChannelDeps,
): Promise<ChannelSecretView> {
  assertOutboundUrls(input.credentials, deps);
  const client = await getClient(scope, tx, input.clientId);
  if (client.status === "archived") {
    throw new AppError("INVALID_STATE", "Client is archived", {
      reason: "client_archived",
      fields: { clientId: "is archived" },
    });
  }
  const ingestSecret = generateSecret();
  const row = await tx
    .insert(channels)
    .values({
      agencyId: scope.agencyId,
      clientId: client.id,
      platform: input.platform,
      externalAccountId: input.externalAccountId,
      displayName: input.displayName,
      ingestSecretEnc: deps.secretBox.encrypt(ingestSecret),
      credentialsEnc: encryptCredentials(
        deps.secretBox,
        Object.fromEntries(
          Object.entries(input.credentials ?? {}).flatMap(([key, value]) =>
            value.trim() ? [[key, value.trim()]] : [],
          ),
        ),
      ),
    })
    .onConflictDoNothing()
    .returning();
  const created = row[0];
  if (!created) throw duplicateAccount();
  await recordAudit(tx, scope, {
    action: "channel.created",
    subjectType: "channel",
    subjectId: created.id,
    clientId: created.clientId,
    after: toChannelView(created),
  });
  return { channel: toChannelView(created), ingestSecret };
}

/**
 * The credentials after an update: the given keys replace the stored ones, an empty value removes its key, and keys
 * not given are kept, so a form can leave a write-only secret empty to keep it.
 */
function mergeCredentials(
  before: ChannelRow,
  changes: Record<string, string>,
  secretBox: SecretBox,
): Record<string, string> {
  const { credentials } = decryptChannelSecrets(secretBox, before);
  const merged = { ...credentials };
  for (const [key, value] of Object.entries(changes)) {
    if (value.trim() === "") delete merged[key];
    else merged[key] = value.trim();
  }
  return merged;
}

function encryptCredentials(secretBox: SecretBox, credentials: Record<string, string>): string | null {
  return Object.keys(credentials).length > 0 ? secretBox.encrypt(JSON.stringify(credentials)) : null;
}

export async function updateChannel(
  scope: Scope,
  tx: Executor,
  input: ChannelUpdateInput,
  deps: ChannelDeps,
): Promise<ChannelView> {
  assertOutboundUrls(input.credentials, deps);
  const before = await getChannel(scope, tx, input.channelId);
  let row: ChannelRow | undefined;
  try {
    [row] = await tx
      .update(channels)
      .set({
        displayName: input.displayName ?? before.displayName,
        externalAccountId: input.externalAccountId ?? before.externalAccountId,
        credentialsEnc: input.credentials
          ? encryptCredentials(deps.secretBox, mergeCredentials(before, input.credentials, deps.secretBox))
          : before.credentialsEnc,
        updatedAt: new Date(),
      })
      .where(and(eq(channels.id, before.id), eq(channels.agencyId, scope.agencyId)))
      .returning();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateAccount();
    throw error;
  }
  if (!row) throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
  await recordAudit(tx, scope, {
    action: "channel.updated",
    subjectType: "channel",
    subjectId: row.id,
    clientId: row.clientId,
    before: toChannelView(before),
    after: { ...toChannelView(row), credentialsChanged: input.credentials !== undefined },
  });
  return toChannelView(row);
}

export async function rotateChannelSecret(
  scope: Scope,
  tx: Executor,
  input: { channelId: string },
  deps: ChannelDeps,
): Promise<ChannelSecretView> {
  const before = await getChannel(scope, tx, input.channelId);
  const ingestSecret = generateSecret();
  const [row] = await tx
    .update(channels)
    .set({ ingestSecretEnc: deps.secretBox.encrypt(ingestSecret), updatedAt: new Date() })
    .where(and(eq(channels.id, before.id), eq(channels.agencyId, scope.agencyId)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Channel not found", { reason: "channel_not_found" });
  await recordAudit(tx, scope, {
    action: "channel.secret_rotated",
    subjectType: "channel",
    subjectId: row.id,
    clientId: row.clientId,
  });
  return { channel: toChannelView(row), ingestSecret };
}

export interface ChannelConnectionView {
  channelId: string;
  /** The keys of the stored credentials (never their values). */
  storedKeys: string[];
  /** The stored values of the platform's non-secret fields (verify token, forum URL, API username, callback URL). */
  values: Record<string, string>;
}

/** What the channel form shows of its credentials: which are stored, and the values that are not secrets. */
export async function getChannelConnection(
  scope: Scope,
  tx: Executor,
  input: { channelId: string },
  deps: ChannelDeps,
): Promise<ChannelConnectionView> {
  const row = await getChannel(scope, tx, input.channelId);
  const { credentials } = decryptChannelSecrets(deps.secretBox, row);
  const readable = (channelCredentialFields[row.platform] ?? []).filter((field) => !field.secret);
  return {
    channelId: row.id,
    storedKeys: Object.keys(credentials).sort(),
    values: Object.fromEntries(
      readable.flatMap((field) => (credentials[field.key] ? [[field.key, credentials[field.key] as string]] : [])),
    ),
  };
}

/**
 * **Test connection**: one harmless request to the channel's platform with its stored credentials (Meta: the page
 * token against the Graph API; Discourse: the API key against the forum; generic: a signed ping to the callback),
 * answered in words and audited. Nothing about the channel changes.
 */
export async function testChannelConnection(
  scope: Scope,
  tx: Executor,
  input: { channelId: string },
  deps: ChannelDeps,
): Promise<ChannelConnectionResult> {
  const row = await getChannel(scope, tx, input.channelId);
  const secrets = decryptChannelSecrets(deps.secretBox, row);
  const result: ChannelConnectionResult = secrets.problem
    ? { ok: false, message: `${secrets.problem}.` }
    : deps.testConnection
      ? await deps.testConnection({
          id: row.id,
          platform: row.platform,
          externalAccountId: row.externalAccountId,
          credentials: secrets.credentials,
          ingestSecret: secrets.ingestSecret,
        })
      : { ok: false, message: "Connection tests are not available on this server." };
  await recordAudit(tx, scope, {
    action: "channel.connection_tested",
    subjectType: "channel",
    subjectId: row.id,
    clientId: row.clientId,
    after: result,
  });
  return result;
}
