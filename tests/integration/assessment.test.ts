import { and, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { unitBreakdown } from '../../api/domain/assessment/breakdown.ts';
import { parsePeriod } from '../../api/domain/assessment/periods.ts';
import { scorecards, type UnitCard } from '../../api/domain/assessment/scorecards.ts';
import { auditLog, townships } from '../../db/schema.ts';
import { assessmentIndicators } from '../../db/schema-county.ts';
import { assessmentRecords, bj } from '../helpers/assessment-records.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';

// January 2027, read on 10 February: every deadline of the month has passed.
const clock = { now: bj('2027-02-10 10:00').getTime() };
const { ctx, app } = await freshContext({}, { now: () => clock.now });
const now = () => new Date(clock.now);
const january = parsePeriod('2027-01')!;
const r = assessmentRecords(ctx);
const township = (code: string) => ctx.db.select().from(townships).where(eq(townships.code, code)).get()!;
const qingxi = township('qingxi'),
  shiqiao = township('shiqiao-zhen');

// 青溪镇's 竹林村: four items judged on 反馈, three on 签收 (hand-computed below).
const onTime = r.item('qingxi-zhulin', {
  ackDue: '2027-01-05 23:59',
  acked: '2027-01-04 09:00',
  answerDue: '2027-01-10 23:59',
  answered: '2027-01-09 09:00',
  status: 'approved',
});
const late = r.item('qingxi-zhulin', {
  ackDue: '2027-01-12 23:59',
  acked: '2027-01-13 09:00',
  answerDue: '2027-01-20 23:59',
  answered: '2027-01-25 09:00',
  status: 'approved',
});
const never = r.item('qingxi-zhulin', { ackDue: '2027-01-15 23:59', answerDue: '2027-01-25 23:59', status: 'pending' });
// Re-assigned before its deadlines: judged on neither.
r.item('qingxi-zhulin', {
  ackDue: '2027-01-20 23:59',
  answerDue: '2027-01-28 23:59',
  status: 'withdrawn',
  updated: '2027-01-18 10:00',
});
// Signed in December, answered on time in January: judged on 反馈 only.
r.item('qingxi-zhulin', {
  ackDue: '2026-12-30 23:59',
  acked: '2026-12-30 10:00',
  answerDue: '2027-01-08 23:59',
  answered: '2027-01-07 09:00',
  status: 'approved',
});
r.urge(never, '2027-01-20 10:00');
r.urge(late, '2026-12-20 10:00'); // another month
r.revisit('qingxi-zhulin', 'relapsed', '2027-01-15 10:00');
r.revisit('qingxi-zhulin', 'fine', '2027-01-16 10:00');
const reopened = r.complaint('qingxi-zhulin', bj('2026-12-01 10:00'), 'resolved');
r.reopen(reopened, '2027-01-10 10:00');
r.reopen(r.complaint('qingxi-zhulin', bj('2026-12-02 10:00')), '2027-01-11 10:00', 'rejected'); // a correction
r.rate(reopened, 'satisfied', '2027-01-05 10:00');
r.rate(onTime, 'basically', '2027-01-12 10:00');
r.rate(late, 'unsatisfied', '2027-01-26 10:00');
r.rate(late, 'unsatisfied', '2027-02-02 10:00'); // February
// 石桥镇's 东村: one item, all on time. 城东街道: nothing.
r.item('shiqiao-dongcun', {
  ackDue: '2027-01-07 23:59',
  acked: '2027-01-06 09:00',
  answerDue: '2027-01-14 23:59',
  answered: '2027-01-13 09:00',
  status: 'answered',
});
// The county's 生态环境 on a 竹林村 complaint: signed on time, answered two days late.
r.item('qingxi-zhulin', {
  departmentCode: 'eco',
  ackDue: '2027-01-06 23:59',
  acked: '2027-01-06 08:00',
  answerDue: '2027-01-10 23:59',
  answered: '2027-01-12 09:00',
  status: 'approved',
});

const user = (name: string) => staffByUsername(ctx.db, name)!;
const cards = (name: string, level: 'township' | 'village' | 'department', period = january) => {
  const c = scorecards(ctx.db, user(name), { level, period }, now());
  if (!c.ok) throw new Error(c.message);
  return c;
};
const score = (card: UnitCard, measure: string) => card.indicators.find((i) => i.measure === measure)!;

describe('scorecards computed from the records', () => {
  it('scores and ranks the townships as worked out by hand', () => {
    const c = cards('xianzhang', 'township');
    expect(c.units.map((u) => [u.code, u.rank])).toEqual([
      ['shiqiao-zhen', 1],
      ['qingxi', 2],
      ['chengdong', null],
    ]);
    const q = c.units[1]!;
    expect(score(q, 'ack_on_time').tally).toEqual({ base: 3, hits: 1 });
    expect(score(q, 'answer_on_time').tally).toEqual({ base: 4, hits: 2 });
    expect(score(q, 'overdue').value).toBe(2);
    expect(score(q, 'urged').value).toBe(1);
    expect(score(q, 'relapse').tally).toEqual({ base: 2, hits: 1 });
    expect(score(q, 'reopened').value).toBe(1);
    expect(score(q, 'satisfaction').tally).toEqual({ base: 3, hits: 2 });
    // (15×33.33 + 25×50 + 15×(100−5×2) + 10×(100−5) + 10×(100−10) + 10×(100−10) + 15×66.67) ÷ 100
    expect(q.total).toBeCloseTo(68.5, 6);
    // 石桥镇: no 回头看 and no rating, so those two are left out: 100 over the other five.
    const s = c.units[0]!;
    expect([score(s, 'relapse').score, score(s, 'satisfaction').score]).toEqual([null, null]);
    expect(s.total).toBe(100);
    expect(c.units[2]!.total).toBeNull();
  });

  it('scores a village with its own penalties, and a department on its own items', () => {
    const zhulin = cards('admin', 'village').units.find((u) => u.code === 'qingxi-zhulin')!;
    // 500 + 1250 + 15×80 + 10×90 + 10×80 + 10×80 + 1000, over 100
    expect(zhulin.total).toBeCloseTo(64.5, 6);
    const eco = cards('admin', 'department').units.find((u) => u.code === 'eco')!;
    expect(score(eco, 'answer_on_time').tally).toEqual({ base: 1, hits: 0 });
    // 20×100 + 30×0 + 20×(100−10) + 15×100 + 15×100, over 100 (relapse and satisfaction are off for departments)
    expect(eco.total).toBeCloseTo(68, 6);
    expect(eco.rank).toBe(1);
  });

  it('judges nothing before its deadline: an item due later this month is not yet late', () => {
    clock.now = bj('2027-01-14 10:00').getTime();
    try {
      const b = unitBreakdown(ctx.db, user('xianzhang'), { level: 'township', id: qingxi.id, period: january }, now());
      if (!b.ok) throw new Error(b.message);
      // Due to be signed on the 15th and answered on the 25th, untouched on the 14th: judged on neither yet.
      for (const m of ['ack_on_time', 'answer_on_time', 'overdue'] as const)
        expect(b.records[m]!.map((x) => x.id)).not.toContain(never);
      expect(b.records.ack_on_time!.map((x) => x.id).sort()).toEqual([onTime, late].sort());
    } finally {
      clock.now = bj('2027-02-10 10:00').getTime();
    }
  });

  it('reads a quarter as its three months', () => {
    const q = cards('xianzhang', 'township', parsePeriod('2027-Q1')!).units.find((u) => u.code === 'qingxi')!;
    expect(score(q, 'satisfaction').tally).toEqual({ base: 4, hits: 2 });
    expect(parsePeriod('2026-Q4')!.label).toBe('2026年第四季度');
    expect(parsePeriod('2026-13')).toBeNull();
  });
});

describe('who sees which scorecards', () => {
  it('gives a township leader his own card and his place only, and his own villages', () => {
    const own = cards('shiqiao-lingdao', 'township');
    expect(own.units.map((u) => u.code)).toEqual(['shiqiao-zhen']);
    expect(own.place).toEqual({ rank: 1, of: 2 });
    const villages = cards('lingdao', 'village').units;
    expect(villages.length).toBeGreaterThan(0);
    expect(villages.every((v) => v.townshipId === qingxi.id)).toBe(true);
  });

  it('never shows a township another township’s records, nor a department another’s card', () => {
    const dongcun = r.village('shiqiao-dongcun');
    const other = unitBreakdown(ctx.db, user('lingdao'), { level: 'village', id: dongcun.id, period: january }, now());
    expect(other).toMatchObject({ ok: false, status: 404 });
    const town = unitBreakdown(ctx.db, user('lingdao'), { level: 'township', id: shiqiao.id, period: january }, now());
    expect(town).toMatchObject({ ok: false, status: 404 });
    const mine = unitBreakdown(ctx.db, user('lingdao'), { level: 'township', id: qingxi.id, period: january }, now());
    if (!mine.ok) throw new Error(mine.message);
    expect(mine.place).toEqual({ rank: 2, of: 2 });
    expect(mine.records.overdue!.map((x) => x.id).sort()).toEqual([late, never].sort());
    expect(mine.records.ack_on_time!.find((x) => x.id === onTime)!.counts).toBe(true);
    expect(scorecards(ctx.db, user('shengtai'), { level: 'township', period: january }, now())).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(cards('shengtai', 'department').units.map((u) => u.code)).toEqual(['eco']);
    expect(scorecards(ctx.db, user('zhulin'), { level: 'village', period: january }, now()).ok).toBe(false);
  });
});

describe('the indicators as data', () => {
  const satisfaction = () =>
    ctx.db
      .select()
      .from(assessmentIndicators)
      .where(and(eq(assessmentIndicators.level, 'township'), eq(assessmentIndicators.measure, 'satisfaction')))
      .get()!;
  const put = (body: unknown, who = 'admin') =>
    app.request(`/api/admin/assessment/indicators/${satisfaction().id}`, {
      method: 'PUT',
      ...json(body, signIn(ctx, who)),
    });
  const edit = { name: '群众满意率', weight: 15, penalty: 0, active: 'false', sort: 70 };

  it('refuses a bad edit in Chinese, a stale version with 409, and anyone but the admin', async () => {
    const v = satisfaction().version;
    const bad = await put({ ...edit, version: v, weight: 120 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('权重');
    expect((await put({ ...edit, version: v, name: '' })).status).toBe(400);
    expect((await put({ ...edit, version: v + 5 })).status).toBe(409);
    expect((await put({ ...edit, version: v }, 'xianzhang')).status).toBe(403);
    expect(satisfaction().active).toBe(true);
  });

  it('takes the admin’s edit into every score read after it, audited', async () => {
    const res = await put({ ...edit, version: satisfaction().version });
    expect(res.status).toBe(200);
    const q = cards('xianzhang', 'township').units.find((u) => u.code === 'qingxi')!;
    expect(q.total).toBeCloseTo((6850 - 1000) / 85, 6);
    const row = ctx.db.select().from(auditLog).where(eq(auditLog.action, 'assessment_indicator.update')).get()!;
    expect(row.details).toMatchObject({ before: { active: true }, after: { active: false } });
    await put({ ...edit, active: 'true', version: satisfaction().version });
  });
});

describe('the 通报', () => {
  it('exports the ranking as .xlsx naming the lowest-ranked, audited', async () => {
    const res = await app.request('/api/admin/assessment/notice.xlsx?level=township&period=2027-01', {
      headers: { cookie: signIn(ctx, 'xianzhang') },
    });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const sheet = wb.getWorksheet('考核排名')!;
    expect(String(sheet.getCell(1, 1).value)).toContain('2027年1月');
    expect(String(sheet.getCell(2, 1).value)).toContain('青溪镇排名末位（68.5 分），予以通报批评');
    const names = [5, 6, 7].map((row) => sheet.getCell(row, 2).value);
    expect(names).toEqual(['石桥镇', '青溪镇', '城东街道']);
    expect(sheet.getCell(6, 1).value).toBe(2);
    expect(wb.getWorksheet('计分办法')!.rowCount).toBeGreaterThan(8);
    const logged = ctx.db.select().from(auditLog).where(eq(auditLog.action, 'assessment.notice_export')).all();
    expect(logged.at(-1)!.details).toMatchObject({ level: 'township', period: '2027-01', lowest: ['青溪镇'] });
  });

  it('is not for an account that sees only its own card, and a bad period is a Chinese 400', async () => {
    const own = await app.request('/api/admin/assessment/notice.xlsx?level=township&period=2027-01', {
      headers: { cookie: signIn(ctx, 'shiqiao-lingdao') },
    });
    expect(own.status).toBe(403);
    const bad = await app.request('/api/admin/assessment/notice.xlsx?period=2027-13', {
      headers: { cookie: signIn(ctx, 'xianzhang') },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('考核期');
  });
});
