import { type Executor, schema } from "@parley/db";
import { and, eq, isNotNull, or } from "drizzle-orm";
import { type OutboundNotice, playbookDutyNotices } from "../kernel/outbound-notices";
import { publishLiveEvent } from "../kernel/publish-live-event";

const { channels, memberships, clientAssignments, notifications, auditEvents } = schema;

/** Failed attempts in a row on one channel that make an incident (a permanent refusal makes one at once). */
export const channelIncidentThreshold = 3;

export type ChannelHealthChange = "opened" | "cleared" | null;

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
  const health = () =>
    tx
      .select({
        displayName: channels.displayName,
        streak: channels.deliveryFailureStreak,
        incidentOpenedAt: channels.incidentOpenedAt,
        incidentReason: channels.incidentReason,
      })
      .from(channels)
      .where(and(eq(channels.id, input.channelId), eq(channels.agencyId, input.agencyId)));
  // A success on a healthy channel changes nothing, so it takes no lock: each delivery waited for the one before it
  // on its channel to commit (4.2 ms a delivery in a 90-s spike). A failure that commits meanwhile is ordered after
  // it, as if this success had come first.
  if (input.ok) {
    const [seen] = await health();
    if (!seen || (seen.streak === 0 && seen.incidentOpenedAt === null)) return { change: null, notices: [] };
  }
  // Not FOR UPDATE: that blocks the key-share locks every insert referencing the channel takes (items, replies,
  // deliveries), and the sandbox's echo ingest then deadlocked with the outbox recording an outcome.
  const [before] = await health().for("no key update");
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
  const notices = await playbookDutyNotices(tx, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    title,
    body,
    payload: {
      type: change === "opened" ? "channel.incident_opened" : "channel.incident_cleared",
      channelId: input.channelId,
      clientId: input.clientId,
      reason: change === "opened" ? input.error : null,
      at: input.now.toISOString(),
      title,
      body,
    },
  });
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
