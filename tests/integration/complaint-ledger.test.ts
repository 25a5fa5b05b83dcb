import { and, desc, eq, isNull } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { auditLog, complaintEvents, complaints, departments, villages } from '../../db/schema.ts';
import { assignments } from '../../db/schema-supervision.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { generateComplaints } from '../bench/generate-complaints.ts';
import { freshContext } from '../helpers/context.ts';
import { hasForeignReader, readWithOpenpyxl } from '../helpers/foreign-xlsx.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

// The complaint ledger (举报台账, issue 13): the office's columns, the queue's rows in the viewer's
// scope, and nothing of the reporter.
const { ctx, app } = await freshContext();
const triage = signIn(ctx, 'shouli');
const zhulinOfficer = signIn(ctx, 'zhulin');
const ecoOfficer = signIn(ctx, 'shengtai');
const leader = signIn(ctx, 'lingdao');

const HEADER = [
  '编号',
  '受理时间',
  '来源渠道',
  '被举报对象',
  '地址',
  '问题类别',
  '属地',
  '交办时间',
  '办理时限',
  '签收时间',
  '反馈时间',
  '是否属实',
  '办理结果',
  '办结时间',
  '答复情况',
];
const villageId = (code: string) => ctx.db.select().from(villages).where(eq(villages.code, code)).get()!.id;
const ZHULIN_ID = villageId('qingxi-zhulin');
const ECO = ctx.db.select().from(departments).where(eq(departments.code, 'eco')).get()!.id;

// Older complaints first (ids grow with filing time): enough for the ledger to span several queue pages.
generateComplaints(ctx, 180, ctx.clock().getTime() - 86_400_000);

const REPORTER = { name: '欧阳测试人', phone: '13987654321' };
async function file(over: Record<string, string> = {}) {
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm(over) });
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  const row = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
  return { id: row.id, code: trackingCode };
}
const version = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!.version;
async function act(id: number, body: Record<string, unknown>) {
  const res = await app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ ...body, version: version(id) }, triage),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

// A real-name report in 竹林村, about a workshop with a file, assigned with the eco department,
// answered by the village (属实·已制止), approved and resolved with a reply.
const workshop = await file({
  anonymous: '0',
  ...REPORTER,
  address: '竹林村三组 18 号',
  description: '村口塑料颗粒作坊半夜开工，噪声很大，黑烟呛人',
});
await act(workshop.id, { action: 'accept', reply: '已受理，将转属地核查。' });
const enterprise = await app.request('/api/admin/enterprises', {
  method: 'POST',
  ...json(
    {
      name: '周某塑料颗粒作坊',
      personInCharge: '周某',
      lat: cellCenter(1, 1).lat,
      lng: cellCenter(1, 1).lng,
      complaintIds: [workshop.id],
    },
    triage,
  ),
});
expect(enterprise.status, await enterprise.clone().text()).toBe(201);
await act(workshop.id, { action: 'assign', villageId: ZHULIN_ID, departmentIds: [ECO] });
const villageItem = () =>
  ctx.db
    .select()
    .from(assignments)
    .where(and(eq(assignments.complaintId, workshop.id), isNull(assignments.departmentId)))
    .orderBy(desc(assignments.id))
    .get()!;
const at = (minutesAgo: number) => new Date(ctx.clock().getTime() - minutesAgo * 60_000);
ctx.db
  .update(assignments)
  .set({
    status: 'approved',
    acknowledgedAt: at(50),
    answeredAt: at(30),
    outcome: 'stopped',
    finding: '现场已断电断水，设备已查封',
  })
  .where(eq(assignments.id, villageItem().id))
  .run();
await act(workshop.id, { action: 'resolve', reply: '经核查属实，已责令停产。' });

// An anonymous report in 下塘村 with no address, not yet decided.
const elsewhere = await file({
  lat: String(cellCenter(0, 0).lat),
  lng: String(cellCenter(0, 0).lng),
  description: '=1+1 河边有人露天焚烧电线',
  category: 'waste',
});

// A report outside every village, held at township level for the office to route.
const outside = await file({
  lat: String(cellCenter(2, 1).lat),
  lng: String(cellCenter(2, 1).lng + 0.05),
  description: '镇外公路边有人倾倒建筑垃圾',
});

const ledger = (query: string, cookie = triage) =>
  app.request(`/api/admin/exports/complaint-ledger.xlsx${query}`, { headers: { cookie } });
async function sheetRows(res: Response) {
  expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(200);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await res.arrayBuffer());
  const rows: ExcelJS.CellValue[][] = [];
  book.worksheets[0]!.eachRow((row) => {
    rows.push((row.values as ExcelJS.CellValue[]).slice(1));
  });
  return rows;
}
const idsOf = async (res: Response) => (await sheetRows(res)).slice(1).map((r) => r[0] as number);

/** What the queue lists for the same filters, every page. */
async function queueIds(query: string, cookie = triage) {
  const ids: number[] = [];
  let after: string | null = '';
  while (after !== null) {
    const sep = query ? '&' : '?';
    const res = await app.request(`/api/admin/complaints${query}${after ? `${sep}after=${after}` : ''}`, {
      headers: { cookie },
    });
    const page = (await res.json()) as { rows: { id: number }[]; match: { id: number } | null; nextCursor: string };
    ids.push(...(page.match && !after ? [page.match.id] : []), ...page.rows.map((r) => r.id));
    after = page.nextCursor;
  }
  return [...new Set(ids)];
}

const beijing = (d: Date | null) =>
  d ? new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : null;

describe('the complaint ledger', () => {
  it('has the office columns in their order and one line per complaint of the queue', async () => {
    const rows = await sheetRows(await ledger(''));
    expect(rows[0]).toEqual(HEADER);
    expect(rows.length - 1).toBe(183);
    expect(rows.find((r) => r[0] === outside.id)?.[6]).toBe('待定属地');
    expect(rows.slice(1).map((r) => r[0])).toEqual(await queueIds(''));
  });

  it('reads the same with a reader other than exceljs (openpyxl): header, a whole line, no reporter', async (t) => {
    if (!hasForeignReader) return t.skip();
    const res = await ledger('');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const [sheet, ...others] = readWithOpenpyxl(bytes);
    expect(others).toEqual([]);
    expect(sheet!.name).toBe('举报台账');
    expect(sheet!.rows[0]).toEqual(HEADER);
    const item = villageItem();
    const events = ctx.db.select().from(complaintEvents).where(eq(complaintEvents.complaintId, workshop.id)).all();
    const filed = ctx.db.select().from(complaints).where(eq(complaints.id, workshop.id)).get()!;
    const acceptedAt = events.find((e) => e.action === 'accept')!.at;
    const resolvedAt = events.find((e) => e.toStatus === 'resolved')!.at;
    const day = (d: Date) => beijing(d)!.slice(0, 10);
    expect(sheet!.rows.find((r) => r[0] === workshop.id)).toEqual([
      workshop.id,
      beijing(filed.createdAt),
      '网站',
      '周某塑料颗粒作坊',
      '竹林村三组 18 号',
      '废气/异味/烟尘',
      '竹林村',
      beijing(item.createdAt),
      beijing(item.answerDueAt),
      beijing(at(50)),
      beijing(at(30)),
      '属实',
      '现场已断电断水，设备已查封',
      beijing(resolvedAt),
      `${day(acceptedAt)}：已受理，将转属地核查。\n${day(resolvedAt)}：经核查属实，已责令停产。`,
    ]);
    const undecided = sheet!.rows.find((r) => r[0] === elsewhere.id)!;
    expect(undecided.slice(2, 8)).toEqual([
      '网站',
      '固体废物/焚烧：=1+1 河边有人露天焚烧电线',
      expect.stringMatching(/^坐标 \d+\.\d{5}, \d+\.\d{5}$/),
      '固体废物/焚烧',
      '下塘村',
      null,
    ]);
    expect(undecided[11]).toBeNull();
    expect(undecided[14]).toBe('未答复');
    // Nothing of any reporter, anywhere in the file: cells, shared parts, properties.
    const everyCell = JSON.stringify(sheet!.rows);
    const zip = await JSZip.loadAsync(bytes);
    const parts = await Promise.all(Object.values(zip.files).map((f) => f.async('string')));
    const codes = ctx.db
      .select({ code: complaints.trackingCode })
      .from(complaints)
      .all()
      .flatMap(({ code }) => [code, `${code.slice(0, 5)}-${code.slice(5)}`]);
    for (const secret of [REPORTER.name, REPORTER.phone, ...codes]) {
      expect(everyCell).not.toContain(secret);
      for (const part of parts) expect(part).not.toContain(secret);
    }
  });

  it('is scoped like the queue: a village officer his village, a department what it joins', async () => {
    const mine = await idsOf(await ledger('', zhulinOfficer));
    expect(mine).toEqual(await queueIds('', zhulinOfficer));
    expect(mine).toContain(workshop.id);
    expect(mine).not.toContain(elsewhere.id);
    const zhulinOnly = ctx.db.select({ id: complaints.id }).from(complaints).where(eq(complaints.villageId, ZHULIN_ID));
    expect(mine.sort()).toEqual(
      zhulinOnly
        .all()
        .map((r) => r.id)
        .sort(),
    );
    expect(await idsOf(await ledger('', ecoOfficer))).toEqual([workshop.id]);
    expect((await idsOf(await ledger('', leader))).length).toBe(183);
  });

  it('names a linked enterprise only to those who may open its file', async () => {
    const other = await file({ description: '竹林村口又有一处塑料作坊冒烟' });
    await act(other.id, { action: 'accept' });
    // Filed in 下塘村 by the office; the complaint is 竹林村's.
    const res = await app.request('/api/admin/enterprises', {
      method: 'POST',
      ...json(
        {
          name: '吴某塑料作坊',
          personInCharge: '吴某',
          lat: cellCenter(0, 0).lat,
          lng: cellCenter(0, 0).lng,
          complaintIds: [other.id],
        },
        triage,
      ),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const subject = async (cookie: string) =>
      (await sheetRows(await ledger(`?q=${other.id}`, cookie))).find((r) => r[0] === other.id)?.[3];
    expect(await subject(triage)).toBe('吴某塑料作坊');
    expect(await subject(zhulinOfficer)).toBe('废气/异味/烟尘：竹林村口又有一处塑料作坊冒烟');
  });

  it.each([
    ['?status=closed'],
    [`?village=${villageId('qingxi-xiatang')}&sort=overdue`],
    ['?village=none'],
    ['?category=3&photos=yes'],
    ['?from=2025-06-01&to=2026-01-31'],
    ['?q=电镀'],
    ['?q=酸洗作坊排放'],
    ['?duplicate=yes'],
    ['?overdue=yes'],
  ])('filters %s exactly as the queue does, every page of it', async (query) => {
    const ids = await idsOf(await ledger(query));
    expect(ids).toEqual(await queueIds(query));
    expect(ids.length).toBeGreaterThan(0);
  });

  it('finds a complaint by its number and by a tracking code, without writing the code anywhere', async () => {
    expect((await idsOf(await ledger(`?q=${workshop.id}`)))[0]).toBe(workshop.id);
    expect(await idsOf(await ledger(`?q=${workshop.code}`))).toEqual([workshop.id]);
    const logged = ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'complaint.ledger_export'))
      .orderBy(desc(auditLog.id))
      .get()!;
    expect(logged.details).toEqual({ filter: { q: '（查询码）' }, rows: 1 });
    expect(JSON.stringify(logged)).not.toContain(workshop.code);
  });

  it('audits who exported which filter', async () => {
    const exported = await idsOf(await ledger(`?status=resolved&village=${ZHULIN_ID}`, zhulinOfficer));
    expect(exported).toContain(workshop.id);
    const logged = ctx.db.select().from(auditLog).orderBy(desc(auditLog.id)).get()!;
    expect(logged).toMatchObject({
      action: 'complaint.ledger_export',
      actorLabel: '竹林村网格员老周',
      objectType: 'export',
      objectId: 'complaint-ledger',
      details: { filter: { status: 'resolved', village: ZHULIN_ID }, rows: exported.length },
    });
  });

  it.each([
    ['?status=bogus', '状态'],
    ['?category=abc', '类别'],
    ['?village=0', '村（社区）'],
    ['?from=2026-02-30', '开始日期'],
    ['?to=2026/01/01', '结束日期'],
    ['?from=2026-03-01&to=2026-02-01', '开始日期不能晚于结束日期'],
    [`?q=${'电'.repeat(51)}`, '搜索词'],
    ['?photos=maybe', '照片'],
    ['?overdue=1', '仅超期'],
    ['?sort=oldest', '排序'],
    ['?status=closed&status=resolved', '状态'],
  ])('refuses %s with a 400 naming the field (%s)', async (query, field) => {
    const res = await ledger(query);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(field);
  });
});
