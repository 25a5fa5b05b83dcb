import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departments, villages } from '../../db/schema.ts';
import { dataImports, enterpriseFigures, registerEntries } from '../../db/schema-watch.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { freshContext } from '../helpers/context.ts';
import { hasValidator, htmlErrors } from '../helpers/html-validator.ts';
import { signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

const now = new Date('2026-03-10T02:00:00Z');
const { ctx } = await freshContext({}, { now: () => now.getTime() });
const zhulin = ctx.db.select().from(villages).where(eq(villages.name, '竹林村')).get()!;
const add = (name: string, extra: Partial<typeof enterprises.$inferInsert>) =>
  ctx.db
    .insert(enterprises)
    .values({ townshipId: zhulin.townshipId, villageId: zhulin.id, name, updatedAt: now, ...extra })
    .returning({ id: enterprises.id })
    .get().id;
const low = add('页面测试喷涂作坊', { premises: 'rented', landlord: '页面房东', landlordPhone: '13700001111' });
ctx.db
  .insert(enterpriseFigures)
  .values({
    enterpriseId: low,
    year: 2025,
    taxWan: 2,
    outputWan: 100,
    energyTce: 60,
    landMu: 10,
    employees: 10,
    updatedAt: now,
  })
  .run();
// A register row matched to it, so the matched list (and its correction forms) is on the page.
const market = ctx.db.select().from(departments).where(eq(departments.code, 'market')).get()!.id;
const importId = ctx.db
  .insert(dataImports)
  .values({
    townshipId: zhulin.townshipId,
    kind: 'register',
    departmentId: market,
    fileName: 'r.csv',
    sha256: 'x',
    bytes: 1,
    status: 'done',
    createdBy: 1,
    createdAt: now,
  })
  .returning({ id: dataImports.id })
  .get().id;
ctx.db
  .insert(registerEntries)
  .values({
    importId,
    townshipId: zhulin.townshipId,
    departmentId: market,
    line: 2,
    name: '页面测试喷涂作坊（个体）',
    registerStatus: '存续',
    enterpriseId: low,
    matchedBy: 'name',
  })
  .run();

let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 300_000);
afterAll(() => site?.close());
const page = (path: string, cookie: string) =>
  fetch(`${site.base}${path}`, { headers: { cookie }, redirect: 'manual' });

let shown: Record<string, string> = {};

describe('the department data pages', () => {
  it('show the office the imports, the evaluation with its D class, and the landlords', async () => {
    const office = signIn(ctx, 'shouli');
    const index = await (await page('/admin/department-data', office)).text();
    expect(index).toContain('部门登记信息');
    expect(index).toContain('本镇无对应档案'); // the matched row's correction
    expect(index).toContain('href="/admin/department-data" aria-current="page"');
    const evaluation = await page('/admin/department-data/evaluation?year=2025', office);
    expect(evaluation.status).toBe(200);
    const html = await evaluation.text();
    expect(html).toContain('页面测试喷涂作坊');
    expect(html).toMatch(/title="淘汰整治类">\s*D 类/);
    expect(html).not.toContain('修改 2025 年度的权重和分数线'); // the admin's alone
    const admin = await (await page('/admin/department-data/evaluation?year=2025', signIn(ctx, 'admin'))).text();
    expect(admin).toContain('修改 2025 年度的权重和分数线');
    const landlords = await (await page('/admin/department-data/landlords', signIn(ctx, 'lingdao'))).text();
    expect(landlords).toContain('页面房东');
    expect(landlords).toContain('13700001111');
    shown = { index, evaluation: admin, landlords };
  });

  it('are refused to a village or department officer', async () => {
    for (const user of ['zhulin', 'shengtai']) {
      for (const path of [
        '/admin/department-data',
        '/admin/department-data/evaluation',
        '/admin/department-data/landlords',
      ]) {
        const res = await page(path, signIn(ctx, user));
        expect(res.status, `${user} ${path}`).toBe(403);
      }
    }
  });

  // Last: the checker runs synchronously for seconds, and the server's idle connections close meanwhile.
  it.skipIf(!hasValidator)('are valid HTML (Nu Html Checker)', () => {
    expect(Object.keys(shown)).toHaveLength(3);
    expect(htmlErrors(shown)).toEqual([]);
  });
});
