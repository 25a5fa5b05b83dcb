import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { enterpriseInput } from '../../api/domain/enforcement/enterprise-input.ts';
import { insertEnterprise } from '../../api/domain/enforcement/enterprises.ts';
import { departments, townships, users, villages } from '../../db/schema.ts';
import { inspectionDraws, nightPatrols } from '../../db/schema-enforcement.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';

// Issue 14: 青溪镇's office, leader and village officer neither see nor act on 石桥镇's enterprise files, tasks,
// draws and night patrols, nor link their own records to them; the county's accounts see all, and a county account
// links within one township only.
const now = Date.parse('2026-06-02T02:00:00Z');
const { ctx, app } = await freshContext({}, { now: () => now });
const one = <T>(row: T | undefined) => row!;
const township = (code: string) => one(ctx.db.select().from(townships).where(eq(townships.code, code)).get()).id;
const village = (code: string) => one(ctx.db.select().from(villages).where(eq(villages.code, code)).get()).id;
const department = (code: string) => one(ctx.db.select().from(departments).where(eq(departments.code, code)).get()).id;
const uid = (username: string) => one(ctx.db.select().from(users).where(eq(users.username, username)).get()).id;
const QINGXI = township('qingxi');
const SHIQIAO = township('shiqiao-zhen');
const ZHULIN = village('qingxi-zhulin');
const DONGCUN = village('shiqiao-dongcun');
const ECO = department('eco');
const HUANBAO = department('shiqiao-huanbao');

const post = (path: string, body: unknown, who: string) =>
  app.request(path, { method: 'POST', ...json(body, signIn(ctx, who)) });
const patch = (path: string, body: unknown, who: string) =>
  app.request(path, { method: 'PATCH', ...json(body, signIn(ctx, who)) });
const get = (path: string, who: string) => app.request(path, { headers: { cookie: signIn(ctx, who) } });
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

const admin = { id: uid('admin'), displayName: '管理员', townshipId: null };
function file(name: string, villageId: number) {
  const r = insertEnterprise(
    ctx.db,
    admin,
    enterpriseInput.parse({ name, businessLicence: true, villageId, industry: '塑料' }),
    ctx.villageAreas(),
    new Date(now),
  );
  if (!r.ok) throw new Error(r.message);
  return r.id;
}
const QX_FILE = file('竹林对照塑料有限公司', ZHULIN);
const SQ_FILE = file('东村隐秘塑料有限公司', DONGCUN);
const SQ_NAME = '东村隐秘塑料';
const TASK = {
  type: 'shutdown',
  villageLead: '孙主任',
  townshipLead: '吴镇长',
  departmentLead: '钱站长',
  dueOn: '2026-07-01',
};

// Who is who: 青溪镇's accounts against the county's.
const QINGXI_SIDE = ['shouli', 'lingdao', 'zhulin'];
const COUNTY_SIDE = ['xianban', 'xianzhang'];

describe('enterprise files', () => {
  it('are listed, opened and exported only within the township; the county sees both', async () => {
    for (const who of QINGXI_SIDE) {
      const list = await (await get('/api/admin/enterprises', who)).text();
      expect(list, who).not.toContain(SQ_NAME);
      expect((await get(`/api/admin/enterprises/${SQ_FILE}`, who)).status, who).toBe(404);
    }
    for (const who of ['shouli', 'lingdao'])
      expect((await get(`/api/admin/enterprises/${SQ_FILE}/evidence.zip`, who)).status, who).toBe(404);
    const sheet = await get('/api/admin/exports/dynamic-list.xlsx', 'shouli');
    expect(sheet.status).toBe(200);
    expect(Buffer.from(await sheet.arrayBuffer()).includes(Buffer.from(SQ_NAME))).toBe(false);
    for (const who of [...COUNTY_SIDE, 'shiqiao']) {
      expect((await get(`/api/admin/enterprises/${SQ_FILE}`, who)).status, who).toBe(200);
      expect(await (await get('/api/admin/enterprises', who)).text(), who).toContain(SQ_NAME);
    }
    expect(await (await get('/api/admin/enterprises', 'xianban')).text()).toContain('竹林对照');
  });

  it('are filed and moved only into a village of the township', async () => {
    const there = await post(
      '/api/admin/enterprises',
      { name: '越界塑料有限公司', businessLicence: true, villageId: DONGCUN },
      'shouli',
    );
    expect(there.status).toBe(400);
    expect(await errorOf(there)).toContain('属地村（社区）');
    const version = (await (await get(`/api/admin/enterprises/${QX_FILE}`, 'shouli')).json()).version;
    const moved = await patch(
      `/api/admin/enterprises/${QX_FILE}`,
      { name: '竹林对照塑料有限公司', villageId: DONGCUN, businessLicence: true, version },
      'shouli',
    );
    expect(moved.status).toBe(400);
    expect(await errorOf(moved)).toContain('属地村（社区）');
    const county = await post(
      '/api/admin/enterprises',
      { name: '县里建档有限公司', businessLicence: true, villageId: DONGCUN },
      'xianban',
    );
    expect(county.status, await county.clone().text()).toBe(201);
  });
});

describe('tasks', () => {
  let taskId = 0;
  it('join a township 站所 only on its own township’s files, county departments anywhere', async () => {
    const foreign = await post(
      '/api/admin/tasks',
      { ...TASK, enterpriseId: QX_FILE, departmentIds: [HUANBAO] },
      'xianban',
    );
    expect(foreign.status).toBe(400);
    expect(await errorOf(foreign)).toContain('站所');
    expect((await post('/api/admin/tasks', { ...TASK, enterpriseId: SQ_FILE }, 'shouli')).status).toBe(404);
    const ok = await post(
      '/api/admin/tasks',
      { ...TASK, enterpriseId: SQ_FILE, departmentIds: [HUANBAO, ECO] },
      'shiqiao',
    );
    expect(ok.status, await ok.clone().text()).toBe(201);
    taskId = (await ok.json()).id;
  });

  it('are listed and opened only within the township, by its 站所 and by the county', async () => {
    for (const who of QINGXI_SIDE) {
      expect(await (await get('/api/admin/tasks', who)).text(), who).not.toContain(SQ_NAME);
      expect((await get(`/api/admin/tasks/${taskId}`, who)).status, who).toBe(404);
    }
    for (const who of [...COUNTY_SIDE, 'shiqiao', 'shiqiao-zhan', 'shiqiao-cun'])
      expect((await get(`/api/admin/tasks/${taskId}`, who)).status, who).toBe(200);
  });

  it('keep a file with a 站所 on its open task in its township, even for the county', async () => {
    const file = (await (await get(`/api/admin/enterprises/${SQ_FILE}`, 'xianban')).json()) as { version: number };
    const moved = await patch(
      `/api/admin/enterprises/${SQ_FILE}`,
      { name: '东村隐秘塑料有限公司', villageId: ZHULIN, businessLicence: true, version: file.version },
      'xianban',
    );
    expect(moved.status).toBe(409);
    expect(await errorOf(moved)).toContain('站所');
  });

  it('give a county account a township filter and column on the register and the tasks', async () => {
    type Row = { name?: string; enterpriseName?: string; townshipName: string };
    const rows = async (path: string) => ((await (await get(path, 'xianban')).json()) as { rows: Row[] }).rows;
    const files = await rows(`/api/admin/enterprises?townshipId=${SHIQIAO}`);
    expect(files.map((r) => r.name)).toContain('东村隐秘塑料有限公司');
    expect(new Set(files.map((r) => r.townshipName))).toEqual(new Set(['石桥镇']));
    expect((await rows(`/api/admin/enterprises?townshipId=${QINGXI}`)).map((r) => r.name)).not.toContain(
      '东村隐秘塑料有限公司',
    );
    const tasks = await rows(`/api/admin/tasks?townshipId=${SHIQIAO}`);
    expect(tasks.map((t) => [t.enterpriseName, t.townshipName])).toContainEqual(['东村隐秘塑料有限公司', '石桥镇']);
    expect((await rows(`/api/admin/tasks?townshipId=${QINGXI}`)).map((t) => t.enterpriseName)).not.toContain(
      '东村隐秘塑料有限公司',
    );
  });
});

describe('双随机 draws', () => {
  const DRAW = { title: '县级抽查', enterpriseCount: 1, departmentIds: [ECO], inspectorsPerDepartment: 1 };
  const drawOf = (id: number) => one(ctx.db.select().from(inspectionDraws).where(eq(inspectionDraws.id, id)).get());

  it('draw a township’s files for its office; the county chooses one township or the whole county', async () => {
    const own = await post('/api/admin/draws', { ...DRAW, title: '青溪抽查', enterpriseCount: 1 }, 'shouli');
    expect(own.status, await own.clone().text()).toBe(201);
    const qx = drawOf((await own.json()).id);
    expect(qx.townshipId).toBe(QINGXI);
    expect(qx.candidateEnterpriseIds).not.toContain(SQ_FILE);
    const asked = await post('/api/admin/draws', { ...DRAW, townshipId: SHIQIAO }, 'shouli');
    expect(asked.status).toBe(403);
    const station = await post('/api/admin/draws', { ...DRAW, departmentIds: [HUANBAO] }, 'shouli');
    expect(station.status).toBe(400);
    expect(await errorOf(station)).toContain('执法部门');
    const sq = await post('/api/admin/draws', { ...DRAW, townshipId: SHIQIAO, departmentIds: [HUANBAO] }, 'xianban');
    expect(sq.status, await sq.clone().text()).toBe(201);
    const sqDraw = drawOf((await sq.json()).id);
    expect(sqDraw.townshipId).toBe(SHIQIAO);
    expect(sqDraw.candidateEnterpriseIds.includes(QX_FILE)).toBe(false);
    const wide = await post('/api/admin/draws', { ...DRAW, enterpriseCount: 2 }, 'xianban');
    expect(wide.status).toBe(201);
    const county = drawOf((await wide.json()).id);
    expect(county.townshipId).toBeNull();
    expect(county.candidateEnterpriseIds).toEqual(expect.arrayContaining([QX_FILE, SQ_FILE]));

    for (const who of ['shouli', 'lingdao']) {
      const list = (await (await get('/api/admin/draws', who)).json()).draws as { id: number }[];
      expect(list.map((d) => d.id)).toEqual([qx.id]);
      for (const id of [sqDraw.id, county.id]) {
        expect((await get(`/api/admin/draws/${id}`, who)).status).toBe(404);
        expect((await get(`/api/admin/draws/${id}/verify`, who)).status).toBe(404);
      }
    }
    expect((await get(`/api/admin/draws/${county.id}`, 'shiqiao')).status).toBe(404);
    const all = (await (await get('/api/admin/draws', 'xianzhang')).json()).draws as { id: number }[];
    expect(all.map((d) => d.id)).toEqual(expect.arrayContaining([qx.id, sqDraw.id, county.id]));
  });
});

describe('night patrols', () => {
  const NIGHT = {
    startedAt: '2026-06-01T21:00',
    endedAt: '2026-06-01T23:30',
    area: '东村沿河',
    summary: '未发现夜间生产。',
  };
  const patrolOf = (id: number) => one(ctx.db.select().from(nightPatrols).where(eq(nightPatrols.id, id)).get());

  it('record their township and are seen within it only; links stay in the township', async () => {
    const there = await post(
      '/api/admin/patrols',
      { ...NIGHT, villageId: DONGCUN, participantIds: [uid('shouli'), uid('lingdao')] },
      'shouli',
    );
    expect(there.status).toBe(400);
    expect(await errorOf(there)).toContain('村（社区）');
    const mixed = await post(
      '/api/admin/patrols',
      { ...NIGHT, participantIds: [uid('shouli'), uid('shiqiao')] },
      'shouli',
    );
    expect(mixed.status).toBe(400);
    expect(await errorOf(mixed)).toContain('参加人员');
    const linked = await post(
      '/api/admin/patrols',
      {
        ...NIGHT,
        participantIds: [uid('shouli'), uid('lingdao')],
        findings: [{ enterpriseId: SQ_FILE, note: '灯亮着' }],
      },
      'shouli',
    );
    expect(linked.status).toBe(400);
    expect(await errorOf(linked)).toContain('第 1 条发现');

    const res = await post(
      '/api/admin/patrols',
      {
        ...NIGHT,
        villageId: DONGCUN,
        participantIds: [uid('shiqiao'), uid('shiqiao-cun'), uid('xianban')],
        findings: [{ enterpriseId: SQ_FILE, note: '后门有机器声' }],
      },
      'shiqiao',
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const id = (await res.json()).id as number;
    expect(patrolOf(id).townshipId).toBe(SHIQIAO);
    for (const who of QINGXI_SIDE) {
      expect((await get(`/api/admin/patrols/${id}`, who)).status, who).toBe(404);
      const list = (await (await get('/api/admin/patrols', who)).json()).patrols as { id: number }[];
      expect(list.map((p) => p.id)).not.toContain(id);
    }
    for (const who of [...COUNTY_SIDE, 'shiqiao', 'shiqiao-lingdao', 'shiqiao-cun'])
      expect((await get(`/api/admin/patrols/${id}`, who)).status, who).toBe(200);

    const countyWide = await post(
      '/api/admin/patrols',
      { ...NIGHT, area: '全县交界', townshipId: SHIQIAO, participantIds: [uid('xianban'), uid('shiqiao')] },
      'xianban',
    );
    expect(countyWide.status).toBe(201);
    expect(patrolOf((await countyWide.json()).id).townshipId).toBe(SHIQIAO);
  });
});
