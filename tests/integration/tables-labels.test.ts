import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshContext } from '../helpers/context.ts';
import { signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// Seed 002 has the dynamic list (附件2, fifteen columns) submitted twice a month; /admin/tables'
// village×type table is a summary of that list. Each page names its table truthfully and links
// to the other.
const { ctx } = await freshContext();
let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());
const page = async (path: string, user: string) => {
  const res = await fetch(`${site.base}${path}`, { headers: { cookie: signIn(ctx, user) } });
  expect(res.status).toBe(200);
  return res.text();
};

describe('the reports page and the dynamic list', () => {
  it('/admin/tables calls its table a summary and sends the half-monthly submission to the dynamic list', async () => {
    const html = await page('/admin/tables', 'lingdao');
    expect(html).toContain('整治进度汇总表（按村、整治类型）');
    expect(html).not.toContain('整治工作进度表<');
    expect(html).not.toContain('下载进度表');
    expect(html).toMatch(/报送的整治工作进度表格是“回头看”方案附件 2\s*<strong>《动态管理整治企业清单》<\/strong>/);
    expect(html).toMatch(/<a[^>]*href="\/api\/admin\/exports\/dynamic-list\.xlsx"[^>]*>导出动态管理整治企业清单/);
  });

  it('the register names its export the half-monthly list and links to the summary where one may read it', async () => {
    const office = await page('/admin/enterprises', 'shouli');
    expect(office).toContain('导出动态管理清单（附件 2，每半月报送的表格，.xlsx）');
    expect(office).toContain('<a href="/admin/tables">按村、整治类型的汇总见报表</a>');
    const village = await page('/admin/enterprises', 'zhulin');
    expect(village).toContain('导出动态管理清单（附件 2');
    expect(village).not.toContain('汇总见报表');
  });
});
