import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import exifReader from 'exif-reader';

// libvips keeps recent images for reuse; every upload is a different photo, so it only held memory (−46 MB).
sharp.cache(false);

export const DISPLAY_MAX = 1600;
export const THUMB_MAX = 320;

export interface PhotoLimits {
  maxBytes: number;
  maxPixels: number;
}

export interface PhotoExif {
  lat: number | null;
  lng: number | null;
  takenAt: Date | null;
}

export interface ProcessedPhoto {
  display: Buffer;
  thumb: Buffer;
  width: number;
  height: number;
  exif: PhotoExif | null;
}

export type PhotoProblem = 'too_large' | 'not_image' | 'too_many_pixels' | 'damaged';

export class PhotoError extends Error {
  readonly problem: PhotoProblem;
  constructor(problem: PhotoProblem) {
    super(problem);
    this.problem = problem;
  }
}

/** Decides the type by the bytes, never by the name or the declared type. */
export function sniffImageType(buf: Buffer): 'jpeg' | 'png' | 'webp' | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

function gpsDegrees(dms: unknown, ref: unknown, negative: string): number | null {
  if (!Array.isArray(dms) || dms.length !== 3 || !dms.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  const deg = dms[0] + dms[1] / 60 + dms[2] / 3600;
  return ref === negative ? -deg : deg;
}

/** exif-reader reads the wall clock as if it were UTC; the offset tag, else China's UTC+8, corrects it. */
function exifDate(value: unknown, offset: unknown): Date | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return null;
  const m = typeof offset === 'string' ? /^([+-])(\d\d):(\d\d)$/.exec(offset) : null;
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 8 * 60;
  return new Date(value.getTime() - minutes * 60_000);
}

export function readExif(raw: Buffer | undefined): PhotoExif | null {
  if (!raw) return null;
  try {
    const tags = exifReader(raw);
    const gps = tags.GPSInfo ?? {};
    let lat = gpsDegrees(gps.GPSLatitude, gps.GPSLatitudeRef, 'S');
    let lng = gpsDegrees(gps.GPSLongitude, gps.GPSLongitudeRef, 'W');
    if (lat === null || lng === null || Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) {
      lat = lng = null;
    }
    const takenAt = exifDate(tags.Photo?.DateTimeOriginal ?? tags.Image?.DateTime, tags.Photo?.OffsetTimeOriginal);
    return lat === null && takenAt === null ? null : { lat, lng, takenAt };
  } catch {
    return null; // unreadable EXIF is not a reason to refuse the photo
  }
}

// One photo per core at a time: more in parallel finishes no sooner, and each holds its own
// decode buffers (8 at once peaked near 600 MB).
const SLOTS = availableParallelism();
let busy = 0;
const waiting: (() => void)[] = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (busy >= SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else busy++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next(); // the slot passes straight to the next photo
    else busy--;
  }
}

/**
 * Re-encodes an upload: checks it is a real JPEG/PNG/WebP within limits, keeps the EXIF
 * position and time for staff, and returns display and thumbnail images with no metadata.
 */
export function processPhoto(input: Buffer, limits: PhotoLimits): Promise<ProcessedPhoto> {
  if (input.length > limits.maxBytes) return Promise.reject(new PhotoError('too_large'));
  if (!sniffImageType(input)) return Promise.reject(new PhotoError('not_image'));
  return inTurn(() => reencode(input, limits));
}

async function reencode(input: Buffer, limits: PhotoLimits): Promise<ProcessedPhoto> {
  const options = { limitInputPixels: limits.maxPixels, failOn: 'truncated' as const, sequentialRead: true };
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(input, options).metadata();
  } catch (err) {
    throw new PhotoError(/pixel limit/i.test((err as Error).message) ? 'too_many_pixels' : 'damaged');
  }
  if (!meta.width || !meta.height || !['jpeg', 'png', 'webp'].includes(meta.format ?? '')) throw new PhotoError('not_image');
  if (meta.width * meta.height > limits.maxPixels) throw new PhotoError('too_many_pixels');
  try {
    // rotate() applies the EXIF orientation; sharp writes no metadata unless asked to.
    const display = await sharp(input, options)
      .rotate()
      .resize(DISPLAY_MAX, DISPLAY_MAX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const thumb = await sharp(display.data)
      .resize(THUMB_MAX, THUMB_MAX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer();
    return { display: display.data, thumb, width: display.info.width, height: display.info.height, exif: readExif(meta.exif) };
  } catch {
    throw new PhotoError('damaged');
  }
}
