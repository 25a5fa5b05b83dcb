import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { POLICY } from '../../api/http/policy.ts';
import { createAccount } from '../../api/services/auth/accounts.ts';
import { departments, villages } from '../../db/schema.ts';
import { enterprises, revisits, taskEvidence, taskItems } from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../db/seed/demo-geography.ts';
import { demoPhoto } from '../../db/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';

// Two villages, each with an enterprise and a task; two departments, each joining one task.
const { ctx, app } = await freshContext();
const villageId = (code: string) => ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, code)).get()!.id;
const deptId = (code: string) => ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, code)).get()!.id;
await createAccount(ctx.db, { id: null, label: 'test' }, { username: 'shangtang', displayName: '上塘村网格员', role: 'village', villageId: villageId('qingxi-shangtang') });
await createAccount(ctx.db, { id: null, label: 'test' }, { username: 'shichang', displayName: '市场监管所', role: 'department', departmentId: deptId('market') });
const office = signIn(ctx, 'shouli');
const post = (path: string, body: unknown, cookie = office) => app.request(path, { method: 'POST', ...json(body, cookie) });

async function setUp(name: string, cell: [number, number], dept: string) {
  const at = cellCenter(...cell);
  const ent = (await (await post('/api/admin/enterprises', { name, personInCharge: name.slice(0, 2), lat: at.lat, lng: at.lng })).json()).id as number;
  const res = await post('/api/admin/tasks', { enterpriseId: ent, type: 'shutdown', villageLead: '村长', townshipLead: '镇长', departmentLead: '所长', dueOn: '2099-01-01', departmentIds: [deptId(dept)] });
  const task = (await res.json()).id as number;
  const item = ctx.db.select().from(taskItems).where(eq(taskItems.taskId, task)).get()!;
  const form = new FormData();
  form.append('note', '已断水');
  form.append('photos', new Blob([new Uint8Array(await demoPhoto({ hue: 90 }))], { type: 'image/jpeg' }), 'a.jpg');
  expect((await app.request(`/api/admin/tasks/${task}/items/${item.id}/evidence`, { method: 'POST', body: form, headers: { cookie: office } })).status).toBe(201);
  const evidence = ctx.db.select().from(taskEvidence).where(eq(taskEvidence.taskId, task)).get()!.id;
  const village = ctx.db.select({ id: enterprises.villageId }).from(enterprises).where(eq(enterprises.id, ent)).get()!.id;
  ctx.db.insert(revisits).values({ enterpriseId: ent, villageId: village, dueAt: new Date() }).run(); // as after an earlier task's acceptance
  return { ent, task, item: item.id, evidence, name };
}
const zhulin = await setUp('周一塑料作坊', [1, 1], 'eco'); // 竹林村, joined by 生态环境
const shangtang = await setUp('吴二电镀作坊', [0, 1], 'market'); // 上塘村, joined by 市场监管

// The pages call the same scoped services; the browser test walks them as a village officer.
const ALL_TEXT_ROUTES = ['/api/admin/enterprises', '/api/admin/tasks', '/api/admin/tasks?status=open', '/api/admin/revisits'];
const exportRoutes = Object.keys(POLICY).filter((k) => k.startsWith('GET /api/admin/exports/') || k.startsWith('GET /api/admin/reports/')).map((k) => k.slice(4));

/** Every cell of every sheet: an .xlsx is zipped, so its bytes say nothing. */
async function sheetText(res: Response): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await res.arrayBuffer());
  const cells: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))));
  return cells.join('\n');
}

// Who may see which: [user, own, other].
const CASES = [
  ['zhulin', zhulin, shangtang], ['shangtang', shangtang, zhulin], ['shengtai', zhulin, shangtang], ['shichang', shangtang, zhulin],
] as const;

describe('enforcement rows across two villages and two departments', () => {
  it('covers the exports', () => expect(exportRoutes).toEqual(expect.arrayContaining(['/api/admin/exports/dynamic-list.xlsx', '/api/admin/reports/progress.xlsx'])));

  for (const [user, own, other] of CASES) {
    it(`${user} sees ${own.name} and never ${other.name}`, async () => {
      const cookie = signIn(ctx, user);
      const get = (path: string) => app.request(path, { headers: { cookie } });
      for (const path of ALL_TEXT_ROUTES) {
        const res = await get(path);
        expect(res.status, path).toBe(200);
        const body = await res.text();
        expect(body, `${path} shows own`).toContain(own.name);
        expect(body, `${path} leaks ${other.name}`).not.toContain(other.name);
      }
      for (const path of [`/api/admin/enterprises/${other.ent}`, `/api/admin/tasks/${other.task}`, `/api/admin/tasks/${other.task}/evidence/${other.evidence}/thumb`]) {
        expect((await get(path)).status, path).toBe(404);
      }
      expect((await get(`/api/admin/tasks/${own.task}/evidence/${own.evidence}/thumb`)).status).toBe(200);
      // Exports: a village officer's file holds his village only; others are refused outright.
      for (const path of exportRoutes) {
        const res = await get(path);
        if (res.status === 200) {
          const text = await sheetText(res);
          expect(text, path).toContain(own.name);
          expect(text, path).not.toContain(other.name);
        }
        else expect(res.status, path).toBe(403);
      }
    });
  }

  it("keeps the office's draws and township-wide patrols out of a village officer's enterprise file", async () => {
    const eco = deptId('eco');
    expect((await post('/api/admin/draws', { title: '十一月抽查', enterpriseCount: 2, departmentIds: [eco] })).status).toBe(201);
    const night = new Date(Date.now() - 6 * 3_600_000).toISOString();
    const patrol = await post('/api/admin/patrols', { startedAt: night, endedAt: new Date(Date.now() - 4 * 3_600_000).toISOString(), area: '全镇', participants: ['甲', '乙'], findings: [{ enterpriseId: zhulin.ent, note: '夜间仍在生产' }] });
    expect(patrol.status).toBe(201);
    const file = async (user: string) => (await app.request(`/api/admin/enterprises/${zhulin.ent}`, { headers: { cookie: signIn(ctx, user) } })).json();
    const office = await file('shouli');
    expect(office.inspections).toHaveLength(1);
    expect(office.patrols).toHaveLength(1);
    for (const user of ['zhulin', 'shengtai']) {
      const seen = await file(user);
      expect(seen.inspections, user).toEqual([]);
      expect(seen.patrols, user).toEqual([]);
    }
  });

  it('refuses writes on another village\'s task, and departments do not write at all', async () => {
    const form = () => {
      const f = new FormData();
      f.append('note', '试图上传');
      return f;
    };
    const zhulinCookie = signIn(ctx, 'zhulin');
    const upload = await app.request(`/api/admin/tasks/${shangtang.task}/items/${shangtang.item}/evidence`, { method: 'POST', body: form(), headers: { cookie: zhulinCookie } });
    expect(upload.status).toBe(404);
    expect((await post(`/api/admin/tasks/${shangtang.task}/actions`, { action: 'submit', version: 1 }, zhulinCookie)).status).toBe(404);
    expect((await post('/api/admin/tasks', { enterpriseId: zhulin.ent, type: 'shutdown', villageLead: '村长', townshipLead: '镇长', dueOn: '2099-01-01' }, zhulinCookie)).status).toBe(403);
    const eco = signIn(ctx, 'shengtai');
    expect((await post(`/api/admin/tasks/${zhulin.task}/actions`, { action: 'submit', version: 1 }, eco)).status).toBe(403);
    expect((await app.request(`/api/admin/tasks/${zhulin.task}/items/${zhulin.item}/evidence`, { method: 'POST', body: form(), headers: { cookie: eco } })).status).toBe(403);
  });
});
