import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { townships } from '../../db/schema.ts';
import { assessmentRecords, bj } from '../helpers/assessment-records.ts';
import { freshContext } from '../helpers/context.ts';
import { hasValidator, htmlErrors } from '../helpers/html-validator.ts';
import { signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// December 2027 under way; 石桥镇's item was answered on time, 青溪镇's is overdue.
const { ctx } = await freshContext({}, { now: () => bj('2027-12-20 10:00').getTime() });
const r = assessmentRecords(ctx);
const late = r.item('qingxi-zhulin', { ackDue: '2027-12-03 23:59', answerDue: '2027-12-10 23:59', status: 'pending' });
r.item('shiqiao-dongcun', {
  ackDue: '2027-12-03 23:59',
  acked: '2027-12-02 09:00',
  answerDue: '2027-12-10 23:59',
  answered: '2027-12-09 09:00',
  status: 'approved',
});
const qingxi = ctx.db.select().from(townships).where(eq(townships.code, 'qingxi')).get()!;

let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 300_000);
afterAll(() => site?.close());
const page = async (path: string, who: string, status = 200) => {
  const res = await fetch(`${site.base}${path}`, { headers: { cookie: signIn(ctx, who) }, redirect: 'manual' });
  expect(res.status, path).toBe(status);
  return res.text();
};
const shown: Record<string, string> = {};

describe('the assessment pages', () => {
  it('rank the townships for the county leader, in the ranking table the browser test reads', async () => {
    const html = (shown.ranking = await page('/admin/assessment', 'xianzhang'));
    const units = [...html.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1]);
    expect(units).toEqual(['shiqiao-zhen', 'qingxi', 'chengdong']);
    expect(html).toMatch(/<table[^>]*data-ranking/);
    expect(html).toContain('2027年12月');
  });

  it('show how 青溪镇’s score was made, down to the overdue work item', async () => {
    const html = (shown.detail = await page(`/admin/assessment/township/${qingxi.id}?period=2027-12`, 'xianzhang'));
    expect(html).toContain(`/admin/assignments/${late}`);
    expect(html).toContain('到期未反馈');
    await page(`/admin/assessment/township/${qingxi.id}`, 'shiqiao-lingdao', 404);
    await page('/admin/assessment/nowhere/1', 'xianzhang', 404);
  });

  it('give a township leader his villages and only his place among the townships', async () => {
    const html = await page('/admin/assessment?level=township', 'shiqiao-lingdao');
    expect([...html.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual(['shiqiao-zhen']);
    expect(html).toContain('排第 1 名');
    expect(html).not.toContain('青溪镇');
    expect(await page('/admin/assessment?period=2027-13', 'lingdao')).toContain('考核期格式应为');
  });

  it('print the 通报 naming the lowest-ranked, list the indicators, and show the dashboard', async () => {
    shown.notice = await page('/admin/assessment/notice?level=township', 'xianzhang');
    expect(shown.notice).toContain('青溪镇排名末位');
    shown.indicators = await page('/admin/assessment/indicators', 'admin');
    expect(shown.indicators).toContain('data-method="PUT"');
    shown.dashboard = await page('/admin/dashboard', 'xianzhang');
    expect(shown.dashboard).toContain('各镇（街道）超期未办结的举报');
    expect(shown.dashboard).toContain('<svg');
    shown.township = await page('/admin/dashboard', 'lingdao');
    expect(shown.township).toContain('青溪镇各村（社区）');
    expect(shown.township).not.toContain('石桥镇各村');
    await page('/admin/dashboard', 'shengtai', 403);
  });

  it.skipIf(!hasValidator)('are valid HTML (Nu Html Checker)', () => {
    expect(Object.keys(shown).length).toBeGreaterThan(5);
    expect(htmlErrors(shown)).toEqual([]);
  });
});
