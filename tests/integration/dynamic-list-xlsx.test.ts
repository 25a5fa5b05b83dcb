import { count, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../api/context.ts';
import { enterpriseInput } from '../../api/domain/enforcement/enterprise-input.ts';
import { insertEnterprise } from '../../api/domain/enforcement/enterprises.ts';
import { readFirstSheet } from '../../api/domain/shared/xlsx/read.ts';
import { auditLog, users, villages } from '../../db/schema.ts';
import { enterprises, tasks } from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { signIn } from '../helpers/staff.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
// Seed 002, 附件2, as printed there.
const SEED_HEADERS = [
  '序号',
  '企业名称',
  '行业类别',
  '详细地址',
  '经纬度',
  '企业法人或负责人',
  '属于“回头看”四种排查类型类别',
  '营业执照办理情况',
  '存在环境违法行为、环境风险问题情况',
  '存在安全隐患情况',
  '存在其他问题情况',
  '整治类型',
  '计划完成时间',
  '整治进度',
  '责任人',
];

const first = await freshContext();
const { ctx, app } = first;
const office = signIn(ctx, 'shouli');
const villageId = (db: AppContext['db'], code: string) =>
  db.select({ id: villages.id }).from(villages).where(eq(villages.code, code)).get()!.id;
const at = (col: number, row: number, dLng = 0, dLat = 0) => {
  const c = cellCenter(col, row);
  return { lat: Math.round((c.lat + dLat) * 1e6) / 1e6, lng: Math.round((c.lng + dLng) * 1e6) / 1e6 };
};

function create(c: AppContext, fields: Record<string, unknown>, status?: 'in_progress' | 'done') {
  const actor = c.db.select().from(users).where(eq(users.username, 'shouli')).get()!;
  const r = insertEnterprise(c.db, actor, enterpriseInput.parse(fields), c.villageAreas(), c.clock());
  if (!r.ok) throw new Error(r.message);
  if (status) c.db.update(enterprises).set({ status }).where(eq(enterprises.id, r.id)).run();
  return r.id;
}

const ZHANG_AT = at(1, 1, 0.002, -0.001);
const FILES = [
  {
    name: '张三塑料造粒作坊',
    personInCharge: '张三',
    industry: '塑料制品',
    address: '竹林村3组18号',
    ...ZHANG_AT,
    phone: '13900001111',
    revisitType: 1,
    remediationType: 'shutdown',
    plannedOn: '2026-06-30',
    progressNote: '已断水断电',
    responsible: '周建国',
    problems: {
      environment: '废气未经处理直排；无环评手续',
      safety: '设备无防护罩',
      fire: '车间内堆放易燃物',
      licensing: '无营业执照',
      site: '原料露天堆放',
    },
  },
  {
    name: '青溪精密铸造有限公司',
    businessLicence: true,
    personInCharge: '陈明',
    industry: '铸造',
    address: '青溪镇下塘工业路8号',
    ...at(0, 0),
    remediationType: 'rectify',
    responsible: '李科长',
  },
  {
    name: '李四家具加工个体户',
    personInCharge: '李四',
    industry: '家具制造',
    address: '青溪镇石桥村5号',
    villageId: villageId(ctx.db, 'qingxi-shiqiao'),
    revisitType: 4,
    remediationType: 'relocate',
    plannedOn: '2026-09-01',
    progressNote: '已搬入园区',
    responsible: '王主任',
    problems: { special: '锅炉未经检验', process: '使用淘汰设备', leasing: '厂房群租' },
  },
  {
    name: '王五电镀作坊',
    personInCharge: '王五',
    industry: '电镀',
    address: '竹林村7组',
    ...at(1, 1, -0.003, 0.002),
    revisitType: 3,
    progressNote: '待约谈',
    problems: { environment: '电镀废水直排河道' },
  },
  // Filed with its village only: no address, no coordinates (the sheet has no village column).
  { name: '赵六洗砂作坊', personInCharge: '赵六', villageId: villageId(ctx.db, 'qingxi-xiatang') },
];
const STATUSES = [undefined, undefined, 'done', undefined, undefined] as const;
for (const [i, f] of FILES.entries()) create(ctx, f, STATUSES[i]);

const LIST_FIELDS = [
  'name',
  'industry',
  'address',
  'lat',
  'lng',
  'personInCharge',
  'revisitType',
  'businessLicence',
  'problems',
  'remediationType',
  'plannedOn',
  'status',
  'progressNote',
  'responsible',
  'villageId',
] as const;
const listed = (c: AppContext) =>
  c.db
    .select()
    .from(enterprises)
    .orderBy(enterprises.name)
    .all()
    .map((e) => Object.fromEntries(LIST_FIELDS.map((f) => [f, e[f]])));

async function exportList(cookie = office, query = '') {
  const res = await app.request(`/api/admin/exports/dynamic-list.xlsx${query}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}
const post = (a: typeof app, path: string, body: BodyInit, cookie: string) =>
  a.request(path, { method: 'POST', body, headers: { cookie, 'content-type': XLSX } });
async function sheetOf(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
}
async function workbook(rows: unknown[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('清单');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('export', () => {
  it('writes a title line, then exactly the fifteen headers of seed 002 in order, then one line per file', async () => {
    const { res, bytes } = await exportList();
    expect(res.headers.get('content-type')).toBe(XLSX);
    // %E6%B8%85%E5%8D%95: 清单
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; .*filename\*=UTF-8''[^;]*%E6%B8%85%E5%8D%95/);
    const ws = await sheetOf(bytes);
    expect(String(ws.getCell('A1').value)).toBe('青溪镇“散乱污”企业（作坊）动态管理整治企业清单');
    expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual(SEED_HEADERS);
    expect(ws.actualColumnCount).toBe(15);
    expect(ws.rowCount).toBe(2 + FILES.length);
    const zhang = ws.getRows(3, FILES.length)!.find((r) => r.getCell(2).value === '张三塑料造粒作坊')!;
    expect(zhang.getCell(5).value).toBe(`${ZHANG_AT.lng.toFixed(6)}, ${ZHANG_AT.lat.toFixed(6)}`);
    expect(zhang.getCell(7).value).toBe('第一类：关停取缔后复产经营');
    expect(zhang.getCell(8).value).toBe('未办理');
    expect(zhang.getCell(10).value).toBe('生产安全：设备无防护罩；消防安全：车间内堆放易燃物');
    expect(zhang.getCell(11).value).toBe('行政许可：无营业执照；现场管理：原料露天堆放');
    expect(zhang.getCell(12).value).toBe('关停取缔');
    expect((zhang.getCell(13).value as Date).toISOString().slice(0, 10)).toBe('2026-06-30');
    expect(zhang.getCell(14).value).toBe('待整治：已断水断电');
  });

  it("gives a village officer his own village's lines only", async () => {
    const { bytes } = await exportList(signIn(ctx, 'zhulin'));
    const ws = await sheetOf(bytes);
    expect(String(ws.getCell('A1').value)).toContain('竹林村');
    const names = ws
      .getRows(3, ws.rowCount - 2)!
      .map((r) => r.getCell(2).value)
      .sort();
    expect(names).toEqual(['张三塑料造粒作坊', '王五电镀作坊'].sort());
  });

  it('filters by status and refuses a bad filter with 400', async () => {
    const ws = await sheetOf((await exportList(office, '?status=done')).bytes);
    expect(ws.rowCount).toBe(3);
    expect(ws.getCell('B3').value).toBe('李四家具加工个体户');
    const bad = await app.request('/api/admin/exports/dynamic-list.xlsx?status=whatever', {
      headers: { cookie: office },
    });
    expect(bad.status).toBe(400);
  });

  it("takes the register page's own filter form: empty fields mean all, and the search narrows the file", async () => {
    const all = await sheetOf((await exportList(office, '?villageId=&status=&remediationType=&q=')).bytes);
    const everything = await sheetOf((await exportList(office)).bytes);
    expect(all.rowCount).toBe(everything.rowCount);
    const searched = await sheetOf((await exportList(office, '?villageId=&status=&q=%E5%AE%B6%E5%85%B7')).bytes);
    expect(searched.rowCount).toBe(3);
    expect(searched.getCell('B3').value).toBe('李四家具加工个体户');
  });
});

describe('export then import', () => {
  it('gives back the same records in another database', async () => {
    const { bytes } = await exportList();
    const second = await freshContext();
    const cookie = signIn(second.ctx, 'shouli');
    const preview = await post(second.app, '/api/admin/imports/dynamic-list/preview', new Uint8Array(bytes), cookie);
    expect(preview.status).toBe(200);
    const report = await preview.json();
    expect(report.counts).toMatchObject({ rows: 5, create: 5, update: 0, errors: 0 });
    expect(second.ctx.db.select({ n: count() }).from(enterprises).get()!.n).toBe(0); // a preview writes nothing
    const res = await post(second.app, '/api/admin/imports/dynamic-list', new Uint8Array(bytes), cookie);
    expect(res.status).toBe(200);
    expect(listed(second.ctx)).toEqual(listed(ctx));
    const actions = second.ctx.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .all()
      .map((a) => a.action);
    expect(actions.filter((a) => a === 'enterprise.create')).toHaveLength(5);
    expect(actions.filter((a) => a === 'enterprise.import')).toHaveLength(1);
  });

  it('into the same database changes nothing and creates nothing', async () => {
    const before = ctx.db.select().from(enterprises).orderBy(enterprises.id).all();
    const { bytes } = await exportList();
    const res = await post(app, '/api/admin/imports/dynamic-list', new Uint8Array(bytes), office);
    expect(res.status).toBe(200);
    expect((await res.json()).counts).toMatchObject({ rows: 5, create: 0, update: 0, unchanged: 5 });
    expect(ctx.db.select().from(enterprises).orderBy(enterprises.id).all()).toEqual(before);
  });

  it('updates an edited line, keeping the fields the list does not carry', async () => {
    const ws = await sheetOf((await exportList()).bytes);
    const zhang = ws.getRows(3, FILES.length)!.find((r) => r.getCell(2).value === '张三塑料造粒作坊')!;
    zhang.getCell(14).value = '整治中：设备已拆除一半';
    zhang.getCell(10).value = '消防安全：已清理易燃物';
    const bytes = Buffer.from(await ws.workbook.xlsx.writeBuffer());
    const report = await (
      await post(app, '/api/admin/imports/dynamic-list/preview', new Uint8Array(bytes), office)
    ).json();
    const line = report.rows.find((r: { name: string }) => r.name === '张三塑料造粒作坊');
    expect(line).toMatchObject({ action: 'update', errors: [] });
    expect(line.changes.sort()).toEqual(['存在安全隐患情况', '整治进度'].sort());
    expect((await post(app, '/api/admin/imports/dynamic-list', new Uint8Array(bytes), office)).status).toBe(200);
    const row = ctx.db.select().from(enterprises).where(eq(enterprises.name, '张三塑料造粒作坊')).get()!;
    expect(row).toMatchObject({
      status: 'in_progress',
      progressNote: '设备已拆除一半',
      phone: '13900001111',
      version: 2,
    });
    expect(row.problems).toEqual({
      environment: '废气未经处理直排；无环评手续',
      fire: '已清理易燃物',
      licensing: '无营业执照',
      site: '原料露天堆放',
    });
    expect(ctx.db.select().from(auditLog).where(eq(auditLog.action, 'enterprise.import_update')).all()).toHaveLength(1);
  });
});

describe('a file under a task', () => {
  it('keeps the status its task gave it, whatever 整治进度 says, and says so', async () => {
    const file = ctx.db.select().from(enterprises).where(eq(enterprises.name, '王五电镀作坊')).get()!;
    const due = new Date(ctx.clock().getTime() + 30 * 86_400_000);
    ctx.db
      .insert(tasks)
      .values({
        enterpriseId: file.id,
        villageId: file.villageId,
        type: 'shutdown',
        origin: 'survey',
        villageLead: '周',
        townshipLead: '陈',
        dueAt: due,
        updatedAt: ctx.clock(),
      })
      .run();
    ctx.db.update(enterprises).set({ status: 'in_progress' }).where(eq(enterprises.id, file.id)).run();
    const bytes = await workbook([
      ['企业名称', '经纬度', '企业法人或负责人', '整治进度'],
      ['王五电镀作坊', `${file.lng}, ${file.lat}`, '王五', '已完成整治：自称已整改'],
    ]);
    const res = await post(app, '/api/admin/imports/dynamic-list/preview', new Uint8Array(bytes), office);
    const [line] = (await res.json()).rows;
    expect(line).toMatchObject({
      action: 'update',
      changes: ['整治进度'],
      warnings: ['整治进度以整治任务为准，状态仍为“整治中”'],
    });
    expect((await post(app, '/api/admin/imports/dynamic-list', new Uint8Array(bytes), office)).status).toBe(200);
    expect(ctx.db.select().from(enterprises).where(eq(enterprises.id, file.id)).get()).toMatchObject({
      status: 'in_progress',
      progressNote: '自称已整改',
    });
  });
});

describe('import of a filled-in sheet', () => {
  const zhulin = at(1, 1, 0.001, 0.001);
  const coords = `${zhulin.lat}，${zhulin.lng}`; // latitude first, full-width comma: still understood
  // Columns reordered and a few left out; headers typed with straight quotes; no title line.
  const header = [
    '企业名称',
    '营业执照办理情况',
    '企业法人或负责人',
    '经纬度',
    '详细地址',
    '计划完成时间',
    '属于"回头看"四种排查类型类别',
    '整治类型',
  ];

  it('reads reordered columns and the ways people write them', async () => {
    const bytes = await workbook([
      header,
      ['赵六废品回收作坊', '无', '赵六', coords, '竹林村9组', '2026年8月1日', '第二类', '治理改造'],
    ]);
    const res = await post(app, '/api/admin/imports/dynamic-list', new Uint8Array(bytes), office);
    expect(res.status).toBe(200);
    const row = ctx.db.select().from(enterprises).where(eq(enterprises.name, '赵六废品回收作坊')).get()!;
    expect(row).toMatchObject({
      villageId: villageId(ctx.db, 'qingxi-zhulin'),
      lat: zhulin.lat,
      lng: zhulin.lng,
      plannedOn: '2026-08-01',
      revisitType: 2,
      remediationType: 'rectify',
      businessLicence: false,
    });
  });

  it('reports every bad line with its row number and column, and writes nothing', async () => {
    const before = ctx.db.select({ n: count() }).from(enterprises).get()!.n;
    const audits = ctx.db.select({ n: count() }).from(auditLog).get()!.n;
    const bytes = await workbook([
      ['某某镇排查表'],
      header,
      ['孙七塑料作坊', '未办理', '孙七', coords, '竹林村1组', '2026-07-01', '', '关停'], // row 3: fine
      ['周八加工厂', '未办理', '周八', coords, '竹林村2组', '', '', ''], // row 4: unlicensed name rule
      ['吴九喷漆作坊', '未办理', '吴九', coords, '竹林村4组', '2026-02-30', '', ''], // row 5: no such date
      ['郑十铸造作坊', '未办理', '郑十', '', '青溪镇某路1号', '', '', ''], // row 6: no village
      ['孙七塑料作坊', '未办理', '孙七', coords, '竹林村1组', '', '', ''], // row 7: same name twice
    ]);
    const preview = await (
      await post(app, '/api/admin/imports/dynamic-list/preview', new Uint8Array(bytes), office)
    ).json();
    const res = await post(app, '/api/admin/imports/dynamic-list', new Uint8Array(bytes), office);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toContain('未导入');
    expect(body.rows).toEqual(preview.rows);
    const errors = Object.fromEntries(
      body.rows.map((r: { row: number; errors: { column: string; message: string }[] }) => [r.row, r.errors]),
    );
    expect(errors[3]).toEqual([]);
    expect(errors[4]).toEqual([
      expect.objectContaining({ column: '企业名称', message: expect.stringContaining('作坊（或个体户）') }),
    ]);
    expect(errors[5]).toEqual([
      expect.objectContaining({ column: '计划完成时间', message: expect.stringContaining('不是有效日期') }),
    ]);
    expect(errors[6]).toEqual([
      { column: '经纬度', message: '无法确定属地村（社区）：请填写经纬度或在地址中写明村名' },
    ]);
    expect(errors[7]).toEqual([{ column: '企业名称', message: '与第 3 行重复：同一村（社区）的企业名称不能重复' }]);
    expect(body.counts).toMatchObject({ rows: 5, errors: 4 });
    expect(ctx.db.select({ n: count() }).from(enterprises).get()!.n).toBe(before);
    expect(ctx.db.select({ n: count() }).from(auditLog).get()!.n).toBe(audits);
  });

  it('refuses a file that is not an .xlsx with 400', async () => {
    for (const body of ['{"rows":[]}', 'PK\u0003\u0004 not really a zip', '']) {
      const res = await post(app, '/api/admin/imports/dynamic-list/preview', body, office);
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(/\.xlsx/);
    }
    // A damaged upload is the file's fault (400), never the server's (500).
    const good = (await exportList()).bytes;
    const truncated = good.subarray(0, good.length >> 1);
    expect((await post(app, '/api/admin/imports/dynamic-list/preview', new Uint8Array(truncated), office)).status).toBe(
      400,
    );
    for (let at = 0; at < good.length; at += 97) {
      const damaged = Buffer.from(good);
      damaged.fill(0xff, at, Math.min(at + 64, good.length));
      expect(
        (await post(app, '/api/admin/imports/dynamic-list/preview', new Uint8Array(damaged), office)).status,
        `damaged at ${at}`,
      ).toBeLessThan(500);
    }
    const noHeader = await post(
      app,
      '/api/admin/imports/dynamic-list',
      new Uint8Array(
        await workbook([
          ['a', 'b'],
          [1, 2],
        ]),
      ),
      office,
    );
    expect(noHeader.status).toBe(400);
    expect((await noHeader.json()).error.message).toContain('企业名称');
  });

  it('is for the office: a village officer gets 403', async () => {
    const bytes = new Uint8Array(await workbook([header]));
    for (const path of ['/api/admin/imports/dynamic-list', '/api/admin/imports/dynamic-list/preview']) {
      expect((await post(app, path, bytes, signIn(ctx, 'zhulin'))).status).toBe(403);
    }
  });
});

describe('the sheet reader', () => {
  it('reads what exceljs writes: rich text, formulas, numbers, dates, entities, gaps', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.getCell('A1').value = { richText: [{ text: '甲<' }, { font: { bold: true }, text: '&乙' }] };
    ws.getCell('C1').value = { formula: '1+1', result: 2 };
    ws.getCell('D1').value = 3.25;
    ws.getCell('B2').value = new Date(Date.UTC(2026, 5, 30));
    const lines = readFirstSheet(Buffer.from(await wb.xlsx.writeBuffer()), 10);
    expect(lines[0]).toEqual({ row: 1, cells: ['甲<&乙', undefined, 2, 3.25] });
    expect(lines[1]!.row).toBe(2);
    expect(typeof lines[1]!.cells[1]).toBe('number'); // a date is a serial; the date column reads it as one
  });
});
