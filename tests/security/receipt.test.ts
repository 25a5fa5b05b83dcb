import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptCookieOptions, RECEIPT_TTL_S, signReceipt } from '../../api/domain/complaints/receipt-cookie.ts';
import { newTrackingCode } from '../../api/domain/complaints/tracking-code.ts';
import { complaintPhotos, complaints } from '../../db/schema.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, validFields } from '../helpers/report.ts';
import { listenWithPages } from './site-server.ts';

// /report/done answered a real code with its receipt and a made-up one with a redirect, at any
// rate: an oracle for guessing codes. Now it shows a code only from the signed cookie its filing set.
const { ctx, app } = await freshContext({ TRUST_PROXY: 'true' });
let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());

let addresses = 0;
/** Each test its own client address: the lookup limit is per address. */
const fromNewAddress = () => ({ 'x-forwarded-for': `203.0.113.${++addresses}` });
const done = (headers: Record<string, string> = {}, query = '') =>
  fetch(`${site.base}/report/done${query}`, { headers, redirect: 'manual' });
const codes = () =>
  ctx.db
    .select({ code: complaints.trackingCode })
    .from(complaints)
    .all()
    .map((r) => r.code);
const printed = (code: string) => `${code.slice(0, 5)}-${code.slice(5)}`;

async function fileWithoutJs() {
  const res = await fetch(`${site.base}/report`, {
    method: 'POST',
    body: new URLSearchParams(validFields({ description: '没有脚本的手机也能举报：村口作坊夜里冒黑烟' })),
    redirect: 'manual',
    headers: fromNewAddress(),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('receipt='));
  return { res, cookie, pair: cookie?.split(';')[0] ?? '' };
}

describe('the receipt page is no oracle for tracking codes', () => {
  it('a filing without JavaScript is sent to /report/done, no code in the URL, the receipt in a cookie', async () => {
    // The cookie: short-lived, HttpOnly, SameSite=Strict, for that page only.
    const before = new Set(codes());
    const { res, cookie, pair } = await fileWithoutJs();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/report/done');
    const code = codes().find((c) => !before.has(c))!;
    expect(code).toBeDefined();
    expect(cookie).toMatch(/; Max-Age=900/);
    expect(cookie).toMatch(/; Path=\/report\/done/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(receiptCookieOptions(true)).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: 'strict',
      maxAge: RECEIPT_TTL_S,
    });

    const page = await done({ cookie: pair });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain(`id="tracking-code">${printed(code)}<`);
    expect(html).toContain('位置属于竹林村');
    expect(html).not.toContain(`code=${code}`); // no link puts it in a URL either
  });

  it('answers the same page for a real code, a made-up one, a malformed one and none, without the cookie', async () => {
    for (let i = 0; i < 3; i++)
      expect((await app.request('/api/complaints', { method: 'POST', body: reportForm() })).status).toBe(201);
    const generic = await (await done()).text();
    expect(generic).toContain('举报回执');
    const real = codes();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(...real),
          fc.constantFrom(...real).map(printed),
          fc.constant(newTrackingCode()),
          fc.string({ maxLength: 40 }),
        ),
        async (code) => {
          const res = await done(fromNewAddress(), `?code=${encodeURIComponent(code)}`);
          expect(res.status).toBe(200);
          expect(res.headers.get('location')).toBeNull();
          expect(await res.text()).toBe(generic);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a forged, altered or expired receipt cookie with the same generic page', async () => {
    const generic = await (await done()).text();
    const { pair } = await fileWithoutJs();
    const [code, expires, mac] = pair.slice('receipt='.length).split('.') as [string, string, string];
    const other = codes().find((c) => c !== code)!;
    const now = ctx.clock().getTime();
    const bad = [
      `${other}.${expires}.${mac}`, // another real code under this receipt's signature
      `${code}.${Number(expires) + 3_600_000}.${mac}`, // a later expiry
      `${code}.${expires}.${'A'.repeat(43)}`, // a made-up signature
      signReceipt(code, now - (RECEIPT_TTL_S + 1) * 1000), // signed, but expired
    ];
    for (const value of bad) expect(await (await done({ cookie: `receipt=${value}` })).text(), value).toBe(generic);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 120 }).filter((s) => !/[;\s,\\"]/.test(s)),
        async (value) => {
          const res = await done({ cookie: `receipt=${value}` });
          expect(res.status).toBe(200);
          expect(await res.text()).toBe(generic);
        },
      ),
      { numRuns: 40 },
    );
    // The same cookie still shows its own code: the refusals above are the signature's doing.
    expect(await (await done({ cookie: pair })).text()).toContain(printed(code));
  });

  it('limits code lookups per address: the /track page, the lookup API, photo requests with wrong codes', async () => {
    const res = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({}, [await demoPhoto({ hue: 70, width: 240, height: 180 })]),
    });
    const { trackingCode } = await res.json();
    const photoId = ctx.db
      .select({ id: complaintPhotos.id })
      .from(complaintPhotos)
      .innerJoin(complaints, eq(complaints.id, complaintPhotos.complaintId))
      .where(eq(complaints.trackingCode, trackingCode))
      .get()!.id;
    const doors = {
      page: (code: string) => `/track?code=${code}`,
      api: (code: string) => `/api/complaints/${code}`,
      photo: (code: string) => `/api/complaints/${code}/photos/${photoId}/thumb`,
    };
    for (const [door, path] of Object.entries(doors)) {
      const headers = fromNewAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 125; i++)
        statuses.push((await fetch(`${site.base}${path(newTrackingCode())}`, { headers })).status);
      expect(
        statuses.slice(0, 120).every((s) => s === 404),
        door,
      ).toBe(true);
      expect(
        statuses.slice(120).every((s) => s === 429),
        door,
      ).toBe(true);
      // Past the limit a real code is refused too: the answer says nothing about which codes exist.
      if (door !== 'photo')
        expect((await fetch(`${site.base}${path(trackingCode)}`, { headers })).status, door).toBe(429);
      // The owner's own photo, fetched with the right code, is not a guess.
      else expect((await fetch(`${site.base}${path(trackingCode)}`, { headers })).status).toBe(200);
    }
  }, 60_000);
});
