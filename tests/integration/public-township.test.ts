import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { monthOf } from '../../api/domain/shared/months.ts';
import { monthResults, resultMonths } from '../../api/domain/public/results.ts';
import { publicStats } from '../../api/domain/public/stats.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { complaints, townships } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

const { ctx, app } = await freshContext();
const idOf = (code: string) =>
  ctx.db.select({ id: townships.id }).from(townships).where(eq(townships.code, code)).get()!.id;
const QINGXI = idOf('qingxi'),
  SHIQIAO = idOf('shiqiao-zhen');
const office = signIn(ctx, 'xianban');
const PHONE = '13912345678';
const texts: string[] = [];

/** A report with a phone number, accepted by the county office so the public map shows it. */
async function fileAccepted(p: { lat: number; lng: number }) {
  const description = `第${texts.length + 1}号：作坊夜里偷排黄水，河面发黄`;
  texts.push(description);
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(p.lat), lng: String(p.lng), description, anonymous: '0', phone: PHONE }),
  });
  const { trackingCode } = await res.json();
  const c = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
  const accepted = await app.request(`/api/admin/complaints/${c.id}/actions`, {
    method: 'POST',
    ...json({ action: 'accept', version: c.version }, office),
  });
  expect(accepted.status).toBe(200);
  return c;
}

await fileAccepted(cellCenter(-2, 1)); // 石桥镇 北山村
await fileAccepted(cellCenter(-1, 0)); // 石桥镇 东村
await fileAccepted(cellCenter(1, 1)); // 青溪镇 竹林村
const site = await listenWithPages(ctx);
afterAll(() => site.close());
const get = (path: string) => fetch(`${site.base}${path}`);

describe('the public pages take ?township=<code>', () => {
  it('counts one township’s reports, and the county’s without the parameter', () => {
    const now = ctx.clock();
    expect(publicStats(ctx.db, now).totals.received).toBe(3);
    expect(publicStats(ctx.db, now, 12, SHIQIAO).totals.received).toBe(2);
    expect(publicStats(ctx.db, now, 12, QINGXI).totals.inHand).toBe(1);
    expect(publicStats(ctx.db, now, 12, SHIQIAO).villages.map((v) => v.name)).toContain('北山村');
    expect(publicStats(ctx.db, now, 12, SHIQIAO).villages.map((v) => v.name)).not.toContain('竹林村');
    const month = monthOf(now);
    expect(monthResults(ctx.db, month, now, SHIQIAO).complaints.received).toBe(2);
    expect(monthResults(ctx.db, month, now).complaints.received).toBe(3);
    expect(resultMonths(ctx.db, now, QINGXI)[0]).toMatchObject({ month, received: 1, decided: null });
  });

  it('maps one township’s cells in its GeoJSON; an unknown code is a 400 in Chinese', async () => {
    const county = await (await get('/api/report-map')).json();
    const shiqiao = await (await get('/api/report-map?township=shiqiao-zhen')).json();
    const count = (m: { features: { properties: { count: number } }[] }) =>
      m.features.reduce((n, f) => n + f.properties.count, 0);
    expect([count(county), count(shiqiao)]).toEqual([3, 2]);
    for (const path of ['/api/report-map?township=nowhere', '/api/case-map?township=nowhere']) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect((await res.json()).error.message).toMatch(/没有这个乡镇（街道）/);
    }
  });

  it('renders each page for a township, with its selector; old URLs unchanged; a bad code refused', async () => {
    const month = monthOf(ctx.clock());
    for (const page of ['/stats', '/cases', '/results', `/results/${month}`, '/map']) {
      const plain = await get(page);
      expect(plain.status, page).toBe(200);
      const html = await (await get(`${page}?township=shiqiao-zhen`)).text();
      expect(html, page).toContain('<h1');
      expect(html, page).toMatch(/<option value="shiqiao-zhen" selected/);
      expect(html, page).toContain('：石桥镇');
      for (const text of texts) expect(html, page).not.toContain(text);
      expect(html, page).not.toContain(PHONE);
      const bad = await get(`${page}?township=nowhere`);
      expect(bad.status, page).toBe(400);
      expect(await bad.text(), page).toContain('没有这个乡镇（街道）');
    }
    const feed = await get('/feed.xml?township=shiqiao-zhen');
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('/cases?township=shiqiao-zhen');
    expect((await get('/feed.xml?township=nowhere')).status).toBe(400);
  });
});
