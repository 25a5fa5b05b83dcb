import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { TableError, TableRows, xlsxDate, type TableLimits } from '../../api/domain/shared/table-rows.ts';

const LIMITS: TableLimits = { maxBytes: 50 * 1024 * 1024, maxRows: 1_000_000 };

async function rowsOf(bytes: Uint8Array, limits = LIMITS) {
  const out: { line: number; cells: string[] }[] = [];
  for await (const row of new TableRows({ bytes }, limits)) out.push(row);
  return out;
}
const gbk = (text: string) => {
  // GBK bytes of the few characters used here (no encoder in Node): 户号 日期 电量 张三
  const table: Record<string, number[]> = {
    户: [0xbb, 0xa7],
    号: [0xba, 0xc5],
    日: [0xc8, 0xd5],
    期: [0xc6, 0xda],
    电: [0xb5, 0xe7],
    量: [0xc1, 0xbf],
  };
  return Uint8Array.from([...text].flatMap((ch) => table[ch] ?? [ch.charCodeAt(0)]));
};

describe('table rows (CSV and .xlsx)', () => {
  it('reads UTF-8 with a BOM, quotes, a quoted line break, blank lines and CRLF', async () => {
    const text = '\uFEFF户号,日期,电量\r\n"A,1","2025-01-01", 3.5 \r\n\r\n"B ""x""","多\n行",4\r\n';
    expect(await rowsOf(Buffer.from(text))).toEqual([
      { line: 1, cells: ['户号', '日期', '电量'] },
      { line: 2, cells: ['A,1', '2025-01-01', '3.5'] },
      { line: 4, cells: ['B "x"', '多\n行', '4'] },
    ]);
  });

  it('splits plain and quoted lines alike: old Mac line breaks, rows of separators, spaces around cells', async () => {
    expect(await rowsOf(Buffer.from('a,b\r1, x \r,,\n"2", y\n 3 ,"z"'))).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', 'x'] },
      { line: 4, cells: ['2', 'y'] },
      { line: 5, cells: ['3', 'z'] },
    ]);
  });

  it('reads GBK as Excel saves it on a Chinese Windows, and tab-separated text', async () => {
    expect(await rowsOf(gbk('户号,日期,电量\n1,2025-01-01,2\n'))).toEqual([
      { line: 1, cells: ['户号', '日期', '电量'] },
      { line: 2, cells: ['1', '2025-01-01', '2'] },
    ]);
    expect((await rowsOf(Buffer.from('户号\t电量\n7\t1.5')))[1]).toEqual({ line: 2, cells: ['7', '1.5'] });
  });

  it('keeps lines and characters whole across chunk boundaries of a large file, and counts bytes read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rows-'));
    const lines = ['户号,日期,电量'];
    for (let i = 0; i < 120_000; i++) lines.push(`户${i},"2025-01-${(i % 28) + 1}",${i / 10}`);
    const path = join(dir, 'big.csv');
    writeFileSync(path, `${lines.join('\r\n')}\r\n`);
    const reader = new TableRows({ path }, LIMITS);
    let n = 0;
    let last: { line: number; cells: string[] } | undefined;
    const seen: number[] = [];
    for await (const batch of reader.batches()) {
      for (const row of batch) {
        expect(row.cells[0]).toBe(n === 0 ? '户号' : `户${n - 1}`);
        n++;
        last = row;
      }
      seen.push(reader.bytesRead);
    }
    expect(n).toBe(120_001);
    expect(last).toEqual({ line: 120_001, cells: ['户119999', '2025-01-20', '11999.9'] });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(reader.totalBytes);
  });

  it('refuses in Chinese: an unclosed quote by its line, too many rows or bytes, a broken encoding', async () => {
    await expect(rowsOf(Buffer.from('a,b\n1,"2\n'))).rejects.toThrow('第 2 行：引号没有配对');
    await expect(rowsOf(Buffer.from('a\n1\n2\n3\n'), { ...LIMITS, maxRows: 3 })).rejects.toThrow('超过 3 行');
    await expect(rowsOf(Buffer.from('a\n1\n'), { ...LIMITS, maxBytes: 3 })).rejects.toThrow('MB 上限');
    const bad = Buffer.concat([Buffer.from('户号,电量\n1,2\n'), Buffer.from([0xff, 0xfe, 0x0a])]);
    await expect(rowsOf(bad)).rejects.toBeInstanceOf(TableError);
    await expect(rowsOf(new Uint8Array())).rejects.toThrow('文件是空的');
  });

  it('reads the first sheet of an .xlsx, with date serials turned into the time they show', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('读数');
    ws.addRow(['户号', '时间', '有功电量(kWh)']);
    ws.addRow([]);
    ws.addRow(['3301', new Date(Date.UTC(2025, 0, 2, 8, 15)), 1.25]);
    const reader = new TableRows({ bytes: new Uint8Array(await wb.xlsx.writeBuffer()) }, LIMITS);
    const rows = [];
    for await (const r of reader) rows.push(r);
    expect(reader.format).toBe('xlsx');
    expect(rows.map((r) => r.line)).toEqual([1, 3]);
    expect(rows[1]!.cells[0]).toBe('3301');
    expect(new Date(xlsxDate(rows[1]!.cells[1]!, reader.date1904)!).toISOString()).toBe('2025-01-02T08:15:00.000Z');
  });
});
