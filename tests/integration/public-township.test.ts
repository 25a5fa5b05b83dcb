import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { applyAction } from '../../api/domain/complaints/actions.ts';
import type { ActionInput } from '../../api/domain/complaints/workflow.ts';
import { monthOf } from '../../api/domain/shared/months.ts';
import { monthResults, resultMonths } from '../../api/domain/public/results.ts';
import { publicStats } from '../../api/domain/public/stats.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { complaints, townships } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { recomputeRollups, sortedEntries, storedRollups } from '../helpers/public-rollups.ts';
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
    expect(resultMonths(ctx.db, now, QINGXI)[0]).toMatchObject({ month, received: 1, decided: 1 });
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

const H = 3_600_000;
const LIMITS = { finishDays: 60, extensionMaxDays: 30, ackWorkdays: 1, answerDays: 0 };

/** A report filed now through the API; returns its id and filing time. */
async function file(p: { lat: number; lng: number }) {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(p.lat), lng: String(p.lng), description: '村口作坊白天熔铝，烟很呛人' }),
  });
  const { trackingCode } = await res.json();
  const c = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
  return { id: c.id, at: c.createdAt.getTime() };
}

/** The county office acts `hours` after the report was filed. */
function act(c: { id: number; at: number }, hours: number, input: Record<string, unknown>) {
  const row = ctx.db.select().from(complaints).where(eq(complaints.id, c.id)).get()!;
  const user = staffByUsername(ctx.db, 'xianban')!;
  const body = { ...input, version: row.version } as ActionInput;
  const done = applyAction(ctx.db, user, c.id, body, LIMITS, new Date(c.at + hours * H));
  expect(done.ok, JSON.stringify(done)).toBe(true);
}

describe('a township’s medians and decisions (rollups by township, migration 0018)', () => {
  const now = () => ctx.clock();
  const hours = (days: number | null) => (days === null ? null : Math.round(days * 24 * 10) / 10);
  const medians = (t?: number) => {
    const m = publicStats(ctx.db, now(), 12, t).medians;
    return { accept: hours(m.accept.days), resolve: hours(m.resolve.days), n: [m.accept.n, m.resolve.n] };
  };
  // Decisions fall in the month they are made: summed over this month and the next (the last ones are ~2 days on).
  const decisions = (t?: number) => {
    const months = [...new Set([monthOf(now()), monthOf(new Date(now().getTime() + 3 * 24 * H))])];
    const sum = { accept: 0, reject: 0, merge: 0, resolve: 0 };
    for (const m of months) {
      const d = monthResults(ctx.db, m, now(), t).decisions;
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += d[k];
    }
    return sum;
  };
  const received = (t?: number) => publicStats(ctx.db, now(), 12, t).totals.received;
  const sameAsRecomputed = () => {
    const want = recomputeRollups(ctx.db.$client),
      have = storedRollups(ctx.db.$client);
    expect(sortedEntries(have.counts)).toEqual(sortedEntries(want.counts));
    expect(sortedEntries(have.durations)).toEqual(sortedEntries(want.durations));
    expect(sortedEntries(have.actions)).toEqual(sortedEntries(want.actions));
  };
  let q2: { id: number; at: number }, s4: { id: number; at: number };

  it('differ per township, and the county’s are both together', async () => {
    // Before: 北山村 and 东村 (石桥镇) and 竹林村 (青溪镇) each accepted within the hour (0 h).
    q2 = await file(cellCenter(1, 1));
    const q3 = await file(cellCenter(1, 1));
    const s3 = await file(cellCenter(-2, 1));
    s4 = await file(cellCenter(-1, 0));
    const s5 = await file(cellCenter(-1, 0));
    const q2Village = ctx.db.select().from(complaints).where(eq(complaints.id, q2.id)).get()!.villageId;
    act(q2, 10, { action: 'accept' });
    act(q2, 11, { action: 'assign', villageId: q2Village, departmentIds: [] });
    act(q2, 30, { action: 'resolve' });
    act(q3, 20, { action: 'accept' });
    act(s3, 6, { action: 'accept' });
    act(s4, 8, { action: 'accept' });
    act(s5, 2, { action: 'reject', reason: '不属于受理范围' });
    expect([received(QINGXI), received(SHIQIAO), received()]).toEqual([3, 5, 8]);
    // 青溪镇 accepted at 0, 10, 20 h: 10 h; resolved at 30 h. 石桥镇 at 0, 0, 6, 8 h: 3 h. County 0,0,0,6,8,10,20: 6 h.
    expect(medians(QINGXI)).toEqual({ accept: 10, resolve: 30, n: [3, 1] });
    expect(medians(SHIQIAO)).toEqual({ accept: 3, resolve: null, n: [4, 0] });
    expect(medians()).toEqual({ accept: 6, resolve: 30, n: [7, 1] });
    expect(decisions(QINGXI)).toEqual({ accept: 3, reject: 0, merge: 0, resolve: 1 });
    expect(decisions(SHIQIAO)).toEqual({ accept: 4, reject: 1, merge: 0, resolve: 0 });
    expect(decisions()).toEqual({ accept: 7, reject: 1, merge: 0, resolve: 1 });
    const month = monthResults(ctx.db, monthOf(now()), now(), SHIQIAO);
    expect(hours(month.medians.accept.days)).toBe(3);
    sameAsRecomputed();
  });

  it('move with a handover: its report, its acceptance time and its decisions go to the new township', async () => {
    act(s4, 9, { action: 'handover', toTownshipId: QINGXI, reason: '位于青溪镇辖区，移交办理' });
    expect([received(QINGXI), received(SHIQIAO), received()]).toEqual([4, 4, 8]);
    // 青溪镇 now 0, 8, 10, 20 h: 9 h; 石桥镇 0, 0, 6 h: 0 h; the county's unchanged.
    expect(medians(QINGXI)).toEqual({ accept: 9, resolve: 30, n: [4, 1] });
    expect(medians(SHIQIAO)).toEqual({ accept: 0, resolve: null, n: [3, 0] });
    expect(medians()).toEqual({ accept: 6, resolve: 30, n: [7, 1] });
    expect(decisions(QINGXI)).toEqual({ accept: 4, reject: 0, merge: 0, resolve: 1 });
    expect(decisions(SHIQIAO)).toEqual({ accept: 3, reject: 1, merge: 0, resolve: 0 });
    expect(decisions()).toEqual({ accept: 7, reject: 1, merge: 0, resolve: 1 });
    // A report resolved (30 h), reopened and handed over takes its resolution time and past decisions along.
    act(q2, 40, { action: 'reopen', reason: '群众反映仍在生产' });
    act(q2, 41, { action: 'handover', toTownshipId: SHIQIAO, reason: '位于石桥镇辖区，移交办理' });
    expect(medians(QINGXI)).toEqual({ accept: 8, resolve: null, n: [3, 0] });
    expect(medians(SHIQIAO)).toEqual({ accept: 3, resolve: 30, n: [4, 1] });
    expect(decisions(SHIQIAO)).toEqual({ accept: 4, reject: 1, merge: 0, resolve: 1 });
    expect(medians()).toEqual({ accept: 6, resolve: 30, n: [7, 1] });
    sameAsRecomputed();
  });

  it('are shown on the pages for a township, with no note that they are the county’s only', async () => {
    const stats = await (await get('/stats?township=shiqiao-zhen')).text();
    expect(stats).not.toContain('只按全县统计');
    expect(stats).toContain('用时中位数和超期件数都是石桥镇的');
    const results = await (await get(`/results/${monthOf(now())}?township=shiqiao-zhen`)).text();
    expect(results).not.toContain('只按全县统计');
    expect(results).toMatch(/受理用时中位数 0\.1 天（4 件）/);
    expect(await (await get('/results?township=shiqiao-zhen')).text()).toContain('作出受理决定');
  });
});
