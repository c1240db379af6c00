/**
 * Notices that leave Parley (e-mail, signed webhooks), decided inside a transaction and sent once it has committed:
 * escalation notices and channel incidents share them, and @parley/connectors/notify sends them.
 */

/** A notice sent outside the database once the transaction that decided it has committed. */
export type OutboundNotice =
  | { kind: "email"; to: string[]; subject: string; text: string }
  | { kind: "webhook"; url: string; clientId: string; payload: Record<string, unknown> };

/** Sends e-mail (SMTP) and signed webhooks; implemented by @parley/connectors/notify. */
export interface Notifier {
  send(notice: OutboundNotice): Promise<void>;
}

/** Sends notices one by one; a failure is reported and does not stop the others (the in-app notice stands). */
export async function sendNotices(
  notifier: Notifier | undefined,
  notices: readonly OutboundNotice[],
  onError: (error: unknown, notice: OutboundNotice) => void = () => {},
): Promise<void> {
  if (!notifier) return;
  for (const notice of notices) {
    try {
      await notifier.send(notice);
    } catch (error) {
      onError(error, notice);
    }
  }
}
