import { createHash } from 'node:crypto';
import type { ComplaintFields } from './complaint-input.ts';

/**
 * What an idempotency key promises: the same report again. The hash covers the fields as
 * validated (trimmed, numbers parsed, the contact dropped when anonymous) and each photo's
 * bytes, and leaves out what a retry may change: the captcha token and the key itself.
 */
export async function filingFingerprint(fields: ComplaintFields, photos: Buffer[]): Promise<string> {
  // WebCrypto digests on libuv's pool: up to 60 MB of photos would hold the event loop ~100 ms here.
  const photoHashes = await Promise.all(photos.map(async (p) => Buffer.from(await crypto.subtle.digest('SHA-256', p as Uint8Array<ArrayBuffer>)).toString('hex')));
  const normalised = [
    fields.category, fields.lat, fields.lng, fields.address ?? null, fields.description, fields.seenAt?.getTime() ?? null,
    fields.anonymous, fields.name ?? null, fields.phone ?? null, fields.photoExif, photoHashes,
  ];
  return createHash('sha256').update(JSON.stringify(normalised)).digest('hex');
}
