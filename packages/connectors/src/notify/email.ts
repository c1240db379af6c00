import { createTransport } from "nodemailer";

export interface EmailSender {
  send(message: {
    to: readonly string[];
    subject: string;
    text: string;
    attachments?: ReadonlyArray<{ filename: string; contentType: string; content: Uint8Array }>;
  }): Promise<void>;
  close(): void;
}

/** E-mail through the SMTP server `smtpUrl` names (`smtp://user:pass@host:port`, `smtps://…`). */
export function createEmailSender({ smtpUrl, from }: { smtpUrl: string; from: string }): EmailSender {
  const transport = createTransport(smtpUrl);
  return {
    async send({ to, subject, text, attachments = [] }) {
      await transport.sendMail({
        from,
        to: [...to],
        subject,
        text,
        attachments: attachments.map(({ filename, contentType, content }) => ({
          filename,
          contentType,
          content: Buffer.from(content),
        })),
      });
    },
    close() {
      transport.close();
    },
  };
}
