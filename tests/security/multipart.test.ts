import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { count, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readForm } from '../../api/http/form-stream.ts';
import { complaintFormSpec } from '../../api/domain/complaints/form.ts';
import { complaints, departments } from '../../db/schema.ts';
import { enterprises, revisits, taskEvidence } from '../../db/schema-enforcement.ts';
import { fieldPhotos } from '../../db/schema-supervision.ts';
import { apiSubmissions } from '../../db/schema-public.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { duringWork, STALL_LIMIT_MS } from '../helpers/event-loop.ts';
import { pixelFloodPng } from '../helpers/images.ts';
import { photoFiles, validFields, ZHULIN } from '../helpers/report.ts';
import { listen, rawPost } from '../helpers/server.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from './site-server.ts';

// Hostile forms at the real node:http front, for every endpoint that reads one: each is refused
// with a 4xx (never a 5xx) and a Chinese message, saves nothing (no complaint, no Open311
// submission, no evidence, no photo file), and holds the event loop less than STALL_LIMIT_MS.
// Photo limits of 20 × 3 MB (a 61 MB body, as the defaults' 6 × 10 MB) let a million empty parts
// reach the parser, while a photo over the limit stays small enough to send quickly.
const { ctx, app } = await freshContext({
  REPORT_RATE_LIMIT: '1000000',
  MAX_PHOTOS: '20',
  MAX_PHOTO_BYTES: String(3 * 1024 * 1024),
});
const server = await listen(ctx);
afterAll(() => server.close());
const MAX_PHOTOS = ctx.env.MAX_PHOTOS,
  MAX_PHOTO_BYTES = ctx.env.MAX_PHOTO_BYTES;

const saved = () => ({
  complaints: ctx.db.select({ n: count() }).from(complaints).get()!.n,
  open311: ctx.db.select({ n: count() }).from(apiSubmissions).get()!.n,
  evidence: ctx.db.select({ n: count() }).from(taskEvidence).get()!.n,
  fieldPhotos: ctx.db.select({ n: count() }).from(fieldPhotos).get()!.n,
  photos: photoFiles(ctx).length,
});

// --- the three endpoints, each with a form it accepts --------------------------------------------
const admin = signIn(ctx, 'admin');
const keyRes = await app.request('/api/admin/api-keys', { method: 'POST', ...json({ name: '攻击测试' }, admin) });
const apiKey = ((await keyRes.json()) as { key: string }).key;

const office = signIn(ctx, 'shouli');
const officer = signIn(ctx, 'zhulin');
const enterprise = await app.request('/api/admin/enterprises', {
  method: 'POST',
  ...json(
    { name: '王五塑料作坊', personInCharge: '王五', lat: ZHULIN.lat, lng: ZHULIN.lng, address: '竹林村三组' },
    office,
  ),
});
const enterpriseId = ((await enterprise.json()) as { id: number }).id;
const task = await app.request('/api/admin/tasks', {
  method: 'POST',
  ...json(
    { enterpriseId, type: 'shutdown', villageLead: '李村长', townshipLead: '王镇长', dueOn: '2099-12-01' },
    office,
  ),
});
const taskId = ((await task.json()) as { id: number }).id;
const taskItems = (
  (await (await app.request(`/api/admin/tasks/${taskId}`, { headers: { cookie: office } })).json()) as {
    items: { id: number }[];
  }
).items;
const photo = await demoPhoto({ hue: 30, width: 320, height: 240 });
// A revisit due at the enterprise, and a 双随机 draw that picked it: field work saved with photos.
const zhulinId = ctx.db
  .select({ v: enterprises.villageId })
  .from(enterprises)
  .where(eq(enterprises.id, enterpriseId))
  .get()!.v;
const revisitId = ctx.db
  .insert(revisits)
  .values({ enterpriseId, villageId: zhulinId, dueAt: new Date() })
  .returning()
  .get().id;
const eco = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'eco')).get()!.id;
const drawn = await app.request('/api/admin/draws', {
  method: 'POST',
  ...json({ title: '攻击测试抽查', enterpriseCount: 1, departmentIds: [eco] }, office),
});
const drawId = ((await drawn.json()) as { id: number }).id;

interface FilePart {
  name: string;
  filename: string;
  data: Buffer;
}
interface Endpoint {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** Text fields of a form the endpoint accepts. */
  fields: Record<string, string>;
  files: FilePart[];
  /** The names it reads; anything else is unknown. */
  allowed: (name: string) => boolean;
  textField: string;
  maxFieldBytes: number;
  fileField?: string;
  urlencoded: boolean;
  message: (body: string) => string;
}

const apiMessage = (body: string) => (JSON.parse(body) as { error: { message: string } }).error.message;
const COMPLAINT_NAMES = new Set([
  ...Object.keys(validFields()),
  'address',
  'seenAt',
  'name',
  'phone',
  'captchaToken',
  'idempotencyKey',
  'photoExif',
  'photos',
  'h-captcha-response',
  'g-recaptcha-response',
]);
const OPEN311_NAMES = new Set([
  'api_key',
  'jurisdiction_id',
  'service_code',
  'lat',
  'long',
  'address_string',
  'address_id',
  'email',
  'device_id',
  'account_id',
  'first_name',
  'last_name',
  'phone',
  'description',
  'media_url',
  'idempotency_key',
]);
const ENDPOINTS: Endpoint[] = [
  {
    name: 'site report API',
    path: '/api/complaints',
    headers: {},
    fields: validFields(),
    files: [],
    allowed: (n) => COMPLAINT_NAMES.has(n),
    textField: 'description',
    maxFieldBytes: 32 * 1024,
    fileField: 'photos',
    urlencoded: true,
    message: apiMessage,
  },
  {
    name: 'Open311 POST',
    path: '/api/open311/v2/requests.json',
    headers: {},
    fields: {
      api_key: apiKey,
      service_code: 'air',
      lat: String(ZHULIN.lat),
      long: String(ZHULIN.lng),
      description: '河边作坊排放黑烟，气味刺鼻难闻。',
    },
    files: [],
    allowed: (n) => OPEN311_NAMES.has(n) || /^attribute\[[^\]]{1,100}\](\[\])?$/.test(n),
    textField: 'description',
    maxFieldBytes: 32 * 1024,
    urlencoded: true,
    // Open311's error list; the API-wide body limit answers before the route, in the API's shape.
    message: (body) => {
      const answer = JSON.parse(body) as { description: string }[] | { error: { message: string } };
      return Array.isArray(answer) ? answer[0]!.description : answer.error.message;
    },
  },
  {
    name: 'task evidence upload',
    path: `/api/admin/tasks/${taskId}/items/${taskItems[1]!.id}/evidence`,
    headers: { cookie: officer },
    fields: { note: '现场已断开，拍照为证' },
    files: [{ name: 'photos', filename: 'p.jpg', data: photo }],
    allowed: (n) => ['note', 'lat', 'lng', 'photos'].includes(n),
    textField: 'note',
    maxFieldBytes: 16 * 1024,
    fileField: 'photos',
    urlencoded: false,
    message: apiMessage,
  },
  {
    name: 'revisit with photos',
    path: `/api/admin/revisits/${revisitId}`,
    headers: { cookie: officer },
    fields: { outcome: 'resumed', note: '夜间复产，私接电线' },
    files: [{ name: 'photos', filename: 'p.jpg', data: photo }],
    allowed: (n) => ['outcome', 'note', 'newEnterpriseName', 'newPersonInCharge', 'lat', 'lng', 'photos'].includes(n),
    textField: 'note',
    maxFieldBytes: 16 * 1024,
    fileField: 'photos',
    urlencoded: false,
    message: apiMessage,
  },
  {
    name: 'draw outcome with photos',
    path: `/api/admin/draws/${drawId}/items/${enterpriseId}`,
    headers: { cookie: office },
    fields: { outcome: 'problem_found', note: '废气直排' },
    files: [{ name: 'photos', filename: 'p.jpg', data: photo }],
    allowed: (n) => ['outcome', 'note', 'lat', 'lng', 'photos'].includes(n),
    textField: 'note',
    maxFieldBytes: 16 * 1024,
    fileField: 'photos',
    urlencoded: false,
    message: apiMessage,
  },
];

// --- building bodies ----------------------------------------------------------------------------
const BOUNDARY = 'xB0undary7MA4YWxkTrZu0gW';
const delimiter = (b = BOUNDARY) => Buffer.from(`--${b}\r\n`);
const textPart = (name: string, value: string | Buffer) =>
  Buffer.concat([
    Buffer.from(`Content-Disposition: form-data; name="${name}"\r\n\r\n`),
    Buffer.from(value),
    Buffer.from('\r\n'),
  ]);
const filePart = (f: FilePart, type = 'image/jpeg') =>
  Buffer.concat([
    Buffer.from(
      `Content-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    f.data,
    Buffer.from('\r\n'),
  ]);
/** Parts (each without its delimiter) as a multipart body. */
const multipart = (parts: Buffer[], close = true, b = BOUNDARY) =>
  Buffer.concat([...parts.flatMap((p) => [delimiter(b), p]), Buffer.from(close ? `--${b}--\r\n` : '')]);
const validParts = (e: Endpoint) => [
  ...Object.entries(e.fields).map(([k, v]) => textPart(k, v)),
  ...e.files.map((f) => filePart(f)),
];
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;
const URLENCODED = 'application/x-www-form-urlencoded';

interface Attack {
  label: string;
  contentType: string;
  body: Buffer;
  /** The refusal names what was wrong. */
  expect: RegExp;
}

/** The endpoint's accepted form less one field. */
const without = (e: Endpoint, name: string): Endpoint => ({
  ...e,
  fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => k !== name)),
});

/** Splices hostile parts in among an accepted form's, at a generated place. */
const among = (e: Endpoint, hostile: Buffer[], at: number) => {
  const parts = validParts(e);
  const i = at % (parts.length + 1);
  return multipart([...parts.slice(0, i), ...hostile, ...parts.slice(i)]);
};

const safeName = fc.stringMatching(/^[A-Za-z0-9_.\-\u4e00-\u9fa5]{1,30}$/);

function multipartAttacks(e: Endpoint): fc.Arbitrary<Attack>[] {
  const at = fc.nat(20);
  const m = (label: string, body: Buffer, expect: RegExp, contentType = MULTIPART): Attack => ({
    label,
    contentType,
    body,
    expect,
  });
  const attacks: fc.Arbitrary<Attack>[] = [
    // Many empty parts, of four kinds: no headers at all, an unknown name, a repeated known name, an empty file.
    fc
      .tuple(
        fc.integer({ min: 30, max: 20_000 }),
        fc.constantFrom('headerless', 'unknown', 'repeated', 'empty file'),
        at,
      )
      .map(([n, kind, i]) => {
        const part = {
          headerless: Buffer.from('\r\n\r\n'),
          unknown: textPart('x', ''),
          repeated: textPart(e.textField, ''),
          'empty file': Buffer.from(
            `Content-Disposition: form-data; name="${e.fileField ?? 'photos'}"; filename=""\r\n` +
              'Content-Type: application/octet-stream\r\n\r\n\r\n',
          ),
        }[kind];
        return m(
          `${n} empty parts (${kind})`,
          among(e, Array(n).fill(part), i),
          /分段过多|字段过多|最多上传|不止一次|不认识的字段|格式错误|不接受文件/,
        );
      }),
    // Many unknown fields.
    fc
      .tuple(
        fc.array(
          safeName.filter((n) => !e.allowed(n)),
          { minLength: 1, maxLength: 300 },
        ),
        at,
      )
      .map(([names, i]) =>
        m(
          `${names.length} unknown fields`,
          among(
            e,
            names.map((n) => textPart(n, 'v')),
            i,
          ),
          new RegExp(`不认识的字段：${escapeRegExp(names[0]!)}`),
        ),
      ),
    // A huge field name (up to the 16 KB part header limit and beyond).
    fc
      .tuple(fc.integer({ min: 200, max: 20_000 }), at)
      .map(([n, i]) =>
        m(`a ${n}-character field name`, among(e, [textPart('n'.repeat(n), 'v')], i), /不认识的字段：n{40}…|格式错误/),
      ),
    // A known field over its size.
    fc
      .tuple(fc.integer({ min: 1, max: 200_000 }), at)
      .map(([extra, i]) =>
        m(
          `a ${e.textField} of ${e.maxFieldBytes + extra} bytes`,
          among(
            without(e, e.textField),
            [textPart(e.textField, '烟'.repeat(Math.ceil((e.maxFieldBytes + extra) / 3)))],
            i,
          ),
          /过长/,
        ),
      ),
    // A known field twice or more.
    fc
      .tuple(fc.constantFrom(...Object.keys(e.fields)), fc.integer({ min: 1, max: 1000 }), at)
      .map(([name, n, i]) =>
        m(`${name} ${n + 1} times`, among(e, Array(n).fill(textPart(name, e.fields[name]!)), i), /提交了不止一次/),
      ),
    // Boundaries: missing, empty, longer than RFC 2046's 70, or not the body's.
    fc
      .constantFrom(
        'multipart/form-data',
        'multipart/form-data; boundary=',
        'multipart/form-data; boundary=""',
        `multipart/form-data; boundary=${'b'.repeat(71)}`,
        'multipart/form-data; boundary=another',
      )
      .map((type) => m(`content type ${type.slice(0, 40)}`, multipart(validParts(e)), /分隔符|格式错误/, type)),
    fc
      .string({ minLength: 71, maxLength: 400 })
      .map((b) =>
        m(
          'a body delimited by another, long boundary',
          multipart(validParts(e), true, b.replace(/[\r\n"]/g, 'x')),
          /格式错误/,
        ),
      ),
    // A body cut short anywhere before its closing delimiter.
    fc.nat().map((cut) => {
      const whole = multipart(validParts(e));
      return m('a truncated body', whole.subarray(0, cut % (whole.length - `--${BOUNDARY}--\r\n`.length)), /不完整/);
    }),
    // Odd part headers.
    fc
      .tuple(
        fc.constantFrom(
          'Content-Disposition form-data; name="note"', // no colon
          `Content-Disposition: form-data; name="x"\r\nX-Pad: ${'p'.repeat(17_000)}`, // over 16 KB
          `Content-Disposition: form-data; name="x"\r\n${'X-A: b\r\n'.repeat(2100).slice(0, -2)}`, // over 2000 pairs
          'Content-Disposition: attachment; name="note"',
          'Content-Type: text/plain',
          'Content-Disposition: form-data',
          'Content-Disposition: form-data; filename="a.jpg"',
          'Content-Disposition: form-data; name="x\0y"',
          'Content-Disposition: form-data;\r\n name="x"', // folded
          `Content-Disposition: form-data; name*=UTF-8''%E4%B8%8D%E6%98%8E`,
        ),
        at,
      )
      .map(([headers, i]) =>
        m(
          `a part with ${JSON.stringify(headers.slice(0, 50))}`,
          among(e, [Buffer.from(`${headers}\r\n\r\nvalue\r\n`)], i),
          /不认识的字段|无法识别|格式错误|不能是文件|不接受文件/,
        ),
      ),
    // A text field sent as a file.
    fc.tuple(fc.constantFrom(...Object.keys(e.fields)), at).map(([name, i]) => {
      const { [name]: _, ...rest } = e.fields;
      const parts = [
        ...Object.entries(rest).map(([k, v]) => textPart(k, v)),
        filePart({ name, filename: 'v.txt', data: Buffer.from(e.fields[name]!) }, 'text/plain'),
        ...e.files.map((f) => filePart(f)),
      ];
      return m(
        `${name} as a file`,
        multipart([...parts.slice(i % parts.length), ...parts.slice(0, i % parts.length)]),
        /不能是文件|不接受文件/,
      );
    }),
  ];
  if (e.fileField) {
    const field = e.fileField;
    attacks.push(
      // Text where the photos go.
      fc
        .tuple(fc.string({ minLength: 1, maxLength: 200 }), at)
        .map(([text, i]) =>
          m('text in the photo field', among(e, [textPart(field, text || 'x')], i), /必须以文件形式上传/),
        ),
      // One photo too many.
      at.map((i) =>
        m(
          `${MAX_PHOTOS + 1} photos`,
          among(
            e,
            Array(MAX_PHOTOS + 1 - e.files.length).fill(filePart({ name: field, filename: 'q.jpg', data: photo })),
            i,
          ),
          new RegExp(`最多上传 ${MAX_PHOTOS} 张照片`),
        ),
      ),
      // A photo over the size limit.
      fc
        .tuple(fc.integer({ min: 1, max: 100_000 }), at)
        .map(([extra, i]) =>
          m(
            `a photo of ${MAX_PHOTO_BYTES + extra} bytes`,
            among(
              e,
              [filePart({ name: field, filename: 'big.jpg', data: Buffer.alloc(MAX_PHOTO_BYTES + extra, 0xff) })],
              i,
            ),
            /第 \d+ 张照片超过 3 MB 上限（big\.jpg）/,
          ),
        ),
    );
  } else {
    attacks.push(
      at.map((i) =>
        m('a file', among(e, [filePart({ name: 'media', filename: 'p.jpg', data: photo })], i), /不接受文件上传/),
      ),
    );
  }
  return attacks;
}

function urlencodedAttacks(e: Endpoint): fc.Arbitrary<Attack>[] {
  const valid = new URLSearchParams(e.fields).toString();
  const rest = new URLSearchParams(without(e, e.textField).fields).toString();
  const u = (label: string, body: string, expect: RegExp): Attack => ({
    label,
    contentType: URLENCODED,
    body: Buffer.from(body),
    expect,
  });
  return [
    fc
      .tuple(fc.integer({ min: 100, max: 500_000 }), fc.constantFrom('&', 'x=&', `${e.textField}=1&`))
      .map(([n, pair]) => u(`${n} × ${pair}`, `${valid}&${pair.repeat(n)}`, /字段过多|不认识的字段|不止一次/)),
    safeName
      .filter((n) => !e.allowed(n))
      .map((name) =>
        u(
          `unknown ${name}`,
          `${new URLSearchParams({ [name]: '1' })}&${valid}`,
          new RegExp(`不认识的字段：${escapeRegExp(name)}`),
        ),
      ),
    fc
      .integer({ min: 201, max: 100_000 })
      .map((n) => u(`a ${n}-character name`, `${'n'.repeat(n)}=1&${valid}`, /不认识的字段：n{40}…/)),
    fc
      .integer({ min: 1, max: 200_000 })
      .map((extra) =>
        u(`a ${e.textField} over its size`, `${rest}&${e.textField}=${'y'.repeat(e.maxFieldBytes + extra)}`, /过长/),
      ),
    fc
      .constantFrom(...Object.keys(e.fields))
      .map((name) => u(`${name} twice`, `${valid}&${name}=${encodeURIComponent(e.fields[name]!)}`, /提交了不止一次/)),
    fc
      .constantFrom('%zz', '%G1', '%2', '%')
      .map((bad) => u(`percent-encoding ${bad}`, `${rest}&${e.textField}=abc${bad}`, /格式错误/)),
  ];
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const framingHeaders = (body: Buffer, chunked: number | null): Record<string, string> =>
  chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) };
/** Views of the body, no copies. */
const pieces = (body: Buffer, size: number) =>
  Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.subarray(i * size, (i + 1) * size));

/** Sends the body with Content-Length, or chunked in pieces of a generated size. */
function send(e: Endpoint, a: Attack, framing: number | null) {
  // At most ~200 chunks: rawPost writes them all at once, on this same event loop (a 10 MB
  // photo chunked by 7 bytes would be a million writes; 2000 were already ~40 ms).
  const chunked = framing && Math.max(framing, Math.ceil(a.body.length / 200));
  return rawPost(
    server.port,
    e.path,
    { 'content-type': a.contentType, ...framingHeaders(a.body, chunked), ...e.headers },
    chunked ? pieces(a.body, chunked) : [a.body],
  );
}

async function expectRefused(e: Endpoint, a: Attack, chunked: number | null) {
  const before = saved();
  const res = await send(e, a, chunked);
  const framing = chunked ? `chunked by ${chunked}` : 'Content-Length';
  const where = `${e.name}: ${a.label} (${framing}) → ${res.status} ${res.body.slice(0, 200)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  const message = e.message(res.body);
  expect(message, where).toMatch(/[\u4e00-\u9fa5]/);
  expect(message, where).toMatch(a.expect);
  expect(saved(), where).toEqual(before);
}

/** How long `work` held the event loop (the main thread's longest run, duringWork's blockedMs). */
const stallOf = <T>(work: () => Promise<T>) => duringWork(server.base, work);

const framing = fc.option(fc.constantFrom(1, 7, 512, 4096, 65_536), { nil: null });
const attacksOf = (e: Endpoint, kind: 'multipart' | 'urlencoded') =>
  kind === 'multipart' ? multipartAttacks(e) : urlencodedAttacks(e);
const cases = ENDPOINTS.flatMap((e) => [
  { e, kind: 'multipart' as const },
  ...(e.urlencoded ? [{ e, kind: 'urlencoded' as const }] : []),
]);

describe('each endpoint accepts the forms the attacks are built from', () => {
  it.each(ENDPOINTS)('$name: multipart, and urlencoded where it reads it', async (e) => {
    const before = saved();
    const res = await send(
      e,
      { label: 'valid', contentType: MULTIPART, body: multipart(validParts(e)), expect: /./ },
      null,
    );
    // created (201), or recorded on a record that exists (200)
    expect([200, 201], res.body).toContain(res.status);
    if (e.urlencoded) {
      const chunked = await send(
        e,
        {
          label: 'valid',
          contentType: URLENCODED,
          body: Buffer.from(new URLSearchParams(e.fields).toString()),
          expect: /./,
        },
        5,
      );
      expect(chunked.status, chunked.body).toBe(201);
    }
    expect(saved()).not.toEqual(before);
  });
});

describe('generated hostile forms are refused with a 4xx naming the problem, and save nothing', () => {
  it.each(cases)(
    '$e.name: $kind',
    async ({ e, kind }) => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(...attacksOf(e, kind)), framing, (a, chunked) => expectRefused(e, a, chunked)),
        { numRuns: kind === 'multipart' ? 150 : 80 },
      );
    },
    300_000,
  );
});

describe('no hostile form holds the event loop', () => {
  // Two generated attacks of every kind, built before the clock starts.
  it.each(cases)(
    '$e.name: $kind',
    async ({ e, kind }) => {
      const attacks = attacksOf(e, kind).flatMap((arb, i) =>
        fc.sample(fc.tuple(arb, framing), { numRuns: 2, seed: 11 + i }),
      );
      for (const [a, chunked] of attacks) {
        const stall = await stallOf(() => expectRefused(e, a, chunked));
        expect(stall.blockedMs, `${a.label}, ${chunked ? `chunked by ${chunked}` : 'Content-Length'}`).toBeLessThan(
          STALL_LIMIT_MS,
        );
      }
    },
    300_000,
  );
});

describe('a million empty parts', () => {
  // A short boundary keeps even named parts under the 61 MB body limit; the flood is one
  // Buffer.alloc filled natively, sent as views of it.
  const B = 'B';
  const million = (e: Endpoint, part: string) => [
    Buffer.concat(validParts(e).flatMap((p) => [delimiter(B), p])),
    ...pieces(Buffer.alloc(1_000_000 * Buffer.byteLength(part), part), 1024 * 1024),
    Buffer.from(`--${B}--\r\n`),
  ];
  const kinds: [string, string, RegExp][] = [
    ['no headers', `--${B}\r\n\r\n\r\n`, /格式错误/],
    ['headers but no name', `--${B}\r\nX: y\r\n\r\n\r\n`, /分段过多/],
    ['an unknown name', `--${B}\r\nContent-Disposition: form-data; name="x"\r\n\r\n\r\n`, /不认识的字段：x/],
    [
      'a known name again',
      `--${B}\r\nContent-Disposition: form-data; name="lat"\r\n\r\n\r\n`,
      /不止一次|不认识的字段：lat/,
    ],
    [
      'an empty file',
      `--${B}\r\ncontent-disposition:form-data;name=photos;filename=a\r\n\r\n\r\n`,
      new RegExp(`最多上传 ${MAX_PHOTOS} 张照片|不接受文件上传`),
    ],
  ];
  for (const e of ENDPOINTS) {
    it.each(kinds)(
      `${e.name}: %s, with Content-Length and chunked`,
      async (kind, part, expected) => {
        const chunks = million(e, part);
        const length = chunks.reduce((n, c) => n + c.length, 0);
        for (const chunked of [false, true]) {
          const before = saved();
          const stall = await stallOf(() =>
            rawPost(
              server.port,
              e.path,
              {
                'content-type': `multipart/form-data; boundary=${B}`,
                ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(length) }),
                ...e.headers,
              },
              chunks,
            ),
          );
          const framing = chunked ? 'chunked' : 'Content-Length';
          const where = `${kind}, ${framing}: ${stall.result.status} ${stall.result.body}`;
          expect(stall.result.status, where).toBeGreaterThanOrEqual(400);
          expect(stall.result.status, where).toBeLessThan(500);
          expect(e.message(stall.result.body), where).toMatch(expected);
          expect(saved(), where).toEqual(before);
          expect(stall.blockedMs, where).toBeLessThan(STALL_LIMIT_MS);
        }
      },
      120_000,
    );
  }

  it('read from a web stream (the no-JavaScript page gets a Request) in one 9 MB chunk', async () => {
    const body = Buffer.concat(million(ENDPOINTS[0]!, `--${B}\r\nX: y\r\n\r\n\r\n`));
    const spec = complaintFormSpec(ctx.formLimits);
    // The whole body as one chunk of a web stream, handed over without a copy (a Request built
    // around a 9 MB Buffer copies it twice, ~270 ms here, which is the test's cost, not the reader's).
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
        c.close();
      },
    });
    const stall = await stallOf(() => readForm(`multipart/form-data; boundary=${B}`, stream, spec));
    expect(stall.result).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/分段过多/) });
    expect(stall.blockedMs).toBeLessThan(STALL_LIMIT_MS);
  });
});

describe('a photo whose header is over the pixel limit is refused from its first bytes', () => {
  // tests/security/photos.test.ts shows the report API and page answer before the rest is sent.
  it.each(ENDPOINTS.filter((e) => e.fileField))('$name', async (e) => {
    const flood = fc
      .record({
        width: fc.integer({ min: 1, max: 1_000_000 }),
        height: fc.integer({ min: 1, max: 1_000_000 }),
        at: fc.nat(5),
      })
      .filter(({ width, height }) => width * height > ctx.env.MAX_PHOTO_PIXELS);
    await fc.assert(
      fc.asyncProperty(flood, async ({ width, height, at }) => {
        const bad = filePart(
          {
            name: e.fileField!,
            filename: 'flood.png',
            data: Buffer.concat([await pixelFloodPng(width, height), Buffer.alloc(256 * 1024)]),
          },
          'image/png',
        );
        await expectRefused(
          e,
          {
            label: `a PNG claiming ${width}×${height}`,
            contentType: MULTIPART,
            body: among(e, [bad], at),
            expect: /第 \d+ 张照片像素过多/,
          },
          null,
        );
      }),
      { numRuns: 10 },
    );
  });
});

describe('uploaded files come out byte for byte', () => {
  // Each file is copied into one buffer sized from the body's declared length as it arrives; a
  // declared length below the truth (never from node's parser, which holds a body to it) makes it grow.
  it("whatever the chunking, the files' sizes and the length the body declared", async () => {
    const spec = { ...complaintFormSpec(ctx.formLimits), maxFileBytes: 256 * 1024 };
    const file = fc.uint8Array({ minLength: 0, maxLength: 200_000 }).map((a) => Buffer.from(a));
    await fc.assert(
      fc.asyncProperty(
        fc.array(file, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 70_000 }),
        fc.option(fc.double({ min: 0, max: 1.2, noNaN: true }), { nil: undefined }),
        async (files, chunk, declared) => {
          const body = multipart([
            ...validParts(ENDPOINTS[0]!),
            ...files.map((data, i) => filePart({ name: 'photos', filename: `f${i}.jpg`, data })),
          ]);
          const stream = new ReadableStream<Uint8Array>({
            start(c) {
              for (const piece of pieces(body, chunk)) c.enqueue(new Uint8Array(piece));
              c.close();
            },
          });
          const read = await readForm(
            MULTIPART,
            stream,
            spec,
            declared === undefined ? undefined : Math.floor(body.length * declared),
          );
          expect(read.ok).toBe(true);
          if (!read.ok) return;
          expect(read.files.map((f) => f.data)).toEqual(files); // named, an empty file is kept too
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the report page without JavaScript reads its form the same way', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 300_000);
  afterAll(() => site?.close());
  const postPage = (chunks: Buffer[], boundary = BOUNDARY) =>
    rawPost(
      site.port,
      '/report',
      {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(chunks.reduce((n, c) => n + c.length, 0)),
      },
      chunks,
    );
  // What a browser sends: the form's fields, the captcha widget's two, and an empty photo input.
  const browserForm = (extra: Buffer[] = []) =>
    multipart([
      ...validParts(ENDPOINTS[0]!),
      textPart('idempotencyKey', `page-${Date.now()}-abcdefghijkl`),
      textPart('photoExif', ''),
      textPart('h-captcha-response', ''),
      textPart('g-recaptcha-response', ''),
      Buffer.from(
        'Content-Disposition: form-data; name="photos"; filename=""\r\n' +
          'Content-Type: application/octet-stream\r\n\r\n\r\n',
      ),
      ...extra,
    ]);

  it("files a browser's form", async () => {
    const before = saved();
    const res = await postPage([browserForm()]);
    expect(res.status, res.body.slice(0, 300)).toBe(303);
    expect(saved().complaints).toBe(before.complaints + 1);
  });

  it('refuses on the page an unknown field, a photo over the limit, a million empty parts; saves nothing', async () => {
    const emptyPart = Buffer.from(`--${BOUNDARY}\r\nX: y\r\n\r\n\r\n`);
    const cases: [string, Buffer[], number, RegExp][] = [
      ['an unknown field', [browserForm([textPart('x', '1')])], 400, /不认识的字段：x/],
      [
        'a photo over the limit',
        [
          browserForm([
            filePart({ name: 'photos', filename: 'big.jpg', data: Buffer.alloc(MAX_PHOTO_BYTES + 1, 0xff) }),
          ]),
        ],
        413,
        /第 2 张照片超过 3 MB 上限/,
      ],
      [
        'a million empty parts',
        [
          browserForm().subarray(0, -`--${BOUNDARY}--\r\n`.length),
          ...pieces(Buffer.alloc(1_000_000 * emptyPart.length, emptyPart), 1024 * 1024),
          Buffer.from(`--${BOUNDARY}--\r\n`),
        ],
        400,
        /分段过多/,
      ],
    ];
    for (const [label, chunks, status, message] of cases) {
      const before = saved();
      const stall = await stallOf(() => postPage(chunks));
      expect(stall.result.status, label).toBe(status);
      expect(stall.result.body, label).toMatch(message);
      expect(saved(), label).toEqual(before);
      expect(stall.blockedMs, label).toBeLessThan(STALL_LIMIT_MS);
    }
  }, 120_000);
});

describe('an early refusal leaves the connection usable', () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());
  const post = (body: Buffer, contentType: string, chunked = false) =>
    new Promise<{ status: number; reused: boolean; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/complaints',
          method: 'POST',
          agent,
          headers: { 'content-type': contentType, ...framingHeaders(body, chunked ? 65_536 : null) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket, headers: res.headers }));
        },
      );
      // The server answers before it has read all of a large body, and may then close.
      req.on('error', (err: NodeJS.ErrnoException) =>
        err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
      );
      for (const piece of pieces(body, 1024 * 1024)) req.write(piece);
      req.end();
    });
  const valid = () => multipart(validParts(ENDPOINTS[0]!));

  it('keeps a kept-alive socket for the next request after refusing a small form', async () => {
    expect((await post(valid(), MULTIPART)).status).toBe(201);
    const refused = await post(multipart([textPart('x', '1'), ...validParts(ENDPOINTS[0]!)]), MULTIPART);
    expect(refused.status).toBe(400);
    const next = await post(valid(), MULTIPART);
    expect(next.status).toBe(201);
    expect(next.reused).toBe(true);
  });

  it('answers the next request after refusing 20 MB still on its way, chunked or not', async () => {
    const flood = Buffer.concat([multipart([textPart('x', '1')], false), Buffer.alloc(20 * 1024 * 1024, 'a')]);
    for (const chunked of [false, true]) {
      const stall = await stallOf(async () => {
        const refused = await post(flood, MULTIPART, chunked);
        const next = await post(valid(), MULTIPART);
        return { refused: refused.status, next: next.status };
      });
      expect(stall.result).toEqual({ refused: 400, next: 201 });
      expect(stall.blockedMs).toBeLessThan(STALL_LIMIT_MS);
    }
  });
});

describe('JSON reports', () => {
  const jsonAttacks: [string, () => Buffer, RegExp][] = [
    [
      'a 60 MB array',
      () => Buffer.concat([Buffer.from('{"description":['), Buffer.alloc(60_000_000, '0,'), Buffer.from('0]}')]),
      /超过 64 KB 上限/,
    ],
    [
      '32,000 nested brackets',
      () => Buffer.from(`{"photoExif":${'['.repeat(32_000)}${']'.repeat(32_000)}}`),
      /嵌套过深/,
    ],
    ['5,000 keys', () => Buffer.from(`{${Array.from({ length: 5000 }, (_, i) => `"k${i}":0`).join(',')}}`), /项目过多/],
    [
      'photo positions nested 8 deep',
      () => Buffer.from(JSON.stringify({ ...validFields(), photoExif: [[[[[[[1]]]]]]] })),
      /照片位置信息/,
    ],
  ];
  it.each(jsonAttacks)(
    '%s is refused before it is parsed, without a stall',
    async (_label, build, expected) => {
      const body = build();
      for (const chunked of [null, 65_536]) {
        const before = saved();
        const stall = await stallOf(() =>
          rawPost(
            server.port,
            '/api/complaints',
            { 'content-type': 'application/json', ...framingHeaders(body, chunked) },
            chunked ? pieces(body, Math.max(chunked, Math.ceil(body.length / 200))) : [body],
          ),
        );
        expect(stall.result.status).toBeGreaterThanOrEqual(400);
        expect(stall.result.status).toBeLessThan(500);
        expect(apiMessage(stall.result.body)).toMatch(expected);
        expect(stall.blockedMs).toBeLessThan(STALL_LIMIT_MS);
        expect(saved()).toEqual(before);
      }
    },
    60_000,
  );
});
