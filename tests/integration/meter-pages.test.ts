import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFinished } from '../../api/domain/watch/import-jobs.ts';
import { villages } from '../../db/schema.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

const { ctx, app } = await freshContext();
const office = signIn(ctx, 'shouli');
const zhulin = ctx.db.select().from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!;
const file = ctx.db
  .insert(enterprises)
  .values({ townshipId: zhulin.townshipId, villageId: zhulin.id, name: '户号测试五金作坊', updatedAt: new Date() })
  .returning({ id: enterprises.id, villageId: enterprises.villageId })
  .get();

let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 300_000);
afterAll(() => site?.close());
const page = (path: string, cookie: string) =>
  fetch(`${site.base}${path}`, { headers: { cookie }, redirect: 'manual' });

describe('the meter and import pages', () => {
  it('show the office a file’s 户号, the meters list and the imports with their errors by line', async () => {
    const res = await app.request('/api/admin/watch/meters', {
      method: 'POST',
      ...json(
        { accountNo: '88007766', tariff: 'industrial', villageId: file.villageId, enterpriseId: file.id },
        office,
      ),
    });
    expect(res.status).toBe(201);
    const upload = await app.request('/api/admin/watch/imports?list=readings&name=bad.csv', {
      method: 'POST',
      body: '户号,日期,有功电量(kWh)\n88007766,2025-01-01,abc\n',
      headers: { cookie: office },
    });
    await importFinished(((await upload.json()) as { id: number }).id);

    const meters = await (await page('/admin/watch/meters?q=88007766', office)).text();
    expect(meters).toContain('88007766');
    expect(meters).toContain('大工业');
    expect(meters).toContain('登记户号');
    const imports = await (await page('/admin/watch/imports', signIn(ctx, 'lingdao'))).text();
    expect(imports).toContain('bad.csv');
    expect(imports).toContain('第 2 行：有功电量“abc”不是数字');
    expect(imports).not.toContain('开始导入'); // leaders read, the office imports
    const filePage = await (await page(`/admin/enterprises/${file.id}`, office)).text();
    expect(filePage).toContain('电表/水表户号');
    expect(filePage).toContain('88007766');
  });

  it('are refused to a village or department officer, and a village officer’s file page names no 户号', async () => {
    for (const user of ['zhulin', 'shengtai']) {
      for (const path of ['/admin/watch/meters', '/admin/watch/imports']) {
        expect((await page(path, signIn(ctx, user))).status, `${user} ${path}`).toBe(403);
      }
    }
    // The file lies in his village: he sees the file, never its 户号.
    const html = await (await page(`/admin/enterprises/${file.id}`, signIn(ctx, 'zhulin'))).text();
    expect(html).toContain('户号测试五金作坊');
    expect(html).not.toContain('电表/水表户号');
    expect(html).not.toContain('88007766');
  });
});
