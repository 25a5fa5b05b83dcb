import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { complaintFieldsSchema } from '../../api/domain/complaints/input.ts';
import { filingFingerprint } from '../../api/domain/complaints/filing-fingerprint.ts';
import { complaints } from '../../db/schema.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { duringWork, STALL_LIMIT_MS } from '../helpers/event-loop.ts';
import { photoFiles, validFields, ZHULIN } from '../helpers/report.ts';
import { listen } from '../helpers/server.ts';
import { json, signIn } from '../helpers/staff.ts';

// An idempotency key promises "the same report again": a retry with the same body gets the first
// receipt; the key with any other body is refused (409) and learns nothing of the first report.
const { ctx, app } = await freshContext({ REPORT_RATE_LIMIT: '100000' });
const filed = () => ctx.db.select({ n: count() }).from(complaints).get()!.n;
let keys = 0;
const newKey = () => `idem-${++keys}-${'k'.repeat(16)}`;

interface Body {
  category: string;
  lat: number;
  lng: number;
  description: string;
  address: string | null;
  contact: { name: string; phone: string } | null;
}

const WORDS = [...'村口塑料作坊夜里偷排废水冒黑烟气味刺鼻机器轰鸣焚烧垃圾河道发臭电镀酸洗'];
const body: fc.Arbitrary<Body> = fc.record({
  category: fc.constantFrom('air', 'water', 'noise', 'waste'),
  lat: fc.integer({ min: -400, max: 400 }).map((d) => Number((ZHULIN.lat + d / 1e5).toFixed(5))),
  lng: fc.integer({ min: -400, max: 400 }).map((d) => Number((ZHULIN.lng + d / 1e5).toFixed(5))),
  description: fc.array(fc.constantFrom(...WORDS), { minLength: 10, maxLength: 60 }).map((w) => w.join('')),
  address: fc.option(
    fc.array(fc.constantFrom(...WORDS), { minLength: 2, maxLength: 12 }).map((w) => `${w.join('')}号`),
    { nil: null },
  ),
  contact: fc.option(
    fc.record({
      name: fc.constantFrom('张三', '李四', 'Zqx Wolfe', '阿依古丽·买买提'),
      phone: fc.integer({ min: 0, max: 99_999_999 }).map((n) => `139${String(n).padStart(8, '0')}`),
    }),
    { nil: null },
  ),
});

/** The second try: the very same body, the same body written differently, or another body. */
type Retry = { kind: 'same' } | { kind: 'respelled' } | { kind: 'other'; body: Body };
const retry: fc.Arbitrary<Retry> = fc.oneof(
  fc.constant<Retry>({ kind: 'same' }),
  fc.constant<Retry>({ kind: 'respelled' }),
  body.map<Retry>((b) => ({ kind: 'other', body: b })),
);

/** The site form's fields; `respell` writes the same values another way (padding, trailing zeros, phone spacing). */
function siteFields(b: Body, key: string, respell = false): Record<string, string> {
  const pad = (s: string) => (respell ? `  ${s}\n` : s);
  const f: Record<string, string> = {
    category: b.category,
    lat: respell ? `${b.lat}000` : String(b.lat),
    lng: respell ? ` ${b.lng}` : String(b.lng),
    description: pad(b.description),
    anonymous: b.contact ? '0' : '1',
    idempotencyKey: key,
  };
  if (b.address) f.address = pad(b.address);
  if (b.contact)
    Object.assign(f, {
      name: pad(b.contact.name),
      phone: respell ? b.contact.phone.replace(/(\d{3})(\d{4})(\d{4})/, '$1 $2 $3') : b.contact.phone,
    });
  return f;
}

function form(fields: Record<string, string>, photos: Buffer[] = []): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [i, p] of photos.entries())
    f.append('photos', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `p${i}.jpg`);
  return f;
}

const sameReport = (a: Body, b: Body) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Nothing of the first report in a refusal: neither its code (as stored or as printed) nor anything the reporter wrote.
 */
function expectNothingOf(text: string, code: string, b: Body) {
  for (const secret of [
    code,
    `${code.slice(0, 5)}-${code.slice(5)}`,
    b.description,
    b.address,
    b.contact?.name,
    b.contact?.phone,
  ]) {
    if (secret) expect(text, `refusal reveals ${secret}`).not.toContain(secret);
  }
}

describe('an idempotency key reused with another body', () => {
  it('site API: one body however written replays the first receipt; any other gets 409 and nothing of it', async () => {
    await fc.assert(
      fc.asyncProperty(body, retry, async (first, second) => {
        const key = newKey();
        const a = await app.request('/api/complaints', { method: 'POST', body: form(siteFields(first, key)) });
        expect(a.status).toBe(201);
        const receipt = await a.json();
        const before = filed();
        const other = second.kind === 'other' ? second.body : first;
        const b = await app.request('/api/complaints', {
          method: 'POST',
          body: form(siteFields(other, key, second.kind === 'respelled')),
        });
        const text = await b.text();
        if (sameReport(first, other)) {
          expect(b.status, text).toBe(201);
          expect(b.headers.get('Idempotent-Replayed')).toBe('true');
          expect(JSON.parse(text)).toEqual(receipt);
        } else {
          expect(b.status, text).toBe(409);
          expect(JSON.parse(text).error.message).toMatch(/该提交编号已用于另一份举报/);
          expect(Object.keys(JSON.parse(text).error.fields)).toEqual(['idempotencyKey']);
          expectNothingOf(text, receipt.trackingCode, first);
        }
        expect(filed()).toBe(before);
      }),
      { numRuns: 40 },
    );
  });

  it('site API, photos: other bytes are another body, checked before any photo work; no file left behind', async () => {
    const photos = await Promise.all([10, 130, 250].map((hue) => demoPhoto({ hue, width: 240, height: 180 })));
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.subarray([0, 1, 2], { minLength: 1 }),
        fc.subarray([0, 1, 2], { minLength: 1 }),
        async (b, firstPhotos, secondPhotos) => {
          const key = newKey();
          const a = await app.request('/api/complaints', {
            method: 'POST',
            body: form(
              siteFields(b, key),
              firstPhotos.map((i) => photos[i]!),
            ),
          });
          expect(a.status).toBe(201);
          const receipt = await a.json();
          const [before, files] = [filed(), photoFiles(ctx).length];
          const again = await app.request('/api/complaints', {
            method: 'POST',
            body: form(
              siteFields(b, key),
              secondPhotos.map((i) => photos[i]!),
            ),
          });
          const text = await again.text();
          if (JSON.stringify(firstPhotos) === JSON.stringify(secondPhotos)) {
            expect(again.status, text).toBe(201);
            expect(JSON.parse(text)).toEqual(receipt);
          } else {
            expect(again.status, text).toBe(409);
            expectNothingOf(text, receipt.trackingCode, b);
          }
          expect(filed()).toBe(before);
          expect(photoFiles(ctx).length).toBe(files);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('site API: two bodies racing on one key file one report; the other is refused, never given its code', async () => {
    await fc.assert(
      fc.asyncProperty(body, body, async (x, y) => {
        fc.pre(!sameReport(x, y));
        const key = newKey();
        const before = filed();
        const answers = await Promise.all(
          [x, y].map((b) => app.request('/api/complaints', { method: 'POST', body: form(siteFields(b, key)) })),
        );
        expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
        const won = await answers.find((r) => r.status === 201)!.json();
        const lost = await answers.find((r) => r.status === 409)!.text();
        expect(lost).not.toContain(won.trackingCode);
        expect(filed()).toBe(before + 1);
      }),
      { numRuns: 15 },
    );
  });

  it("Open311: same fields replay the service_request_id; others get 409 in the spec's error shape", async () => {
    const res = await app.request('/api/admin/api-keys', {
      method: 'POST',
      ...json({ name: '幂等测试' }, signIn(ctx, 'admin')),
    });
    const apiKey = (await res.json()).key as string;
    const open311 = (b: Body, key: string, respell = false) => {
      const f = siteFields(b, key, respell);
      const fields: Record<string, string> = {
        api_key: apiKey,
        service_code: f.category!,
        lat: f.lat!,
        long: f.lng!,
        description: f.description!,
        idempotency_key: key,
      };
      if (f.address) fields.address_string = f.address;
      if (b.contact) Object.assign(fields, { first_name: f.name!, phone: f.phone! });
      return app.request('/api/open311/v2/requests.json', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    };
    await fc.assert(
      fc.asyncProperty(body, retry, async (first, second) => {
        const key = newKey();
        const a = await open311(first, key);
        expect(a.status).toBe(201);
        const [answer] = await a.json();
        const before = filed();
        const other = second.kind === 'other' ? second.body : first;
        const b = await open311(other, key, second.kind === 'respelled');
        const text = await b.text();
        if (sameReport(first, other)) {
          expect(b.status, text).toBe(201);
          expect(JSON.parse(text)[0].service_request_id).toBe(answer.service_request_id);
        } else {
          expect(b.status, text).toBe(409);
          const [error] = JSON.parse(text);
          expect(error).toEqual({ code: 409, description: expect.stringMatching(/该提交编号已用于另一份举报/) });
          expect(text).not.toContain(answer.service_request_id);
          const code = /查询码 ([0-9A-Z]{5})-([0-9A-Z]{5})/.exec(answer.service_notice)!;
          expectNothingOf(text, code[1]! + code[2]!, first);
        }
        expect(filed()).toBe(before);
      }),
      { numRuns: 25 },
    );
  });

  it('the site and Open311 share one key space: another body through the other door is refused too', async () => {
    const res = await app.request('/api/admin/api-keys', {
      method: 'POST',
      ...json({ name: '两门测试' }, signIn(ctx, 'admin')),
    });
    const apiKey = (await res.json()).key as string;
    const key = newKey();
    const site = await app.request('/api/complaints', {
      method: 'POST',
      body: form(
        siteFields(
          {
            category: 'air',
            lat: ZHULIN.lat,
            lng: ZHULIN.lng,
            description: '村口塑料作坊夜里冒黑烟气味刺鼻',
            address: null,
            contact: null,
          },
          key,
        ),
      ),
    });
    expect(site.status).toBe(201);
    const { trackingCode } = await site.json();
    const other = await app.request('/api/open311/v2/requests.json', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        api_key: apiKey,
        service_code: 'water',
        lat: String(ZHULIN.lat),
        long: String(ZHULIN.lng),
        description: '另一份举报：河道发臭，有人偷排废水',
        idempotency_key: key,
      }).toString(),
    });
    expect(other.status).toBe(409);
    expect(await other.text()).not.toContain(trackingCode);
  });
  it('hashes the largest photos a report may carry without holding the event loop past the limit', async () => {
    const server = await listen(ctx);
    try {
      const fields = complaintFieldsSchema().parse(validFields({ idempotencyKey: newKey() }));
      const photos = Array.from({ length: ctx.env.MAX_PHOTOS }, (_, i) => Buffer.alloc(ctx.env.MAX_PHOTO_BYTES, i));
      // warm: the first polls' own start-up is not the hash's
      await duringWork(server.base, () => filingFingerprint(fields, photos.slice(0, 1)));
      const { result, blockedMs, healthPolls } = await duringWork(server.base, () => filingFingerprint(fields, photos));
      expect(result).toMatch(/^[0-9a-f]{64}$/);
      expect(
        await filingFingerprint(
          fields,
          photos.map((p, i) => (i === 5 ? Buffer.concat([p.subarray(1), Buffer.from([0xff])]) : p)),
        ),
      ).not.toBe(result);
      expect(healthPolls).toBeGreaterThan(0);
      expect(blockedMs).toBeLessThan(STALL_LIMIT_MS);
    } finally {
      await server.close();
    }
  });
});
