import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { readSheet, serialDate } from '../../api/domain/shared/xlsx/read.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { freshContext } from '../helpers/context.ts';
import { signIn } from '../helpers/staff.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const { ctx, app } = await freshContext();
const office = signIn(ctx, 'shouli');

/** A dynamic list of one line, due 2026-06-30, saved in the given date system (as Numbers or old Mac Excel do). */
async function list(name: string, date1904: boolean) {
  const wb = new ExcelJS.Workbook();
  wb.properties.date1904 = date1904;
  const ws = wb.addWorksheet('清单');
  const at = cellCenter(1, 1);
  ws.addRow(['企业名称', '企业法人或负责人', '经纬度', '计划完成时间']);
  ws.addRow([name, name.slice(0, 2), `${at.lng}, ${at.lat}`, new Date(Date.UTC(2026, 5, 30))]);
  ws.getCell('D2').numFmt = 'yyyy-mm-dd';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** What the file itself says: its date system and the serial stored for the date. */
async function raw(bytes: Buffer) {
  const zip = await JSZip.loadAsync(bytes);
  const workbook = await zip.file('xl/workbook.xml')!.async('string');
  const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
  return {
    date1904: /<workbookPr[^>]*date1904="(1|true)"/.test(workbook),
    serial: Number(/<c r="D2"[^>]*><v>([^<]+)<\/v>/.exec(sheet)![1]),
  };
}

describe('a workbook saved with the 1904 date system', () => {
  it('is a real one: the flag in workbook.xml and a serial 1462 days below the 1900 one', async () => {
    const [a, b] = [await raw(await list('甲', true)), await raw(await list('乙', false))];
    expect(a).toEqual({ date1904: true, serial: b.serial - 1462 });
    expect(b.date1904).toBe(false);
    expect(readSheet(await list('甲', true), 10).date1904).toBe(true);
  });

  it('imports its dates on the right day, as a 1900 workbook does', async () => {
    for (const [name, date1904] of [
      ['钱某塑料造粒作坊', true],
      ['孙某塑料造粒作坊', false],
    ] as const) {
      const bytes = new Uint8Array(await list(name, date1904));
      const res = await app.request('/api/admin/imports/dynamic-list', {
        method: 'POST',
        body: bytes,
        headers: { cookie: office, 'content-type': XLSX },
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const row = ctx.db.select().from(enterprises).where(eq(enterprises.name, name)).get()!;
      expect(row.plannedOn, name).toBe('2026-06-30');
    }
  });

  it('counts serials from each system’s day 0', () => {
    expect(serialDate(0, true)?.toISOString()).toBe('1904-01-01T00:00:00.000Z');
    expect(serialDate(0, false)).toBeNull();
    expect(serialDate(61, false)?.toISOString()).toBe('1900-03-01T00:00:00.000Z');
    expect(serialDate(46203.75, false)?.toISOString()).toBe('2026-06-30T00:00:00.000Z');
    expect(serialDate(46203 - 1462, true)?.toISOString()).toBe('2026-06-30T00:00:00.000Z');
    expect(serialDate(3e7, false)).toBeNull();
  });
});
