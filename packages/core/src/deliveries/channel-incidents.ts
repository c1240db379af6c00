import { type Executor, schema } from "@parley/db";
import { and, asc, eq, isNotNull, or } from "drizzle-orm";
import type { OutboundNotice } from "../kernel/outbound-notices";
import { publishLiveEvent } from "../kernel/publish-live-event";

const { channels, memberships, clientAssignments, notifications, auditEvents, playbooks } = schema;

/** Failed attempts in a row on one channel that make an incident (a permanent refusal makes one at once). */
export const channelIncidentThreshold = 3;

export type ChannelHealthChange = "opened" | "cleared" | null;

/** The first level's contacts of a stored playbook document (validated when saved; read defensively here). */
interface StoredPlaybookContacts {
  levels?: Array<{ contacts?: { emails?: string[]; webhookUrl?: string } }>;
}

/**
 * The e-mails and signed webhook posts for a channel incident: the first level's e-mail addresses and webhook of each
 * of the client's active escalation playbooks (the client's own duty contacts), sent after commit like an
 * escalation's notices.
 */
async function playbookIncidentNotices(
  tx: Executor,
  input: { agencyId: string; clientId: string; channelId: string; change: "opened" | "cleared" },
  notice: { title: string; body: string; reason: string | null; at: Date },
): Promise<OutboundNotice[]> {
  const rows = await tx
    .select({ document: playbooks.document })
    .from(playbooks)
    .where(
      and(eq(playbooks.agencyId, input.agencyId), eq(playbooks.clientId, input.clientId), eq(playbooks.active, true)),
    )
    .orderBy(asc(playbooks.createdAt));
  const contacts = rows.map((row) => (row.document as StoredPlaybookContacts).levels?.[0]?.contacts ?? {});
  const emails = [...new Set(contacts.flatMap((contact) => contact.emails ?? []))];
  const webhookUrls = [...new Set(contacts.flatMap((contact) => (contact.webhookUrl ? [contact.webhookUrl] : [])))];
  const kind = input.change === "opened" ? "channel.incident_opened" : "channel.incident_cleared";
  return [
    ...(emails.length > 0 ? [{ kind: "email" as const, to: emails, subject: notice.title, text: notice.body }] : []),
    ...webhookUrls.map((url) => ({
      kind: "webhook" as const,
      url,
      clientId: input.clientId,
      payload: {
        type: kind,
        channelId: input.channelId,
        clientId: input.clientId,
        reason: notice.reason,
        at: notice.at.toISOString(),
        title: notice.title,
        body: notice.body,
      },
    })),
  ];
}

/** The agency's owners, and the account managers assigned to the client: who hears of a channel's incident. */
async function findIncidentRecipients(tx: Executor, input: { agencyId: string; clientId: string }) {
  const rows = await tx
    .selectDistinct({ userId: memberships.userId })
    .from(memberships)
    .leftJoin(
      clientAssignments,
      and(eq(clientAssignments.membershipId, memberships.id), eq(clientAssignments.clientId, input.clientId)),
    )
    .where(
      and(
        eq(memberships.agencyId, input.agencyId),
        or(
          eq(memberships.role, "owner"),
          and(eq(memberships.role, "account_manager"), isNotNull(clientAssignments.id)),
        ),
      ),
    );
  return rows.map((row) => row.userId);
}

/**
 * Keeps a channel's delivery health after each recorded attempt, in the outbox's transaction: a success resets the
 * streak and clears an open incident; a failure adds to it, and `channelIncidentThreshold` failures in a row — or
 * one refusal a retry cannot fix (a revoked token, 401/403) — open an incident: the console shows a banner for the
 * client, Admin → Channels lists the channel first, the agency's owners and the client's account managers get a
 * notice, and the first level of the client's active playbooks gets an e-mail and a webhook post where configured
 * (returned, to send after commit). Opening and clearing are audited and announced.
 */
export async function trackChannelHealth(
  tx: Executor,
  input: {
    agencyId: string;
    clientId: string;
    channelId: string;
    ok: boolean;
    permanent: boolean;
    error: string | null;
    now: Date;
  },
): Promise<{ change: ChannelHealthChange; notices: OutboundNotice[] }> {
  const [before] = await tx
    .select({
      displayName: channels.displayName,
      streak: channels.deliveryFailureStreak,
      incidentOpenedAt: channels.incidentOpenedAt,
      incidentReason: channels.incidentReason,
    })
    .from(channels)
    .where(and(eq(channels.id, input.channelId), eq(channels.agencyId, input.agencyId)))
    // Not FOR UPDATE: that blocks the key-share locks every insert referencing the channel takes (items, replies,
    // deliveries), and the sandbox's echo ingest then deadlocked with the outbox recording an outcome.
    .for("no key update");
  if (!before) return { change: null, notices: [] };
  const streak = input.ok ? 0 : before.streak + 1;
  const open = before.incidentOpenedAt !== null;
  const change: ChannelHealthChange = input.ok
    ? open
      ? "cleared"
      : null
    : !open && (input.permanent || streak >= channelIncidentThreshold)
      ? "opened"
      : null;
  if (streak === before.streak && change === null) return { change: null, notices: [] };
  await tx
    .update(channels)
    .set({
      deliveryFailureStreak: streak,
      ...(change === "opened" ? { incidentOpenedAt: input.now, incidentReason: input.error } : {}),
      ...(change === "cleared" ? { incidentOpenedAt: null, incidentReason: null } : {}),
    })
    .where(and(eq(channels.id, input.channelId), eq(channels.agencyId, input.agencyId)));
  if (change === null) return { change: null, notices: [] };
  const title =
    change === "opened"
      ? `Deliveries are failing on ${before.displayName}`
      : `Deliveries work again on ${before.displayName}`;
  const body =
    change === "opened"
      ? `${input.permanent ? "The platform refused a delivery for good" : `${streak} deliveries failed in a row`}: ${
          input.error ?? "no reason given"
        }. Replies, hides and deletes on this channel are not reaching the public; check its credentials in Admin → Channels.`
      : `A delivery succeeded after the incident opened ${before.incidentOpenedAt?.toISOString()} (${before.incidentReason ?? "no reason"}).`;
  const recipients = await findIncidentRecipients(tx, input);
  if (recipients.length > 0) {
    await tx.insert(notifications).values(
      recipients.map((userId) => ({
        agencyId: input.agencyId,
        clientId: input.clientId,
        recipientUserId: userId,
        kind: change === "opened" ? "channel.incident_opened" : "channel.incident_cleared",
        subjectType: "channel",
        subjectId: input.channelId,
        title,
        body,
        createdAt: input.now,
      })),
    );
  }
  const notices = await playbookIncidentNotices(
    tx,
    { ...input, change },
    { title, body, reason: change === "opened" ? input.error : null, at: input.now },
  );
  // A system action (no actor), written as the outbox writes its own.
  await tx.insert(auditEvents).values({
    agencyId: input.agencyId,
    clientId: input.clientId,
    action: change === "opened" ? "channel.incident_opened" : "channel.incident_cleared",
    subjectType: "channel",
    subjectId: input.channelId,
    before: { incidentOpenedAt: before.incidentOpenedAt, streak: before.streak },
    after: {
      reason: change === "opened" ? input.error : null,
      streak,
      notified: recipients.length,
      playbookNotices: notices.length,
    },
  });
  await publishLiveEvent(tx, { type: "queue.changed", agencyId: input.agencyId, clientId: input.clientId });
  return { change, notices };
}
