import {
  AppError,
  badInput,
  emptyOutboundAllowlist,
  findOutboundUrlProblem,
  type OutboundAllowlist,
  uuid,
} from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { findPortalUsers } from "../agencies/client-people";
import { getClient } from "../agencies/clients";
import { type Clock, systemClock } from "../kernel/clock";
import { recordAudit } from "../kernel/record-audit";
import type { Scope } from "../kernel/scope";
import { priorities, riskFlags } from "../protocols/protocol-document";
import { getActiveProtocol } from "../protocols/protocol-versions";
import { ALWAYS_OPEN, calendarKinds, resolveCalendar } from "../sla/business-calendar";
import type { TriagePolicy } from "./advance-triage";

const { playbooks } = schema;
type PlaybookRow = typeof playbooks.$inferSelect;

const minutes = (what: string) =>
  z
    .number({ error: `${what} must be a number of minutes` })
    .positive({ error: `${what} must be positive` })
    .max(60 * 24 * 90, { error: `${what} must be at most 90 days` });
const calendar = z.enum(calendarKinds, { error: 'calendar must be "24x7" or "business_hours"' });

const playbookLevel = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  contacts: z
    .object({
      /** Portal users (stakeholders of the client) notified in-app and by e-mail. */
      portalUserIds: z.array(uuid).max(50).default([]),
      emails: z
        .array(z.email({ error: (issue) => `“${String(issue.input)}” is not an e-mail address` }))
        .max(50)
        .default([]),
      /** Receives a signed POST (`x-parley-signature`) for every escalation notice of this level. */
      webhookUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    })
    .default({ portalUserIds: [], emails: [] }),
  respondWithinMinutes: minutes("respond within"),
  calendar,
});

/** A client's escalation playbook: when it applies, who is told at each level, and how the customer is kept posted. */
export const playbookDocument = z.object({
  triggers: z
    .object({
      categories: z.array(z.string().trim().min(1).max(80)).max(200).default([]),
      riskFlags: z.array(z.enum(riskFlags)).max(riskFlags.length).default([]),
      keywords: z.array(z.string().trim().min(1).max(80)).max(200).default([]),
      priorities: z.array(z.enum(priorities)).max(priorities.length).default([]),
    })
    .default({ categories: [], riskFlags: [], keywords: [], priorities: [] }),
  levels: z.array(playbookLevel).min(1, { error: "levels need at least one level" }).max(10),
  /** Minutes (acknowledgement calendar) between "still on it" updates to the customer while open; null for none. */
  followUpCadenceMinutes: minutes("follow-up cadence").nullable().default(null),
  autoAcknowledge: z.boolean().default(false),
  acknowledgementTargetMinutes: minutes("acknowledgement target").default(15),
  acknowledgementCalendar: calendar.default("24x7"),
  /** Post the client's answer to the customer without a moderator reviewing it first. */
  autoSendFollowUp: z.boolean().default(false),
});
export type PlaybookDocument = z.infer<typeof playbookDocument>;
export type PlaybookLevel = PlaybookDocument["levels"][number];

export const playbookListInput = z.object({ clientId: uuid });
export type PlaybookListInput = z.infer<typeof playbookListInput>;
/** The document is checked inside the use case, so every problem is named under `document.`. */
export const playbookSaveInput = z.object({
  clientId: uuid,
  /** Absent: a new playbook. */
  playbookId: uuid.optional(),
  name: z.string().trim().min(1, { error: "name is required" }).max(120),
  active: z.boolean().default(true),
  document: z.unknown(),
});
export type PlaybookSaveInput = z.input<typeof playbookSaveInput>;

export interface PlaybookView {
  id: string;
  clientId: string;
  name: string;
  active: boolean;
  document: PlaybookDocument;
  updatedAt: Date;
}

/**
 * Checks a playbook document as saved: the schema, then each level's webhook URL against the outbound rules
 * (https, no credentials, no address inside the network unless `allowlist` names it), every problem named under
 * `document.`. Stored documents are read with the schema alone (`toPlaybookView`).
 */
export function parsePlaybookDocument(
  input: unknown,
  allowlist: OutboundAllowlist = emptyOutboundAllowlist,
): PlaybookDocument {
  const parsed = playbookDocument.safeParse(input);
  if (!parsed.success)
    throw badInput(parsed.error.issues.map((issue) => ({ ...issue, path: ["document", ...issue.path] })));
  const issues = parsed.data.levels.flatMap((level, index) => {
    const problem = level.contacts.webhookUrl ? findOutboundUrlProblem(level.contacts.webhookUrl, allowlist) : null;
    return problem ? [{ path: ["document", "levels", index, "contacts", "webhookUrl"], message: problem }] : [];
  });
  if (issues.length > 0) throw badInput(issues);
  return parsed.data;
}

export function toPlaybookView(row: PlaybookRow): PlaybookView {
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    active: row.active,
    document: playbookDocument.parse(row.document),
    updatedAt: row.updatedAt,
  };
}

/** What a playbook of the client can name: its protocol's categories and its portal users (the pickers' options). */
export interface PlaybookOptionsView {
  /** The active protocol's categories and its default category; empty when the client has no protocol yet. */
  categories: Array<{ key: string; name: string }>;
  /** The client's stakeholders who see escalations (view or approve authority). */
  portalUsers: Array<{ userId: string; name: string; email: string }>;
}

async function findPlaybookOptions(tx: Executor, agencyId: string, clientId: string): Promise<PlaybookOptionsView> {
  const protocol = await getActiveProtocol(tx, clientId);
  const categories = protocol
    ? [
        ...protocol.document.categories.map(({ key, name }) => ({ key, name })),
        { key: protocol.document.defaultCategory.key, name: `${protocol.document.defaultCategory.key} (default)` },
      ]
    : [];
  return { categories, portalUsers: await findPortalUsers(tx, { agencyId, clientId }) };
}

export async function getPlaybookOptions(
  scope: Scope,
  tx: Executor,
  input: PlaybookListInput,
): Promise<PlaybookOptionsView> {
  const client = await getClient(scope, tx, input.clientId);
  return findPlaybookOptions(tx, scope.agencyId, client.id);
}

/**
 * What the schema cannot know: each trigger category must be one of the client's protocol, each named portal
 * user one of its stakeholders who see escalations (a typo would otherwise never match, or notify no one).
 */
function findReferenceProblems(
  document: PlaybookDocument,
  options: PlaybookOptionsView,
): Array<{ path: Array<string | number>; message: string }> {
  const known = new Set(options.categories.map((category) => category.key));
  const portalUserIds = new Set(options.portalUsers.map((user) => user.userId));
  const categoryProblems = document.triggers.categories.flatMap((key, index) =>
    known.has(key)
      ? []
      : [
          {
            path: ["document", "triggers", "categories", index],
            message:
              known.size > 0
                ? `“${key}” is not a category of this client's protocol (it has ${[...known].join(", ")})`
                : `“${key}” is not a category: this client has no protocol yet`,
          },
        ],
  );
  const contactProblems = document.levels.flatMap((level, levelIndex) =>
    level.contacts.portalUserIds.flatMap((userId, index) =>
      portalUserIds.has(userId)
        ? []
        : [
            {
              path: ["document", "levels", levelIndex, "contacts", "portalUserIds", index],
              message: "is not a stakeholder of this client who sees escalations",
            },
          ],
    ),
  );
  return [...categoryProblems, ...contactProblems];
}

export async function listPlaybooks(scope: Scope, tx: Executor, input: PlaybookListInput): Promise<PlaybookView[]> {
  await getClient(scope, tx, input.clientId);
  const rows = await tx
    .select()
    .from(playbooks)
    .where(and(eq(playbooks.agencyId, scope.agencyId), eq(playbooks.clientId, input.clientId)))
    .orderBy(asc(playbooks.createdAt));
  return rows.map(toPlaybookView);
}

export async function savePlaybook(
  scope: Scope,
  tx: Executor,
  input: PlaybookSaveInput,
  deps: { outboundAllowlist?: OutboundAllowlist; now?: Clock } = {},
): Promise<PlaybookView> {
  const { clientId, playbookId, name, active } = playbookSaveInput.parse(input);
  await getClient(scope, tx, clientId);
  const document = parsePlaybookDocument(input.document, deps.outboundAllowlist);
  const problems = findReferenceProblems(document, await findPlaybookOptions(tx, scope.agencyId, clientId));
  if (problems.length > 0) throw badInput(problems);
  const now = (deps.now ?? systemClock)();
  if (!playbookId) {
    const [row] = await tx
      .insert(playbooks)
      .values({ agencyId: scope.agencyId, clientId, name, active, document })
      .returning();
    if (!row) throw new AppError("INTERNAL", "Playbook not saved");
    await recordAudit(tx, scope, {
      action: "playbook.created",
      subjectType: "playbook",
      subjectId: row.id,
      clientId,
      after: document,
    });
    return toPlaybookView(row);
  }
  const [before] = await tx
    .select()
    .from(playbooks)
    .where(and(eq(playbooks.id, playbookId), eq(playbooks.agencyId, scope.agencyId), eq(playbooks.clientId, clientId)))
    .for("update");
  if (!before) throw new AppError("NOT_FOUND", "Playbook not found", { reason: "playbook_not_found" });
  const [row] = await tx
    .update(playbooks)
    .set({ name, active, document, updatedAt: now })
    .where(and(eq(playbooks.id, playbookId), eq(playbooks.agencyId, scope.agencyId)))
    .returning();
  if (!row) throw new AppError("INTERNAL", "Playbook not saved");
  await recordAudit(tx, scope, {
    action: "playbook.updated",
    subjectType: "playbook",
    subjectId: row.id,
    clientId,
    before: before.document,
    after: document,
  });
  return toPlaybookView(row);
}

/** What a trigger looks at. */
export interface TriggerSubject {
  categoryKey: string | null;
  riskFlags: readonly string[];
  priority: string;
  body: string;
}

export function playbookMatches(document: PlaybookDocument, subject: TriggerSubject): boolean {
  const { triggers } = document;
  if (subject.categoryKey && triggers.categories.includes(subject.categoryKey)) return true;
  if (subject.riskFlags.some((flag) => (triggers.riskFlags as readonly string[]).includes(flag))) return true;
  if ((triggers.priorities as readonly string[]).includes(subject.priority)) return true;
  const body = subject.body.toLocaleLowerCase();
  return triggers.keywords.some((keyword) => body.includes(keyword.toLocaleLowerCase()));
}

/** The client's active playbooks, oldest first (the first that matches an item applies). */
export async function findActivePlaybooks(
  tx: Executor,
  { agencyId, clientId }: { agencyId: string; clientId: string },
): Promise<PlaybookView[]> {
  const rows = await tx
    .select()
    .from(playbooks)
    .where(and(eq(playbooks.agencyId, agencyId), eq(playbooks.clientId, clientId), eq(playbooks.active, true)))
    .orderBy(asc(playbooks.createdAt));
  return rows.map(toPlaybookView);
}

/** The contacts of a level as the pure triage decision lists them. */
export function levelContacts(level: PlaybookLevel): string[] {
  return [
    ...level.contacts.portalUserIds.map((id) => `user:${id}`),
    ...level.contacts.emails.map((email) => `email:${email}`),
    ...(level.contacts.webhookUrl ? [`webhook:${level.contacts.webhookUrl}`] : []),
  ];
}

/** The triage policy of a playbook for a client, with the protocol's acknowledgement templates. */
export function toTriagePolicy({
  document,
  clientCalendar,
  acknowledgementTemplates,
}: {
  document: PlaybookDocument | null;
  clientCalendar: unknown;
  acknowledgementTemplates: readonly string[];
}): TriagePolicy {
  if (!document) {
    return {
      autoAcknowledge: false,
      acknowledgement: { targetMinutes: 15, calendar: ALWAYS_OPEN, templates: acknowledgementTemplates },
      levels: [],
      customerUpdateCadenceMinutes: null,
      autoSendFollowUp: false,
    };
  }
  return {
    autoAcknowledge: document.autoAcknowledge,
    acknowledgement: {
      targetMinutes: document.acknowledgementTargetMinutes,
      calendar: resolveCalendar(document.acknowledgementCalendar, clientCalendar),
      templates: acknowledgementTemplates,
    },
    levels: document.levels.map((level) => ({
      contacts: levelContacts(level),
      respondWithinMinutes: level.respondWithinMinutes,
      calendar: resolveCalendar(level.calendar, clientCalendar),
    })),
    customerUpdateCadenceMinutes: document.followUpCadenceMinutes,
    autoSendFollowUp: document.autoSendFollowUp,
  };
}
