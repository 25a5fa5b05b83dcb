import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { villages } from '../../db/schema.ts';
import { campaigns, campaignTargets } from '../../db/schema-county.ts';
import { secondTownship } from '../helpers/county-fixture.ts';
import { bj, enforcementRows } from '../helpers/enforcement-rows.ts';
import { freshContext } from '../helpers/context.ts';
import { signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// The county's tables compiled by 镇街 across 青溪镇 and a township only this test fills (测试镇), and each township's
// part on its own: a township account never gets another township's rows, in a page or an .xlsx.
const now = bj('2026-05-20T10:00:00');
const { ctx, app } = await freshContext({}, { now: () => now.getTime() });
const db = ctx.db;
const { first, second: tt, village: vt, triage } = secondTownship(ctx, 'cetest-zhen', '测试镇');
const v1 = db.select().from(villages).where(eq(villages.townshipId, first.id)).get()!;
const T1 = { townshipId: first.id, villageId: v1.id };
const TT = { townshipId: tt.id, villageId: vt.id };
const { ent, task } = enforcementRows(ctx);
const names = (ids: number[]) => ids.map((id) => `目标测试作坊${id}`);

// 测试镇, hand-counted for 1–15 May: three files on the list (one each listed, in progress, done), one accepted, one
// late; a fourth listed on 18 May.
ent(TT, { created: '2026-04-01T09:00:00' });
const a2 = ent(TT, { status: 'in_progress', created: '2026-04-02T09:00:00' });
task(a2, vt.id, 'shutdown', 'open', { due: '2026-05-10T23:59:59' });
const a3 = ent(TT, { status: 'done', created: '2026-04-03T09:00:00' });
task(a3, vt.id, 'rectify', 'accepted', { accepted: '2026-05-12T09:00:00' });
ent(TT, { created: '2026-05-18T09:00:00' });
// 青溪镇: one shutdown file of this test's own.
const b1 = ent(T1, { status: 'in_progress', created: '2026-04-05T09:00:00' });
task(b1, v1.id, 'shutdown', 'open', { due: '2026-06-30T23:59:59' });
// The seq of enforcementRows names each file 目标测试作坊<n> in order of creation.
const [ttNames, t1Names] = [names([1, 2, 3, 4]), names([5])];
const campaignId = db
  .insert(campaigns)
  .values({ name: '2026年整治行动', startsOn: '2026-03-01', dueOn: '2026-12-31', createdAt: now, updatedAt: now })
  .returning()
  .get().id;
for (const [townshipId, target] of [
  [null, 300],
  [tt.id, 10],
] as const)
  db.insert(campaignTargets).values({ campaignId, metric: 'remediated', townshipId, target, updatedAt: now }).run();

const get = (path: string, user: string) => app.request(path, { headers: { cookie: signIn(ctx, user) } });
async function sheet(path: string, user: string) {
  const res = await get(path, user);
  expect(res.status).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  const ws = wb.worksheets[0]!;
  const rows: unknown[][] = [];
  ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return { ws, rows, text: JSON.stringify(rows) };
}
const rowOf = (rows: unknown[][], ...start: unknown[]) =>
  rows.find((r) => start.every((v, i) => r[i] === v)) ?? expect.fail(`no row ${start.join(' ')}`);
const HALF = 'from=2026-05-01&to=2026-05-15';

describe('the progress summary compiled by 镇街', () => {
  it('gives the county each township’s villages, a subtotal after each and the county’s total', async () => {
    const { ws, rows } = await sheet(`/api/admin/tables/progress.xlsx?${HALF}`, 'admin');
    expect(ws.getCell(3, 1).value).toBe('镇（街道）');
    // 测试镇: 企业数 3, 已完成 1, 整治中 1, 待整治 1, 完成率 1/3 … 新列入 0, 验收销号 1, 逾期 1
    const sub = rowOf(rows, '测试镇', '小计');
    expect(sub.slice(2, 7)).toEqual([3, 1, 1, 1, 1 / 3]);
    expect(sub.slice(20, 23)).toEqual([0, 1, 1]);
    expect(ws.getRow(rows.indexOf(sub) + 1).getCell(1).font?.bold).toBe(true);
    const subs = rows.filter((r) => r[1] === '小计');
    const total = rowOf(rows, '全县', '合计');
    expect(total[2]).toBe(subs.reduce((a, r) => a + (r[2] as number), 0));
    expect(subs.map((r) => r[0])).toContain('青溪镇');
  });

  it('gives one township’s part on its own: picked by the county, or a township account’s only', async () => {
    const picked = await sheet(`/api/admin/tables/progress.xlsx?${HALF}&township=${tt.id}`, 'admin');
    expect(picked.ws.getCell(1, 1).value).toBe('测试镇“散乱污”企业（作坊）整治进度汇总表（按村、整治类型）');
    expect(picked.rows.at(-1)!.slice(0, 5)).toEqual(['合计', 3, 1, 1, 1]);
    expect(picked.text).not.toContain('青溪镇');
    const own = await sheet(`/api/admin/tables/progress.xlsx?${HALF}&township=${first.id}`, triage);
    expect(own.text).not.toContain('青溪镇');
    expect(own.rows.at(-1)![1]).toBe(3);
    const other = await sheet(`/api/admin/tables/progress.xlsx?${HALF}&township=${tt.id}`, 'shouli');
    expect(other.text).not.toContain('测试镇');
    const json = await (await get(`/api/admin/tables/progress?${HALF}`, triage)).json();
    expect(json.sections.map((s: { township: string }) => s.township)).toEqual(['测试镇']);
    expect((await get(`/api/admin/tables/progress.xlsx?township=99999`, 'admin')).status).toBe(404);
    const bad = await get('/api/admin/tables/progress.xlsx?township=abc', 'admin');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('镇（街道）');
  });
});

describe('the shutdown registers and the dynamic list by 镇街', () => {
  it('compiles the register by township with a subtotal each; a township account’s holds its own only', async () => {
    const county = await sheet('/api/admin/tables/shutdown-register.xlsx?which=register', 'admin');
    expect(rowOf(county.rows, '测试镇小计')[1]).toBe('1 家');
    expect(county.text).toContain(ttNames[1]);
    expect(county.text).toContain(t1Names[0]);
    const own = await sheet('/api/admin/tables/shutdown-register.xlsx?which=tasks', triage);
    expect(own.rows.slice(3).map((r) => r[1])).toEqual([ttNames[1]]);
    expect(own.text).not.toContain('小计');
    const other = await sheet(`/api/admin/tables/shutdown-register.xlsx?which=register&township=${tt.id}`, 'shouli');
    for (const n of ttNames) expect(other.text).not.toContain(n);
  });

  it('compiles seed 002’s fifteen-column list by township', async () => {
    const county = await sheet('/api/admin/tables/dynamic-list.xlsx', 'admin');
    expect(county.rows[2]).toHaveLength(15);
    const sub = rowOf(county.rows, '', '测试镇小计');
    expect(sub[13]).toBe('共 4 家，已完成整治 1，整治中 1，待整治 2');
    const own = await sheet('/api/admin/tables/dynamic-list.xlsx', triage);
    expect(own.rows.slice(3, 7).map((r) => r[1])).toEqual(ttNames);
    expect(own.text).not.toContain(t1Names[0]);
    expect(own.text).not.toContain('青溪镇');
  });
});

describe('the monthly results per township and for the county', () => {
  it('puts each township’s month beside its campaign target, and the county’s row last', async () => {
    const { rows, ws } = await sheet('/api/admin/tables/monthly.xlsx?month=2026-05', 'admin');
    expect(String(ws.getCell(2, 1).value)).toContain('时间进度');
    // 测试镇 in May: 4 files (1 done, 1 in progress, 2 listed), 1 new, 1 accepted, 1 late; 1 of its 10 remediated.
    expect(rowOf(rows, '测试镇').slice(0, 14)).toEqual(['测试镇', 4, 1, 1, 2, 0.25, 1, 1, 1, 0, 0, 10, 1, 0.1]);
    const county = rowOf(rows, '全县');
    expect(county.slice(11, 13)).toEqual([300, county[12]]);
    const own = await (await get('/api/admin/tables/monthly?month=2026-05', triage)).json();
    expect(own.rows.map((r: { township: string }) => r.township)).toEqual(['测试镇']);
    expect(own.total).toBeNull();
    const bad = await get('/api/admin/tables/monthly?month=2026-13', 'admin');
    expect((await bad.json()).error.message).toBe('月份格式应为“年-月”，如 2026-11');
  });
});

describe('the pages', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 300_000);
  afterAll(() => site?.close());
  const page = async (path: string, user: string) => {
    const res = await fetch(`${site.base}${path}`, { headers: { cookie: signIn(ctx, user) } });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('/admin/tables compiles for the county and shows a township account its own part only', async () => {
    const county = await page(`/admin/tables?${HALF}`, 'admin');
    expect(county).toContain('测试镇小计');
    expect(county).toMatch(/完成 \d+\/300（[\d.]+%），时间进度 \d+%/);
    const own = await page(`/admin/tables?${HALF}&township=${first.id}`, triage);
    expect(own).not.toContain('青溪镇');
    expect(own).not.toContain(t1Names[0]);
    expect(own).toContain('完成 1/10（10.0%），时间进度 26%');
  });

  it('/admin/tables/monthly and /admin/targets show progress against the target and the time gone', async () => {
    const monthly = await page('/admin/tables/monthly?month=2026-05', triage);
    expect(monthly).not.toContain('青溪镇');
    expect(monthly).toContain('10.0%');
    const split = await page(`/admin/targets/${campaignId}`, 'admin');
    expect(split).toContain('分解合计比全县目标少 290');
    const own = await page(`/admin/targets/${campaignId}`, triage);
    expect(own).not.toContain('分解合计');
    expect(own).toContain('完成 1/10（10.0%），时间进度 26%');
    const list = await page('/admin/targets', 'shouli');
    expect(list).not.toContain('新建整治行动');
  });
});
