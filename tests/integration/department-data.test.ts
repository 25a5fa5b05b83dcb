import { and, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { creditCodeChecks } from '../../api/domain/department-data/names.ts';
import { auditLog, departments, townships, villages } from '../../db/schema.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { dataImports, enterpriseFigures, registerEntries } from '../../db/schema-watch.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';

const now = new Date('2026-03-10T02:00:00Z');
const { ctx, app } = await freshContext({}, { now: () => now.getTime() });
const db = ctx.db;
const office = signIn(ctx, 'shouli');
const admin = signIn(ctx, 'admin');
const leader = signIn(ctx, 'lingdao');
const village = signIn(ctx, 'zhulin');
const department = signIn(ctx, 'shengtai');
const market = db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'market')).get()!.id;
const [zhulin, xiatang] = ['竹林村', '下塘村'].map(
  (name) => db.select().from(villages).where(eq(villages.name, name)).get()!,
) as [typeof villages.$inferSelect, typeof villages.$inferSelect];
const townshipId = zhulin.townshipId;

/** A credit code with its GB 32100 check character. */
const code = (seventeen: string) =>
  [...'0123456789ABCDEFGHJKLMNPQRTUWXY'].map((c) => seventeen + c).find(creditCodeChecks)!;
const CODE_X = code('91330782MA28F3JX1'),
  CODE_PLASTIC = code('91330782MA28F3JX2'),
  CODE_UNKNOWN = code('91330782MA28F3JX3'),
  CODE_DEAD = code('92330782MA28F3JX4');

let seq = 0;
function file(name: string, v = zhulin, extra: Partial<typeof enterprises.$inferInsert> = {}) {
  return db
    .insert(enterprises)
    .values({ townshipId: v.townshipId, villageId: v.id, name, address: `测试路${++seq}号`, updatedAt: now, ...extra })
    .returning({ id: enterprises.id })
    .get().id;
}
const X = file('东风五金加工厂', zhulin, { creditCode: CODE_X });
const ZHANG = file('张三五金加工厂', zhulin, { landArea: 2000 });
const PLASTIC = file('某某塑料有限公司', xiatang);
const LI_1 = file('李四家具厂', zhulin);
const LI_2 = file('李四家具厂', xiatang);
const DEAD = file('王五铸造作坊', xiatang);
const Z = file('低效喷涂作坊', zhulin);
const IDLE = file('停摆纸箱作坊', xiatang, { status: 'in_progress' });
// Another township's file of the same name is never matched.
const other = db
  .insert(townships)
  .values({ code: 'other-t', name: '外镇', county: '某县', province: '浙江省' })
  .returning({ id: townships.id })
  .get().id;
const otherVillage = db
  .insert(villages)
  .values({ townshipId: other, code: 'other-v', name: '外村', boundary: zhulin.boundary })
  .returning()
  .get();
file('外镇某作坊', otherVillage);

const post = (path: string, body: string, cookie = office) =>
  app.request(`/api/admin/department-data/${path}`, { method: 'POST', headers: { cookie }, body });
const csv = (...lines: string[]) => `\uFEFF${lines.join('\r\n')}\r\n`;
const REGISTER = csv(
  '某县市场监督管理局 市场主体登记信息',
  '统一社会信用代码,企业名称,住所,登记状态',
  `${CODE_X},东风五金加工有限公司,竹林村 8 号,存续`,
  ',张三五金加工厂（个体工商户）,竹林村 3 号,在业',
  `${CODE_PLASTIC},某某塑料有限责任公司,下塘村,存续`,
  ',李四家具厂,竹林村,存续',
  `${CODE_UNKNOWN},外镇某作坊,外村,存续`,
  `${CODE_DEAD},王五铸造作坊,下塘村,"吊销，未注销"`,
);
const importRegister = (body: string, cookie = office) =>
  post(`registers?departmentId=${market}&fileName=${encodeURIComponent('市场主体.csv')}`, body, cookie);
const entry = (name: string) => db.select().from(registerEntries).where(eq(registerEntries.name, name)).get()!;
const entryCount = () => db.select({ n: sql<number>`count(*)` }).from(registerEntries).get()!.n;
const demoEntries = entryCount(); // none today; the demo may one day seed some

describe('a register matched to the files', () => {
  it('matches by credit code, else by the name in the township (有限公司/（个体）), and lists the rest', async () => {
    const res = await importRegister(REGISTER);
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.counts).toEqual({ rowsRead: 6, inserted: 6, updated: 0, unchanged: 0 });
    expect(r.unmatched).toBe(2);
    expect(entry('东风五金加工有限公司')).toMatchObject({ enterpriseId: X, matchedBy: 'credit_code', line: 3 });
    expect(entry('张三五金加工厂（个体工商户）')).toMatchObject({ enterpriseId: ZHANG, matchedBy: 'name' });
    expect(entry('某某塑料有限责任公司')).toMatchObject({ enterpriseId: PLASTIC, matchedBy: 'name' });
    expect(entry('李四家具厂').enterpriseId).toBeNull(); // two files of the name: the office decides
    expect(entry('外镇某作坊').enterpriseId).toBeNull(); // another township's file
    expect(entry('王五铸造作坊')).toMatchObject({ enterpriseId: DEAD, registerStatus: '吊销，未注销' });
    const lists = await (
      await app.request('/api/admin/department-data/registers', { headers: { cookie: leader } })
    ).json();
    expect(lists.unmatched.map((e: { name: string }) => e.name)).toEqual(['李四家具厂', '外镇某作坊']);
    expect(lists.matchedTotal).toBe(4);
  });

  it('changes nothing when the same file is imported again, and says it is the same file', async () => {
    const r = await (await importRegister(REGISTER)).json();
    expect(r.counts).toEqual({ rowsRead: 6, inserted: 0, updated: 0, unchanged: 6 });
    expect(r.sameAs).toBeGreaterThan(0);
    expect(entryCount()).toBe(demoEntries + 6);
  });

  it('refuses a file with a bad row whole, errors by line in Chinese, nothing written', async () => {
    const before = db.select().from(registerEntries).all();
    const bad = csv(
      '统一社会信用代码,名称,登记状态',
      ',新开一家作坊,存续',
      '91330782MA28F3JX10,错位代码作坊,存续',
      ',,存续',
      ',新开一家作坊,存续',
    );
    const res = await importRegister(bad);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors).toEqual([
      { line: 3, message: expect.stringContaining('统一社会信用代码“91330782MA28F3JX10”有误') },
      { line: 4, message: '名称为空' },
      { line: 5, message: '与第 2 行是同一主体（名称相同）' },
    ]);
    expect(body.error.message).toMatch(/^文件有 3 处错误，没有导入任何一行。第 3 行：/);
    expect(db.select().from(registerEntries).all()).toEqual(before);
    const failed = db.select().from(dataImports).where(eq(dataImports.id, body.importId)).get()!;
    expect(failed).toMatchObject({ status: 'failed', rowsInserted: 0 });
    expect(failed.errors).toHaveLength(3);
  });

  it('refuses a file without the register’s header', async () => {
    const res = await importRegister(csv('户号,日期', '1,2'));
    expect((await res.json()).errors).toEqual([{ line: 1, message: '前 5 行中没有找到表头：须有“名称”' }]);
  });

  it('lets the office match by hand, audited, kept through a re-import; a stale match is 409', async () => {
    const li = entry('李四家具厂');
    const match = (body: unknown, cookie = office) =>
      app.request(`/api/admin/department-data/register-entries/${li.id}/match`, {
        method: 'POST',
        ...json(body, cookie),
      });
    expect((await match({ enterpriseId: LI_2, from: null }, leader)).status).toBe(403);
    expect((await match({ enterpriseId: LI_2, from: null })).status).toBe(200);
    expect(entry('李四家具厂')).toMatchObject({ enterpriseId: LI_2, matchedBy: 'staff' });
    expect((await match({ enterpriseId: LI_1, from: null })).status).toBe(409);
    const outside = db.select().from(enterprises).where(eq(enterprises.name, '外镇某作坊')).get()!.id;
    expect((await match({ enterpriseId: outside, from: LI_2 })).status).toBe(400);
    const logged = db.select().from(auditLog).where(eq(auditLog.action, 'register_entry.match')).all();
    expect(logged[0]!.details).toMatchObject({ from: null, to: LI_2 });
    // A wrong automatic match undone: the row has no file here, and stays so through a re-import.
    const outsider = entry('外镇某作坊');
    const undo = await app.request(`/api/admin/department-data/register-entries/${outsider.id}/match`, {
      method: 'POST',
      ...json({ none: '1', from: null }, office),
    });
    expect(undo.status).toBe(200);
    const blank = await app.request(`/api/admin/department-data/register-entries/${outsider.id}/match`, {
      method: 'POST',
      ...json({}, office),
    });
    expect((await blank.json()).error.message).toBe('请填写企业档案编号');
    const again = await (await importRegister(REGISTER)).json();
    expect(again.counts.unchanged).toBe(6);
    expect(entry('李四家具厂')).toMatchObject({ enterpriseId: LI_2, matchedBy: 'staff' });
    expect(entry('外镇某作坊')).toMatchObject({ enterpriseId: null, matchedBy: 'staff' });
  });
});

const FIGURES = csv(
  '统一社会信用代码,企业名称,年度,实缴税收（万元）,销售收入（万元）,综合能耗（吨标准煤）,用地面积（亩）,从业人数',
  `${CODE_X},,2025,30,600,60,4,20`,
  ',张三五金加工厂,2025,9,360,,,',
  ',李四家具厂,2025,"80","1,500",75,5,25',
  ',低效喷涂作坊,2025,2,100,60,10,10',
  ',停摆纸箱作坊,2025,0,0,,3,2',
  ',不在档案的公司,2025,1,1,1,1,1',
);

describe('an .xlsx register, and one import at a time', () => {
  it('reads the first sheet of an .xlsx as the CSV, its rows by the spreadsheet’s numbers', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('名单');
    sheet.addRows([['应急管理局 企业名单'], [], ['企业名称', '经营状态'], ['低效喷涂作坊', '在业']]);
    const bytes = new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
    const emergency = db.select().from(departments).where(eq(departments.code, 'emergency')).get()!.id;
    const res = await app.request(`/api/admin/department-data/registers?departmentId=${emergency}&fileName=a.xlsx`, {
      method: 'POST',
      headers: { cookie: office },
      body: bytes,
    });
    expect(await res.json()).toMatchObject({ counts: { rowsRead: 1, inserted: 1 }, unmatched: 0 });
    expect(
      db
        .select()
        .from(registerEntries)
        .where(and(eq(registerEntries.departmentId, emergency), eq(registerEntries.name, '低效喷涂作坊')))
        .get(),
    ).toMatchObject({ line: 4, enterpriseId: Z, matchedBy: 'name', registerStatus: '在业' });
  });

  it('refuses a second upload of the same kind while one is running, in Chinese', async () => {
    const running = db
      .insert(dataImports)
      .values({ townshipId, kind: 'figures', fileName: 'x', sha256: 'x', bytes: 1, createdBy: 1, createdAt: now })
      .returning({ id: dataImports.id })
      .get().id;
    const res = await post('figures?year=2025&fileName=y.csv', csv('企业名称,税收', '甲,1'));
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe('已有同类文件正在导入，请等它完成后再上传');
    db.update(dataImports).set({ status: 'failed' }).where(eq(dataImports.id, running)).run();
  });
});

describe('yearly figures and the 亩产效益 evaluation', () => {
  it('imports figures matched by credit code or name (through the hand match too), listing the unmatched', async () => {
    const res = await post(`figures?fileName=${encodeURIComponent('税务.csv')}`, FIGURES);
    const r = await res.json();
    expect(res.status).toBe(200);
    expect(r.counts).toEqual({ rowsRead: 6, inserted: 5, updated: 0, unchanged: 0 });
    expect(r.unmatched).toBe(1);
    expect(r.notes).toEqual([{ line: 7, message: '不在档案的公司：本镇没有这个名称或信用代码的档案，未导入' }]);
    // 李四家具厂 has two files: the register's hand match says which.
    expect(db.select().from(enterpriseFigures).where(eq(enterpriseFigures.enterpriseId, LI_2)).get()).toMatchObject({
      taxWan: 80,
      outputWan: 1500,
    });
    const again = await (await post(`figures?fileName=x.csv`, FIGURES)).json();
    expect(again.counts).toEqual({ rowsRead: 6, inserted: 0, updated: 0, unchanged: 5 });
  });

  it('converts a unit in the header and leaves blank cells as they were', async () => {
    const r = await (
      await post('figures?year=2025&fileName=t.csv', csv('企业名称,税收（元）', '低效喷涂作坊,25000'))
    ).json();
    expect(r.counts).toEqual({ rowsRead: 1, inserted: 0, updated: 1, unchanged: 0 });
    const z = db.select().from(enterpriseFigures).where(eq(enterpriseFigures.enterpriseId, Z)).get()!;
    expect(z).toMatchObject({ taxWan: 2.5, outputWan: 100, energyTce: 60, landMu: 10 });
    await post('figures?year=2025&fileName=t.csv', csv('企业名称,税收（万元）', '低效喷涂作坊,2'));
  });

  it('takes a blank 年度 cell as the year chosen, and without one names the line', async () => {
    const chosen = await post('figures?year=2025&fileName=b.csv', csv('企业名称,年度,税收（万元）', '低效喷涂作坊,,2'));
    expect(chosen.status, await chosen.clone().text()).toBe(200);
    expect((await chosen.json()).counts).toMatchObject({ rowsRead: 1, unchanged: 1 });
    const none = await post('figures?fileName=b.csv', csv('企业名称,年度,税收（万元）', '低效喷涂作坊,,2'));
    expect(none.status).toBe(400);
    expect(JSON.stringify(await none.json())).toContain('年度为空');
  });

  it('scores each file by hand-computed numbers and classes, lists D and 僵尸 for remediation', async () => {
    const e = await (
      await app.request('/api/admin/department-data/evaluation?year=2025', { headers: { cookie: leader } })
    ).json();
    // Only this test's files: the demo may have figures of its own.
    const mine = new Set([X, ZHANG, PLASTIC, LI_1, LI_2, DEAD, Z, IDLE]);
    const ours = (rows: { enterpriseId: number }[]) => rows.map((r) => r.enterpriseId).filter((id) => mine.has(id));
    const byId = Object.fromEntries(e.rows.map((r: { enterpriseId: number }) => [r.enterpriseId, r]));
    // X: 25 + 10 + 12 + 9. LI_2: 50 + 20 + 13.5 + 15. Z: 0.67 + 0.67 + 0 + 3.
    // ZHANG: 2000 m² = 3 亩 from the file: 9/3 = 3 → 10, 360/3 = 120 → 8, no energy or head count → 0.
    expect(byId[X].score).toMatchObject({ total: 56, class: 'C' });
    expect(byId[LI_2].score).toMatchObject({ total: 98.5, class: 'A' });
    expect(byId[Z].score).toMatchObject({ total: 4.34, class: 'D' });
    expect(byId[ZHANG].score).toMatchObject({ total: 18, class: 'D' });
    expect(byId[ZHANG].figures.landMu).toBeCloseTo(3);
    expect(byId[IDLE]).toMatchObject({ zombie: '当年无税收、无产值', score: { total: 0, class: 'D' } });
    expect(byId[DEAD]).toMatchObject({ zombie: '登记状态：吊销，未注销', score: null });
    expect(ours(e.rows)).toEqual([LI_2, X, ZHANG, Z, IDLE, DEAD]);
    expect(ours(e.remediation)).toEqual([DEAD, IDLE, Z, ZHANG]);
    if (e.rows.length === 6) expect(e.counts).toEqual({ A: 1, B: 0, C: 1, D: 3, unscored: 1, zombies: 2 });
  });

  it('takes the admin’s weights and cuts as data: only the admin, a stale version is 409', async () => {
    const settings = {
      version: 0,
      indicators: [
        { key: 'tax_per_mu', weight: 40, benchmark: 10 },
        { key: 'output_per_mu', weight: 30, benchmark: 300 },
        { key: 'energy_per_output', weight: 20, benchmark: 0.5 },
        { key: 'output_per_employee', weight: 10, benchmark: 50 },
      ],
      classCuts: { A: 90, B: 50, C: 20 },
    };
    const put = (body: unknown, cookie = admin) =>
      app.request('/api/admin/department-data/evaluation-settings/2025', { method: 'PUT', ...json(body, cookie) });
    expect((await put(settings, office)).status).toBe(403);
    expect((await put({ ...settings, classCuts: { A: 50, B: 50, C: 20 } })).status).toBe(400);
    expect(await (await put(settings)).json()).toMatchObject({ version: 1 });
    expect((await put(settings)).status).toBe(409);
    // The page's form sends weights.KEY and benchmarks.KEY: the same settings, saved as version 2.
    const form = {
      version: 1,
      weights: Object.fromEntries(settings.indicators.map((i) => [i.key, i.weight])),
      benchmarks: Object.fromEntries(settings.indicators.map((i) => [i.key, i.benchmark])),
      classCuts: settings.classCuts,
    };
    expect(await (await put(form)).json()).toMatchObject({ version: 2 });
    const e = await (
      await app.request('/api/admin/department-data/evaluation?year=2025', { headers: { cookie: office } })
    ).json();
    const x = e.rows.find((r: { enterpriseId: number }) => r.enterpriseId === X);
    // 7.5/10 × 40 = 30; 150/300 × 30 = 15; (1 − 0.2) × 20 = 16; 30/50 × 10 = 6: 67, B under cuts 90/50/20.
    expect(x.score).toMatchObject({ total: 67, class: 'B' });
    expect(e.settings).toMatchObject({ version: 2, classCuts: { A: 90, B: 50, C: 20 } });
    // A later year without its own settings takes these.
    expect(
      (
        await (
          await app.request('/api/admin/department-data/evaluation?year=2026', { headers: { cookie: office } })
        ).json()
      ).settings,
    ).toMatchObject({ version: 0, fromYear: 2025 });
    expect(db.select().from(auditLog).where(eq(auditLog.action, 'evaluation_settings.update')).all()).toHaveLength(2);
  });

  it('exports the evaluation as .xlsx that opens back with the same rows', async () => {
    const res = await app.request('/api/admin/department-data/evaluation.xlsx?year=2025', {
      headers: { cookie: leader },
    });
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const sheet = book.getWorksheet('亩产效益综合评价')!;
    const row = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(String(row(1)[0])).toContain('亩产效益综合评价表（2025 年度）');
    // Title, subtitle, two header rows, then the files by score.
    const rows = Array.from({ length: sheet.rowCount - 4 }, (_, i) => row(i + 5));
    expect(rows.find((r) => r[1] === '李四家具厂')!.slice(2, 3)).toEqual(['下塘村']);
    const xRow = rows.find((r) => r[1] === '东风五金加工厂')!;
    expect(xRow.slice(3, 15)).toEqual([30, 600, 60, 4, 20, 7.5, 150, 0.1, 30, 67, 'B 类（提升发展类）', '']);
    const todo = book.getWorksheet('整治名单')!;
    const names = Array.from({ length: todo.rowCount - 4 }, (_, i) =>
      String((todo.getRow(i + 5).values as unknown[])[2]),
    );
    const mine = ['王五铸造作坊', '停摆纸箱作坊', '低效喷涂作坊', '张三五金加工厂', '东风五金加工厂', '李四家具厂'];
    // Under the admin's settings 张三五金加工厂 scores 3/10 × 40 + 120/300 × 30 = 24: class C, off the list.
    expect(names.filter((n) => mine.includes(n))).toEqual(['王五铸造作坊', '停摆纸箱作坊', '低效喷涂作坊']);
  });
});

describe('landlords of listed workshops', () => {
  it('counts each landlord’s workshops however the files write him, and exports them', async () => {
    const rent = (name: string, landlord: string, landlordPhone: string, status: 'listed' | 'done' = 'listed') =>
      file(name, zhulin, { premises: 'rented', landlord, landlordPhone, status });
    rent('出租一号作坊', '陈大', '138-0000-1111');
    rent('出租二号作坊', '陈 大', '+86 13800001111', 'done');
    rent('出租三号作坊', '陈大', '');
    rent('出租四号作坊', '周二', '13900002222');
    rent('出租五号作坊', '周二', '13900003333');
    rent('出租六号作坊', '周二', '');
    file('自有厂房作坊', zhulin, { premises: 'owned', landlord: '陈大' });
    const list = (
      await (await app.request('/api/admin/department-data/landlords', { headers: { cookie: office } })).json()
    ).landlords as { name: string; phones: string[]; files: { name: string }[]; open: number }[];
    const summary = list
      .filter((l) => l.files.every((f) => f.name.startsWith('出租')))
      .map((l) => [l.name, l.phones.join('/'), l.files.length, l.open]);
    // 陈大 has one phone: the file without one joins him. 周二 has two: two people, and the phoneless file alone.
    expect(summary).toEqual([
      ['陈大', '13800001111', 3, 2],
      ['周二', '13900002222', 1, 1],
      ['周二', '13900003333', 1, 1],
      ['周二', '', 1, 1],
    ]);
    const res = await app.request('/api/admin/department-data/landlords.xlsx', { headers: { cookie: leader } });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const sheet = book.getWorksheet('出租方名单')!;
    const rows = Array.from({ length: sheet.rowCount - 3 }, (_, i) =>
      (sheet.getRow(i + 4).values as unknown[]).slice(1),
    );
    expect(rows.find((r) => r[1] === '陈大')!.slice(2, 6)).toEqual([
      '13800001111',
      3,
      2,
      expect.stringContaining('出租二号作坊'),
    ]);
    expect(rows.at(-1)!.slice(0, 2)).toEqual(['合计', `${list.length} 人`]);
  });
});

describe('who may see department data', () => {
  it('never a village or department officer; leaders read but do not import', async () => {
    for (const cookie of [village, department]) {
      for (const path of ['evaluation', 'landlords', 'landlords.xlsx', 'registers', 'imports'])
        expect((await app.request(`/api/admin/department-data/${path}`, { headers: { cookie } })).status).toBe(403);
    }
    expect((await importRegister(REGISTER, leader)).status).toBe(403);
    expect((await post('figures?year=2025&fileName=x.csv', FIGURES, village)).status).toBe(403);
    const imports = await (
      await app.request('/api/admin/department-data/imports', { headers: { cookie: leader } })
    ).json();
    expect(imports.imports.length).toBeGreaterThan(3);
    expect(
      db
        .select()
        .from(dataImports)
        .where(and(eq(dataImports.townshipId, townshipId), eq(dataImports.status, 'running')))
        .all(),
    ).toEqual([]);
  });
});
