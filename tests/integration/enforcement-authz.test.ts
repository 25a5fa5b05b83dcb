import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../api/http/policy.ts';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { complaints, departments, users, villages } from '../../db/schema.ts';
import {
  enterprises,
  nightPatrols,
  patrolFindings,
  revisits,
  taskEvidence,
  taskItems,
} from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';
import { sheetText } from '../helpers/xlsx.ts';

// Two villages, each with an enterprise and a task; two departments, each joining one task.
const { ctx, app } = await freshContext();
const villageId = (code: string) =>
  ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, code)).get()!.id;
const deptId = (code: string) =>
  ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, code)).get()!.id;
await createAccount(
  ctx.db,
  { id: null, label: 'test' },
  { username: 'shangtang', displayName: '上塘村网格员', role: 'village', villageId: villageId('qingxi-shangtang') },
);
await createAccount(
  ctx.db,
  { id: null, label: 'test' },
  { username: 'shichang', displayName: '市场监管所', role: 'department', departmentId: deptId('market') },
);
const office = signIn(ctx, 'shouli');
const post = (path: string, body: unknown, cookie = office) =>
  app.request(path, { method: 'POST', ...json(body, cookie) });

async function setUp(name: string, cell: [number, number], dept: string) {
  const at = cellCenter(...cell);
  const ent = (
    await (
      await post('/api/admin/enterprises', { name, personInCharge: name.slice(0, 2), lat: at.lat, lng: at.lng })
    ).json()
  ).id as number;
  const res = await post('/api/admin/tasks', {
    enterpriseId: ent,
    type: 'shutdown',
    villageLead: '村长',
    townshipLead: '镇长',
    departmentLead: '所长',
    dueOn: '2099-01-01',
    departmentIds: [deptId(dept)],
  });
  const task = (await res.json()).id as number;
  const item = ctx.db.select().from(taskItems).where(eq(taskItems.taskId, task)).get()!;
  const form = new FormData();
  form.append('note', '已断水');
  form.append('photos', new Blob([new Uint8Array(await demoPhoto({ hue: 90 }))], { type: 'image/jpeg' }), 'a.jpg');
  expect(
    (
      await app.request(`/api/admin/tasks/${task}/items/${item.id}/evidence`, {
        method: 'POST',
        body: form,
        headers: { cookie: office },
      })
    ).status,
  ).toBe(201);
  const evidence = ctx.db.select().from(taskEvidence).where(eq(taskEvidence.taskId, task)).get()!.id;
  const village = ctx.db
    .select({ id: enterprises.villageId })
    .from(enterprises)
    .where(eq(enterprises.id, ent))
    .get()!.id;
  // as after an earlier task's acceptance
  ctx.db.insert(revisits).values({ enterpriseId: ent, villageId: village, dueAt: new Date() }).run();
  return { ent, task, item: item.id, evidence, name };
}
const zhulin = await setUp('周一塑料作坊', [1, 1], 'eco'); // 竹林村, joined by 生态环境
const shangtang = await setUp('吴二电镀作坊', [0, 1], 'market'); // 上塘村, joined by 市场监管

// The pages call the same scoped services; the browser test walks them as a village officer.
const ALL_TEXT_ROUTES = [
  '/api/admin/enterprises',
  '/api/admin/tasks',
  '/api/admin/tasks?status=open',
  '/api/admin/revisits',
];
const exportRoutes = Object.keys(POLICY)
  .filter((k) => k.startsWith('GET /api/admin/exports/') || k.startsWith('GET /api/admin/tables/'))
  .map((k) => k.slice(4));

// Who may see which: [user, own, other].
const CASES = [
  ['zhulin', zhulin, shangtang],
  ['shangtang', shangtang, zhulin],
  ['shengtai', zhulin, shangtang],
  ['shichang', shangtang, zhulin],
] as const;

describe('enforcement rows across two villages and two departments', () => {
  it('covers the exports', () =>
    expect(exportRoutes).toEqual(
      expect.arrayContaining(['/api/admin/exports/dynamic-list.xlsx', '/api/admin/tables/progress.xlsx']),
    ));

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
      for (const path of [
        `/api/admin/enterprises/${other.ent}`,
        `/api/admin/tasks/${other.task}`,
        `/api/admin/tasks/${other.task}/evidence/${other.evidence}/thumb`,
      ]) {
        expect((await get(path)).status, path).toBe(404);
      }
      expect((await get(`/api/admin/tasks/${own.task}/evidence/${own.evidence}/thumb`)).status).toBe(200);
      // Exports: a village officer's file holds his village only; others are refused outright.
      for (const path of exportRoutes) {
        const res = await get(path);
        if (res.status === 200) {
          const text = await sheetText(res);
          // The ledger lists complaints, and these files have none: it can only prove it leaks nothing.
          if (!path.includes('complaint-ledger')) expect(text, path).toContain(own.name);
          expect(text, path).not.toContain(other.name);
        } else expect(res.status, path).toBe(403);
      }
    });
  }

  it("keeps the office's draws and township-wide patrols out of a village officer's enterprise file", async () => {
    const eco = deptId('eco');
    expect(
      (await post('/api/admin/draws', { title: '十一月抽查', enterpriseCount: 2, departmentIds: [eco] })).status,
    ).toBe(201);
    const night = new Date(Date.now() - 6 * 3_600_000).toISOString();
    const patrol = await post('/api/admin/patrols', {
      startedAt: night,
      endedAt: new Date(Date.now() - 4 * 3_600_000).toISOString(),
      area: '全镇',
      participantIds: ['shouli', 'lingdao'].map(
        (u) => ctx.db.select({ id: users.id }).from(users).where(eq(users.username, u)).get()!.id,
      ),
      findings: [{ enterpriseId: zhulin.ent, note: '夜间仍在生产' }],
    });
    expect(patrol.status).toBe(201);
    const file = async (user: string) =>
      (await app.request(`/api/admin/enterprises/${zhulin.ent}`, { headers: { cookie: signIn(ctx, user) } })).json();
    const office = await file('shouli');
    expect(office.inspections).toHaveLength(1);
    expect(office.patrols).toHaveLength(1);
    for (const user of ['zhulin', 'shengtai']) {
      const seen = await file(user);
      expect(seen.inspections, user).toEqual([]);
      expect(seen.patrols, user).toEqual([]);
    }
  });

  it("refuses writes on another village's task, and departments do not write at all", async () => {
    const form = () => {
      const f = new FormData();
      f.append('note', '试图上传');
      return f;
    };
    const zhulinCookie = signIn(ctx, 'zhulin');
    const upload = await app.request(`/api/admin/tasks/${shangtang.task}/items/${shangtang.item}/evidence`, {
      method: 'POST',
      body: form(),
      headers: { cookie: zhulinCookie },
    });
    expect(upload.status).toBe(404);
    expect(
      (await post(`/api/admin/tasks/${shangtang.task}/actions`, { action: 'submit', version: 1 }, zhulinCookie)).status,
    ).toBe(404);
    expect(
      (
        await post(
          '/api/admin/tasks',
          {
            enterpriseId: zhulin.ent,
            type: 'shutdown',
            villageLead: '村长',
            townshipLead: '镇长',
            dueOn: '2099-01-01',
          },
          zhulinCookie,
        )
      ).status,
    ).toBe(403);
    const eco = signIn(ctx, 'shengtai');
    expect((await post(`/api/admin/tasks/${zhulin.task}/actions`, { action: 'submit', version: 1 }, eco)).status).toBe(
      403,
    );
    expect(
      (
        await app.request(`/api/admin/tasks/${zhulin.task}/items/${zhulin.item}/evidence`, {
          method: 'POST',
          body: form(),
          headers: { cookie: eco },
        })
      ).status,
    ).toBe(403);
  });
  describe('links from one record to another (JSON and pages)', () => {
    let site: Awaited<ReturnType<typeof listenWithPages>>;
    beforeAll(async () => {
      site = await listenWithPages(ctx);
    }, 180_000);
    afterAll(() => site?.close());
    const as = (user: string) => {
      const cookie = signIn(ctx, user);
      return {
        json: async (path: string) => {
          const res = await app.request(path, { headers: { cookie } });
          expect(res.status, path).toBe(200);
          return res.text();
        },
        page: async (path: string) => {
          const res = await fetch(`${site.base}${path}`, { headers: { cookie }, redirect: 'manual' });
          expect(res.status, path).toBe(200);
          return res.text();
        },
      };
    };

    it('a file that moved village: the closed task and done revisit it left behind name nothing of it', async () => {
      // Nor do the old village's files link a task of the new one.
      // 竹林村's workshop, its task cancelled and a revisit done there, then the file moves to 上塘村.
      const at = cellCenter(1, 1);
      const moved = (
        await (
          await post('/api/admin/enterprises', {
            name: '郑九铸造作坊',
            personInCharge: '郑九',
            address: '竹林村后山路',
            lat: at.lat,
            lng: at.lng,
          })
        ).json()
      ).id as number;
      const task = (
        await (
          await post('/api/admin/tasks', {
            enterpriseId: moved,
            type: 'shutdown',
            villageLead: '村长',
            townshipLead: '镇长',
            departmentLead: '所长',
            dueOn: '2099-01-01',
            departmentIds: [deptId('eco')],
          })
        ).json()
      ).id as number;
      expect(
        (await post(`/api/admin/tasks/${task}/actions`, { action: 'cancel', version: 1, reason: '改由新任务处理' }))
          .status,
      ).toBe(200);
      const done = {
        villageId: villageId('qingxi-zhulin'),
        dueAt: new Date(),
        status: 'done' as const,
        outcome: 'resumed' as const,
        note: '复查',
        doneAt: new Date(),
      };
      ctx.db
        .insert(revisits)
        .values({ ...done, enterpriseId: moved, followUpTaskId: shangtang.task })
        .run();
      ctx.db
        .insert(revisits)
        .values({ ...done, enterpriseId: zhulin.ent, followUpTaskId: shangtang.task })
        .run();
      const version = ctx.db
        .select({ v: enterprises.version })
        .from(enterprises)
        .where(eq(enterprises.id, moved))
        .get()!.v;
      const patch = await app.request(`/api/admin/enterprises/${moved}`, {
        method: 'PATCH',
        ...json(
          {
            name: '郑九铸造作坊',
            personInCharge: '郑九',
            address: '上塘村新厂房',
            villageId: villageId('qingxi-shangtang'),
            version,
          },
          office,
        ),
      });
      expect(patch.status).toBe(200);

      const village = as('zhulin');
      const nothingOfTheFile = (text: string, where: string) => {
        for (const needle of [
          '郑九铸造作坊',
          '上塘村新厂房',
          '竹林村后山路',
          `/admin/enterprises/${moved}"`,
          `"enterpriseId":${moved}`,
          `/admin/tasks/${shangtang.task}"`,
          `"followUpTaskId":${shangtang.task}`,
          shangtang.name,
        ]) {
          expect(text, `${where} shows ${needle}`).not.toContain(needle);
        }
      };
      const taskJson = await village.json(`/api/admin/tasks/${task}`);
      expect(JSON.parse(taskJson).enterprise).toMatchObject({ id: null, name: '其他村（社区）的企业', phone: null });
      for (const [where, text] of [
        ['task JSON', taskJson],
        ['task page', await village.page(`/admin/tasks/${task}`)],
        ['cancelled tasks JSON', await village.json('/api/admin/tasks?status=cancelled')],
        ['cancelled tasks page', await village.page('/admin/tasks?status=cancelled')],
        ['done revisits JSON', await village.json('/api/admin/revisits?status=done')],
        ['done revisits page', await village.page('/admin/revisits?status=done')],
        ["own file's JSON", await village.json(`/api/admin/enterprises/${zhulin.ent}`)],
        ["own file's page", await village.page(`/admin/enterprises/${zhulin.ent}`)],
      ] as const)
        nothingOfTheFile(text, where);
      // 上塘村 now keeps the file and sees all of it; the office sees every link.
      expect(await as('shangtang').page(`/admin/enterprises/${moved}`)).toContain('郑九铸造作坊');
      expect(await as('shouli').page(`/admin/enterprises/${zhulin.ent}`)).toContain(`/admin/tasks/${shangtang.task}"`);
    });

    it("a patrol's findings about another village's file or report say only that they exist", async () => {
      const res = await app.request('/api/complaints', {
        method: 'POST',
        body: reportForm({
          ...Object.fromEntries(Object.entries(cellCenter(0, 1)).map(([k, v]) => [k, String(v)])),
          description: '上塘村电镀作坊半夜往沟里排黄水，味道刺鼻',
        }),
      });
      const { trackingCode } = await res.json();
      const report = ctx.db
        .select({ id: complaints.id })
        .from(complaints)
        .where(eq(complaints.trackingCode, trackingCode))
        .get()!.id;
      const by = ctx.db.select({ id: users.id }).from(users).where(eq(users.username, 'shouli')).get()!.id;
      // As findings may stand after the file and the report were moved to 上塘村.
      const patrol = ctx.db
        .insert(nightPatrols)
        .values({
          startedAt: new Date(Date.now() - 7_200_000),
          endedAt: new Date(Date.now() - 3_600_000),
          area: '两村交界',
          villageId: villageId('qingxi-zhulin'),
          // The office's patrol is its township's (青溪镇's), as a patrol it records is.
          townshipId: ctx.db.select().from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!.townshipId,
          participants: ['甲', '乙'],
          createdBy: by,
          createdAt: new Date(),
        })
        .returning()
        .get();
      ctx.db
        .insert(patrolFindings)
        .values({ patrolId: patrol.id, enterpriseId: shangtang.ent, complaintId: report, note: '夜里仍在生产' })
        .run();

      const village = as('zhulin');
      const found = await village.json(`/api/admin/patrols/${patrol.id}`);
      expect(JSON.parse(found).findings).toEqual([
        {
          id: expect.any(Number),
          note: '夜里仍在生产',
          enterprise: { hidden: true },
          complaint: { hidden: true },
          photos: [],
        },
      ]);
      const html = await village.page('/admin/patrols');
      expect(html).toContain('其他村（社区）的企业');
      for (const text of [found, html]) {
        for (const needle of [
          shangtang.name,
          '上塘村电镀作坊半夜',
          trackingCode,
          `/admin/enterprises/${shangtang.ent}"`,
          `/admin/complaints/${report}"`,
          `"id":${report},`,
        ])
          expect(text, needle).not.toContain(needle);
      }
      expect(await as('shouli').page('/admin/patrols')).toContain(`/admin/complaints/${report}"`);
    });
  });
});
