import { emptyOutboundAllowlist, type OutboundAllowlist } from "@parley/contracts";
import { createGuardedFetch } from "../outbound/guarded-fetch";
import { createEmailSender } from "./email";
import { deriveWebhookSecret, postSignedWebhook } from "./webhook";

export * from "./email";
export * from "./webhook";

/** What core's escalation notices hand over (structurally `OutboundNotice` of @parley/core/escalations). */
export type Notice =
  | {
      kind: "email";
      to: string[];
      subject: string;
      text: string;
      attachments?: Array<{ filename: string; contentType: string; content: Uint8Array }>;
    }
  | { kind: "webhook"; url: string; clientId: string; payload: Record<string, unknown> };

/**
 * Sends escalation notices: e-mail through SMTP when `smtpUrl` is set (otherwise e-mail notices are
 * skipped: the in-app notice stands), webhooks signed with the client's derived secret.
 */
export function createNotifier({
  smtpUrl,
  from,
  appSecret,
  allowlist = emptyOutboundAllowlist,
}: {
  smtpUrl?: string;
  from: string;
  appSecret: string;
  /** Hosts a webhook may reach over plain http or at a private address (`OUTBOUND_ALLOWLIST`). */
  allowlist?: OutboundAllowlist;
}) {
  const email = smtpUrl ? createEmailSender({ smtpUrl, from }) : null;
  const guardedFetch = createGuardedFetch(allowlist);
  return {
    async send(notice: Notice): Promise<void> {
      if (notice.kind === "email") {
        await email?.send(notice);
        return;
      }
      await postSignedWebhook({
        url: notice.url,
        payload: notice.payload,
        secret: deriveWebhookSecret({ appSecret, clientId: notice.clientId }),
        fetch: guardedFetch,
      });
    },
    close(): void {
      email?.close();
    },
  };
}
