import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import exifReader from 'exif-reader';
import { declaredDimensions } from './header.ts';

// libvips keeps recent images for reuse; every upload is a different photo, so it only held memory (−46 MB).
sharp.cache(false);
// One libvips thread per image, whatever the allocator (sharp picks 1 only for glibc without
// MALLOC_ARENA_MAX): the slots below are the parallelism, and they leave a core to the event loop.
sharp.concurrency(1);

export const DISPLAY_MAX = 1600;
export const THUMB_MAX = 320;
/** A panorama is 4:1 to 8:1; a strip of 1×40,000,000 pixels is no photo of a workshop. */
const MAX_ASPECT = 20;
const FORMATS = new Set(['jpeg', 'png', 'webp']);

export interface PhotoLimits {
  maxBytes: number;
  maxPixels: number;
  /** All the photos of one report together, as their headers declare them (MAX_REPORT_PIXELS). */
  maxReportPixels?: number;
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

export type PhotoProblem =
  | 'too_large'
  | 'not_image'
  | 'too_many_pixels'
  | 'report_too_many_pixels'
  | 'animated'
  | 'odd_shape'
  | 'damaged';

export class PhotoError extends Error {
  readonly problem: PhotoProblem;
  constructor(problem: PhotoProblem) {
    super(problem);
    this.problem = problem;
  }
}

/** 50,000,000 → "5000 万", 150,000,000 → "1.5 亿". */
const pixelsText = (n: number) => (n >= 1e8 ? `${+(n / 1e8).toFixed(1)} 亿` : `${Math.round(n / 1e4)} 万`);

/** What a resident reads when a photo is refused: "第 N 张照片" and the reason. */
export function photoRefusal(index: number, problem: PhotoProblem, limits: PhotoLimits): string {
  const reasons: Record<PhotoProblem, string> = {
    too_large: '超过大小上限',
    not_image: '不是 JPEG、PNG 或 WebP 图片',
    too_many_pixels: `像素过多（每张上限 ${pixelsText(limits.maxPixels)}像素），请换一张或先缩小`,
    report_too_many_pixels: `使本次照片合计像素过多（合计上限 ${pixelsText(limits.maxReportPixels ?? 0)}像素），请少传几张或先缩小`,
    animated: '是动图，请上传一张静态照片',
    odd_shape: `长宽比例异常（超过 ${MAX_ASPECT}:1），请上传普通照片`,
    damaged: '文件已损坏或不完整',
  };
  return `第 ${index + 1} 张照片${reasons[problem]}`;
}

/**
 * The report's pixel limits checked on each photo's first bytes while the upload is still
 * arriving (form-stream.ts, FormSpec.fileHead): a photo whose header alone is over the limit, or
 * takes the report over its total, refuses the report before the rest of it is read or held (six
 * 49 MP photos were read whole, 52 MB, to be refused from the headers of four). Returns undefined
 * while a photo's header is incomplete, null when there is nothing to refuse (or the bytes do not
 * say: processReportPhotos checks every header again with sharp once the report is read).
 */
export function reportPixelCheck(limits: PhotoLimits): (index: number, head: Buffer) => string | null | undefined {
  let total = 0;
  return (index, head) => {
    const size = declaredDimensions(head);
    if (!size) return size;
    const pixels = size.width * size.height;
    if (pixels > limits.maxPixels) return photoRefusal(index, 'too_many_pixels', limits);
    total += pixels;
    if (limits.maxReportPixels !== undefined && total > limits.maxReportPixels)
      return photoRefusal(index, 'report_too_many_pixels', limits);
    return null;
  };
}

export const busyMessage = (retryAfterS: number) => `照片处理繁忙，请 ${retryAfterS} 秒后再提交`;

/** Decides the type by the bytes, never by the name or the declared type. */
export function sniffImageType(buf: Buffer): 'jpeg' | 'png' | 'webp' | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP')
    return 'webp';
  return null;
}

function gpsDegrees(dms: unknown, ref: unknown, negative: string): number | null {
  if (!Array.isArray(dms) || dms.length !== 3 || !dms.every((n) => typeof n === 'number' && Number.isFinite(n)))
    return null;
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

// Image work in flight across the whole process: one photo at a time per core but one, which is
// left to the event loop. On two cores, with four 12 MP reports in flight, home page p99 was
// 72–349 ms with one slot against 234–557 ms with two, for as many reports done (shared machine,
// interleaved runs). libvips itself uses one thread per image here (sharp's default with glibc's
// allocator), and each photo in flight holds its decode buffers.
const SLOTS = Math.max(1, availableParallelism() - 1);

// The built pages (dist/server) carry their own copy of this module beside the API's: the queue
// lives on globalThis (as the context does, context.ts) so that the report page and the API
// share one, its slots and its count of pixels admitted.
interface Queue {
  busy: number;
  waiting: (() => void)[];
  admittedPixels: number;
  uploadBytes: number;
}
const QUEUE_KEY = Symbol.for('sanluanwu.photo-queue');
const queue: Queue = ((globalThis as { [QUEUE_KEY]?: Queue })[QUEUE_KEY] ??= {
  busy: 0,
  waiting: [],
  admittedPixels: 0,
  uploadBytes: 0,
});

// A report waiting for its turn holds its uploaded bytes. Beyond four reports' worth of pixels
// admitted and not yet done, a resident's report is refused for now (503) instead of
// queueing for ever while the bytes pile up. Staff evidence always waits its turn.
const QUEUE_REPORTS = 4;
// Uploads being read or answered (admitUpload): three full reports' worth. At four, 16 reports of
// three 49 MP photos sent at once peaked at 526–609 MB; at three, 464–467 MB.
const UPLOAD_REPORTS = 3;
// What one slot gets through here, roughly (a 49 MP JPEG in ~0.5–0.7 s on two shared cores): for Retry-After.
const PIXELS_PER_SECOND = 40e6;

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (queue.busy >= SLOTS) await new Promise<void>((resolve) => queue.waiting.push(resolve));
  else queue.busy++;
  try {
    return await work();
  } finally {
    const next = queue.waiting.shift();
    if (next)
      next(); // the slot passes straight to the next photo
    else queue.busy--;
  }
}

// Every decode: no more pixels than the limit (a safety net behind the header check), read top to
// bottom once, and refused at the first sign of a cut-off file.
const decodeOptions = (limits: PhotoLimits) => ({
  limitInputPixels: limits.maxPixels,
  failOn: 'truncated' as const,
  sequentialRead: true,
});

interface Header {
  pixels: number;
  exif: Buffer | undefined;
}

/** What the file says it is, from its header alone: nothing is decoded (libvips reads headers lazily). */
async function inspect(input: Buffer, limits: PhotoLimits): Promise<Header> {
  if (input.length > limits.maxBytes) throw new PhotoError('too_large');
  if (!sniffImageType(input)) throw new PhotoError('not_image');
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(input, decodeOptions(limits)).metadata();
  } catch (err) {
    // Over our limit, or over a decoder's own (libjpeg: 65,500 pixels a side): too big either way.
    throw new PhotoError(
      /pixel limit|maximum supported image dimension|too large/i.test((err as Error).message)
        ? 'too_many_pixels'
        : 'damaged',
    );
  }
  const { width, height } = meta;
  if (!width || !height || !FORMATS.has(meta.format ?? '')) throw new PhotoError('not_image');
  if ((meta.pages ?? 1) > 1) throw new PhotoError('animated');
  if (width * height > limits.maxPixels) throw new PhotoError('too_many_pixels');
  if (Math.max(width, height) > MAX_ASPECT * Math.min(width, height)) throw new PhotoError('odd_shape');
  return { pixels: width * height, exif: meta.exif };
}

async function reencode(input: Buffer, header: Header, limits: PhotoLimits): Promise<ProcessedPhoto> {
  try {
    // rotate() applies the EXIF orientation; sharp writes no metadata unless asked to. A JPEG is
    // decoded already shrunk (by 2, 4 or 8) when the display size allows: libvips's shrink-on-load.
    const display = await sharp(input, decodeOptions(limits))
      .rotate()
      .resize(DISPLAY_MAX, DISPLAY_MAX, { fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const thumb = await sharp(display.data)
      .resize(THUMB_MAX, THUMB_MAX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer();
    return {
      display: display.data,
      thumb,
      width: display.info.width,
      height: display.info.height,
      exif: readExif(header.exif),
    };
  } catch {
    throw new PhotoError('damaged');
  }
}

/**
 * Re-encodes one upload: checks it is a real JPEG/PNG/WebP within limits, keeps the EXIF
 * position and time for staff, and returns display and thumbnail images with no metadata.
 */
export async function processPhoto(input: Buffer, limits: PhotoLimits): Promise<ProcessedPhoto> {
  const header = await inspect(input, limits);
  return inTurn(() => reencode(input, header, limits));
}

export type ReportPhotos =
  | { ok: true; photos: ProcessedPhoto[] }
  | { ok: false; busy?: undefined; index: number; problem: PhotoProblem; message: string }
  | { ok: false; busy: true; retryAfterS: number; message: string };

const retryAfter = () => ({
  retryAfterS: Math.min(120, Math.max(5, Math.ceil(queue.admittedPixels / (SLOTS * PIXELS_PER_SECOND)))),
});

/** When the queue has no room for `pixels` more: how long to wait before trying again. */
function noRoomFor(pixels: number, limits: PhotoLimits): { retryAfterS: number } | null {
  const { admittedPixels } = queue;
  if (admittedPixels === 0 || admittedPixels + pixels <= QUEUE_REPORTS * (limits.maxReportPixels ?? Infinity))
    return null;
  return retryAfter();
}

/**
 * Whether a resident's report with photos would be refused as busy right now. Asked before its
 * upload is read, it spares the server buffering bytes it would refuse anyway.
 */
export const photoQueueFull = (limits: PhotoLimits) => noRoomFor(1, limits);

/** The bytes of residents' uploads admitted and not yet answered (tests and monitoring). */
export const uploadBytesInFlight = () => queue.uploadBytes;
/** The queue as the metrics show it: photos being encoded and waiting, pixels admitted, upload bytes. */
export const photoWorkInFlight = () => ({
  encoding: queue.busy,
  waiting: queue.waiting.length,
  admittedPixels: queue.admittedPixels,
  uploadBytes: queue.uploadBytes,
});

/**
 * Room for a resident's upload of `bytes` (as its Content-Length declares, else the body limit)
 * while it is read and its photos wait: the bytes of uploads in flight are held before the photo
 * queue can count their pixels, so they are bounded too, at three reports' worth of
 * `maxReportBytes`. Twelve hostile reports of six 49 MP photos read at once had taken the server
 * to 707 MB. The caller releases the room once the report is answered.
 */
export function admitUpload(bytes: number, maxReportBytes: number): { release: () => void } | { retryAfterS: number } {
  if (queue.uploadBytes > 0 && queue.uploadBytes + bytes > UPLOAD_REPORTS * maxReportBytes) return retryAfter();
  queue.uploadBytes += bytes;
  let held = true;
  return {
    release: () => {
      if (held) queue.uploadBytes -= bytes;
      held = false;
    },
  };
}

/**
 * The photos of one report: every header is read and the report's pixels are counted before
 * anything is decoded, so a report asking for too much work is refused at no cost; then the
 * photos are re-encoded one after another, each waiting for its turn in the process-wide queue
 * (a report with six photos does not hold six slots while a resident's one photo waits).
 */
export async function processReportPhotos(
  buffers: Buffer[],
  limits: PhotoLimits,
  opts: { mayWait?: boolean } = {},
): Promise<ReportPhotos> {
  // No photos, no image work: never busy (staff evidence, which always waits, may fill the queue past its limit).
  if (buffers.length === 0) return { ok: true, photos: [] };
  const refuse = (index: number, problem: PhotoProblem): ReportPhotos => ({
    ok: false,
    index,
    problem,
    message: photoRefusal(index, problem, limits),
  });
  const headers = await Promise.allSettled(buffers.map((b) => inspect(b, limits)));
  let total = 0;
  for (const [index, h] of headers.entries()) {
    if (h.status === 'rejected') {
      if (h.reason instanceof PhotoError) return refuse(index, h.reason.problem);
      throw h.reason;
    }
    total += h.value.pixels;
    if (limits.maxReportPixels !== undefined && total > limits.maxReportPixels)
      return refuse(index, 'report_too_many_pixels');
  }
  const full = opts.mayWait ? null : noRoomFor(total, limits);
  if (full) return { ok: false, busy: true, retryAfterS: full.retryAfterS, message: busyMessage(full.retryAfterS) };
  queue.admittedPixels += total;
  try {
    const photos: ProcessedPhoto[] = [];
    for (const [index, input] of buffers.entries()) {
      const header = (headers[index] as PromiseFulfilledResult<Header>).value;
      try {
        photos.push(await inTurn(() => reencode(input, header, limits)));
      } catch (err) {
        if (err instanceof PhotoError) return refuse(index, err.problem);
        throw err;
      }
    }
    return { ok: true, photos };
  } finally {
    queue.admittedPixels -= total;
  }
}
