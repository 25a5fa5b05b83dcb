import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseEnv } from '../../api/env.ts';
import { securityHeaders } from '../../api/http/security-headers.ts';
import { processPhoto } from '../../api/domain/shared/photos/pipeline.ts';
import { RateLimiter } from '../../api/domain/shared/rate-limit.ts';
import {
  formatTrackingCode,
  newTrackingCode,
  normalizeTrackingCode,
} from '../../api/domain/complaints/tracking-code.ts';
import { gcj02ToWgs84, wgs84ToGcj02 } from '../../site/lib/gcj02.ts';

describe('tracking codes', () => {
  it('are ten unambiguous characters and practically never repeat', () => {
    const codes = new Set(Array.from({ length: 20_000 }, newTrackingCode));
    expect(codes.size).toBe(20_000);
    for (const c of [...codes].slice(0, 500)) expect(c).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
  });
  it('accept what a person types: lower case, dashes, look-alike letters', () => {
    expect(normalizeTrackingCode(' 7kq2m-xh9pd ')).toBe('7KQ2MXH9PD');
    expect(normalizeTrackingCode('7KQ2M-XH9PO')).toBeNull(); // O reads as 0, which codes never use
    expect(normalizeTrackingCode('short')).toBeNull();
    expect(formatTrackingCode('7KQ2MXH9PD')).toBe('7KQ2M-XH9PD');
  });
});

describe('configuration', () => {
  it('has working defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 4321,
      DATA_DIR: './data',
      TILE_CRS: 'wgs84',
      MAX_PHOTOS: 6,
      CAPTCHA_DISABLED: false,
    });
  });
  it('refuses to start in production without captcha unless it is switched off on purpose', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/HCAPTCHA_SECRET/);
    const site = { PUBLIC_BASE_URL: 'https://jubao.example.gov.cn' };
    expect(parseEnv({ NODE_ENV: 'production', CAPTCHA_DISABLED: 'true', ...site }).CAPTCHA_DISABLED).toBe(true);
    expect(() => parseEnv({ NODE_ENV: 'production', HCAPTCHA_SECRET: 's' })).toThrow(/HCAPTCHA_SITEKEY/);
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });
  it('refuses to start in production without PUBLIC_BASE_URL, saying why in English and Chinese', () => {
    const message = /PUBLIC_BASE_URL: production needs PUBLIC_BASE_URL.*生产环境必须设置 PUBLIC_BASE_URL/;
    expect(() => parseEnv({ NODE_ENV: 'production', CAPTCHA_DISABLED: 'true' })).toThrow(message);
    expect(() => parseEnv({ NODE_ENV: 'production', CAPTCHA_DISABLED: 'true', PUBLIC_BASE_URL: 'jubao' })).toThrow(
      /PUBLIC_BASE_URL/,
    );
    expect(parseEnv({ NODE_ENV: 'development' }).PUBLIC_BASE_URL).toBeUndefined();
  });
  it('lets the map tiles and captcha through the CSP, nothing else', () => {
    const csp = securityHeaders(
      parseEnv({
        TILE_URL: 'https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}',
        HCAPTCHA_SECRET: 's',
        HCAPTCHA_SITEKEY: 'k',
      }),
    )['Content-Security-Policy']!;
    expect(csp).toContain("img-src 'self' data: blob: https://*.is.autonavi.com");
    expect(csp).toContain("script-src 'self' https://hcaptcha.com https://*.hcaptcha.com");
    expect(securityHeaders(parseEnv({}))['Content-Security-Policy']).toContain("frame-src 'none'");
  });
});

describe('rate limiter', () => {
  it('allows the limit per window and says when to come back', () => {
    let now = 1_000_000;
    const rl = new RateLimiter(2, 60_000, () => now);
    expect(rl.hit('a').ok).toBe(true);
    expect(rl.hit('a').ok).toBe(true);
    expect(rl.hit('b').ok).toBe(true);
    now += 15_000;
    expect(rl.hit('a')).toEqual({ ok: false, retryAfterS: 45 });
    now += 45_000;
    expect(rl.hit('a').ok).toBe(true);
  });
});

describe('GCJ-02 display conversion', () => {
  it('shifts points in China by a few hundred metres and converts back within a millimetre', () => {
    const [lat, lng] = [30.94, 119.86];
    const [gLat, gLng] = wgs84ToGcj02(lat, lng);
    const shiftM = Math.hypot((gLat - lat) * 111_000, (gLng - lng) * 111_000 * Math.cos((lat * Math.PI) / 180));
    expect(shiftM).toBeGreaterThan(100);
    expect(shiftM).toBeLessThan(1000);
    const [bLat, bLng] = gcj02ToWgs84(gLat, gLng);
    expect(Math.abs(bLat - lat) * 111_000).toBeLessThan(0.001);
    expect(Math.abs(bLng - lng) * 111_000).toBeLessThan(0.001);
    expect(wgs84ToGcj02(48.85, 2.35)).toEqual([48.85, 2.35]); // outside China: unchanged
  });
});

describe('photo pipeline', () => {
  it('applies the EXIF orientation before stripping it', async () => {
    const sideways = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#468' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await processPhoto(sideways, { maxBytes: 1e7, maxPixels: 5e7 });
    expect([out.width, out.height]).toEqual([200, 400]);
    const meta = await sharp(out.display).metadata();
    expect(meta.orientation).toBeUndefined();
    expect((await sharp(out.thumb).metadata()).width).toBeLessThanOrEqual(320);
  });
  it('shrinks large photos to the display size', async () => {
    const big = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#864' } })
      .jpeg()
      .toBuffer();
    const out = await processPhoto(big, { maxBytes: 1e7, maxPixels: 5e7 });
    expect([out.width, out.height]).toEqual([1600, 1200]);
  });
});

describe('routing', () => {
  it("keeps every API route within what Hono's fast RegExpRouter supports", async () => {
    const { RegExpRouter } = await import('hono/router/reg-exp-router');
    const { freshContext } = await import('../helpers/context.ts');
    const { app } = await freshContext();
    const router = new RegExpRouter<string>();
    for (const r of app.routes) router.add(r.method, r.path, r.path);
    // A shape it cannot compile (e.g. /x/bulk beside /x/:id/actions) throws on first match and
    // Hono silently falls back to a router measured at 0.6 of the speed.
    expect(() => router.match('GET', '/api/health')).not.toThrow();
  });
});
