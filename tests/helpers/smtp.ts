import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  mail: ParsedMail;
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

/**
 * A real SMTP server on a free local port (smtp-server), as the portal's nodemailer meets a mail host: plain SMTP,
 * no TLS or login. Every message is parsed (mailparser) and kept in arrival order. `hold` keeps a message's DATA
 * unanswered (a mail host that stalls): the sender waits for a reply that never comes; `refuse` answers 550.
 */
export async function startSmtp(opts: { hold?: (m: Received) => boolean; refuse?: (to: string) => boolean } = {}) {
  const received: Received[] = [];
  const events = new EventEmitter();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 100,
    // A mailbox the host refuses, as mail hosts do: quoting the address in its 550.
    onRcptTo(address, _session, callback) {
      if (!opts.refuse?.(address.address)) return callback();
      callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected`), { responseCode: 550 }));
    },
    onData(stream, _session, callback) {
      void simpleParser(stream).then((mail) => {
        const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
        const m = {
          mail,
          messageId: mail.messageId ?? '',
          to,
          subject: mail.subject ?? '',
          text: mail.text ?? '',
        };
        received.push(m);
        if (opts.hold?.(m)) return void events.emit('held', m);
        callback(null, `Ok: queued as test-${received.length}`);
        events.emit('mail', m);
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;

  /** Resolves once the messages received satisfy `done` (checked at each arrival): no sleeping, no polling. */
  const until = (done: (all: Received[]) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!done(received)) return;
        events.off('mail', check);
        events.off('held', check);
        resolve();
      };
      events.on('mail', check);
      events.on('held', check);
      check();
    });

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    until,
    /** The next held message. */
    held: () => once(events, 'held').then(([m]) => m as Received),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestSmtp = Awaited<ReturnType<typeof startSmtp>>;
