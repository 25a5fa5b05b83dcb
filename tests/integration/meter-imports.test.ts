import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFinished } from '../../api/domain/watch/import-jobs.ts';
import { importReadings, type ImportProgress } from '../../api/domain/watch/readings-import.ts';
import { dataImports } from '../../db/schema-watch.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';

let t: Awaited<ReturnType<typeof freshContext>>;
let office: string;
let leader: string;
let village: string;
let department: string;
let villageId: number;
const ACCOUNTS = ['91000001', '91000002', '91000003'];

const upload = (list: string, name: string, body: BodyInit, cookie = office) =>
  t.app.request(`/api/admin/watch/imports?list=${list}&name=${encodeURIComponent(name)}`, {
    method: 'POST',
    body,
    headers: { cookie, 'content-type': 'application/octet-stream' },
  });
/** Uploads, waits for the import's thread, and answers the import as the page reads it. */
async function imported(list: string, name: string, body: BodyInit) {
  const res = await upload(list, name, body);
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: number };
  await importFinished(id);
  return (await (await t.app.request(`/api/admin/watch/imports/${id}`, { headers: { cookie: office } })).json()) as {
    status: string;
    kind: string;
    percent: number;
    rowsRead: number;
    rowsInserted: number;
    rowsUpdated: number;
    rowsUnchanged: number;
    errors: { line: number; message: string }[];
  };
}
const dailyRows = () =>
  t.ctx.db.$client.prepare('select meter_id, day, kwh, import_id from meter_daily order by 1, 2').all();
const dailyCsv = (rows: [string, string, string][]) =>
  `户号,日期,有功电量(kWh)\n${rows.map((r) => r.join(',')).join('\n')}\n`;

beforeAll(async () => {
  t = await freshContext();
  office = signIn(t.ctx, 'shouli');
  leader = signIn(t.ctx, 'lingdao');
  village = signIn(t.ctx, 'zhulin');
  department = signIn(t.ctx, 'shengtai');
  villageId = t.ctx.db.$client.prepare('select id from villages order by id').pluck().get() as number;
  t.ctx.db.$client.prepare('delete from meter_daily').run();
  t.ctx.db.$client.prepare('delete from meter_intervals').run();
  for (const accountNo of ACCOUNTS) {
    const res = await t.app.request('/api/admin/watch/meters', {
      method: 'POST',
      ...json({ accountNo, tariff: 'residential', villageId, holder: '张三' }, office),
    });
    expect(res.status).toBe(201);
  }
});
afterAll(() => t.ctx.db.$client.close());

describe('meters (户号)', () => {
  it('registers once per 户号 and lists them for the office and leaders, never a village or department', async () => {
    const again = await t.app.request('/api/admin/watch/meters', {
      method: 'POST',
      ...json({ accountNo: ACCOUNTS[0], villageId }, office),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain('已登记');
    const bad = await t.app.request('/api/admin/watch/meters', { method: 'POST', ...json({ accountNo: '1' }, office) });
    expect(bad.status).toBe(400);
    const list = await t.app.request('/api/admin/watch/meters?q=9100000', { headers: { cookie: leader } });
    expect(((await list.json()) as { total: number }).total).toBe(3);
    for (const cookie of [village, department]) {
      expect((await t.app.request('/api/admin/watch/meters', { headers: { cookie } })).status).toBe(403);
      expect((await t.app.request('/api/admin/watch/imports', { headers: { cookie } })).status).toBe(403);
      expect((await upload('readings', 'x.csv', 'a', cookie)).status).toBe(403);
    }
    expect((await upload('readings', 'x.csv', 'a', leader)).status).toBe(403);
  });
});

describe('readings import', () => {
  const rows: [string, string, string][] = [
    [ACCOUNTS[0]!, '2025-03-01', '12.5'],
    [ACCOUNTS[0]!, '2025/3/2', '13'],
    [ACCOUNTS[1]!, '2025年3月1日', '1,024.0'],
  ];

  it('writes daily totals, and a re-import of the same rows changes nothing; a changed value is updated', async () => {
    const first = await imported('readings', '日电量.csv', dailyCsv(rows));
    expect(first).toMatchObject({ status: 'done', kind: 'daily', rowsRead: 3, rowsInserted: 3, percent: 100 });
    const before = dailyRows();
    const again = await imported('readings', '日电量.csv', dailyCsv(rows));
    expect(again).toMatchObject({ status: 'done', rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 3 });
    expect(dailyRows()).toEqual(before);
    const changed = await imported('readings', '更正.csv', dailyCsv([[ACCOUNTS[0]!, '2025-03-01', '20']]));
    expect(changed).toMatchObject({ rowsUpdated: 1, rowsUnchanged: 0, rowsInserted: 0 });
    // Detection ran after each import that wrote something, not after the one that changed nothing.
    const runs = t.ctx.db.$client
      .prepare("select count(*) from audit_log where action = 'watch.run' and actor_label = '系统（导入读数后检测）'")
      .pluck()
      .get();
    expect(runs).toBe(2);
  });

  it('refuses a file with a bad row whole, naming each line in Chinese, and writes nothing', async () => {
    const before = dailyRows();
    const bad = await imported(
      'readings',
      '有错.csv',
      dailyCsv([
        [ACCOUNTS[2]!, '2025-03-05', '7'],
        [ACCOUNTS[2]!, '2025-02-30', '7'],
        [ACCOUNTS[2]!, '2025-03-06', '-1'],
        ['99999999', '2025-03-06', '1'],
        [ACCOUNTS[2]!, '2025-03-05', '8'],
      ]),
    );
    expect(bad.status).toBe('failed');
    expect(bad.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(bad.errors[0]!.message).toMatch(/^第 3 行：“2025-02-30”不是有效的日期/);
    expect(bad.errors[1]!.message).toContain('为负数');
    expect(bad.errors[2]!.message).toContain('户号 99999999 未登记');
    expect(bad.errors[3]!.message).toContain('与第 2 行重复');
    expect(dailyRows()).toEqual(before);
    const noHeader = await imported('readings', '无表头.csv', 'a,b\n1,2\n');
    expect(noHeader.errors[0]!.message).toContain('没有找到表头');
  });

  it('reads a GBK CSV as Excel saves it, and 15-minute curves from an .xlsx', async () => {
    // 户号,日期,电量 in GBK (no encoder in Node: the bytes of these six characters).
    const gbk = Buffer.from([0xbb, 0xa7, 0xba, 0xc5, 0x2c, 0xc8, 0xd5, 0xc6, 0xda, 0x2c, 0xb5, 0xe7, 0xc1, 0xbf]);
    const body = Buffer.concat([gbk, Buffer.from(`\r\n${ACCOUNTS[2]},2025-04-01,3.5\r\n`)]);
    expect(await imported('readings', 'gbk.csv', body)).toMatchObject({ status: 'done', rowsInserted: 1 });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('负荷曲线');
    ws.addRow(['供电所用户负荷数据']);
    ws.addRow(['户号', '数据时间', '正向有功电量（kWh）']);
    for (let q = 0; q < 8; q++) ws.addRow([ACCOUNTS[1], new Date(Date.UTC(2025, 3, 1, 8, q * 15)), q / 4]);
    const curve = await imported('readings', '曲线.xlsx', new Uint8Array(await wb.xlsx.writeBuffer()));
    expect(curve).toMatchObject({ status: 'done', kind: 'interval', rowsInserted: 8 });
    const first = t.ctx.db.$client.prepare('select minute, minutes, kwh from meter_intervals order by minute').get();
    // 2025-04-01 08:00 in Beijing is 00:00 UTC.
    expect(first).toEqual({ minute: Date.UTC(2025, 3, 1) / 60_000, minutes: 15, kwh: 0 });
  });

  it('registers meters from the utility list, updating what changed', async () => {
    const list = `户号,户名,用电地址,用电类别,村（社区）\n${ACCOUNTS[0]},李四,新地址,居民,\n92000001,王五,,一般工商业,${
      t.ctx.db.$client.prepare('select name from villages where id = ?').pluck().get(villageId) as string
    }\n`;
    expect(await imported('meters', '户号清单.csv', list)).toMatchObject({
      status: 'done',
      kind: 'meters',
      rowsInserted: 1,
      rowsUpdated: 1,
    });
    const bad = await imported('meters', '户号清单.csv', '户号,村（社区）\n92000002,\n');
    expect(bad.errors[0]!.message).toBe('第 2 行：新户号 92000002 需填写村（社区）');
    // An address the meter form would refuse, a header with nothing under it, and no header in the first lines.
    const long = await imported(
      'meters',
      '户号清单.csv',
      `户号,用电地址,用电类别\n${ACCOUNTS[0]},${'长'.repeat(201)},居民\n`,
    );
    expect(long.errors.map((e: { message: string }) => e.message)).toEqual(['第 2 行：地址最多 200 个字']);
    const empty = await imported('meters', '户号清单.csv', '户号,户名\n');
    expect(empty.errors.map((e: { message: string }) => e.message)).toEqual(['第 1 行：表头下面没有数据']);
    const noHeader = `${'说明\n'.repeat(10)}户号\n${ACCOUNTS[0]}\n`;
    const late = await imported('meters', '户号清单.csv', noHeader);
    expect(late.errors[0]!.message).toContain('没有找到表头');
  });

  it('reports progress while a large file is read and written, through the API the page polls', async () => {
    const insert = t.ctx.db.$client.prepare(
      'insert into meters (township_id, village_id, account_no, updated_at) values (1, ?, ?, 0)',
    );
    const many = Array.from({ length: 50 }, (_, i) => `93${String(i).padStart(6, '0')}`);
    for (const a of many) insert.run(villageId, a);
    const lines = ['户号,日期,有功电量(kWh)'];
    for (let day = 0; day < 1000; day++) {
      const date = new Date(Date.UTC(2020, 0, 1 + day)).toISOString().slice(0, 10);
      for (const a of many) lines.push(`${a},${date},${day % 7}.25`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'readings-'));
    const path = join(dir, 'big.csv');
    writeFileSync(path, lines.join('\n'));
    const importId = t.ctx.db
      .insert(dataImports)
      .values({ townshipId: 1, kind: 'daily', fileName: 'big.csv', sha256: '', bytes: 0, createdBy: 1 })
      .returning({ id: dataImports.id })
      .get().id;
    const seen: ImportProgress[] = [];
    const job = {
      importId,
      townshipId: 1,
      path,
      limits: { maxBytes: 1e9, maxRows: 1e7 },
      now: Date.now(),
      userId: 1,
      userLabel: '测试',
    };
    const r = await importReadings(t.ctx.db, job, (p) => seen.push(p));
    expect(r).toMatchObject({ ok: true, counts: { rowsRead: 50_000, inserted: 50_000 } });
    const reading = seen.filter((p) => p.phase === 'reading').map((p) => p.done);
    expect(reading.length).toBeGreaterThan(1); // a 1.3 MB file is read in 1 MB chunks
    expect(reading).toEqual([...reading].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual({ phase: 'writing', done: 50_000, total: 50_000 });

    // The same file again through the API: running at first (its thread is starting), then done at 100 %.
    const res = await upload('readings', 'big.csv', lines.join('\n'));
    const { id } = (await res.json()) as { id: number };
    const poll = async () =>
      (await (await t.app.request(`/api/admin/watch/imports/${id}`, { headers: { cookie: leader } })).json()) as {
        status: string;
        percent: number;
      };
    expect(await poll()).toMatchObject({ status: 'running', percent: 0 });
    const listed = await t.app.request('/api/admin/watch/imports', { headers: { cookie: leader } });
    expect(((await listed.json()) as { imports: { id: number }[] }).imports[0]!.id).toBe(id);
    await importFinished(id);
    expect(await poll()).toMatchObject({ status: 'done', percent: 100 });
  });
});
