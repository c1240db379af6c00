/** What changed, as `GET /events` announces it (server-sent events); each listener refetches what it shows. */
export const liveEventTypes = [
  "queue.changed",
  "item.changed",
  "reply.changed",
  "escalation.changed",
  "clock.changed",
  "invoice.changed",
] as const;
export type LiveEventType = (typeof liveEventTypes)[number];

/** One change: ids only, so each listener re-reads it through its own scope; a null subject is left out. */
export interface LiveEvent {
  type: LiveEventType;
  agencyId: string;
  clientId: string | null;
  subjectId?: string;
}
