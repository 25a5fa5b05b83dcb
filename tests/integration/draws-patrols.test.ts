import { createHash } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { enterpriseInput } from '../../api/domain/enforcement/enterprise-input.ts';
import { insertEnterprise } from '../../api/domain/enforcement/enterprises.ts';
import { runDraw } from '../../api/domain/enforcement/random-draw.ts';
import { auditLog, complaints, departments, users, villages } from '../../db/schema.ts';
import {
  enterprises,
  inspectionDrawItems,
  inspectionDraws,
  nightPatrols,
  patrolFindings,
} from '../../db/schema-enforcement.ts';
import { fieldPhotos, patrolParticipants } from '../../db/schema-supervision.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { SVG } from '../helpers/images.ts';
import { photoFiles, reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

const now = Date.parse('2026-06-02T02:00:00Z'); // 10:00 in Beijing
const { ctx, app } = await freshContext({}, { now: () => now });
const cookie = {
  admin: signIn(ctx, 'admin'),
  triage: signIn(ctx, 'shouli'),
  village: signIn(ctx, 'zhulin'),
  department: signIn(ctx, 'shengtai'),
  leader: signIn(ctx, 'lingdao'),
  otherVillage: '', // an officer of 下塘村, signed in below
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
const actor = { id: 1, displayName: '测试', townshipId: null };

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
await officer('xiatang1', 'village', undefined, XIATANG);
cookie.otherVillage = signIn(ctx, 'xiatang1');
const uid = (username: string) =>
  ctx.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()!.id;

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

const photo = (over: { lat?: number; lng?: number; hue?: number } = {}) =>
  demoPhoto({ hue: 40, width: 480, height: 360, ...over });
/** A multipart form: text fields, and photos under the given field names. */
function form(fields: Record<string, string>, photos: [string, Buffer][] = []) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [name, p] of photos) f.append(name, new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), 'p.jpg');
  return f;
}
const send = (path: string, body: FormData, who = cookie.triage) =>
  app.request(path, { method: 'POST', body, headers: { cookie: who } });
const photosOf = (subject: 'draw_item' | 'patrol_finding', subjectId: number, partId: number | null = null) =>
  ctx.db
    .select()
    .from(fieldPhotos)
    .where(and(eq(fieldPhotos.subject, subject), eq(fieldPhotos.subjectId, subjectId)))
    .all()
    .filter((p) => p.partId === partId);
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

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
    // and a photo
    const noPhoto = await post(url(first!), { outcome: 'problem_found', note: '无环评手续，现场有废气直排' });
    expect(noPhoto.status).toBe(400);
    expect(await errorOf(noPhoto)).toBe('发现问题时，请拍摄至少一张现场照片');
    const found = form({ outcome: 'problem_found', note: '无环评手续，现场有废气直排' }, [['photos', await photo()]]);
    expect((await send(url(first!), found)).status).toBe(200);
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
    expect(audits.map((a) => (a.details as { photos: number }).photos)).toEqual([1, 0]);
    const list = await (await get('/api/admin/draws', cookie.leader)).json();
    expect(list.draws.find((x: { id: number }) => x.id === d.draw.id)).toMatchObject({ recorded: 2, problems: 1 });
  });

  it('keeps an outcome’s photos, re-encoded with position and distance, for the office and leaders only', async () => {
    const d = await draw({ ...DRAW, seed: 'photos' });
    const [first, second] = d.draw.drawnEnterpriseIds as [number, number];
    const url = (e: number) => `/api/admin/draws/${d.draw.id}/items/${e}`;
    ctx.db.update(enterprises).set({ lat: 30.1, lng: 120.1 }).where(eq(enterprises.id, first)).run();
    const res = await send(
      url(first),
      form({ outcome: 'problem_found', note: '废气直排', lat: '30.1', lng: '120.1005' }, [
        ['photos', await photo({ lat: 30.1009, lng: 120.1 })],
        ['photos', await photo({ hue: 90 })],
      ]),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'problem_found', photos: 2 });
    const stored = photosOf('draw_item', d.draw.id, first);
    expect(stored.map((p) => p.exifSource).sort()).toEqual(['browser', 'file']);
    // A correction keeps the photos and needs no new one.
    expect((await post(url(first), { outcome: 'problem_found', note: '废气直排，无处理设施' })).status).toBe(200);
    const shown = await (await get(`/api/admin/draws/${d.draw.id}`, cookie.leader)).json();
    const item = shown.items.find((i: { enterpriseId: number }) => i.enterpriseId === first);
    expect(item.photos).toHaveLength(2);
    // The file's GPS, 0.0009° north: about 100 m; the phone's, 0.0005° east: about 48 m.
    const file = item.photos.find((p: { positionFrom: string }) => p.positionFrom === 'file');
    expect(file.metresFromSite).toBeGreaterThan(90);
    expect(file.metresFromSite).toBeLessThan(110);
    expect(item.photos.find((p: { positionFrom: string }) => p.positionFrom === 'browser').metresFromSite).toBeLessThan(
      60,
    );
    expect(JSON.stringify(shown)).not.toContain('siteLat');
    const path = `${url(first)}/photos/${stored[0]!.id}/display`;
    for (const who of [cookie.triage, cookie.leader]) {
      const img = await get(path, who);
      expect(img.status).toBe(200);
      const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
      expect([meta.format, meta.exif]).toEqual(['webp', undefined]);
    }
    for (const who of [cookie.village, cookie.department]) expect((await get(path, who)).status).toBe(403);
    for (const wrong of [
      `${url(second)}/photos/${stored[0]!.id}/thumb`, // another enterprise of the draw
      `/api/admin/draws/${d.draw.id + 1000}/items/${first}/photos/${stored[0]!.id}/thumb`,
      `${url(first)}/photos/nosuchphoto0000/thumb`,
    ])
      expect((await get(wrong)).status, wrong).toBe(404);
  });

  it('refuses a bad outcome form with a Chinese 4xx, saving nothing and leaving no file', async () => {
    const d = await draw({ ...DRAW, seed: 'bad-outcomes' });
    const first = d.draw.drawnEnterpriseIds[0]!;
    const url = `/api/admin/draws/${d.draw.id}/items/${first}`;
    const files = photoFiles(ctx).length;
    const good = await photo();
    const cases: [FormData, RegExp][] = [
      [form({ outcome: 'problem_found', note: '废气' }, [['photos', SVG]]), /照片/],
      [form({ outcome: 'closed', note: '废气' }, [['photos', good]]), /检查结果/],
      [form({ outcome: 'compliant', lng: '东经120度' }, [['photos', good]]), /手机定位的经度/],
      [form({ outcome: 'compliant', inspector: '张三' }, [['photos', good]]), /不认识的字段/],
      [form({ outcome: 'compliant' }, [['note', good]]), /情况说明/],
    ];
    for (const [body, pattern] of cases) {
      const res = await send(url, body);
      expect(res.status, pattern.source).toBe(400);
      expect(await errorOf(res)).toMatch(pattern);
    }
    const notDrawn = plastics.find((e) => !d.draw.drawnEnterpriseIds.includes(e))!;
    const elsewhere = await send(
      `/api/admin/draws/${d.draw.id}/items/${notDrawn}`,
      form({ outcome: 'compliant' }, [['photos', good]]),
    );
    expect(elsewhere.status).toBe(404);
    expect(photoFiles(ctx)).toHaveLength(files);
    expect(photosOf('draw_item', d.draw.id, first)).toEqual([]);
    const row = ctx.db.select().from(inspectionDrawItems).where(eq(inspectionDrawItems.drawId, d.draw.id)).all();
    expect(row.every((r) => r.outcome === null)).toBe(true);
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

// Last night in Beijing, as a phone's datetime-local sends it; the office and the leader on duty.
const NIGHT = {
  startedAt: '2026-06-01T21:00',
  endedAt: '2026-06-01T23:30',
  area: '竹林村工业区块及沿河一带',
  participantIds: [uid('shouli'), uid('lingdao')],
  summary: '未发现夜间生产。',
};
const patrolCount = () => ctx.db.select({ n: count() }).from(nightPatrols).get()!.n;
const findingCount = () => ctx.db.select({ n: count() }).from(patrolFindings).get()!.n;
const participantsOf = (patrolId: number) =>
  ctx.db
    .select({ id: patrolParticipants.userId })
    .from(patrolParticipants)
    .where(eq(patrolParticipants.patrolId, patrolId))
    .all()
    .map((r) => r.id)
    .sort((a, b) => a - b);
async function fileComplaint(cell: [number, number]) {
  const p = cellCenter(cell[0], cell[1]);
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(p.lat), lng: String(p.lng) }),
  });
  const { trackingCode } = await res.json();
  return ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
}
/** The patrol as the phone's form sends it: flat fields, findings.N.* and findings.N.photos. */
function patrolForm(over: Record<string, string> = {}, photos: [string, Buffer][] = []) {
  const { participantIds, ...rest } = NIGHT;
  return form({ ...rest, participantIds: participantIds.join(','), ...over }, photos);
}

describe('夜查 night patrols', () => {
  it('records a patrol: Beijing times, accounts deduped, the village officer’s village forced', async () => {
    const res = await post(
      '/api/admin/patrols',
      { ...NIGHT, villageId: XIATANG, participantIds: [uid('zhulin'), uid('cun2'), uid('zhulin'), uid('shouli')] },
      cookie.village,
    );
    expect(res.status).toBe(201);
    const row = ctx.db
      .select()
      .from(nightPatrols)
      .where(eq(nightPatrols.id, (await res.json()).id))
      .get()!;
    expect(row.startedAt.toISOString()).toBe('2026-06-01T13:00:00.000Z');
    expect(row.villageId).toBe(ZHULIN);
    expect(row.participants).toEqual([]); // free text is the old rows'
    expect(participantsOf(row.id)).toEqual([uid('zhulin'), uid('cun2'), uid('shouli')].sort((a, b) => a - b));
    const detail = await (await get(`/api/admin/patrols/${row.id}`, cookie.village)).json();
    expect([...detail.participants].sort()).toEqual(['cun2', '受理员小陈', '竹林村网格员老周'].sort());
    expect(
      ctx.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'patrol.create'), eq(auditLog.objectId, String(row.id))))
        .get()?.details,
    ).toMatchObject({ villageId: ZHULIN, participants: [uid('zhulin'), uid('cun2'), uid('shouli')], findings: 0 });
  });

  it('refuses fewer than two distinct active accounts, or bad times, with a Chinese message', async () => {
    const before = patrolCount();
    const cases: [Record<string, unknown>, string | RegExp][] = [
      [{ participantIds: [uid('shouli')] }, '夜查至少两人参加：请在参加人员中选择至少两个账号'],
      [{ participantIds: [uid('shouli'), uid('shouli')] }, '夜查至少两人参加：请在参加人员中选择至少两个账号'],
      [{ participantIds: `${uid('shouli')},${uid('shouli')}` }, /夜查至少两人参加/],
      [{ participantIds: [uid('shouli'), 99_999] }, '参加人员中有账号不存在或已停用，请重新选择'],
      [{ participantIds: [uid('shouli'), uid('eco-gone')] }, '参加人员中有账号不存在或已停用，请重新选择'],
      [{ participantIds: [uid('shouli'), '0x1F'] }, '参加人员不正确'],
      [{ participantIds: undefined, participants: ['周建国', '李明'] }, '请选择参加人员（至少两人）'],
      [{ participantIds: Array.from({ length: 21 }, (_, i) => i + 1) }, '参加人员最多 20 人'],
      // A village's patrol: the township's accounts and that village's officers only.
      [
        { villageId: XIATANG, participantIds: [uid('shouli'), uid('cun2')] },
        '参加人员只能是镇级账号或本村（社区）的账号',
      ],
      [{ endedAt: '2026-06-01T20:00' }, '结束时间应晚于开始时间'],
      [{ startedAt: '2026-05-31T20:00' }, '一次夜查不能超过 24 小时'],
      [{ startedAt: '2026-06-02T21:00', endedAt: '2026-06-02T23:00' }, '夜查时间不能晚于现在'],
      [{ startedAt: '昨晚九点' }, '开始时间格式不正确'],
    ];
    for (const [over, message] of cases) {
      const res = await post('/api/admin/patrols', { ...NIGHT, ...over });
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(await errorOf(res), JSON.stringify(over)).toMatch(message);
    }
    // A village officer cannot name another village's officer either.
    const foreign = await post(
      '/api/admin/patrols',
      { ...NIGHT, participantIds: [uid('zhulin'), uid('xiatang1')] },
      cookie.village,
    );
    expect(await errorOf(foreign)).toBe('参加人员只能是镇级账号或本村（社区）的账号');
    expect(patrolCount()).toBe(before);
    // The office may name officers of several villages on a township-wide patrol.
    const township = await post('/api/admin/patrols', { ...NIGHT, participantIds: [uid('cun2'), uid('xiatang1')] });
    expect(township.status).toBe(201);
  });

  it('still shows the names typed on a patrol recorded before participants were accounts', async () => {
    const old = ctx.db
      .insert(nightPatrols)
      .values({
        startedAt: new Date(now - 30 * 86_400_000),
        endedAt: new Date(now - 30 * 86_400_000 + 7_200_000),
        area: '竹林村',
        villageId: ZHULIN,
        townshipId: 1,
        participants: ['老张', '老李'],
        createdBy: uid('shouli'),
      })
      .returning()
      .get();
    const detail = await (await get(`/api/admin/patrols/${old.id}`, cookie.village)).json();
    expect(detail).toMatchObject({ participants: ['老张', '老李'], participantIds: [] });
    const list = (await (await get('/api/admin/patrols', cookie.leader)).json()).patrols;
    expect(list.find((p: { id: number }) => p.id === old.id).participants).toEqual(['老张', '老李']);
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
      expect(await errorOf(res)).toMatch(/^第 2 条发现：关联的(企业|举报)不存在或无权查看$/);
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
    expect(await errorOf(closed)).toMatch(/只能关联尚未办结的举报/);
    // The office may link anything, but a village's patrol holds only that village's enterprises.
    const mixed = await post('/api/admin/patrols', {
      ...NIGHT,
      villageId: ZHULIN,
      findings: [{ enterpriseId: foreign, note: 'x' }],
    });
    expect(mixed.status).toBe(400);
    expect(await errorOf(mixed)).toBe('第 1 条发现：关联的企业不在本次夜查的村（社区）');
    expect(
      (
        await post('/api/admin/patrols', {
          ...NIGHT,
          findings: [{ enterpriseId: foreign, complaintId: foreignComplaint.id, note: '全镇夜查' }],
        })
      ).status,
    ).toBe(201);
  });

  it('keeps each finding’s photos, re-encoded, seen by whoever may see the patrol and 404 to anyone else', async () => {
    const own = plastics[1]!;
    ctx.db.update(enterprises).set({ lat: 30.2, lng: 120.2 }).where(eq(enterprises.id, own)).run();
    const res = await send(
      '/api/admin/patrols',
      patrolForm(
        {
          participantIds: `${uid('zhulin')},${uid('shouli')}`,
          'findings.0.enterpriseId': String(own),
          'findings.0.note': '22 时仍有机器声',
          'findings.1.note': '沿河无异常',
          'findings.2.note': '路边堆放塑料原料',
        },
        [
          ['findings.0.photos', await photo({ lat: 30.2018, lng: 120.2 })],
          ['findings.0.photos', await photo({ hue: 120 })],
          ['findings.2.photos', await photo({ hue: 300 })],
        ],
      ),
      cookie.village,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = await res.json();
    const detail = await (await get(`/api/admin/patrols/${id}`, cookie.village)).json();
    expect(detail.findings.map((f: { photos: unknown[] }) => f.photos.length)).toEqual([2, 0, 1]);
    const [first, , third] = detail.findings as { id: number; photos: { id: string; metresFromSite: number }[] }[];
    // 0.0018° north of the linked enterprise: about 200 m; the third finding links none.
    expect(first!.photos[0]!.metresFromSite).toBeGreaterThan(190);
    expect(first!.photos[0]!.metresFromSite).toBeLessThan(210);
    expect(third!.photos[0]!.metresFromSite).toBeNull();
    expect(photosOf('patrol_finding', first!.id)).toHaveLength(2);
    expect(
      ctx.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'patrol.create'), eq(auditLog.objectId, String(id))))
        .get()?.details,
    ).toMatchObject({ findings: 3, photos: 3 });

    const path = `/api/admin/patrols/${id}/findings/${first!.id}/photos/${first!.photos[0]!.id}/display`;
    for (const who of [cookie.village, cookie.triage, cookie.leader]) {
      const img = await get(path, who);
      expect(img.status).toBe(200);
      const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
      expect([meta.format, meta.exif]).toEqual(['webp', undefined]);
    }
    expect((await get(path, cookie.otherVillage)).status).toBe(404);
    expect((await get(path, cookie.department)).status).toBe(403);
    for (const wrong of [
      `/api/admin/patrols/${id}/findings/${third!.id}/photos/${first!.photos[0]!.id}/thumb`,
      `/api/admin/patrols/${id + 1}/findings/${first!.id}/photos/${first!.photos[0]!.id}/thumb`,
      `/api/admin/patrols/${id}/findings/${first!.id}/photos/nosuchphoto0000/thumb`,
    ])
      expect((await get(wrong, cookie.triage)).status, wrong).toBe(404);
  });

  it('refuses a bad patrol form with a Chinese 4xx naming the field, saving nothing and leaving no file', async () => {
    const before = [patrolCount(), findingCount(), photoFiles(ctx).length];
    const good = await photo();
    const cases: [FormData, number, RegExp][] = [
      // A refusal found after the photos are read: nothing saved, the files removed.
      [
        patrolForm(
          { 'findings.0.enterpriseId': String(castings[0]), 'findings.0.note': 'x', villageId: String(ZHULIN) },
          [['findings.0.photos', good]],
        ),
        400,
        /第 1 条发现：关联的企业不在本次夜查的村/,
      ],
      [patrolForm({ 'findings.0.note': '有声音' }, [['findings.0.photos', SVG]]), 400, /照片/],
      [patrolForm({}, [['findings.0.photos', good]]), 400, /^第 1 条发现：请写明发现的情况$/],
      [patrolForm({ 'findings.0.note': '有声音', 'findings.0.complaintId': '1e3' }, []), 400, /^第 1 条发现：关联举报/],
      [patrolForm({ participants: '周建国\n李明' }), 400, /不认识的字段：participants/],
      [patrolForm({ 'findings.50.note': '第五十一条' }), 400, /不认识的字段/],
      [patrolForm({}, [['findings.0.note', good]]), 400, /第 1 条发现的发现情况不能是文件/],
      [patrolForm({ 'findings.0.note': '有声音' }, Array(7).fill(['findings.0.photos', good])), 400, /照片|文件/],
      [patrolForm({ participantIds: '' }), 400, /夜查至少两人参加/],
    ];
    for (const [body, status, pattern] of cases) {
      const res = await send('/api/admin/patrols', body);
      expect(res.status, pattern.source).toBe(status);
      expect(await errorOf(res), pattern.source).toMatch(pattern);
    }
    const broken = await app.request('/api/admin/patrols', {
      method: 'POST',
      body: '--b\r\nContent-Disposition: form-data; name="area"\r\n\r\n竹林',
      headers: { cookie: cookie.triage, 'content-type': 'multipart/form-data; boundary=b' },
    });
    expect(broken.status).toBe(400);
    expect([patrolCount(), findingCount(), photoFiles(ctx).length]).toEqual(before);
  });

  it('refuses generated malformed multipart bodies with a Chinese 4xx, never a 5xx, saving nothing', async () => {
    const B = 'patrolBoundary0';
    const text = (name: string, value: string) =>
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    const file = (name: string, data: Buffer) =>
      Buffer.concat([
        Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"; filename="p.jpg"\r\n`),
        Buffer.from('Content-Type: image/jpeg\r\n\r\n'),
        data,
        Buffer.from('\r\n'),
      ]);
    const good = await photo();
    const valid = [
      text('startedAt', NIGHT.startedAt),
      text('endedAt', NIGHT.endedAt),
      text('area', NIGHT.area),
      text('participantIds', NIGHT.participantIds.join(',')),
      text('findings.0.note', '夜间有机器声'),
      file('findings.0.photos', good),
    ];
    const close = Buffer.from(`--${B}--\r\n`);
    const at = fc.nat(valid.length);
    const among = (i: number, parts: Buffer[]) =>
      Buffer.concat([...valid.slice(0, i), ...parts, ...valid.slice(i), close]);
    const attacks = fc.oneof(
      // cut anywhere before the end
      fc.nat().map((n) => Buffer.concat([...valid, close]).subarray(0, n % (Buffer.concat(valid).length - 1))),
      // names the form does not have, finding numbers past the last, fields a finding has not
      fc
        .tuple(
          at,
          fc.oneof(
            fc.stringMatching(/^[A-Za-z0-9_.\-\u4e00-\u9fa5]{1,30}$/),
            fc.integer({ min: 50, max: 10_000 }).map((n) => `findings.${n}.note`),
            fc.constantFrom('findings.0.photo', 'findings.-1.note', 'findings..note', 'findings.0', 'photos'),
          ),
        )
        .filter(([, name]) => !/^(startedAt|endedAt|area|villageId|participantIds|summary|lat|lng)$/.test(name))
        .filter(([, name]) => !/^findings\.([0-9]|[1-4][0-9])\.(enterpriseId|complaintId|note|photos)$/.test(name))
        .map(([i, name]) => among(i, [text(name, 'x')])),
      // a field twice, a text field sent as a file, text where a photo goes
      fc.tuple(at, fc.constantFrom('area', 'startedAt', 'findings.0.note')).map(([i, n]) => among(i, [text(n, 'x')])),
      fc.tuple(at, fc.constantFrom('area', 'summary', 'findings.3.note')).map(([i, n]) => among(i, [file(n, good)])),
      fc.tuple(at, fc.integer({ min: 0, max: 49 })).map(([i, n]) => among(i, [text(`findings.${n}.photos`, '照片')])),
      // random bytes, and random bytes as a photo
      fc.uint8Array({ minLength: 0, maxLength: 4000 }).map((a) => Buffer.from(a)),
      fc
        .tuple(at, fc.uint8Array({ minLength: 1, maxLength: 4000 }))
        .map(([i, a]) => among(i, [file('findings.0.photos', Buffer.from(a))])),
    );
    const saved = () => [patrolCount(), findingCount(), photoFiles(ctx).length];
    const was = saved();
    await fc.assert(
      fc.asyncProperty(attacks, async (body) => {
        const res = await app.request('/api/admin/patrols', {
          method: 'POST',
          body: new Uint8Array(body),
          headers: { cookie: cookie.triage, 'content-type': `multipart/form-data; boundary=${B}` },
        });
        const answer = await res.text();
        expect(res.status, answer).toBeGreaterThanOrEqual(400);
        expect(res.status, answer).toBeLessThan(500);
        expect(JSON.parse(answer).error.message, answer).toMatch(/[\u4e00-\u9fa5]/);
      }),
      { numRuns: 150 },
    );
    expect(saved()).toEqual(was);
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

  describe('the patrol and draw pages', () => {
    let pages: Awaited<ReturnType<typeof listenWithPages>>;
    beforeAll(async () => {
      pages = await listenWithPages(ctx);
    }, 180_000);
    afterAll(() => pages?.close());
    const page = async (path: string, who: string) => {
      const res = await fetch(`${pages.base}${path}`, { headers: { cookie: who } });
      expect(res.status, path).toBe(200);
      return res.text();
    };

    it('offers accounts to choose (a village officer: the township’s and his village’s) and shows photos', async () => {
      const html = await page('/admin/patrols', cookie.village);
      expect(html).toContain(`name="participantIds" value="${uid('cun2')}"`);
      expect(html).toContain(`name="participantIds" value="${uid('shouli')}"`);
      expect(html).not.toContain(`name="participantIds" value="${uid('xiatang1')}"`);
      expect(html).not.toContain(`name="participantIds" value="${uid('eco-gone')}"`);
      expect(html).toContain('老张、老李'); // an old row's typed names
      expect(html).toMatch(/src="\/api\/admin\/patrols\/\d+\/findings\/\d+\/photos\/[\w-]+\/thumb"/);
      expect(html).toMatch(/距企业 \d+ 米/);
      const office = await page('/admin/patrols', cookie.triage);
      expect(office).toContain(`name="participantIds" value="${uid('xiatang1')}"`);
    });

    it('shows a draw outcome’s photos and offers a photo with each outcome', async () => {
      const d = await draw({ ...DRAW, seed: 'page-photos' });
      const first = d.draw.drawnEnterpriseIds[0]!;
      const url = `/api/admin/draws/${d.draw.id}/items/${first}`;
      expect(
        (await send(url, form({ outcome: 'problem_found', note: '废气直排' }, [['photos', await photo()]]))).status,
      ).toBe(200);
      const html = await page(`/admin/draws/${d.draw.id}`, cookie.leader);
      expect(html).toContain(`src="${url}/photos/${photosOf('draw_item', d.draw.id, first)[0]!.id}/thumb"`);
      expect(await page(`/admin/draws/${d.draw.id}`, cookie.triage)).toContain(`data-field-upload="${url}"`);
    });
  });
});
