import { like } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { generateComplaints } from '../bench/generate-complaints.ts';
import { ARTIFACTS } from '../helpers/browser.ts';
import { freshContext } from '../helpers/context.ts';
import { hasOffice, pagePngs, printXlsx } from '../helpers/office-pdf.ts';
import { json, signIn } from '../helpers/staff.ts';

// Every .xlsx export as an office prints it: LibreOffice turns each into a PDF, whose every page
// must be A4 landscape with all the columns across (fit to width) under the repeated header, and
// whose text must hold the end of every long, wrapped text (a row too low cuts it off). The first
// two pages of each are kept as PNG in test-results/screenshots/print-*.png to look at.
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const { ctx, app } = await freshContext();
const office = signIn(ctx, 'shouli');
const get = async (path: string) => {
  const res = await app.request(path, { headers: { cookie: office } });
  expect(res.status, path).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
};

// Forty workshops in 竹林村 with problems written out at length, each ending in a mark of its own.
const LONG = '车间内废气未经收集处理直接排放，周边群众反映强烈；危废（废机油、废漆桶）露天堆放，无防渗措施';
const N = 40;
const lines = [...Array(N).keys()].map((i) => {
  const at = cellCenter(1, 1);
  return [
    `钱${i}塑料造粒作坊`,
    `钱${i}`,
    `${(at.lng + i * 0.0001).toFixed(6)}, ${at.lat.toFixed(6)}`,
    `竹林村${i}组${i}号，沿村道往东第三间民房后院，门口有一棵大樟树（址${i}号）`,
    `${LONG}，末${i}号`,
    '关停取缔',
  ];
});

/** The lines whose workshop has a shutdown task. */
const tasked: number[] = [];
async function seedWork() {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('清单');
  ws.addRow(['企业名称', '企业法人或负责人', '经纬度', '详细地址', '存在环境违法行为、环境风险问题情况', '整治类型']);
  for (const l of lines) ws.addRow(l);
  const imported = await app.request('/api/admin/imports/dynamic-list', {
    method: 'POST',
    body: new Uint8Array(await wb.xlsx.writeBuffer()),
    headers: { cookie: office, 'content-type': XLSX },
  });
  expect(imported.status, await imported.clone().text()).toBe(200);
  const files = ctx.db
    .select({ id: enterprises.id, name: enterprises.name })
    .from(enterprises)
    .where(like(enterprises.name, '钱%'))
    .all();
  for (const { id, name } of files.slice(0, 30)) {
    tasked.push(Number(/\d+/.exec(name)![0]));
    const res = await app.request('/api/admin/tasks', {
      method: 'POST',
      ...json(
        { enterpriseId: id, type: 'shutdown', villageLead: '周村长', townshipLead: '王镇长', dueOn: '2099-12-01' },
        office,
      ),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }
  generateComplaints(ctx, 60, ctx.clock().getTime());
}

const EXPORTS = {
  'dynamic-list': { path: '/api/admin/exports/dynamic-list.xlsx', first: '序号', last: '责任人' },
  progress: { path: '/api/admin/tables/progress.xlsx', first: '村（社区）', last: '第四类' },
  'shutdown-register': { path: '/api/admin/tables/shutdown-register.xlsx?which=register', first: '序号', last: '备注' },
  'shutdown-tasks': { path: '/api/admin/tables/shutdown-register.xlsx?which=tasks', first: '企业位置', last: '备注' },
  ledger: { path: '/api/admin/exports/complaint-ledger.xlsx', first: '编号', last: '答复情况' },
};

const files: Record<string, Uint8Array> = {};
beforeAll(async () => {
  await seedWork();
  for (const [name, e] of Object.entries(EXPORTS)) files[`print-${name}`] = await get(e.path);
});

describe('the .xlsx exports say how to print', () => {
  it('A4 landscape, fit to one page wide, header rows repeated, page numbers, every row its height', async () => {
    for (const name of Object.keys(EXPORTS)) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(files[`print-${name}`]!.buffer as ArrayBuffer);
      const ws = wb.worksheets[0]!;
      expect(ws.pageSetup, name).toMatchObject({
        paperSize: 9,
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
      });
      expect(ws.pageSetup.printTitlesRow, name).toMatch(/^\d+:\d+$/);
      expect(ws.headerFooter.oddFooter, name).toContain('第 &P 页，共 &N 页');
      const heights = [...Array(ws.rowCount).keys()].map((i) => ws.getRow(i + 1).height);
      expect(
        heights.filter((h) => !(h > 0)),
        name,
      ).toEqual([]);
    }
  });
});

describe.skipIf(!hasOffice)('the .xlsx exports, printed by LibreOffice', () => {
  it('are A4 landscape pages with every column across, the header on each, no text cut off', async () => {
    const printed = printXlsx(files, ARTIFACTS);
    for (const [name, e] of Object.entries(EXPORTS)) {
      const pages = printed[`print-${name}`]!;
      pagePngs(`${ARTIFACTS}/print-${name}.pdf`);
      console.log(`${name}: ${pages.length} page(s)`);
      expect(pages.length, name).toBeGreaterThan(0);
      for (const [i, p] of pages.entries()) {
        const where = `${name}, page ${i + 1}`;
        expect([Math.round(p.width), Math.round(p.height)], where).toEqual([842, 595]);
        expect(p.text, where).toContain(e.first);
        expect(p.text, where).toContain(e.last);
        expect(p.text.replace(/\s/g, ''), where).toContain(`第${i + 1}页，共${pages.length}页`);
      }
      if (name === 'dynamic-list' || name === 'shutdown-tasks') {
        const text = pages.map((p) => p.text.replace(/\s/g, '')).join('');
        const marks = name === 'dynamic-list' ? ['末', '址'] : ['址'];
        const which = name === 'dynamic-list' ? [...Array(N).keys()] : tasked;
        for (const mark of marks) for (const i of which) expect(text, name).toContain(`${mark}${i}号`);
      }
    }
    expect(printed['print-dynamic-list']!.length).toBeGreaterThan(1); // so that the repeated header was seen
    expect(printed['print-ledger']!.length).toBeGreaterThan(1);
  }, 400_000);
});
