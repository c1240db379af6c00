import { eventType } from "inngest";
import { z } from "zod";

/**
 * The event catalogue: `<area>/<noun>.<past-verb>` names with zod payload schemas (validated by the
 * SDK when a function is triggered). Every payload carries `agencyId` (concurrency key, tenant for
 * the store) and `itemId` (what waits and cancellations match on).
 *
 * The payload schemas could move to @parley/contracts once the API sends these events.
 */
const id = z.uuid();
const instant = z.iso.datetime({ offset: true });
const clockMetric = z.enum(["first_response", "resolution"]);

export const itemReceivedData = z.object({ agencyId: id, clientId: id, channelId: id, itemId: id });
export type ItemReceivedData = z.infer<typeof itemReceivedData>;

export const itemDeletedData = z.object({ agencyId: id, itemId: id });
export type ItemDeletedData = z.infer<typeof itemDeletedData>;

export const escalationResolvedData = z.object({
  agencyId: id,
  clientId: id,
  itemId: id,
  escalationId: id,
  resolvedAt: instant,
});
export type EscalationResolvedData = z.infer<typeof escalationResolvedData>;

export const clockAtRiskData = z.object({
  agencyId: id,
  itemId: id,
  metric: clockMetric,
  atRiskAt: instant,
  dueAt: instant,
});
export type ClockAtRiskData = z.infer<typeof clockAtRiskData>;

export const clockBreachedData = z.object({ agencyId: id, itemId: id, metric: clockMetric, dueAt: instant });
export type ClockBreachedData = z.infer<typeof clockBreachedData>;

export const clockResumedData = z.object({ agencyId: id, itemId: id, metric: clockMetric });
export type ClockResumedData = z.infer<typeof clockResumedData>;

export const itemReceived = eventType("moderation/item.received", { schema: itemReceivedData });
export const itemDeleted = eventType("moderation/item.deleted", { schema: itemDeletedData });
export const escalationResolved = eventType("escalations/escalation.resolved", { schema: escalationResolvedData });
export const clockAtRisk = eventType("sla/clock.at-risk", { schema: clockAtRiskData });
export const clockBreached = eventType("sla/clock.breached", { schema: clockBreachedData });
export const clockResumed = eventType("sla/clock.resumed", { schema: clockResumedData });

export const events = {
  itemReceived,
  itemDeleted,
  escalationResolved,
  clockAtRisk,
  clockBreached,
  clockResumed,
} as const;
