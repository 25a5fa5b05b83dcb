import { createHash } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { enterpriseInput } from '../../api/domain/enforcement/enterprise-input.ts';
import { insertEnterprise } from '../../api/domain/enforcement/enterprises.ts';
import { runDraw } from '../../api/domain/enforcement/random-draw.ts';
import { auditLog, complaints, departments, users, villages } from '../../db/schema.ts';
import { inspectionDrawItems, inspectionDraws, nightPatrols, patrolFindings } from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

const now = Date.parse('2026-06-02T02:00:00Z'); // 10:00 in Beijing
const { ctx, app } = await freshContext({}, { now: () => now });
const cookie = {
  admin: signIn(ctx, 'admin'),
  triage: signIn(ctx, 'shouli'),
  village: signIn(ctx, 'zhulin'),
  department: signIn(ctx, 'shengtai'),
  leader: signIn(ctx, 'lingdao'),
};
const villageOf = (code: string) =>
  ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, code)).get()!.id;
const deptOf = (code: string) =>
  ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, code)).get()!.id;
const ZHULIN = villageOf('qingxi-zhulin'),
  XIATANG = villageOf('qingxi-xiatang');
const ECO = deptOf('eco'),
  MARKET = deptOf('market'),
  FIRE = deptOf('fire');
const actor = { id: 1, displayName: '测试' };

// Department officers: eco gets 4 more (plus the demo one, plus a disabled one), market 3; a village officer never
// counts.
async function officer(username: string, role: 'department' | 'village', departmentId?: number, villageId?: number) {
  const r = await createAccount(
    ctx.db,
    { id: null, label: 'test' },
    { username, displayName: username, role, departmentId, villageId },
  );
  if (!r.ok) throw new Error(r.message);
  return r.value.id;
}
for (let i = 0; i < 4; i++) await officer(`eco${i}`, 'department', ECO);
for (let i = 0; i < 3; i++) await officer(`market${i}`, 'department', MARKET);
const disabled = await officer('eco-gone', 'department', ECO);
ctx.db.update(users).set({ disabled: true }).where(eq(users.id, disabled)).run();
await officer('cun2', 'village', undefined, ZHULIN);

function addEnterprises(n: number, villageId: number, industry: string, prefix: string) {
  return ctx.db.transaction((tx) =>
    Array.from({ length: n }, (_, i) => {
      const r = insertEnterprise(
        tx,
        actor,
        enterpriseInput.parse({ name: `${prefix}${i}有限公司`, businessLicence: true, villageId, industry }),
        ctx.villageAreas(),
        new Date(now),
      );
      if (!r.ok) throw new Error(r.message);
      return r.id;
    }),
  );
}
const plastics = [
  ...addEnterprises(20, ZHULIN, '塑料造粒', '竹林塑料'),
  ...addEnterprises(10, XIATANG, '塑料制品', '下塘塑料'),
];
const castings = addEnterprises(5, XIATANG, '铸造', '下塘铸造');

const post = (path: string, body: unknown, who = cookie.triage) =>
  app.request(path, { method: 'POST', ...json(body, who) });
const get = (path: string, who = cookie.triage) => app.request(path, { headers: { cookie: who } });
const draws = () => ctx.db.select({ n: count() }).from(inspectionDraws).get()!.n;
const DRAW = {
  title: '六月双随机抽查',
  industry: '塑料',
  enterpriseCount: 6,
  departmentIds: [MARKET, ECO],
  inspectorsPerDepartment: 2,
};

async function draw(body: Record<string, unknown>) {
  const res = await post('/api/admin/draws', body);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  const { id } = await res.json();
  return (await (await get(`/api/admin/draws/${id}`)).json()) as {
    draw: {
      seed: string;
      candidateEnterpriseIds: number[];
      candidateInspectors: Record<string, number[]>;
      drawnEnterpriseIds: number[];
      drawnInspectorIds: number[];
      id: number;
    };
    items: { enterpriseId: number; outcome: string | null }[];
    inspectors: { id: number; departmentId: number }[];
  };
}
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('双随机 draws', () => {
  it('draws N filtered enterprises and k officers per chosen department, and stores the sorted inputs', async () => {
    const d = await draw({ ...DRAW, seed: 'june-2026' });
    expect(d.draw.candidateEnterpriseIds).toEqual([...plastics].sort((a, b) => a - b));
    expect(d.draw.drawnEnterpriseIds).toHaveLength(6);
    expect(d.items.map((i) => i.enterpriseId)).toEqual(d.draw.drawnEnterpriseIds);
    expect(d.items.every((i) => i.outcome === null)).toBe(true);
    for (const e of d.draw.drawnEnterpriseIds) expect(plastics).toContain(e);
    // Only active department officers of the chosen departments are candidates.
    const eco = ctx.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.departmentId, ECO), eq(users.disabled, false)))
      .all()
      .map((u) => u.id)
      .sort((a, b) => a - b);
    expect(d.draw.candidateInspectors[String(ECO)]).toEqual(eco);
    expect(d.draw.candidateInspectors[String(ECO)]).not.toContain(disabled);
    expect(Object.keys(d.draw.candidateInspectors).sort()).toEqual([String(ECO), String(MARKET)].sort());
    expect(d.draw.drawnInspectorIds).toHaveLength(4);
    for (const uid of d.draw.drawnInspectorIds) {
      const u = ctx.db.select().from(users).where(eq(users.id, uid)).get()!;
      expect(u.role).toBe('department');
      expect(u.disabled).toBe(false);
      expect([ECO, MARKET]).toContain(u.departmentId);
    }
    expect(d.inspectors.filter((i) => i.departmentId === ECO)).toHaveLength(2);
    const created = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'inspection_draw.create'), eq(auditLog.objectId, String(d.draw.id))))
      .get();
    expect(created?.actorLabel).toBe('受理员小陈');
  });

  it('gives the same result for the same seed and inputs: through the API, the pure function and by hand', async () => {
    const a = await draw({ ...DRAW, seed: 'same-seed' });
    const b = await draw({ ...DRAW, title: '再抽一次', seed: 'same-seed' });
    expect(b.draw.drawnEnterpriseIds).toEqual(a.draw.drawnEnterpriseIds);
    expect(b.draw.drawnInspectorIds).toEqual(a.draw.drawnInspectorIds);
    const again = runDraw({
      seed: 'same-seed',
      enterpriseIds: [...a.draw.candidateEnterpriseIds].reverse(),
      enterpriseCount: 6,
      inspectors: a.draw.candidateInspectors,
      inspectorsPerDepartment: 2,
    });
    expect(again.enterpriseIds).toEqual(a.draw.drawnEnterpriseIds);
    expect(again.inspectorIds).toEqual(a.draw.drawnInspectorIds);
    // The documented rule, written out independently.
    const byHand = [...a.draw.candidateEnterpriseIds]
      .sort((x, y) => sha(`same-seed:e${x}`).localeCompare(sha(`same-seed:e${y}`)))
      .slice(0, 6);
    expect(a.draw.drawnEnterpriseIds).toEqual(byHand);
    const ecoByHand = [...a.draw.candidateInspectors[String(ECO)]!]
      .sort((x, y) => sha(`same-seed:u${x}`).localeCompare(sha(`same-seed:u${y}`)))
      .slice(0, 2);
    const marketByHand = [...a.draw.candidateInspectors[String(MARKET)]!]
      .sort((x, y) => sha(`same-seed:u${x}`).localeCompare(sha(`same-seed:u${y}`)))
      .slice(0, 2);
    expect(a.draw.drawnInspectorIds).toEqual(
      ECO < MARKET ? [...ecoByHand, ...marketByHand] : [...marketByHand, ...ecoByHand],
    );
    const v = await (await get(`/api/admin/draws/${a.draw.id}/verify`, cookie.leader)).json();
    expect(v.matches).toBe(true);
    expect(v.recomputed.enterpriseIds).toEqual(a.draw.drawnEnterpriseIds);
  });

  it('orders a large pool differently under a different seed, and picks a random seed when none is given', async () => {
    const a = await draw({ ...DRAW, enterpriseCount: 30, seed: 'seed-a' });
    const b = await draw({ ...DRAW, enterpriseCount: 30, seed: 'seed-b' });
    expect([...a.draw.drawnEnterpriseIds].sort()).toEqual([...b.draw.drawnEnterpriseIds].sort());
    expect(a.draw.drawnEnterpriseIds).not.toEqual(b.draw.drawnEnterpriseIds);
    const c = await draw({ ...DRAW });
    const d = await draw({ ...DRAW, seed: '' });
    expect(c.draw.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(d.draw.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(c.draw.seed).not.toBe(d.draw.seed);
  });

  it('still verifies after the register changes, and notices a tampered result', async () => {
    const a = await draw({ ...DRAW, seed: 'before-change' });
    const added = addEnterprises(15, ZHULIN, '塑料薄膜', '竹林新塑料');
    const b = await draw({ ...DRAW, seed: 'before-change' });
    expect(b.draw.candidateEnterpriseIds).toEqual(expect.arrayContaining(added));
    expect(a.draw.candidateEnterpriseIds).not.toEqual(expect.arrayContaining([added[0]]));
    const v = await (await get(`/api/admin/draws/${a.draw.id}/verify`)).json();
    expect(v.matches).toBe(true);
    expect(v.recomputed.enterpriseIds).toEqual(a.draw.drawnEnterpriseIds);
    const swapped = [...a.draw.drawnEnterpriseIds.slice(1), a.draw.drawnEnterpriseIds[0]!];
    ctx.db.update(inspectionDraws).set({ drawnEnterpriseIds: swapped }).where(eq(inspectionDraws.id, a.draw.id)).run();
    expect((await (await get(`/api/admin/draws/${a.draw.id}/verify`)).json()).matches).toBe(false);
  });

  it('refuses more enterprises than the pool or more officers than a department has, storing nothing', async () => {
    const before = draws();
    const tooMany = await post('/api/admin/draws', { ...DRAW, industry: '铸造', enterpriseCount: castings.length + 1 });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toBe(
      `符合条件的企业只有 ${castings.length} 家，不能抽取 ${castings.length + 1} 家`,
    );
    const fewOfficers = await post('/api/admin/draws', { ...DRAW, inspectorsPerDepartment: 4 });
    expect(fewOfficers.status).toBe(400);
    expect((await fewOfficers.json()).error.message).toMatch(/市场监管只有 3 名在岗执法人员/);
    const nobody = await post('/api/admin/draws', { ...DRAW, departmentIds: [FIRE] });
    expect(nobody.status).toBe(400);
    expect((await nobody.json()).error.message).toMatch(/^消防没有在岗的执法人员账号/);
    const noDept = await post('/api/admin/draws', { ...DRAW, departmentIds: [] });
    expect((await noDept.json()).error.message).toBe('请至少选择一个执法部门');
    expect(draws()).toBe(before);
  });

  it('filters by village and remediation status', async () => {
    const d = await draw({
      ...DRAW,
      industry: '',
      villageId: XIATANG,
      status: 'listed',
      enterpriseCount: 15,
      seed: 'x',
    });
    expect(d.draw.candidateEnterpriseIds.sort()).toEqual([...plastics.slice(20), ...castings].sort());
  });

  it('records an outcome for each drawn enterprise, with an audit row, and nothing for one not drawn', async () => {
    const d = await draw({ ...DRAW, seed: 'outcomes' });
    const [first, second] = d.draw.drawnEnterpriseIds;
    const url = (e: number) => `/api/admin/draws/${d.draw.id}/items/${e}`;
    expect((await post(url(first!), { outcome: 'problem_found' })).status).toBe(400); // a problem needs a note
    expect((await post(url(first!), { outcome: 'problem_found', note: '无环评手续，现场有废气直排' })).status).toBe(
      200,
    );
    expect((await post(url(second!), { outcome: 'compliant' })).status).toBe(200);
    const notDrawn = plastics.find((e) => !d.draw.drawnEnterpriseIds.includes(e))!;
    expect((await post(url(notDrawn), { outcome: 'compliant' })).status).toBe(404);
    expect((await post(url(first!), { outcome: 'compliant' }, cookie.leader)).status).toBe(403);
    const item = ctx.db
      .select()
      .from(inspectionDrawItems)
      .where(and(eq(inspectionDrawItems.drawId, d.draw.id), eq(inspectionDrawItems.enterpriseId, first!)))
      .get()!;
    expect(item).toMatchObject({ outcome: 'problem_found', note: '无环评手续，现场有废气直排' });
    expect(item.recordedAt?.getTime()).toBe(now);
    const audits = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'inspection_draw.outcome'), eq(auditLog.objectId, String(d.draw.id))))
      .all();
    expect(audits.map((a) => (a.details as { enterpriseId: number }).enterpriseId)).toEqual([first, second]);
    const list = await (await get('/api/admin/draws', cookie.leader)).json();
    expect(list.draws.find((x: { id: number }) => x.id === d.draw.id)).toMatchObject({ recorded: 2, problems: 1 });
  });

  it('is the office’s: village and department officers get 403, the leader reads only', async () => {
    for (const who of [cookie.village, cookie.department]) {
      expect((await get('/api/admin/draws', who)).status).toBe(403);
      expect((await post('/api/admin/draws', { ...DRAW }, who)).status).toBe(403);
    }
    expect((await get('/api/admin/draws', cookie.leader)).status).toBe(200);
    expect((await post('/api/admin/draws', { ...DRAW }, cookie.leader)).status).toBe(403);
  });
});

// Last night in Beijing, as a phone's datetime-local sends it.
const NIGHT = {
  startedAt: '2026-06-01T21:00',
  endedAt: '2026-06-01T23:30',
  area: '竹林村工业区块及沿河一带',
  participants: '周建国\n李明, 王芳',
  summary: '未发现夜间生产。',
};
const patrolCount = () => ctx.db.select({ n: count() }).from(nightPatrols).get()!.n;
const findingCount = () => ctx.db.select({ n: count() }).from(patrolFindings).get()!.n;
async function fileComplaint(cell: [number, number]) {
  const p = cellCenter(cell[0], cell[1]);
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(p.lat), lng: String(p.lng) }),
  });
  const { trackingCode } = await res.json();
  return ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
}

describe('夜查 night patrols', () => {
  it('records a patrol: Beijing times, names split and deduped, the village officer’s village forced', async () => {
    const res = await post(
      '/api/admin/patrols',
      { ...NIGHT, villageId: XIATANG, participants: '周建国\n李明, 王芳、李明' },
      cookie.village,
    );
    expect(res.status).toBe(201);
    const row = ctx.db
      .select()
      .from(nightPatrols)
      .where(eq(nightPatrols.id, (await res.json()).id))
      .get()!;
    expect(row.startedAt.toISOString()).toBe('2026-06-01T13:00:00.000Z');
    expect(row.participants).toEqual(['周建国', '李明', '王芳']);
    expect(row.villageId).toBe(ZHULIN);
    expect(
      ctx.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'patrol.create'), eq(auditLog.objectId, String(row.id))))
        .get(),
    ).toBeDefined();
  });

  it('refuses a patrol of one person, or with bad times, with a Chinese message', async () => {
    const before = patrolCount();
    const cases: [Record<string, unknown>, string | RegExp][] = [
      [{ participants: ['周建国'] }, '夜查至少两人参加'],
      [{ participants: '周建国\n周建国' }, '夜查至少两人参加'],
      [{ participants: [' ', '李明'] }, '夜查至少两人参加'],
      [{ endedAt: '2026-06-01T20:00' }, '结束时间应晚于开始时间'],
      [{ startedAt: '2026-05-31T20:00' }, '一次夜查不能超过 24 小时'],
      [{ startedAt: '2026-06-02T21:00', endedAt: '2026-06-02T23:00' }, '夜查时间不能晚于现在'],
      [{ startedAt: '昨晚九点' }, '开始时间格式不正确'],
    ];
    for (const [over, message] of cases) {
      const res = await post('/api/admin/patrols', { ...NIGHT, ...over });
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect((await res.json()).error.message).toMatch(message);
    }
    expect(patrolCount()).toBe(before);
  });

  it('links findings to visible enterprises and open complaints; refuses other villages’, saving nothing', async () => {
    const own = plastics[0]!,
      foreign = castings[0]!;
    const ownComplaint = await fileComplaint([1, 1]);
    const foreignComplaint = await fileComplaint([0, 0]);
    const before = [patrolCount(), findingCount()];
    const tries = [
      { enterpriseId: foreign, note: '夜间有机器声' },
      { complaintId: foreignComplaint.id, note: '核查举报' },
    ];
    for (const f of tries) {
      const res = await post(
        '/api/admin/patrols',
        { ...NIGHT, findings: [{ enterpriseId: own, note: '正常' }, f] },
        cookie.village,
      );
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(/^第 2 条发现：关联的(企业|举报)不存在或无权查看$/);
    }
    expect([patrolCount(), findingCount()]).toEqual(before);

    const ok = await post(
      '/api/admin/patrols',
      {
        ...NIGHT,
        findings: [
          { enterpriseId: own, note: '门口有新的原料堆放' },
          { complaintId: ownComplaint.id, note: '举报的作坊夜里确在生产' },
          { note: '沿河无异常' },
        ],
      },
      cookie.village,
    );
    expect(ok.status).toBe(201);
    const { id } = await ok.json();
    const detail = await (await get(`/api/admin/patrols/${id}`, cookie.village)).json();
    expect(
      detail.findings.map(
        (f: { enterprise: { id: number } | null; complaint: { id: number } | null; note: string }) => [
          f.enterprise?.id ?? null,
          f.complaint?.id ?? null,
          f.note,
        ],
      ),
    ).toEqual([
      [own, null, '门口有新的原料堆放'],
      [null, ownComplaint.id, '举报的作坊夜里确在生产'],
      [null, null, '沿河无异常'],
    ]);

    // A closed complaint is not open work any more.
    const r = await post(`/api/admin/complaints/${ownComplaint.id}/actions`, {
      action: 'reject',
      reason: '不属于受理范围',
      version: ownComplaint.version,
    });
    expect(r.status).toBe(200);
    const closed = await post(
      '/api/admin/patrols',
      { ...NIGHT, findings: [{ complaintId: ownComplaint.id, note: '再看' }] },
      cookie.village,
    );
    expect(closed.status).toBe(400);
    expect((await closed.json()).error.message).toMatch(/只能关联尚未办结的举报/);
    // The office may link anything, but a village's patrol holds only that village's enterprises.
    const mixed = await post('/api/admin/patrols', {
      ...NIGHT,
      villageId: ZHULIN,
      findings: [{ enterpriseId: foreign, note: 'x' }],
    });
    expect(mixed.status).toBe(400);
    expect((await mixed.json()).error.message).toBe('第 1 条发现：关联的企业不在本次夜查的村（社区）');
    expect(
      (
        await post('/api/admin/patrols', {
          ...NIGHT,
          findings: [{ enterpriseId: foreign, complaintId: foreignComplaint.id, note: '全镇夜查' }],
        })
      ).status,
    ).toBe(201);
  });

  it('shows a village officer his village’s patrols only; the office and leader all; departments none', async () => {
    const elsewhere = await (await post('/api/admin/patrols', { ...NIGHT, area: '下塘村', villageId: XIATANG })).json();
    const township = await (await post('/api/admin/patrols', { ...NIGHT, area: '全镇' })).json();
    const mine = (await (await get('/api/admin/patrols', cookie.village)).json()).patrols as {
      id: number;
      villageId: number;
    }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((p) => p.villageId === ZHULIN)).toBe(true);
    expect((await get(`/api/admin/patrols/${elsewhere.id}`, cookie.village)).status).toBe(404);
    expect((await get(`/api/admin/patrols/${township.id}`, cookie.village)).status).toBe(404);
    const all = (await (await get('/api/admin/patrols', cookie.leader)).json()).patrols as { id: number }[];
    expect(all.map((p) => p.id)).toEqual(expect.arrayContaining([elsewhere.id, township.id, ...mine.map((p) => p.id)]));
    expect(all).toHaveLength(patrolCount());
    const filtered = (await (await get(`/api/admin/patrols?villageId=${XIATANG}`)).json()).patrols as {
      villageId: number;
    }[];
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((p) => p.villageId === XIATANG)).toBe(true);
    expect((await get('/api/admin/patrols', cookie.department)).status).toBe(403);
    expect((await get(`/api/admin/patrols/${township.id}`, cookie.department)).status).toBe(403);
    expect((await post('/api/admin/patrols', NIGHT, cookie.department)).status).toBe(403);
    expect((await post('/api/admin/patrols', NIGHT, cookie.leader)).status).toBe(403);
  });
});
