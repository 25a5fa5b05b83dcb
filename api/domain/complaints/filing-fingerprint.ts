import { createHash } from 'node:crypto';
import type { ComplaintFields } from './input.ts';

// SHA-256 took ~1.7 ms a megabyte here (6 photos of 10 MB: ~100 ms): a 2 MB slice holds the event
// loop well under 50 ms. WebCrypto on the thread pool was tried: each report's hash then queued
// behind other reports' photo work there (sharp uses the same pool).
const SLICE = 2 * 1024 * 1024;

async function sha256(bytes: Buffer): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length; at += SLICE) {
    if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    hash.update(bytes.subarray(at, at + SLICE));
  }
  return hash.digest('hex');
}

/**
 * What an idempotency key promises: the same report again. The hash covers the fields as
 * validated (trimmed, numbers parsed, the contact dropped when anonymous) and each photo's
 * bytes, and leaves out what a retry may change: the captcha token and the key itself.
 */
export async function filingFingerprint(fields: ComplaintFields, photos: Buffer[]): Promise<string> {
  const photoHashes: string[] = [];
  for (const p of photos) photoHashes.push(await sha256(p));
  const normalised = [
    fields.category,
    fields.lat,
    fields.lng,
    fields.address ?? null,
    fields.description,
    fields.seenAt?.getTime() ?? null,
    fields.anonymous,
    fields.name ?? null,
    fields.phone ?? null,
    fields.photoExif,
    photoHashes,
    // Only when given: a key's hash from before these fields existed still matches its retry.
    ...(fields.email || fields.notify ? [fields.email ?? null, fields.notify] : []),
  ];
  return createHash('sha256').update(JSON.stringify(normalised)).digest('hex');
}
