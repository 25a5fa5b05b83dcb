import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { durationText, emptyBreakdown } from '../../api/domain/public/stats.ts';
import { stackedPartsChart } from '../../site/lib/stats-charts.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// /stats says a same-day turnaround in hours, not "0.0天", and labels the newest month's bar.
describe('durations as people say them', () => {
  it('hours under a day, days from one day on', () => {
    const of = (hours: number) => durationText({ days: hours / 24, n: 3 });
    expect(of(0)).toEqual({ value: '不到 1', unit: '小时' });
    expect(of(5)).toEqual({ value: '5', unit: '小时' });
    expect(of(2.5)).toEqual({ value: '2.5', unit: '小时' });
    expect(of(24)).toEqual({ value: '1.0', unit: '天' });
    expect(of(60)).toEqual({ value: '2.5', unit: '天' });
    expect(durationText({ days: null, n: 0 })).toBeNull();
  });
});

describe('the months chart', () => {
  const zero = { ...emptyBreakdown(), resolved: 1, inHand: 2 };
  const labels = (n: number) => {
    const rows = Array.from({ length: n }, (_, i) => ({ label: `${i + 1}月`, counts: zero }));
    return [...stackedPartsChart(rows, { horizontal: false }).matchAll(/>(\d+月)</g)].map((m) => m[1]);
  };
  it('labels the newest month, and as many before it as fit', () => {
    expect(labels(12).at(-1)).toBe('12月');
    expect(labels(12).length).toBeGreaterThanOrEqual(6);
    expect(labels(5)).toEqual(['1月', '2月', '3月', '4月', '5月']);
  });
});

const { ctx, app } = await freshContext();
describe('the /stats page', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 180_000);
  afterAll(() => site?.close());

  it('shows a report accepted within the hour as under an hour, never 0.0天', async () => {
    const res = await app.request('/api/complaints', { method: 'POST', body: reportForm() });
    const { trackingCode } = (await res.json()) as { trackingCode: string };
    const c = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
    const accepted = await app.request(`/api/admin/complaints/${c.id}/actions`, {
      method: 'POST',
      ...json({ action: 'accept', version: c.version }, signIn(ctx, 'shouli')),
    });
    expect(accepted.status).toBe(200);
    const html = await (await fetch(`${site.base}/stats`)).text();
    expect(html).toMatch(/受理用时（中位数）<\/dt>\s*<dd>\s*<span class="n">不到 1<small>小时<\/small><\/span>/);
    expect(html).not.toContain('0.0<small>天');
  });
});
