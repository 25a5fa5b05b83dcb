import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFinished } from '../../api/domain/watch/import-jobs.ts';
import { auditLog, departments, townships, villages } from '../../db/schema.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { dataImports, meters, patrolPlans, powerFlags, registerEntries } from '../../db/schema-watch.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// Issue 14: the relapse watch (meters, flags, imports, plans, detection runs) and the department data are a
// township's: 青溪镇's office and leader neither see nor touch 石桥镇's, a county account sees every township's and
// names the township it imports into or plans for.
const now = new Date('2026-06-02T02:00:00Z');
const { ctx, app } = await freshContext({}, { now: () => now.getTime() });
const one = <T>(row: T | undefined) => row!;
const township = (code: string) => one(ctx.db.select().from(townships).where(eq(townships.code, code)).get()).id;
const village = (code: string) => one(ctx.db.select().from(villages).where(eq(villages.code, code)).get()).id;
const SHIQIAO = township('shiqiao-zhen');
const QINGXI = township('qingxi');
const ZHULIN = village('qingxi-zhulin');
const DONGCUN = village('shiqiao-dongcun');
const ECO = one(ctx.db.select().from(departments).where(eq(departments.code, 'eco')).get()).id;
const HUANBAO = one(ctx.db.select().from(departments).where(eq(departments.code, 'shiqiao-huanbao')).get()).id;

const post = (path: string, body: unknown, who: string) =>
  app.request(path, { method: 'POST', ...json(body, signIn(ctx, who)) });
const get = (path: string, who: string) => app.request(path, { headers: { cookie: signIn(ctx, who) } });
const upload = (path: string, body: string, who: string) =>
  app.request(path, {
    method: 'POST',
    body,
    headers: { cookie: signIn(ctx, who), 'content-type': 'application/octet-stream' },
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

const CODE = '91330782MA2HX8QK3T';
const fileIn = (townshipId: number, villageId: number, name: string, creditCode: string | null = null) =>
  ctx.db
    .insert(enterprises)
    .values({ townshipId, villageId, name, creditCode, updatedAt: now })
    .returning({ id: enterprises.id })
    .get().id;
const QX_FILE = fileIn(QINGXI, ZHULIN, '竹林对照五金作坊');
const SQ_FILE = fileIn(SHIQIAO, DONGCUN, '东村隐秘五金作坊', CODE);
const SQ_ACCOUNT = '55500001';
const sqMeter = ctx.db
  .insert(meters)
  .values({ townshipId: SHIQIAO, villageId: DONGCUN, accountNo: SQ_ACCOUNT, holder: '孙某某', updatedAt: now })
  .returning()
  .get();
const qxMeter = ctx.db
  .insert(meters)
  .values({ townshipId: QINGXI, villageId: ZHULIN, accountNo: '44400001', updatedAt: now })
  .returning()
  .get();
const sqFlag = ctx.db
  .insert(powerFlags)
  .values({
    rule: 'cut_meter_use',
    meterId: sqMeter.id,
    townshipId: SHIQIAO,
    villageId: DONGCUN,
    firstDay: 20_600,
    lastDay: 20_601,
    strength: 3,
    evidence: {},
    detectedAt: now,
  })
  .returning()
  .get();
const sqImport = ctx.db
  .insert(dataImports)
  .values({
    townshipId: SHIQIAO,
    kind: 'register',
    departmentId: ECO,
    fileName: '石桥名单.csv',
    sha256: '',
    bytes: 1,
    createdBy: 1,
  })
  .returning()
  .get();
const sqEntry = ctx.db
  .insert(registerEntries)
  .values({ importId: sqImport.id, townshipId: SHIQIAO, departmentId: ECO, line: 2, name: '石桥登记隐秘商行' })
  .returning()
  .get();

const QINGXI_OFFICE = ['shouli', 'lingdao'];

describe('meters', () => {
  it('are listed, linked and retired within the township; the county lists all with their township', async () => {
    for (const who of QINGXI_OFFICE) {
      const list = await (await get('/api/admin/watch/meters', who)).text();
      expect(list, who).not.toContain(SQ_ACCOUNT);
      expect(list, who).toContain('44400001');
    }
    const link = await post(`/api/admin/watch/meters/${sqMeter.id}/link`, { enterpriseId: null, version: 1 }, 'shouli');
    expect(link.status).toBe(404);
    const retire = await post(`/api/admin/watch/meters/${sqMeter.id}/retire`, { reason: '销户', version: 1 }, 'shouli');
    expect(retire.status).toBe(404);
    const across = await post(
      `/api/admin/watch/meters/${qxMeter.id}/link`,
      { enterpriseId: SQ_FILE, version: 1 },
      'xianban',
    );
    expect(across.status).toBe(400);
    expect(await errorOf(across)).toContain('企业档案');
    const county = (await (await get(`/api/admin/watch/meters?townshipId=${SHIQIAO}`, 'xianban')).json()) as {
      rows: { accountNo: string; townshipName: string }[];
    };
    expect(county.rows.map((r) => [r.accountNo, r.townshipName])).toEqual([[SQ_ACCOUNT, '石桥镇']]);
  });

  it('refuse a 户号 another township holds without saying whose, and a village of another township', async () => {
    const twin = await post('/api/admin/watch/meters', { accountNo: SQ_ACCOUNT, villageId: ZHULIN }, 'shouli');
    expect(twin.status).toBe(409);
    const message = await errorOf(twin);
    expect(message).toContain('不能在本乡镇（街道）登记');
    expect(message).not.toMatch(/石桥|东村|孙某某/);
    const seen = await post('/api/admin/watch/meters', { accountNo: SQ_ACCOUNT, villageId: ZHULIN }, 'xianban');
    expect(await errorOf(seen)).toContain('已登记');
    const there = await post('/api/admin/watch/meters', { accountNo: '44400099', villageId: DONGCUN }, 'shouli');
    expect(there.status).toBe(400);
    expect(await errorOf(there)).toContain('村（社区）');
  });

  it('import into the chosen township (the county must choose), credit codes folded, readings audited', async () => {
    const list = `户号,村（社区）,统一社会信用代码\n55500002,,${CODE.replace(/[0-9A-Z]/g, (c) =>
      String.fromCharCode(c.charCodeAt(0) + 0xfee0),
    )}\n`;
    const unchosen = await upload('/api/admin/watch/imports?list=meters&name=a.csv', list, 'xianban');
    expect(unchosen.status).toBe(400);
    expect(await errorOf(unchosen)).toContain('乡镇（街道）');
    const wrong = await upload(`/api/admin/watch/imports?list=meters&name=a.csv&townshipId=${SHIQIAO}`, list, 'shouli');
    expect(wrong.status).toBe(403);
    const res = await upload(`/api/admin/watch/imports?list=meters&name=a.csv&townshipId=${SHIQIAO}`, list, 'xianban');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: number };
    await importFinished(id);
    const made = one(ctx.db.select().from(meters).where(eq(meters.accountNo, '55500002')).get());
    expect([made.townshipId, made.enterpriseId]).toEqual([SHIQIAO, SQ_FILE]);
    expect((await get(`/api/admin/watch/imports/${id}`, 'shouli')).status).toBe(404);
    expect(await (await get('/api/admin/watch/imports', 'shouli')).text()).not.toContain(`"id":${id},`);
    expect((await get(`/api/admin/watch/imports/${id}`, 'shiqiao')).status).toBe(200);

    const readings = await upload(
      '/api/admin/watch/imports?list=readings&name=r.csv',
      `户号,日期,有功电量(kWh)\n${SQ_ACCOUNT},2026-05-30,12.5\n`,
      'shiqiao',
    );
    expect(readings.status).toBe(202);
    const rid = ((await readings.json()) as { id: number }).id;
    await importFinished(rid);
    const logged = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'readings.import'), eq(auditLog.objectId, String(rid))))
      .all();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.actorLabel).toBe('石桥镇受理员小吴');
  });
});

describe('flags, plans and detection runs', () => {
  it('show and act on a flag only within its township', async () => {
    for (const who of QINGXI_OFFICE) {
      expect(await (await get('/api/admin/watch/flags', who)).text(), who).not.toContain(SQ_ACCOUNT);
      expect((await get(`/api/admin/watch/flags/${sqFlag.id}`, who)).status, who).toBe(404);
    }
    const act = await post(
      `/api/admin/watch/flags/${sqFlag.id}/actions`,
      { action: 'dismiss', version: 1, reason: '误报' },
      'shouli',
    );
    expect(act.status).toBe(404);
    const county = await (await get(`/api/admin/watch/flags?townshipId=${SHIQIAO}`, 'xianzhang')).text();
    expect(county).toContain(SQ_ACCOUNT);
    expect(county).toContain('石桥镇');
    expect((await get(`/api/admin/watch/flags/${sqFlag.id}`, 'shiqiao-lingdao')).status).toBe(200);
  });

  it('make a plan of the township’s files; the county names the township; others never see it', async () => {
    const body = { title: '石桥夜查', size: 1, randomPercent: 0 };
    const unchosen = await post('/api/admin/patrol-plans', body, 'xianban');
    expect(unchosen.status).toBe(400);
    expect(await errorOf(unchosen)).toContain('乡镇（街道）');
    const res = await post('/api/admin/patrol-plans', { ...body, townshipId: SHIQIAO }, 'xianban');
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const plan = one(ctx.db.select().from(patrolPlans).where(eq(patrolPlans.id, id)).get());
    expect(plan.townshipId).toBe(SHIQIAO);
    expect(plan.candidates.map((c) => c.enterpriseId)).not.toContain(QX_FILE);
    for (const who of QINGXI_OFFICE) {
      expect((await get(`/api/admin/patrol-plans/${id}`, who)).status, who).toBe(404);
      expect((await get(`/api/admin/patrol-plans/${id}/verify`, who)).status, who).toBe(404);
      expect(await (await get('/api/admin/patrol-plans', who)).text(), who).not.toContain('石桥夜查');
    }
    const risk = await (await get('/api/admin/relapse-risk', 'shouli')).text();
    expect(risk).not.toContain('东村隐秘');
    expect(await (await get(`/api/admin/relapse-risk?townshipId=${SHIQIAO}`, 'xianzhang')).text()).toContain(
      '东村隐秘',
    );
    expect((await get(`/api/admin/relapse-risk?townshipId=${SHIQIAO}`, 'shouli')).status).toBe(403);
    expect((await get('/api/admin/patrol-plans', 'shiqiao')).status).toBe(200);
    expect(await (await get('/api/admin/patrol-plans', 'shiqiao')).text()).toContain('石桥夜查');
  });

  it('run detection on the own township; a county account names one', async () => {
    expect((await post('/api/admin/watch/runs', { townshipId: SHIQIAO }, 'shouli')).status).toBe(403);
    expect((await post('/api/admin/watch/runs', {}, 'xianban')).status).toBe(400);
    expect((await post('/api/admin/watch/runs', { townshipId: SHIQIAO }, 'xianban')).status).toBe(201);
    const runs = (await (await get('/api/admin/watch/runs', 'shouli')).json()) as { runs: { townshipId: number }[] };
    expect(runs.runs.every((r) => r.townshipId === QINGXI)).toBe(true);
  });
});

describe('department data', () => {
  it('lists and matches a township’s register rows within it; the county picks the township', async () => {
    expect(await (await get('/api/admin/department-data/registers', 'shouli')).text()).not.toContain('石桥登记隐秘');
    const asked = await get(`/api/admin/department-data/registers?townshipId=${SHIQIAO}`, 'lingdao');
    expect(asked.status).toBe(403);
    const county = await get(`/api/admin/department-data/registers?townshipId=${SHIQIAO}`, 'xianzhang');
    expect(await county.text()).toContain('石桥登记隐秘');
    expect(await (await get(`/api/admin/department-data/imports?townshipId=${SHIQIAO}`, 'xianban')).text()).toContain(
      '石桥名单',
    );
    expect(await (await get('/api/admin/department-data/imports', 'shouli')).text()).not.toContain('石桥名单');
    const match = (who: string, enterpriseId: number) =>
      post(`/api/admin/department-data/register-entries/${sqEntry.id}/match`, { enterpriseId }, who);
    expect((await match('shouli', QX_FILE)).status).toBe(404);
    const across = await match('xianban', QX_FILE);
    expect(across.status).toBe(400);
    expect(await errorOf(across)).toContain('企业档案');
    expect((await match('xianban', SQ_FILE)).status).toBe(200);
  });

  it('imports into the chosen township, with its own 站所 or a county department', async () => {
    const csv = '名称\n青溪某商行\n';
    const to = (q: string, who: string) => upload(`/api/admin/department-data/registers?fileName=a.csv&${q}`, csv, who);
    const unchosen = await to(`departmentId=${ECO}`, 'xianban');
    expect(unchosen.status).toBe(400);
    expect(await errorOf(unchosen)).toContain('乡镇（街道）');
    const station = await to(`departmentId=${HUANBAO}&townshipId=${QINGXI}`, 'xianban');
    expect(station.status).toBe(400);
    expect(await errorOf(station)).toContain('部门');
    expect((await to(`departmentId=${ECO}&townshipId=${SHIQIAO}`, 'shouli')).status).toBe(403);
    expect((await to(`departmentId=${ECO}`, 'shouli')).status).toBe(200);
    const landlords = await get(`/api/admin/department-data/landlords.xlsx?townshipId=${SHIQIAO}`, 'lingdao');
    expect(landlords.status).toBe(403);
    const evaluation = await get(`/api/admin/department-data/evaluation.xlsx?townshipId=${SHIQIAO}`, 'xianzhang');
    expect(evaluation.status).toBe(200);
  });
});

describe('the pages', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 300_000);
  afterAll(() => site?.close());
  const page = async (path: string, who: string) => {
    const res = await fetch(`${site.base}${path}`, { headers: { cookie: signIn(ctx, who) }, redirect: 'manual' });
    expect(res.status, `${path} ${who}`).toBe(200);
    return res.text();
  };

  it('show 青溪镇 nothing of 石桥镇, and the county every township with a township column', async () => {
    for (const path of ['/admin/watch', '/admin/watch/meters', '/admin/watch/imports', '/admin/watch/plans']) {
      expect(await page(path, 'shouli'), path).not.toContain(SQ_ACCOUNT);
      expect(await page(path, 'xianban'), path).toContain('乡镇（街道）');
    }
    expect(await page('/admin/watch/meters', 'xianban')).toContain(SQ_ACCOUNT);
    expect(await page(`/admin/department-data?townshipId=${SHIQIAO}`, 'shouli')).not.toContain('石桥登记隐秘');
    expect(await page(`/admin/department-data?townshipId=${SHIQIAO}`, 'xianban')).toContain('石桥登记隐秘');
    for (const path of ['/admin/department-data/evaluation', '/admin/department-data/landlords', '/admin/draws'])
      await page(path, 'xianban');
    expect(await page('/admin/enterprises', 'shouli')).not.toContain('东村隐秘五金作坊');
    const register = await page(`/admin/enterprises?townshipId=${SHIQIAO}`, 'xianban');
    expect(register).toContain('东村隐秘五金作坊');
    expect(register).toContain('<th scope="col">乡镇（街道）</th>');
    expect(await page('/admin/tasks', 'xianban')).toContain('name="townshipId"');
    expect(await page('/admin/patrols', 'xianban')).toContain('id="p-township"');
    expect(await page('/admin/patrols', 'shouli')).not.toContain('东村');
  });
});
