import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { signIn } from '../helpers/staff.ts';

// Issue 14: a township office's dynamic-list import holds its own villages only. A line whose village lies in
// another township says so, on the column that placed it, naming no more of that township than what the user typed.
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const { ctx, app } = await freshContext();
const office = signIn(ctx, 'shouli'); // 青溪镇

async function sheet(rows: unknown[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('清单');
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
const dongcun = cellCenter(-1, 0); // 东村, 石桥镇
const zhulin = cellCenter(1, 1); // 竹林村, 青溪镇

describe('a line in another township', () => {
  it('is refused as outside the import’s township, on the column that placed it', async () => {
    const bytes = await sheet([
      ['企业名称', '营业执照办理情况', '企业法人或负责人', '经纬度', '详细地址'],
      ['钱一塑料作坊', '未办理', '钱一', '', '石桥社区5号'], // row 2: a 石桥镇 village typed
      ['钱二喷漆作坊', '未办理', '钱二', `${dongcun.lat},${dongcun.lng}`, '某路8号'], // row 3: a point in 东村
      ['钱三铸造作坊', '未办理', '钱三', '', '某路9号'], // row 4: nothing to place it
      ['钱四塑料作坊', '未办理', '钱四', `${zhulin.lat},${zhulin.lng}`, '竹林村1组'], // row 5: fine
    ]);
    const res = await app.request('/api/admin/imports/dynamic-list/preview', {
      method: 'POST',
      body: bytes,
      headers: { cookie: office, 'content-type': XLSX },
    });
    expect(res.status).toBeLessThan(500);
    const body = (await res.json()) as { rows: { row: number; errors: { column: string; message: string }[] }[] };
    const errors = Object.fromEntries(body.rows.map((r) => [r.row, r.errors]));
    expect(errors[2]).toEqual([
      { column: '详细地址', message: '“石桥社区”不属于本次导入的乡镇（街道）青溪镇，请由其所在乡镇（街道）导入' },
    ]);
    expect(errors[3]).toEqual([
      {
        column: '经纬度',
        message: '经纬度所在的村（社区）不属于本次导入的乡镇（街道）青溪镇，请由其所在乡镇（街道）导入',
      },
    ]);
    // The point's village and township were not typed: neither is told back.
    expect(JSON.stringify(errors[3])).not.toMatch(/东村|石桥镇/);
    expect(errors[4]).toEqual([
      { column: '经纬度', message: '无法确定属地村（社区）：请填写经纬度或在地址中写明村名' },
    ]);
    expect(errors[5]).toEqual([]);
  });
});
