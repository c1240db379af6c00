/**
 * Notices that leave Parley (e-mail, signed webhooks), decided inside a transaction and sent once it has committed:
 * escalation notices, channel incidents and volume spikes share them, and @parley/connectors/notify sends them.
 */
import { type Executor, schema } from "@parley/db";
import { and, asc, eq } from "drizzle-orm";

/** A file sent with an e-mail (a monthly report's PDF). */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** A notice sent outside the database once the transaction that decided it has committed. */
export type OutboundNotice =
  | { kind: "email"; to: string[]; subject: string; text: string; attachments?: EmailAttachment[] }
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

/** The first level's contacts of a stored playbook document (validated when saved; read defensively here). */
interface StoredPlaybookContacts {
  levels?: Array<{ contacts?: { emails?: string[]; webhookUrl?: string } }>;
}

/**
 * The e-mails and signed webhook posts for something a client's duty contacts must hear of at once (a channel
 * incident, a volume spike): the first level's e-mail addresses and webhook of each of the client's active escalation
 * playbooks, `title` and `body` by e-mail and `payload` posted, to send after commit like an escalation's notices.
 */
export async function playbookDutyNotices(
  tx: Executor,
  input: { agencyId: string; clientId: string; title: string; body: string; payload: Record<string, unknown> },
): Promise<OutboundNotice[]> {
  const { playbooks } = schema;
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
  return [
    ...(emails.length > 0 ? [{ kind: "email" as const, to: emails, subject: input.title, text: input.body }] : []),
    ...webhookUrls.map((url) => ({ kind: "webhook" as const, url, clientId: input.clientId, payload: input.payload })),
  ];
}
