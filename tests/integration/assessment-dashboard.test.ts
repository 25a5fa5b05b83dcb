import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { countyDashboard } from '../../api/domain/assessment/dashboard.ts';
import { complaints, townships } from '../../db/schema.ts';
import { assessmentRecords, bj } from '../helpers/assessment-records.ts';
import { freshContext } from '../helpers/context.ts';

const clock = { now: bj('2027-06-20 10:00').getTime() };
const { ctx } = await freshContext({}, { now: () => clock.now });
const now = () => new Date(clock.now);
const r = assessmentRecords(ctx);
const user = (name: string) => staffByUsername(ctx.db, name)!;
const id = (code: string) => ctx.db.select().from(townships).where(eq(townships.code, code)).get()!.id;
const setDue = (complaintId: number, due: string, status: 'assigned' | 'resolved' = 'assigned') =>
  ctx.db
    .update(complaints)
    .set({ dueAt: bj(due), status })
    .where(eq(complaints.id, complaintId))
    .run();

// May: two in 青溪镇 (one finished, one overdue), one in 石桥镇 overdue since April's filing. June: one in 石桥镇, open.
const done = r.complaint('qingxi-zhulin', bj('2027-05-03 10:00'));
setDue(done, '2027-05-18 10:00', 'resolved');
const lateQ = r.complaint('qingxi-xikou', bj('2027-05-04 10:00'));
setDue(lateQ, '2027-05-19 10:00');
const lateS = r.complaint('shiqiao-dongcun', bj('2027-04-10 10:00'));
setDue(lateS, '2027-04-25 10:00');
r.complaint('shiqiao-dongcun', bj('2027-06-05 10:00'));

describe("the leader's dashboard", () => {
  it('gives the county its months, townships and longest-overdue first', () => {
    const d = countyDashboard(ctx.db, user('xianzhang'), now());
    expect(d.months.map((m) => m.month).slice(-3)).toEqual(['2027-04', '2027-05', '2027-06']);
    const [april, may, june] = d.months.slice(-3);
    expect(may).toMatchObject({ received: 2, done: 1, overdue: 1 });
    expect(april).toMatchObject({ received: 1, done: 0, overdue: 1 });
    expect(june).toMatchObject({ received: 1, done: 0, overdue: 0 });
    const qingxi = d.townships.find((t) => t.code === 'qingxi')!;
    const shiqiao = d.townships.find((t) => t.code === 'shiqiao-zhen')!;
    expect(qingxi).toMatchObject({ received: 2, done: 1, open: 1, overdue: 1 });
    expect(shiqiao).toMatchObject({ received: 2, open: 2, overdue: 1 });
    expect(d.overdue.total).toBe(2);
    expect(d.overdue.rows.map((x) => x.id)).toEqual([lateS, lateQ]);
    expect(d.villages).toEqual([]);
    expect(d.ranking?.level).toBe('township');
  });

  it('gives a township leader his own township and villages only', () => {
    const d = countyDashboard(ctx.db, user('lingdao'), now(), { townshipId: id('shiqiao-zhen') });
    expect(d.township?.id).toBe(id('qingxi'));
    expect(d.townships.map((t) => t.code)).toEqual(['qingxi']);
    expect(d.months.at(-2)).toMatchObject({ received: 2, overdue: 1 });
    expect(d.overdue.rows.map((x) => x.id)).toEqual([lateQ]);
    expect(d.villages.find((v) => v.code === 'qingxi-xikou')).toMatchObject({ received: 1, overdue: 1 });
    expect(d.villages.every((v) => v.code.startsWith('qingxi-'))).toBe(true);
    expect(d.ranking?.level).toBe('village');
  });

  it('moves the county ranking when a work item goes overdue', () => {
    r.item('qingxi-zhulin', {
      ackDue: '2027-06-02 23:59',
      acked: '2027-06-02 09:00',
      answerDue: '2027-06-22 23:59',
      status: 'checking',
    });
    r.item('shiqiao-dongcun', {
      ackDue: '2027-06-03 23:59',
      acked: '2027-06-04 09:00',
      answerDue: '2027-06-10 23:59',
      answered: '2027-06-09 09:00',
      status: 'approved',
    });
    const order = () => countyDashboard(ctx.db, user('xianzhang'), now()).ranking!.units.map((u) => u.code);
    expect(order().slice(0, 2)).toEqual(['qingxi', 'shiqiao-zhen']);
    clock.now = bj('2027-06-23 10:00').getTime();
    expect(order().slice(0, 2)).toEqual(['shiqiao-zhen', 'qingxi']);
  });
});
