import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { decide } from '../../api/http/policy.ts';
import {
  periodBounds,
  periodLabel,
  progressCells,
  progressTable,
  reportingPeriods,
  type ProgressRow,
} from '../../api/domain/enforcement/tables/progress.ts';
import { shutdownProgress, shutdownTasks } from '../../api/domain/enforcement/tables/shutdown-register.ts';
import { SHUTDOWN_ITEMS } from '../../api/domain/enforcement/task-checklists.ts';
import { departments, villages } from '../../db/schema.ts';
import {
  enterprises,
  revisits,
  taskDepartments,
  taskItems,
  tasks,
  type RemediationType,
  type RevisitOutcome,
  type TaskStatus,
} from '../../db/schema-enforcement.ts';
import { freshContext } from '../helpers/context.ts';
import { signIn } from '../helpers/staff.ts';

/** A Beijing wall-clock time. */
const bj = (s: string) => new Date(`${s}+08:00`);
let now = bj('2026-05-20T10:00:00');
const { ctx, app } = await freshContext({}, { now: () => now.getTime() });
const db = ctx.db;
const villageId = (name: string) =>
  db.select({ id: villages.id }).from(villages).where(eq(villages.name, name)).get()!.id;
const deptId = (code: string) =>
  db.select({ id: departments.id }).from(departments).where(eq(departments.code, code)).get()!.id;
const A = villageId('竹林村'),
  B = villageId('下塘村');
const townshipId = db.select({ t: villages.townshipId }).from(villages).where(eq(villages.id, A)).get()!.t;

let seq = 0;
function ent(
  village: number,
  status: 'listed' | 'in_progress' | 'done',
  type: RemediationType | null,
  createdAt: string,
) {
  seq++;
  return db
    .insert(enterprises)
    .values({
      townshipId,
      villageId: village,
      name: `测试作坊${seq}`,
      address: `工业路${seq}号`,
      phone: `1380000${String(seq).padStart(4, '0')}`,
      personInCharge: `负责人${seq}`,
      status,
      remediationType: type,
      createdAt: bj(createdAt),
      updatedAt: bj(createdAt),
    })
    .returning({ id: enterprises.id })
    .get().id;
}
function task(
  enterpriseId: number,
  village: number,
  type: RemediationType,
  status: TaskStatus,
  o: { created: string; due: string; accepted?: string; done?: number; depts?: string[] },
) {
  const id = db
    .insert(tasks)
    .values({
      enterpriseId,
      villageId: village,
      type,
      status,
      origin: 'survey',
      villageLead: `村负责人${enterpriseId}`,
      townshipLead: '镇副镇长',
      departmentLead: '部门所长',
      dueAt: bj(o.due),
      acceptedAt: o.accepted ? bj(o.accepted) : null,
      createdAt: bj(o.created),
      updatedAt: bj(o.created),
    })
    .returning({ id: tasks.id })
    .get().id;
  if (type === 'shutdown') {
    for (const [i, item] of SHUTDOWN_ITEMS.entries())
      db.insert(taskItems)
        .values({ taskId: id, seq: i + 1, ...item, doneAt: i < (o.done ?? 0) ? bj(o.created) : null })
        .run();
  }
  for (const code of o.depts ?? [])
    db.insert(taskDepartments)
      .values({ taskId: id, departmentId: deptId(code) })
      .run();
  return id;
}
function revisit(
  enterpriseId: number,
  village: number,
  status: 'scheduled' | 'done',
  outcome: RevisitOutcome | null,
  doneAt: string | null,
) {
  db.insert(revisits)
    .values({
      enterpriseId,
      villageId: village,
      status,
      outcome,
      doneAt: doneAt ? bj(doneAt) : null,
      dueAt: bj('2026-05-01T00:00:00'),
    })
    .run();
}

// 竹林村 (A)
const e1 = ent(A, 'done', 'shutdown', '2026-04-10T09:00:00');
const t1 = task(e1, A, 'shutdown', 'accepted', {
  created: '2026-04-11T09:00:00',
  due: '2026-04-30T23:59:59',
  accepted: '2026-05-12T15:00:00',
  done: 5,
});
const e2 = ent(A, 'in_progress', null, '2026-05-03T09:00:00'); // its type comes from its task
task(e2, A, 'rectify', 'open', { created: '2026-05-03T10:00:00', due: '2026-05-10T23:59:59' });
ent(A, 'listed', 'shutdown', '2026-05-05T09:00:00');
const e4 = ent(A, 'listed', 'relocate', '2026-05-17T09:00:00'); // after the first period
const e10 = ent(A, 'listed', null, '2026-04-20T09:00:00');
// cancelled: no type, never overdue
task(e10, A, 'shutdown', 'cancelled', { created: '2026-05-02T09:00:00', due: '2026-05-05T23:59:59' });
const e12 = ent(A, 'done', 'shutdown', '2026-04-01T09:00:00');
const t12 = task(e12, A, 'shutdown', 'accepted', {
  created: '2026-04-02T09:00:00',
  due: '2026-04-20T23:59:59',
  accepted: '2026-04-25T09:00:00',
  done: 5,
});
revisit(e1, A, 'done', 'fine', '2026-05-15T23:30:00');
// 下塘村 (B)
const e5 = ent(B, 'in_progress', 'relocate', '2026-04-01T09:00:00');
task(e5, B, 'relocate', 'submitted', { created: '2026-04-01T10:00:00', due: '2026-05-14T23:59:59' });
const e6 = ent(B, 'in_progress', 'shutdown', '2026-04-02T09:00:00');
const t6 = task(e6, B, 'shutdown', 'open', {
  created: '2026-04-03T09:00:00',
  due: '2026-05-31T23:59:59',
  done: 3,
  depts: ['power', 'eco'],
});
const e7 = ent(B, 'done', 'rectify', '2026-03-01T09:00:00');
task(e7, B, 'rectify', 'accepted', {
  created: '2026-03-02T09:00:00',
  due: '2026-04-30T23:59:59',
  accepted: '2026-05-01T00:00:00',
}); // the period's first instant
ent(B, 'listed', null, '2026-05-10T09:00:00');
const e9 = ent(B, 'done', 'shutdown', '2026-04-05T09:00:00');
const t9 = task(e9, B, 'shutdown', 'accepted', {
  created: '2026-04-06T09:00:00',
  due: '2026-05-10T23:59:59',
  accepted: '2026-05-18T09:00:00',
  done: 5,
}); // late at the period's end
const e11 = ent(B, 'listed', 'rectify', '2026-01-01T09:00:00');
task(e11, B, 'rectify', 'accepted', {
  created: '2026-01-02T09:00:00',
  due: '2026-01-30T23:59:59',
  accepted: '2026-02-01T09:00:00',
});
revisit(e11, B, 'done', 'relapsed', '2026-05-08T10:00:00');
revisit(e9, B, 'done', 'resumed', '2026-05-16T00:30:00'); // just after the first period
revisit(e7, B, 'scheduled', null, null);

const states = (total: number, done: number, inProgress: number, listed: number) => ({
  total,
  done,
  inProgress,
  listed,
});
const counts = (r: ProgressRow) => ({ ...r, villageId: undefined });
const FIRST_HALF = { from: '2026-05-01', to: '2026-05-15' };

describe('progress table (seed 002, every half month)', () => {
  it('counts each village by type and state, and what the period brought', () => {
    const t = progressTable(db, FIRST_HALF, now);
    expect(t.township).toBe('青溪镇');
    expect(t.rows).toHaveLength(6); // every village, even one with nothing
    const row = (id: number) => counts(t.rows.find((r) => r.villageId === id)!);
    expect(row(A)).toEqual({
      villageId: undefined,
      village: '竹林村',
      all: states(5, 2, 1, 2),
      byType: { shutdown: states(3, 2, 0, 1), rectify: states(1, 0, 1, 0), relocate: states(0, 0, 0, 0) },
      untyped: 1,
      added: 2,
      accepted: 1,
      overdue: 1,
      revisits: 1,
      findings: [0, 0, 0, 0],
    });
    expect(row(B)).toEqual({
      villageId: undefined,
      village: '下塘村',
      all: states(6, 2, 2, 2),
      byType: { shutdown: states(2, 1, 1, 0), rectify: states(2, 1, 0, 1), relocate: states(1, 0, 1, 0) },
      untyped: 1,
      added: 1,
      accepted: 1,
      overdue: 2,
      revisits: 1,
      findings: [0, 1, 0, 0],
    });
    const quiet = t.rows.find((r) => r.village === '桃源社区')!;
    expect(progressCells(quiet).slice(1)).toEqual([0, 0, 0, 0, '—', ...Array(12).fill(0), 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(counts(t.total)).toEqual({
      villageId: undefined,
      village: '合计',
      all: states(11, 4, 3, 4),
      byType: { shutdown: states(5, 3, 1, 1), rectify: states(3, 1, 1, 1), relocate: states(1, 0, 1, 0) },
      untyped: 2,
      added: 3,
      accepted: 2,
      overdue: 3,
      revisits: 2,
      findings: [0, 1, 0, 0],
    });
    expect(progressCells(t.total).slice(0, 6)).toEqual(['合计', 11, 4, 3, 4, '36.4%']);
  });

  it('in the running half-month, counts lateness as of now', () => {
    const t = progressTable(db, { from: '2026-05-16', to: '2026-05-31' }, now);
    const a = t.rows.find((r) => r.villageId === A)!,
      b = t.rows.find((r) => r.villageId === B)!;
    expect([a.all.total, a.added, a.accepted, a.overdue, a.byType.relocate.listed]).toEqual([6, 1, 0, 1, 1]);
    expect([b.all.total, b.added, b.accepted, b.overdue, b.revisits, b.findings]).toEqual([
      6,
      0,
      1,
      1,
      1,
      [1, 0, 0, 0],
    ]);
    expect(e4).toBeGreaterThan(0);
  });
});

describe('reporting periods', () => {
  const firsts = (d: Date, n = 1) => reportingPeriods(d, n).map((p) => `${p.from}~${p.to}`);
  it('splits the month after the 15th, at Beijing midnight', () => {
    expect(firsts(new Date('2026-05-15T15:59:59.999Z'))).toEqual(['2026-05-01~2026-05-15']);
    expect(firsts(new Date('2026-05-15T16:00:00.000Z'))).toEqual(['2026-05-16~2026-05-31']);
    expect(firsts(new Date('2026-04-30T15:59:59.999Z'))).toEqual(['2026-04-16~2026-04-30']);
    expect(firsts(new Date('2026-04-30T16:00:00.000Z'))).toEqual(['2026-05-01~2026-05-15']);
  });
  it('walks back across February and the new year', () => {
    expect(firsts(bj('2026-03-01T08:00:00'), 6)).toEqual([
      '2026-03-01~2026-03-15',
      '2026-02-16~2026-02-28',
      '2026-02-01~2026-02-15',
      '2026-01-16~2026-01-31',
      '2026-01-01~2026-01-15',
      '2025-12-16~2025-12-31',
    ]);
    expect(firsts(bj('2028-02-20T12:00:00'))).toEqual(['2028-02-16~2028-02-29']);
    expect(reportingPeriods(bj('2026-02-16T00:00:00'), 1)[0]!.label).toBe('2026年2月下半月（16日—28日）');
  });
  it('covers whole Beijing days and names itself', () => {
    const { start, end } = periodBounds(FIRST_HALF);
    expect([start.toISOString(), end.toISOString()]).toEqual(['2026-04-30T16:00:00.000Z', '2026-05-15T16:00:00.000Z']);
    expect(periodLabel(FIRST_HALF)).toBe('2026年5月上半月（1日—15日）');
    expect(periodLabel({ from: '2026-05-03', to: '2026-05-15' })).toBe('2026-05-03 至 2026-05-15');
  });
});

describe('shutdown registers (seed 004, 附件2 and 附件3)', () => {
  const admin = { role: 'admin' as const, townshipId: null, villageId: null, departmentId: null };
  it('lists shutdown tasks live in the period, with the checklist as 取缔情况', () => {
    const rows = shutdownTasks(db, admin, { period: FIRST_HALF }, now);
    expect(rows.map((r) => r.taskId)).toEqual([t6, t9, t1]); // 下塘村 before 竹林村; cancelled and earlier ones left out
    expect(rows.map(shutdownProgress)).toEqual([
      '已完成 3/5 项：断水、断电、清除原料；整治中',
      '断水、断电、清除原料、清除产品、清除设备已完成；2026-05-18 验收',
      '断水、断电、清除原料、清除产品、清除设备已完成；2026-05-12 验收',
    ]);
    expect(rows[0]!.departments).toBe('生态环境、供电');
    expect(shutdownTasks(db, admin, {}, now).map((r) => r.taskId)).toContain(t12);
    expect(shutdownTasks(db, admin, { status: 'cancelled' }, now)).toHaveLength(1);
  });
  it('words the other states', () => {
    const base = { acceptedAt: null, itemsTotal: 5, doneLabels: '' };
    expect(shutdownProgress({ ...base, status: 'open', itemsDone: 0 })).toBe('已完成 0/5 项；整治中');
    expect(shutdownProgress({ ...base, status: 'submitted', itemsDone: 5, doneLabels: '断水、断电' })).toBe(
      '断水、断电已完成；待验收',
    );
    expect(shutdownProgress({ ...base, status: 'open', itemsTotal: 0, itemsDone: 0 })).toBe('无检查清单；整治中');
  });
});

describe('report downloads and their guard', () => {
  const get = (path: string, user = 'shouli') => app.request(path, { headers: { cookie: signIn(ctx, user) } });
  const sheetOf = async (res: Response) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    return wb.worksheets[0]!;
  };
  const rowValues = (ws: ExcelJS.Worksheet, r: number) => (ws.getRow(r).values as unknown[]).slice(1);

  it('serves the progress table as JSON and as an .xlsx that reads back', async () => {
    const json = await (await get('/api/admin/tables/progress?from=2026-05-01&to=2026-05-15', 'lingdao')).json();
    expect(json.label).toBe('2026年5月上半月（1日—15日）');
    expect(json.total.all.total).toBe(11);
    const res = await get('/api/admin/tables/progress.xlsx?from=2026-05-01&to=2026-05-15');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('青溪镇整治进度汇总表_2026-05-01至2026-05-15.xlsx')}`,
    );
    const ws = await sheetOf(res);
    // A summary by village and type, not the half-monthly submission (the dynamic list), and says so.
    expect(ws.getCell(1, 1).value).toBe('青溪镇“散乱污”企业（作坊）整治进度汇总表（按村、整治类型）');
    expect(String(ws.getCell(2, 1).value)).toContain('2026年5月上半月');
    expect(String(ws.getCell(2, 1).value)).toContain('报送的整治工作进度表格是附件 2《动态管理整治企业清单》');
    expect([
      ws.getCell(3, 1).value,
      ws.getCell(3, 2).value,
      ws.getCell(4, 2).value,
      ws.getCell(3, 7).value,
      ws.getCell(4, 7).value,
    ]).toEqual(['村（社区）', '名单企业合计', '企业数', '关停取缔', '企业数']);
    expect(ws.getCell(3, 2).font?.bold).toBe(true);
    const zhulin = [...Array(ws.rowCount).keys()].map((i) => rowValues(ws, i + 1)).find((v) => v[0] === '竹林村')!;
    // The rate is a number shown as a percentage, so that a sheet can sum, sort and chart it.
    expect(zhulin.slice(0, 10)).toEqual(['竹林村', 5, 2, 1, 2, 0.4, 3, 2, 0, 1]);
    const rates = [...Array(ws.rowCount - 4).keys()].map((i) => ws.getCell(i + 5, 6));
    expect(rates.map((c) => [c.numFmt, c.value])).toContainEqual(['0.0%', 0.4]);
    expect(rates.every((c) => c.value === '—' || (typeof c.value === 'number' && c.numFmt === '0.0%'))).toBe(true);
    expect(rowValues(ws, ws.rowCount).slice(0, 5)).toEqual(['合计', 11, 4, 3, 4]);
    expect(ws.rowCount).toBe(4 + 6 + 1);
  });

  it('serves the register (附件3) and the task table (附件2) with the enterprise phone', async () => {
    now = bj('2026-06-03T10:00:00'); // t6 (due 31 May) is now late
    const reg = await sheetOf(
      await get('/api/admin/tables/shutdown-register.xlsx?from=2026-05-01&to=2026-05-15&which=register'),
    );
    expect(rowValues(reg, 3)).toEqual([
      '序号',
      '企业名称',
      '取缔情况',
      '村居负责人',
      '镇街负责人',
      '责任部门负责人',
      '备注',
    ]);
    expect(rowValues(reg, 4)).toEqual([
      1,
      `测试作坊${seqOf(e6)}`,
      '已完成 3/5 项：断水、断电、清除原料；整治中',
      `村负责人${e6}`,
      '镇副镇长',
      '部门所长',
      '联合部门：生态环境、供电；已逾期 3 天',
    ]);
    expect(reg.rowCount).toBe(6);
    const res = await get('/api/admin/tables/shutdown-register.xlsx?from=2026-05-01&to=2026-05-15&which=tasks');
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('关停取缔工作任务表'));
    const tbl = await sheetOf(res);
    expect(rowValues(tbl, 3)).toEqual(['序号', '企业名称', '企业位置', '联系电话', '备注']);
    const phone = db
      .select({ phone: enterprises.phone, address: enterprises.address })
      .from(enterprises)
      .where(eq(enterprises.id, e1))
      .get()!;
    expect(rowValues(tbl, 6)).toEqual([
      3,
      `测试作坊${seqOf(e1)}`,
      `竹林村 ${phone.address}`,
      phone.phone,
      `负责人：负责人${seqOf(e1)}；期限：2026-04-30；已验收`,
    ]);
    now = bj('2026-05-20T10:00:00');
  });

  it('refuses village and department officers: the tables cover every village', async () => {
    for (const path of [
      '/api/admin/tables/progress',
      '/api/admin/tables/progress.xlsx',
      '/api/admin/tables/shutdown-register.xlsx',
    ]) {
      expect((await get(path, 'zhulin')).status).toBe(403);
      expect((await get(path, 'shengtai')).status).toBe(403);
      expect((await get(path, 'lingdao')).status).toBe(200);
    }
    expect(decide('GET /admin/tables', 'village')).toBe('forbidden');
    expect(decide('GET /admin/tables', 'department')).toBe('forbidden');
    expect(decide('GET /admin/tables', 'leader')).toBe('allow');
  });

  it('answers a bad period with a 400 in Chinese', async () => {
    const cases: [string, string][] = [
      ['from=2026-13-01&to=2026-13-15', '日期不存在'],
      ['from=2026-02-30&to=2026-03-01', '日期不存在'],
      ['from=20260501&to=2026-05-15', '日期格式'],
      ['from=2026-05-16&to=2026-05-01', '开始日期不能晚于结束日期'],
      ['from=2026-05-01', '请同时填写'],
    ];
    for (const [qs, message] of cases) {
      const res = await get(`/api/admin/tables/progress?${qs}`);
      expect(res.status, qs).toBe(400);
      expect((await res.json()).error.message, qs).toContain(message);
    }
    const which = await get('/api/admin/tables/shutdown-register.xlsx?which=all');
    expect(which.status).toBe(400);
    expect((await which.json()).error.message).toContain('登记表');
  });
});

function seqOf(enterpriseId: number) {
  return db
    .select({ name: enterprises.name })
    .from(enterprises)
    .where(eq(enterprises.id, enterpriseId))
    .get()!
    .name.replace('测试作坊', '');
}
