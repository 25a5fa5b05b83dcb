import type { MessageChannel } from '../../../db/schema-messages.ts';

/** 13812345678 → 138****5678; alice@qq.com → a***@qq.com: enough for the admin to tell two apart, no more. */
export function maskRecipient(channel: MessageChannel, recipient: string): string {
  if (channel === 'sms') return recipient.length >= 7 ? `${recipient.slice(0, 3)}****${recipient.slice(-4)}` : '****';
  const at = recipient.lastIndexOf('@');
  if (at < 1) return '***';
  return `${recipient[0]}***${recipient.slice(at)}`;
}

/** A provider's error may quote the address it refused: the admin's view and the log get the masked form. */
export function scrubError(message: string, channel: MessageChannel, recipient: string): string {
  const masked = maskRecipient(channel, recipient);
  return message.split(recipient).join(masked).slice(0, 500);
}
