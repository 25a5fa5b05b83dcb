import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The receipt a form posted without JavaScript carries to /report/done: the tracking code and
 * an expiry, signed with a key only this process knows. The page shows a code only from such a
 * cookie, never from its URL, so it cannot be asked whether a guessed code exists.
 */
export const RECEIPT_COOKIE = 'receipt';
export const RECEIPT_PATH = '/report/done';
export const RECEIPT_TTL_S = 15 * 60;

// One key per process, on globalThis: the API and the built pages may each hold a copy of this module.
const KEY = Symbol.for('sanluanwu.receipt-key');
const key = (): Buffer => ((globalThis as { [KEY]?: Buffer })[KEY] ??= randomBytes(32));

const mac = (payload: string) => createHmac('sha256', key()).update(payload).digest('base64url');

export function signReceipt(trackingCode: string, nowMs: number): string {
  const payload = `${trackingCode}.${nowMs + RECEIPT_TTL_S * 1000}`;
  return `${payload}.${mac(payload)}`;
}

/** The tracking code a cookie value vouches for, or null if it is missing, forged or expired. */
export function readReceipt(value: string | undefined, nowMs: number): string | null {
  const m = /^([2-9A-HJKMNP-Z]{10})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!m) return null;
  const [, code, expires, given] = m as unknown as [string, string, string, string];
  const expected = Buffer.from(mac(`${code}.${expires}`));
  if (!timingSafeEqual(expected, Buffer.from(given))) return null;
  return Number(expires) > nowMs ? code : null;
}

/** The cookie's attributes: for the receipt page only, never sent from another site. */
export const receiptCookieOptions = (secure: boolean) => ({
  httpOnly: true,
  secure,
  sameSite: 'strict' as const,
  path: RECEIPT_PATH,
  maxAge: RECEIPT_TTL_S,
});
