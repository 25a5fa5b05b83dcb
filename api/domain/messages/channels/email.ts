import { createTransport } from 'nodemailer';
import type { Channel } from './channel.ts';

export interface EmailConfig {
  /** smtp://user:pass@host:587 or smtps://…:465 (nodemailer's connection URL); absent: e-mail is off. */
  smtpUrl?: string;
  /** The sender, e.g. "青溪镇整治办 <noreply@example.gov.cn>"; its domain ends every Message-ID. */
  from?: string;
  /** No reply within this long is a failed try, retried later: well inside the worker's lease. */
  timeoutMs?: number;
}

/** The domain of the sender's address: "Name <a@b.cn>" or "a@b.cn" → "b.cn". */
export const senderDomain = (from: string) => /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';

/** E-mail over SMTP (nodemailer), or null when SMTP_URL or MAIL_FROM is not set. */
export function emailChannel(config: EmailConfig): Channel | null {
  if (!config.smtpUrl || !config.from) return null;
  const timeout = config.timeoutMs ?? 60_000;
  const transport = createTransport({
    url: config.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const from = config.from;
  return {
    async send(m) {
      const info = await transport.sendMail({
        from,
        to: m.recipient,
        subject: m.subject,
        text: m.text,
        // The same on every try of this message: a receiver that sees it twice may drop the repeat.
        messageId: m.messageId,
      });
      // The server's "250 … queued as X": what its operator can trace. The address is never part of it.
      return String(info.response ?? info.messageId).slice(0, 200);
    },
    close: () => transport.close(),
  };
}
