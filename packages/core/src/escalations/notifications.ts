import { AppError, uuid } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { findPortalUsers } from "../agencies/client-people";
import { type Clock, systemClock } from "../kernel/clock";
import type { OutboundNotice } from "../kernel/outbound-notices";
import type { Scope } from "../kernel/scope";
import type { PlaybookLevel } from "./playbooks";

const { notifications } = schema;
type NotificationRow = typeof notifications.$inferSelect;

export type EscalationNoticeKind = "escalation.opened" | "escalation.reminder" | "escalation.answered";

export interface EscalationNotice {
  kind: EscalationNoticeKind;
  agencyId: string;
  clientId: string;
  escalationId: string;
  itemId: string;
  level: number;
  title: string;
  body: string;
  at: Date;
}

/**
 * Tells a level's contacts about an escalation: an in-app notice for each portal user (those the level
 * names, or every portal user of the client when it names none), and returns the e-mails and webhook
 * posts to send after commit.
 */
export async function notifyEscalationLevel(
  tx: Executor,
  { notice, level }: { notice: EscalationNotice; level: PlaybookLevel | null },
): Promise<OutboundNotice[]> {
  const portalUsers = await findPortalUsers(tx, notice);
  const named = level?.contacts.portalUserIds ?? [];
  const recipients = named.length > 0 ? portalUsers.filter((user) => named.includes(user.userId)) : portalUsers;
  if (recipients.length > 0) {
    await tx.insert(notifications).values(
      recipients.map((user) => ({
        agencyId: notice.agencyId,
        clientId: notice.clientId,
        recipientUserId: user.userId,
        kind: notice.kind,
        subjectType: "escalation",
        subjectId: notice.escalationId,
        title: notice.title,
        body: notice.body,
        createdAt: notice.at,
      })),
    );
  }
  const outbound: OutboundNotice[] = [];
  const emails = [
    ...new Set([...(level?.contacts.emails ?? []), ...(named.length > 0 ? recipients.map((user) => user.email) : [])]),
  ];
  if (emails.length > 0) outbound.push({ kind: "email", to: emails, subject: notice.title, text: notice.body });
  if (level?.contacts.webhookUrl) {
    outbound.push({
      kind: "webhook",
      url: level.contacts.webhookUrl,
      clientId: notice.clientId,
      payload: {
        type: notice.kind,
        escalationId: notice.escalationId,
        itemId: notice.itemId,
        clientId: notice.clientId,
        level: notice.level,
        title: notice.title,
        body: notice.body,
      },
    });
  }
  return outbound;
}

export const inboxInput = z.object({ unreadOnly: z.boolean().default(false) }).default({ unreadOnly: false });
export type InboxInput = z.input<typeof inboxInput>;
export const markReadInput = z.object({
  notificationIds: z.array(uuid).min(1, { error: "name at least one notice" }).max(200),
});
export type MarkReadInput = z.infer<typeof markReadInput>;

export interface NotificationView {
  id: string;
  clientId: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}

function toNotificationView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    clientId: row.clientId,
    kind: row.kind,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    title: row.title,
    body: row.body,
    readAt: row.readAt,
    createdAt: row.createdAt,
  };
}

const inboxLimit = 100;

/** The caller's own in-app notices (portal inbox, console), newest first, with how many are unread. */
export async function listInbox(
  scope: Scope,
  tx: Executor,
  input: InboxInput = {},
): Promise<{ unread: number; notices: NotificationView[] }> {
  const { unreadOnly } = inboxInput.parse(input);
  const mine = and(eq(notifications.agencyId, scope.agencyId), eq(notifications.recipientUserId, scope.actorId));
  const rows = await tx
    .select()
    .from(notifications)
    .where(and(mine, unreadOnly ? isNull(notifications.readAt) : undefined))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(inboxLimit);
  const unread = await tx.$count(notifications, and(mine, isNull(notifications.readAt)));
  return { unread, notices: rows.map(toNotificationView) };
}

/** Marks the caller's own notices read; naming anyone else's is NOT_FOUND and changes nothing. */
export async function markNoticesRead(
  scope: Scope,
  tx: Executor,
  input: MarkReadInput,
  deps: { now?: Clock } = {},
): Promise<{ marked: number }> {
  const ids = [...new Set(input.notificationIds)];
  const rows = await tx
    .select({ id: notifications.id, readAt: notifications.readAt })
    .from(notifications)
    .where(
      and(
        eq(notifications.agencyId, scope.agencyId),
        eq(notifications.recipientUserId, scope.actorId),
        inArray(notifications.id, ids),
      ),
    );
  if (rows.length !== ids.length) {
    throw new AppError("NOT_FOUND", "Notice not found", {
      reason: "notification_not_found",
      fields: { notificationIds: "names a notice that is not yours" },
    });
  }
  const unread = rows.filter((row) => !row.readAt).map((row) => row.id);
  if (unread.length > 0) {
    await tx
      .update(notifications)
      .set({ readAt: (deps.now ?? systemClock)() })
      .where(and(eq(notifications.agencyId, scope.agencyId), inArray(notifications.id, unread)));
  }
  return { marked: unread.length };
}

/** Marks every unread notice of the caller read ("Mark all read"), however many there are. */
export async function markAllNoticesRead(
  scope: Scope,
  tx: Executor,
  deps: { now?: Clock } = {},
): Promise<{ marked: number }> {
  const marked = await tx
    .update(notifications)
    .set({ readAt: (deps.now ?? systemClock)() })
    .where(
      and(
        eq(notifications.agencyId, scope.agencyId),
        eq(notifications.recipientUserId, scope.actorId),
        isNull(notifications.readAt),
      ),
    )
    .returning({ id: notifications.id });
  return { marked: marked.length };
}
