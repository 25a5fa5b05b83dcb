import type { Db } from '../../../db/client.ts';
import type { MessageChannel } from '../../../db/schema-messages.ts';
import { type Env, siteOrigin } from '../../env.ts';
import type { Channel } from './channels/channel.ts';
import { emailChannel, senderDomain } from './channels/email.ts';
import { smsChannel } from './channels/sms.ts';
import type { OutboxWorker } from './worker.ts';

/** The channels the configuration turns on (SMTP_URL + MAIL_FROM; SMS_GATEWAY_URL + SMS_GATEWAY_SECRET). */
export function channelsFrom(env: Env): Partial<Record<MessageChannel, Channel>> {
  // A try that hangs ends well inside the lease, so it is not sent again by another worker while still under way.
  const timeoutMs = Math.min(60_000, (env.OUTBOX_LEASE_S * 1000) / 2);
  const email = emailChannel({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, timeoutMs });
  const sms = smsChannel({ url: env.SMS_GATEWAY_URL, secret: env.SMS_GATEWAY_SECRET, timeoutMs });
  return { ...(email && { email }), ...(sms && { sms }) };
}

export function outboxWorkerFrom(
  env: Env,
  db: Db,
  clock: () => Date,
  onFailure?: OutboxWorker['onFailure'],
): OutboxWorker {
  const origin = siteOrigin(env);
  return {
    db,
    channels: channelsFrom(env),
    clock,
    leaseMs: env.OUTBOX_LEASE_S * 1000,
    maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
    origin,
    mailDomain: env.MAIL_FROM ? senderDomain(env.MAIL_FROM) : new URL(origin).hostname,
    onFailure,
  };
}
