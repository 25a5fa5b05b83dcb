import { afterAll, describe, expect, it } from 'vitest';
import { freshContext } from '../helpers/context.ts';
import { complaintCount, reportForm } from '../helpers/report.ts';
import { listen, rawPost } from '../helpers/server.ts';

const { ctx } = await freshContext({
  MAX_PHOTOS: '2',
  MAX_PHOTO_BYTES: String(100 * 1024),
  REPORT_RATE_LIMIT: '3',
  REPORT_RATE_WINDOW_S: '600',
});
const server = await listen(ctx);
afterAll(() => server.close());

describe('abuse at the real HTTP front', () => {
  it('refuses an oversized body declared by Content-Length with 413, before reading it', async () => {
    const res = await rawPost(
      server.port,
      '/api/complaints',
      { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(3 * 1024 * 1024) },
      [Buffer.alloc(1024)],
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toMatch(/提交内容超过 \d+ MB 上限/);
  });

  it('refuses an oversized chunked body with 413', async () => {
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 0x61));
    const res = await rawPost(
      server.port,
      '/api/complaints',
      { 'content-type': 'multipart/form-data; boundary=x', 'transfer-encoding': 'chunked' },
      chunks,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toMatch(/上限/);
  });

  it('sets the security headers on every API answer', async () => {
    for (const path of ['/api/health', '/api/complaints/ZZZZZZZZZZ', '/api/nowhere']) {
      const res = await fetch(server.base + path);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
    expect((await fetch(`${server.base}/api/nowhere`)).status).toBe(404);
  });

  it('limits submissions per address with 429 and Retry-After', async () => {
    const before = complaintCount(ctx);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${server.base}/api/complaints`, { method: 'POST', body: reportForm() });
      statuses.push(last.status);
    }
    // Earlier tests in this file spent attempts of this address's budget too.
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(3);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await last!.json()).error.message).toMatch(/提交过于频繁/);
    expect(complaintCount(ctx)).toBe(before + statuses.filter((s) => s === 201).length);
  });
});
