import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { sniffImageType } from '../shared/photos/pipeline.ts';

/** A photo to put in the zip: its stored file names, tried in order (the original, then the display copy). */
export interface ZipPhoto {
  folder: string;
  id: string;
  candidates: { name: string; original: boolean }[];
  mtime: Date;
}
export interface Included {
  path: string;
  sha256: string;
  original: boolean;
}
export interface TextEntry {
  path: string;
  text: string;
}

// Server-made names only: never a path out of the photo directory.
const STORED_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9]{1,8})?$/;
const EXT = { jpeg: 'jpg', png: 'png', webp: 'webp' } as const;

async function openStored(dir: string, name: string): Promise<FileHandle | null> {
  if (!STORED_NAME.test(name)) return null;
  try {
    return await open(join(dir, name), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The extension its bytes say (a stored original may be named without one), else the stored name's. */
async function extensionOf(handle: FileHandle, name: string): Promise<string> {
  const head = Buffer.alloc(16);
  const { bytesRead } = await handle.read(head, 0, 16, 0);
  const type = sniffImageType(head.subarray(0, bytesRead));
  return type ? EXT[type] : (/\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase() ?? 'bin');
}

/**
 * Streams a .zip: each photo read from disk in chunks and STOREd (JPEG and WebP are compressed already), hashed
 * as its bytes go into the zip, so the hash the manifest gives is of exactly what the zip holds; then the text
 * entries, which `finish` writes knowing every photo's hash. Nothing is held whole in memory but the texts.
 * The download ending early (the client went away) stops the reading and closes the open file.
 */
export function streamEvidenceZip(
  dir: string,
  photos: ZipPhoto[],
  finish: (included: (Included | null)[]) => TextEntry[],
): Readable {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  const stop = new AbortController();
  out.once('close', () => stop.abort());
  zip.on('error', (err: Error) => out.destroy(err));

  const addPhoto = async (p: ZipPhoto): Promise<Included | null> => {
    for (const c of p.candidates) {
      const handle = await openStored(dir, c.name);
      if (!handle) continue;
      try {
        const path = `photos/${p.folder}/${p.id}.${await extensionOf(handle, c.name)}`;
        const hash = createHash('sha256');
        const tap = new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        });
        zip.addReadStream(tap, path, { compress: false, mtime: p.mtime });
        // Resolves once the last chunk has passed the tap, which yazl drains only as the download is read.
        await pipeline(handle.createReadStream({ start: 0, autoClose: false }), tap, { signal: stop.signal });
        return { path, sha256: hash.digest('hex'), original: c.original };
      } finally {
        await handle.close();
      }
    }
    return null;
  };

  (async () => {
    const included: (Included | null)[] = [];
    for (const p of photos) included.push(await addPhoto(p));
    const now = new Date();
    for (const t of finish(included)) zip.addBuffer(Buffer.from(t.text, 'utf8'), t.path, { mtime: now });
    zip.end();
  })().catch((err: unknown) => {
    if (!stop.signal.aborted) out.destroy(err as Error);
  });
  return out;
}
