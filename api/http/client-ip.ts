import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

/** The caller's address; X-Forwarded-For is believed only behind a proxy we were told about. */
export function resolveClientIp(
  forwardedFor: string | null | undefined,
  remote: string | undefined,
  trustProxy: boolean,
): string {
  const forwarded = trustProxy ? forwardedFor?.split(',')[0]?.trim() : undefined;
  return forwarded || remote || 'unknown';
}

export function clientIp(c: Context, trustProxy: boolean): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return resolveClientIp(c.req.header('x-forwarded-for'), incoming?.socket?.remoteAddress, trustProxy);
}
