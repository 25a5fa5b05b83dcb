import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshContext } from '../helpers/context.ts';
import { duringWork, STALL_LIMIT_MS } from '../helpers/event-loop.ts';
import { complaintFormSpec } from '../../api/domain/complaints/form.ts';
import { declaredDimensions } from '../../api/domain/shared/photos/header.ts';
import { photoQueueFull, processReportPhotos, uploadBytesInFlight } from '../../api/domain/shared/photos/pipeline.ts';
import { pixelFloodPng } from '../helpers/images.ts';
import { complaintCount, photoFiles, reportForm, validFields } from '../helpers/report.ts';
import { listen } from '../helpers/server.ts';
import { listenWithPages } from './site-server.ts';

// Hostile photos at the real node:http front: each report is refused with a 4xx naming the photo
// (never a 5xx), files nothing and leaves no file in the photos directory, and holds the event
// loop less than STALL_LIMIT_MS. Small limits keep the generated photos small and quick.
const MAX_PHOTO_PIXELS = 1_000_000;
const MAX_REPORT_PIXELS = 3_000_000;
const { ctx } = await freshContext({
  MAX_PHOTO_PIXELS: String(MAX_PHOTO_PIXELS),
  MAX_REPORT_PIXELS: String(MAX_REPORT_PIXELS),
  REPORT_RATE_LIMIT: '1000000',
});
const server = await listen(ctx);
afterAll(() => server.close());
const RUNS = 12;

const solid = (width: number, height: number, format: 'jpeg' | 'png' | 'webp', hue = 90) =>
  sharp({ create: { width, height, channels: 3, background: `hsl(${hue}, 40%, 50%)` } })
    [format]()
    .toBuffer();
/** A photo with detail in it, so that cutting it anywhere leaves a file that is really incomplete. */
const detailed = (format: 'jpeg' | 'png' | 'webp') =>
  sharp({
    create: {
      width: 400,
      height: 300,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    [format]()
    .toBuffer();
const GOOD = await solid(320, 240, 'jpeg');
const DETAILED = { jpeg: await detailed('jpeg'), png: await detailed('png'), webp: await detailed('webp') };

/** A real 16×16 JPEG whose frame header (SOF0) claims width×height. */
async function jpegClaiming(width: number, height: number): Promise<Buffer> {
  const out = Buffer.from(await solid(16, 16, 'jpeg'));
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  }
  throw new Error('no SOF marker');
}

/** A real 16×16 lossy WebP whose VP8 frame header claims width×height (14 bits each). */
async function webpClaiming(width: number, height: number): Promise<Buffer> {
  const out = Buffer.from(await solid(16, 16, 'webp'));
  if (out.toString('latin1', 12, 16) !== 'VP8 ') throw new Error('not a simple lossy WebP');
  out.writeUInt16LE(width & 0x3fff, 26);
  out.writeUInt16LE(height & 0x3fff, 28);
  return out;
}

/** The same image inside an extended WebP (VP8X) whose canvas claims up to 2^24 × 2^24. */
async function webpCanvasClaiming(width: number, height: number): Promise<Buffer> {
  const simple = await solid(16, 16, 'webp');
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(width - 1, 12, 3);
  vp8x.writeUIntLE(height - 1, 15, 3);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, simple.subarray(12)]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** GIF and TIFF headers claiming huge screens: formats the portal does not take at all. */
function gifClaiming(width: number, height: number): Buffer {
  const gif = Buffer.from('474946383961000000000000002c000000000100010000020144003b', 'hex');
  gif.writeUInt16LE(width, 6);
  gif.writeUInt16LE(height, 8);
  return gif;
}
function tiffClaiming(width: number, height: number): Buffer {
  const ifd = Buffer.alloc(2 + 2 * 12 + 4);
  ifd.writeUInt16LE(2, 0);
  for (const [i, [tag, value]] of [
    [256, width],
    [257, height],
  ].entries()) {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag!, at);
    ifd.writeUInt16LE(4, at + 2); // LONG
    ifd.writeUInt32LE(1, at + 4);
    ifd.writeUInt32LE(value!, at + 8);
  }
  return Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]), ifd]);
}

async function animated(frames: number): Promise<Buffer> {
  const each = await Promise.all(Array.from({ length: frames }, (_, i) => solid(48, 36, 'png', (i * 37) % 360)));
  return sharp(each, { join: { animated: true } })
    .webp()
    .toBuffer();
}

/** A PNG chunk with its CRC, for building PNGs that are not quite PNGs. */
const pngChunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body) >>> 0, body.length + 4);
  return out;
};

const leftovers = () => readdirSync(ctx.photos.dir).filter((f) => f.endsWith('.tmp'));

interface Attack {
  photos: Buffer[];
  /** What the refusal must say, naming the photo. */
  message: RegExp;
}

/** Posts the report while timing the event loop; checks the refusal and that nothing stayed behind. */
async function refused(attack: Attack) {
  const before = { complaints: complaintCount(ctx), files: photoFiles(ctx).length };
  const { result, blockedMs } = await duringWork(server.base, async () => {
    const res = await fetch(`${server.base}/api/complaints`, { method: 'POST', body: reportForm({}, attack.photos) });
    return {
      status: res.status,
      body: (await res.json()) as { error?: { message: string; fields?: { photos?: string } } },
    };
  });
  expect(result.status, JSON.stringify(result.body)).toBeGreaterThanOrEqual(400);
  expect(result.status).toBeLessThan(500);
  expect(result.body.error?.fields?.photos ?? result.body.error?.message).toMatch(attack.message);
  expect(complaintCount(ctx)).toBe(before.complaints);
  expect(photoFiles(ctx)).toHaveLength(before.files);
  expect(leftovers()).toEqual([]);
  expect(blockedMs).toBeLessThan(STALL_LIMIT_MS);
}

/** Hides the attack among good photos: the refusal must name its place. */
const among = (bad: Buffer, at: number, count: number): Buffer[] =>
  Array.from({ length: count }, (_, i) => (i === at ? bad : GOOD));
const place = fc
  .integer({ min: 1, max: ctx.env.MAX_PHOTOS })
  .chain((count) => fc.record({ count: fc.constant(count), at: fc.integer({ min: 0, max: count - 1 }) }));
const nth = (at: number, reason: string) => new RegExp(`第 ${at + 1} 张照片(?:${reason})`);

/** Width and height whose product is over the per-photo limit, each at most `max`. */
const hugeDims = (max: number) =>
  fc
    .record({ width: fc.integer({ min: 1, max }), height: fc.integer({ min: 1, max }) })
    .filter(({ width, height }) => width * height > MAX_PHOTO_PIXELS);

// Generating photos and sending some attacks three times takes a while on two shared cores.
describe('a photo header read from the first bytes', () => {
  it('says what sharp says once complete, and before that only waits for more or leaves it to sharp', async () => {
    const image = fc.record({
      format: fc.constantFrom('jpeg', 'progressive', 'png', 'interlaced', 'webp', 'lossless', 'alpha'),
      width: fc.integer({ min: 1, max: 700 }),
      height: fc.integer({ min: 1, max: 700 }),
      exif: fc.boolean(),
      cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(image, async ({ format, width, height, exif, cuts }) => {
        let img = sharp({
          create: {
            width,
            height,
            channels: format === 'alpha' ? 4 : 3,
            background: { r: 90, g: 120, b: 60, alpha: 0.5 },
          },
        });
        if (exif)
          img = img.withExif({ IFD0: { Make: 'Test', ImageDescription: 'x'.repeat(3000) } }).withIccProfile('p3');
        const file = await (format === 'jpeg'
          ? img.jpeg()
          : format === 'progressive'
            ? img.jpeg({ progressive: true })
            : format === 'png'
              ? img.png()
              : format === 'interlaced'
                ? img.png({ progressive: true })
                : img.webp({ lossless: format === 'lossless' })
        ).toBuffer();
        const meta = await sharp(file).metadata();
        expect(declaredDimensions(file)).toEqual({ width: meta.width, height: meta.height });
        for (const cut of cuts) {
          const seen = declaredDimensions(file.subarray(0, Math.floor(file.length * cut)));
          if (seen !== undefined) expect(seen).toEqual({ width: meta.width, height: meta.height });
        }
      }),
      { numRuns: 80 },
    );
  });

  it('never throws on bytes that are no image, or only begin like one', () => {
    const magic = fc.constantFrom(
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.from('89504e470d0a1a0a', 'hex'),
      Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'),
      Buffer.from('RIFF\0\0\0\0WEBPVP8L', 'latin1'),
      Buffer.from('RIFF\0\0\0\0WEBPVP8X', 'latin1'),
      Buffer.alloc(0),
    );
    fc.assert(
      fc.property(magic, fc.uint8Array({ maxLength: 2000 }), (m, rest) => {
        const seen = declaredDimensions(Buffer.concat([m, rest]));
        if (seen) expect(seen.width * seen.height).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('hostile photos are refused before they cost anything', { timeout: 180_000 }, () => {
  it('files a report whose photos are within every limit (so the refusals below are the limits at work)', async () => {
    const photos = await Promise.all([solid(1000, 1000, 'png'), solid(1200, 800, 'jpeg'), solid(1000, 900, 'webp')]);
    const res = await fetch(`${server.base}/api/complaints`, { method: 'POST', body: reportForm({}, photos) });
    expect(res.status).toBe(201);
    expect(photoFiles(ctx)).toHaveLength(6); // display and thumbnail of each
  });

  it('decompression bombs: PNG, JPEG and WebP headers declaring more pixels than a photo may have', async () => {
    const bomb = fc.oneof(
      hugeDims(1_000_000).map((d) => ({ ...d, make: () => pixelFloodPng(d.width, d.height) })),
      hugeDims(65_535).map((d) => ({ ...d, make: () => jpegClaiming(d.width, d.height) })),
      hugeDims(16_383).map((d) => ({ ...d, make: () => webpClaiming(d.width, d.height) })),
    );
    await fc.assert(
      fc.asyncProperty(bomb, place, async (b, p) =>
        refused({ photos: among(await b.make(), p.at, p.count), message: nth(p.at, '像素过多') }),
      ),
      { numRuns: RUNS },
    );
  });

  it('an extended WebP whose canvas claims up to 2^24 × 2^24', async () => {
    await fc.assert(
      fc.asyncProperty(hugeDims(1 << 24), place, async (d, p) =>
        refused({
          photos: among(await webpCanvasClaiming(d.width, d.height), p.at, p.count),
          message: nth(p.at, '像素过多|文件已损坏'),
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('GIF and TIFF bombs, and other formats: not taken at all', async () => {
    const other = fc.oneof(
      hugeDims(65_535).map((d) => gifClaiming(d.width, d.height)),
      hugeDims(2 ** 31).map((d) => tiffClaiming(d.width, d.height)),
      fc.constantFrom('gif', 'tiff', 'avif') as fc.Arbitrary<'gif' | 'tiff' | 'avif'>,
    );
    await fc.assert(
      fc.asyncProperty(other, place, async (o, p) => {
        const bad =
          typeof o === 'string'
            ? await sharp({ create: { width: 64, height: 48, channels: 3, background: '#456' } })
                .toFormat(o)
                .toBuffer()
            : o;
        await refused({ photos: among(bad, p.at, p.count), message: nth(p.at, '不是 JPEG、PNG 或 WebP 图片') });
      }),
      { numRuns: RUNS },
    );
  });

  it('truncated images: a real JPEG, PNG or WebP cut anywhere', async () => {
    const cut = fc.record({
      format: fc.constantFrom('jpeg', 'png', 'webp') as fc.Arbitrary<keyof typeof DETAILED>,
      keep: fc.double({ min: 0.02, max: 0.98, noNaN: true }),
    });
    await fc.assert(
      fc.asyncProperty(cut, place, async (c, p) => {
        const whole = DETAILED[c.format];
        const bad = whole.subarray(0, Math.max(1, Math.floor(whole.length * c.keep)));
        await refused({
          photos: among(bad, p.at, p.count),
          message: nth(p.at, '文件已损坏或不完整|不是 JPEG、PNG 或 WebP 图片'),
        });
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("non-images named, typed as images: random bytes, text, an image format's first bytes then anything", async () => {
    const magic = fc.constantFrom(
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.from('89504e470d0a1a0a', 'hex'),
      Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'),
      Buffer.alloc(0),
    );
    const junk = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 4096 }),
      fc.string({ minLength: 1, maxLength: 400 }).map((s) => new TextEncoder().encode(s)),
    );
    // A PNG signature and a header chunk claiming a photo-sized image, then no pixels at all.
    const headerOnly = fc
      .record({ width: fc.integer({ min: 1, max: 2000 }), height: fc.integer({ min: 1, max: 2000 }) })
      .map(({ width, height }) => {
        const ihdr = Buffer.alloc(13);
        ihdr.writeUInt32BE(width, 0);
        ihdr.writeUInt32BE(height, 4);
        ihdr.set([8, 2, 0, 0, 0], 8);
        return Buffer.concat([
          Buffer.from('89504e470d0a1a0a', 'hex'),
          pngChunk('IHDR', ihdr),
          pngChunk('IEND', Buffer.alloc(0)),
        ]);
      });
    const bytes = fc.oneof(
      fc.tuple(magic, junk).map(([m, j]) => Buffer.concat([m, j])),
      headerOnly,
    );
    // A header that claims more pixels than a photo may have is refused as such from the first bytes, whatever follows.
    await fc.assert(
      fc.asyncProperty(bytes, place, async (bad, p) =>
        refused({
          photos: among(bad, p.at, p.count),
          message: nth(p.at, '不是 JPEG、PNG 或 WebP 图片|文件已损坏或不完整|长宽比例异常|像素过多'),
        }),
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('animated images, however many frames', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 60 }), place, async (frames, p) =>
        refused({ photos: among(await animated(frames), p.at, p.count), message: nth(p.at, '是动图') }),
      ),
      { numRuns: RUNS },
    );
  });

  it('extreme aspect ratios within the pixel limit: a strip is no photo', async () => {
    const strip = fc
      .record({
        short: fc.integer({ min: 1, max: 40 }),
        ratio: fc.integer({ min: 21, max: 5000 }),
        tall: fc.boolean(),
        format: fc.constantFrom('jpeg', 'png', 'webp') as fc.Arbitrary<'jpeg' | 'png' | 'webp'>,
      })
      .filter(
        ({ short, ratio, format }) =>
          short * short * ratio <= MAX_PHOTO_PIXELS &&
          short * ratio <= (format === 'jpeg' ? 65_535 : format === 'webp' ? 16_383 : 1_000_000),
      );
    await fc.assert(
      fc.asyncProperty(strip, place, async (s, p) => {
        const long = s.short * s.ratio;
        const bad = await solid(s.tall ? s.short : long, s.tall ? long : s.short, s.format);
        await refused({ photos: among(bad, p.at, p.count), message: nth(p.at, '长宽比例异常') });
      }),
      { numRuns: RUNS },
    );
  });

  it("many medium photos in one report: refused from the headers at the one passing the report's total", async () => {
    const medium = fc.record({
      width: fc.integer({ min: 700, max: 1000 }),
      height: fc.integer({ min: 600, max: 1000 }),
      format: fc.constantFrom('jpeg', 'png', 'webp') as fc.Arbitrary<'jpeg' | 'png' | 'webp'>,
    });
    const report = fc
      .array(medium, { minLength: 2, maxLength: ctx.env.MAX_PHOTOS })
      .filter((ps) => ps.reduce((n, p) => n + p.width * p.height, 0) > MAX_REPORT_PIXELS);
    await fc.assert(
      fc.asyncProperty(report, async (ps) => {
        let total = 0;
        const over = ps.findIndex((p) => (total += p.width * p.height) > MAX_REPORT_PIXELS);
        const photos = await Promise.all(ps.map((p, i) => solid(p.width, p.height, p.format, i * 50)));
        await refused({
          photos,
          message: new RegExp(`^第 ${over + 1} 张照片使本次照片合计像素过多（合计上限 300 万像素）`),
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('a burst beyond what the photo queue holds is refused for now (503); what it refuses saves nothing', async () => {
    // Each report asks for 3 MP: the queue takes four reports' worth (4 × MAX_REPORT_PIXELS) at a time.
    const photos = await Promise.all([0, 1, 2].map((i) => solid(1000, 1000, 'png', i * 90)));
    const before = { complaints: complaintCount(ctx), files: photoFiles(ctx).length };
    let sawFull = false,
      sending = true;
    const watch = (async () => {
      for (; sending; await new Promise((r) => setTimeout(r, 5))) sawFull ||= photoQueueFull(ctx.photoLimits) !== null;
    })();
    const answers = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await fetch(`${server.base}/api/complaints`, { method: 'POST', body: reportForm({}, photos) });
        return {
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: (await res.json()) as { error?: { message: string } },
        };
      }),
    );
    sending = false;
    await watch;
    // What a route may ask before reading an upload says the same as the refusals.
    expect(sawFull).toBe(true);
    expect(photoQueueFull(ctx.photoLimits)).toBeNull();
    const filed = answers.filter((a) => a.status === 201).length;
    const busy = answers.filter((a) => a.status === 503);
    expect(filed + busy.length).toBe(answers.length);
    expect(filed).toBeGreaterThanOrEqual(4);
    expect(busy.length).toBeGreaterThan(0);
    for (const a of busy) expect(a.body.error?.message).toBe(`照片处理繁忙，请 ${a.retryAfter} 秒后再提交`);
    expect(complaintCount(ctx)).toBe(before.complaints + filed);
    expect(photoFiles(ctx)).toHaveLength(before.files + filed * 6);
  });
});

// --- reports answered before they are read whole -------------------------------------------------
const BOUNDARY = 'queueFullB0undary';
const part = (name: string, value: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const photoPart = (data: Buffer, i = 0) =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="p${i}.jpg"\r\n` +
        'Content-Type: image/jpeg\r\n\r\n',
    ),
    data,
    Buffer.from('\r\n'),
  ]);
/** A report form with these photo parts, sent as they are (a server that refuses early never reads the end). */
const formOf = (photos: Buffer[]) =>
  Buffer.concat([
    Buffer.from(
      Object.entries(validFields())
        .map(([k, v]) => part(k, v))
        .join(''),
    ),
    ...photos.map(photoPart),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
/** A report form with one photo part of `photoBytes` (never read, so any bytes after a JPEG's first three). */
const reportBody = (photoBytes: number) => {
  const photo = Buffer.alloc(photoBytes, 0x5a);
  photo.set([0xff, 0xd8, 0xff]);
  return formOf([photo]);
};
const FIRST = 16 * 1024;

interface Early {
  status: number;
  retryAfter: string | undefined;
  body: string;
  /** Bytes of the body the client had sent when the answer came. */
  sentBeforeAnswer: number;
}
/**
 * Sends the headers and the body's first bytes (16 KB unless told), then waits for the answer
 * before sending more: an answer that comes proves the server did not wait for the rest. (After
 * 10 s without one the rest is sent, so that a server that reads first fails the test instead of
 * hanging it.)
 */
const sendFirstBytes = (port: number, path: string, body: Buffer, chunked: boolean, first = FIRST) =>
  new Promise<Early>((resolve, reject) => {
    let sent = 0;
    const framing: Record<string, string> = chunked
      ? { 'transfer-encoding': 'chunked' }
      : { 'content-length': String(body.length) };
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...framing },
      },
      (res) => {
        const sentBeforeAnswer = sent;
        clearTimeout(rest);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({
            status: res.statusCode!,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: text,
            sentBeforeAnswer,
          });
          req.destroy();
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    req.write(body.subarray(0, first));
    sent = first;
    const rest = setTimeout(() => {
      sent = body.length;
      req.end(body.subarray(first));
    }, 10_000);
  });

describe('answers a report before reading its upload: photo queue full, uploads at their share, a header over limits', {
  timeout: 300_000,
}, () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 300_000);
  afterAll(() => site?.close());

  /** Staff evidence is never refused as busy: enough of it in flight keeps the queue full for a while. */
  async function fillQueue(): Promise<{ done: Promise<unknown[]> }> {
    // ~150 ms each here: the queue stays full until two batches are done.
    const photo = await sharp({
      create: {
        width: 1000,
        height: 1000,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 10 },
      },
    })
      .jpeg()
      .toBuffer();
    const batch = [photo, photo, photo]; // MAX_REPORT_PIXELS: the queue holds four of these
    const work = Promise.all(
      Array.from({ length: 5 }, () => processReportPhotos(batch, ctx.photoLimits, { mayWait: true })),
    );
    while (photoQueueFull(ctx.photoLimits) === null) await new Promise((r) => setTimeout(r, 2));
    return { done: work };
  }

  // The page (its own copy of the pipeline module, in the built bundle) shares the API's queue.
  // It refuses a chunked POST with 411 before this (site middleware).
  const targets = () => [
    {
      name: 'site API',
      port: server.port,
      path: '/api/complaints',
      framings: [false, true],
      message: (body: string) => (JSON.parse(body) as { error: { message: string } }).error.message,
    },
    {
      name: 'page without JavaScript',
      port: site.port,
      path: '/report',
      framings: [false],
      message: (body: string) => body,
    },
  ];

  it('after 16 KB of a 5 MB report, Content-Length or chunked: 503 with Retry-After, nothing saved', async () => {
    const body = reportBody(5 * 1024 * 1024);
    for (const target of targets()) {
      for (const chunked of target.framings) {
        const before = { complaints: complaintCount(ctx), files: photoFiles(ctx).length };
        const filling = await fillQueue();
        const { result: answer, blockedMs } = await duringWork(server.base, () =>
          sendFirstBytes(target.port, target.path, body, chunked),
        );
        const framing = chunked ? 'chunked' : 'Content-Length';
        const where = `${target.name}, ${framing}: ${answer.status} ${answer.body.slice(0, 200)}`;
        expect(answer.status, where).toBe(503);
        expect(answer.sentBeforeAnswer, where).toBe(FIRST);
        expect(Number(answer.retryAfter), where).toBeGreaterThanOrEqual(5);
        expect(target.message(answer.body), where).toContain(`照片处理繁忙，请 ${answer.retryAfter} 秒后再提交`);
        expect(blockedMs, where).toBeLessThan(STALL_LIMIT_MS);
        await filling.done;
        expect(photoQueueFull(ctx.photoLimits), where).toBeNull();
        expect({ complaints: complaintCount(ctx), files: photoFiles(ctx).length }, where).toEqual(before);
      }
    }
  });

  /** Waits for the server's state (never longer than 20 s: a leak fails the test instead of hanging it). */
  const until = async (what: string, ready: () => boolean) => {
    for (const t0 = Date.now(); !ready(); await new Promise((r) => setTimeout(r, 5)))
      if (Date.now() - t0 > 20_000) throw new Error(`never ${what}`);
  };
  /** An upload declaring `declared` bytes that sends its first 16 KB and then nothing until aborted. */
  const holdUpload = (declared: number) => {
    const req = request({
      host: '127.0.0.1',
      port: server.port,
      path: '/api/complaints',
      method: 'POST',
      agent: false,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(declared) },
    });
    req.on('error', () => undefined);
    req.write(reportBody(FIRST).subarray(0, FIRST));
    return () => req.destroy();
  };

  it("refuses a report unread while uploads hold 3 reports' worth (API, page); frees room as they end", async () => {
    const maxBytes = complaintFormSpec(ctx.formLimits).maxBytes;
    const before = { complaints: complaintCount(ctx), files: photoFiles(ctx).length };
    const aborts = Array.from({ length: 3 }, () => holdUpload(maxBytes));
    await until('held three uploads', () => uploadBytesInFlight() === 3 * maxBytes);
    expect(photoQueueFull(ctx.photoLimits)).toBeNull(); // the pixels queue is empty: the bytes are what is full
    const body = reportBody(5 * 1024 * 1024);
    for (const target of targets()) {
      const answer = await sendFirstBytes(target.port, target.path, body, false);
      const where = `${target.name}: ${answer.status} ${answer.body.slice(0, 200)}`;
      expect(answer.status, where).toBe(503);
      expect(answer.sentBeforeAnswer, where).toBe(FIRST);
      expect(target.message(answer.body), where).toContain(`照片处理繁忙，请 ${answer.retryAfter} 秒后再提交`);
    }
    expect(uploadBytesInFlight()).toBe(3 * maxBytes); // a refusal holds nothing
    for (const abort of aborts) abort();
    await until('released the aborted uploads', () => uploadBytesInFlight() === 0);
    const photo = await solid(800, 600, 'jpeg');
    const filed = await fetch(`${server.base}/api/complaints`, {
      method: 'POST',
      body: reportForm({}, [photo, Buffer.concat([photo, Buffer.alloc(2 * 1024 * 1024)])]),
    });
    expect(filed.status, await filed.clone().text()).toBe(201);
    expect(uploadBytesInFlight()).toBe(0);
    expect({ complaints: complaintCount(ctx), files: photoFiles(ctx).length }).toEqual({
      complaints: before.complaints + 1,
      files: before.files + 4,
    });
  });

  it('a photo header over pixel limits, alone or with earlier ones: 400 naming it once the header is in', async () => {
    const megapixel = await Promise.all([0, 1, 2].map((i) => solid(1000, 1000, 'jpeg', i * 100)));
    const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc(3 * 1024 * 1024)]); // never read
    const attacks = [
      { photos: [GOOD, pad(await pixelFloodPng(20_000, 20_000))], at: 1, message: /^第 2 张照片像素过多/ },
      { photos: [pad(await jpegClaiming(4000, 3000))], at: 0, message: /^第 1 张照片像素过多/ },
      {
        photos: [...megapixel, pad(await solid(600, 600, 'webp'))],
        at: 3,
        message: /^第 4 张照片使本次照片合计像素过多/,
      },
    ];
    for (const target of targets()) {
      for (const { photos, at, message } of attacks) {
        const before = { complaints: complaintCount(ctx), files: photoFiles(ctx).length };
        const body = formOf(photos);
        // Up to the refused photo's first 4 KB (its header), not a byte of the rest.
        const first =
          formOf(photos.slice(0, at + 1)).length - photos[at]!.length + 4096 - `\r\n--${BOUNDARY}--\r\n`.length;
        const answer = await sendFirstBytes(target.port, target.path, body, false, first);
        const where = `${target.name}, photo ${at + 1}: ${answer.status} ${answer.body.slice(0, 200)}`;
        expect(answer.status, where).toBe(400);
        expect(answer.sentBeforeAnswer, where).toBe(first);
        expect(
          target.name === 'site API'
            ? target.message(answer.body)
            : /<p class="field-error" id="photos-error">([^<]*)<\/p>/.exec(answer.body)?.[1],
          where,
        ).toMatch(message);
        expect({ complaints: complaintCount(ctx), files: photoFiles(ctx).length }, where).toEqual(before);
      }
    }
  });

  it('meanwhile still files a report without photos, and the refused one once the queue has room', async () => {
    const filling = await fillQueue();
    const text = await fetch(`${server.base}/api/complaints`, { method: 'POST', body: reportForm() });
    expect(text.status).toBe(201);
    expect(photoQueueFull(ctx.photoLimits)).not.toBeNull(); // it was still full
    await filling.done;
    const photo = await solid(800, 600, 'jpeg');
    const later = await fetch(`${server.base}/api/complaints`, {
      method: 'POST',
      body: reportForm({}, [photo, Buffer.concat([photo, Buffer.alloc(2 * 1024 * 1024)])]),
    });
    expect(later.status, await later.clone().text()).toBe(201);
  });
});
