import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { complaints, departments, townships, users, villages } from '../../db/schema.ts';
import { cases } from '../../db/schema-public.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { todoFor } from '../../api/domain/supervision/todo.ts';
import { loopContext, type Loop } from '../helpers/assignments.ts';
import { listenWithPages } from '../security/site-server.ts';
import { hasValidator, htmlErrors } from '../helpers/html-validator.ts';

// Decision 023: a township's office, leader, village officer and 站所 never see or act on another township's records;
// a county account sees them all. 青溪镇 (the demo's first township) against 石桥镇 (the demo's second).
let loop: Loop;
const id = { qingxi: 0, shiqiao: 0, dongcun: 0, huanbao: 0, anjian: 0 };
let qingxiComplaint: { id: number };
let shiqiaoComplaint: { id: number; secret: string };

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;
const expectHidden = async (res: Response, secret: string) => {
  expect(res.status).toBe(404);
  expect(await res.text()).not.toContain(secret);
};

beforeAll(async () => {
  loop = await loopContext();
  const { ctx } = loop;
  const township = (code: string) => ctx.db.select().from(townships).where(eq(townships.code, code)).get()!.id;
  id.qingxi = township('qingxi');
  id.shiqiao = township('shiqiao-zhen');
  id.dongcun = ctx.db.select().from(villages).where(eq(villages.code, 'shiqiao-dongcun')).get()!.id;
  id.huanbao = ctx.db.select().from(departments).where(eq(departments.code, 'shiqiao-huanbao')).get()!.id;
  // 青溪镇's own 站所 and its officer, made as the admin makes them.
  const dep = await loop.post(
    '/api/admin/departments',
    { code: 'qingxi-anjian', name: '青溪镇安监站', townshipId: id.qingxi },
    'admin',
  );
  expect(dep.status, await dep.clone().text()).toBe(201);
  id.anjian = ((await dep.json()) as { id: number }).id;
  const acc = await loop.post(
    '/api/admin/users',
    { username: 'qingxi-zhan', displayName: '青溪镇安监站小冯', role: 'department', departmentId: id.anjian },
    'admin',
  );
  expect(acc.status, await acc.clone().text()).toBe(201);

  qingxiComplaint = await loop.file();
  const filed = await loop.file(cellCenter(-1, 0));
  // Held by 石桥镇 whatever the routing of the day decides, and not near 青溪镇's border.
  ctx.db
    .update(complaints)
    .set({ townshipId: id.shiqiao, villageId: id.dongcun, borderTownshipId: null })
    .where(eq(complaints.id, filed.id))
    .run();
  shiqiaoComplaint = { id: filed.id, secret: loop.complaint(filed.id).description };
}, 120_000);

describe('accounts at a level', () => {
  const user = (username: string) => loop.ctx.db.select().from(users).where(eq(users.username, username)).get()!;

  it('gives a 站所 officer his 站所’s township, a county triage none, and lists each account’s level', async () => {
    expect(user('qingxi-zhan').townshipId).toBe(id.qingxi);
    const res = await loop.post(
      '/api/admin/users',
      { username: 'xian2', displayName: '县整治办小陈', role: 'triage', townshipId: 'county' },
      'admin',
    );
    expect(res.status).toBe(201);
    expect(user('xian2').townshipId).toBeNull();
    const list = (await (await loop.get('/api/admin/users', 'admin')).json()) as {
      username: string;
      townshipId: number | null;
    }[];
    expect(list.find((u) => u.username === 'shiqiao-cun')?.townshipId).toBe(id.shiqiao);
  });

  it('refuses a township against the village, one for the admin, and bad ids, naming the field', async () => {
    const cases = [
      [{ role: 'village', villageId: loop.ids.zhulin, townshipId: id.shiqiao }, '所属乡镇（街道）'],
      [{ role: 'admin', townshipId: id.qingxi }, '系统管理员是县级账号'],
      [{ role: 'village', villageId: 'abc' }, '所属村'],
      [{ role: 'triage', townshipId: 999_999 }, '所属乡镇（街道）不存在'],
      [{ role: 'department', departmentId: -1 }, '所属部门'],
    ] as const;
    for (const [body, words] of cases) {
      const res = await loop.post('/api/admin/users', { username: 'nobody', displayName: '某人', ...body }, 'admin');
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toContain(words);
    }
    expect(loop.ctx.db.select().from(users).where(eq(users.username, 'nobody')).get()).toBeUndefined();
    const moved = await loop.post(
      '/api/admin/departments',
      { code: 'x-1', name: '某站', townshipId: 999_999 },
      'admin',
    );
    expect(moved.status).toBe(400);
    expect(await errorOf(moved)).toContain('所属乡镇（街道）');
  });

  it('moves a township triage to the county and back, with sessions ended and the change audited', async () => {
    const send = (body: Record<string, unknown>) =>
      loop.app.request(`/api/admin/users/${user('xian2').id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: loop.cookie('admin') },
        body: JSON.stringify(body),
      });
    expect((await send({ townshipId: id.shiqiao, reason: '调往石桥镇' })).status).toBe(200);
    expect(user('xian2').townshipId).toBe(id.shiqiao);
    expect((await send({ disabled: false, reason: '只改停用' })).status).toBe(200);
    expect(user('xian2').townshipId).toBe(id.shiqiao);
    expect((await send({ townshipId: 'county', reason: '回县整治办' })).status).toBe(200);
    expect(user('xian2').townshipId).toBeNull();
  });

  it('is the admin’s alone: a township office cannot list or make accounts or departments', async () => {
    expect((await loop.get('/api/admin/users', 'shouli')).status).toBe(403);
    const res = await loop.post(
      '/api/admin/departments',
      { code: 'x-2', name: '某站', townshipId: id.qingxi },
      'shouli',
    );
    expect(res.status).toBe(403);
  });
});

describe('complaints', () => {
  it('hides a 石桥镇 complaint from 青溪镇’s office, leader, village officer and 站所; the county sees it', async () => {
    const path = `/api/admin/complaints/${shiqiaoComplaint.id}`;
    for (const who of ['shouli', 'lingdao', 'zhulin', 'qingxi-zhan'])
      await expectHidden(await loop.get(path, who), shiqiaoComplaint.secret);
    for (const who of ['xianban', 'xianzhang', 'admin', 'shiqiao'])
      expect((await loop.get(path, who)).status).toBe(200);
    const act = await loop.post(`${path}/actions`, { action: 'accept', version: 1 }, 'shouli');
    await expectHidden(act, shiqiaoComplaint.secret);
    const contact = await loop.post(`${path}/contact`, { reason: '核实举报内容' }, 'shouli');
    expect(contact.status).toBe(404);
  });

  it('keeps the queue, its number search, counts and a batch within the township', async () => {
    type Queue = {
      rows: { id: number; townshipName: string }[];
      match: unknown;
      counts: { byStatus: Record<string, number> };
    };
    const queue = async (who: string, q = '') =>
      (await (await loop.get(`/api/admin/complaints${q}`, who)).json()) as Queue;
    const qingxi = await queue('shouli');
    expect(qingxi.rows.map((r) => r.id)).toContain(qingxiComplaint.id);
    expect(qingxi.rows.map((r) => r.id)).not.toContain(shiqiaoComplaint.id);
    expect((await queue('shouli', `?q=${shiqiaoComplaint.id}`)).match).toBeNull();
    const shiqiao = await queue('shiqiao');
    expect(shiqiao.rows.map((r) => r.id)).toEqual([shiqiaoComplaint.id]);
    expect(shiqiao.counts.byStatus).toEqual({ submitted: 1 });
    const total = (q: Queue) => Object.values(q.counts.byStatus).reduce((a, b) => a + b, 0);
    const county = await queue('xianban');
    expect(total(county)).toBe(total(qingxi) + total(shiqiao));
    const filtered = await queue('xianban', '?township=shiqiao-zhen');
    expect(filtered.rows).toEqual([expect.objectContaining({ id: shiqiaoComplaint.id, townshipName: '石桥镇' })]);
    expect(filtered.counts.byStatus).toEqual({ submitted: 1 });
    // The township office's own filter cannot reach beyond it.
    expect((await queue('shouli', '?township=shiqiao-zhen')).rows).toEqual([]);
    const batch = await loop.post(
      '/api/admin/complaint-batch',
      { items: [{ id: shiqiaoComplaint.id, version: 1 }], action: { action: 'accept' } },
      'shouli',
    );
    expect(((await batch.json()) as { results: { ok: boolean }[] }).results[0]!.ok).toBe(false);
    expect(loop.complaint(shiqiaoComplaint.id).status).toBe('submitted');
  });

  it('lists the same rows whether a township’s queue walks ids down or reads its index', async () => {
    type Queue = { rows: { id: number }[] };
    const ids = async (who: string, q: string) =>
      ((await (await loop.get(`/api/admin/complaints${q}`, who)).json()) as Queue).rows.map((r) => r.id);
    // No filter: walked; a date filter that leaves nothing out: the township's index.
    for (const [who, q] of [
      ['shouli', ''],
      ['shiqiao', ''],
      ['xianban', '?township=shiqiao-zhen'],
    ] as const)
      expect(await ids(who, q), who).toEqual(await ids(who, `${q ? `${q}&` : '?'}from=2000-01-01`));
  });

  it('assigns only to the complaint’s township’s villages, the county’s departments and its own 站所', async () => {
    await loop.complaintAction(shiqiaoComplaint.id, { action: 'accept' }, 'shiqiao');
    const assign = (body: Record<string, unknown>, who = 'shiqiao') =>
      loop.post(
        `/api/admin/complaints/${shiqiaoComplaint.id}/actions`,
        { action: 'assign', version: loop.complaint(shiqiaoComplaint.id).version, departmentIds: [], ...body },
        who,
      );
    const wrongVillage = await assign({ villageId: loop.ids.zhulin });
    expect(wrongVillage.status).toBe(400);
    expect(await errorOf(wrongVillage)).toContain('属地村（社区）');
    const wrongStation = await assign({ villageId: id.dongcun, departmentIds: [id.anjian] }, 'xianban');
    expect(wrongStation.status).toBe(400);
    expect(await errorOf(wrongStation)).toContain('参与部门');
    expect(loop.complaint(shiqiaoComplaint.id).status).toBe('accepted');
    const ok = await assign({ villageId: id.dongcun, departmentIds: [id.huanbao, loop.ids.eco] });
    expect(ok.status, await ok.clone().text()).toBe(200);
  });

  it('merges only within one township, even for the county office', async () => {
    const res = await loop.post(
      `/api/admin/complaints/${qingxiComplaint.id}/actions`,
      { action: 'merge', version: loop.complaint(qingxiComplaint.id).version, targetId: shiqiaoComplaint.id },
      'xianban',
    );
    expect(res.status).toBe(400);
    expect(loop.complaint(qingxiComplaint.id).status).toBe('submitted');
  });
});

describe('supervision and notices', () => {
  it('keeps 石桥镇’s work items from 青溪镇’s accounts; 石桥镇’s 反馈 reaches its own and the county office only', async () => {
    const items = loop.itemsOf(shiqiaoComplaint.id);
    const village = items.find((i) => i.departmentId == null)!;
    const station = items.find((i) => i.departmentId === id.huanbao)!;
    for (const who of ['shouli', 'lingdao', 'zhulin', 'qingxi-zhan'])
      await expectHidden(await loop.get(`/api/admin/assignments/${village.id}`, who), shiqiaoComplaint.secret);
    expect((await loop.get(`/api/admin/assignments/${station.id}`, 'shiqiao-zhan')).status).toBe(200);
    expect((await loop.get(`/api/admin/assignments/${station.id}`, 'qingxi-zhan')).status).toBe(404);
    expect((await loop.get(`/api/admin/assignments/${village.id}`, 'xianban')).status).toBe(200);
    const urge = await loop.act(village.id, { action: 'urge', note: '请尽快签收' }, 'shouli');
    expect(urge.status).toBe(404);
    expect((await loop.act(village.id, { action: 'acknowledge' }, 'shiqiao-cun')).status).toBe(200);
    const answered = await loop.answer(village.id, {}, 'shiqiao-cun');
    expect(answered.status, await answered.clone().text()).toBe(200);
    const told = (who: string) => loop.noticesOf(who).filter((n) => n.kind === 'answered').length;
    expect([told('shiqiao'), told('xianban'), told('admin'), told('shouli'), told('chengdong')]).toEqual([
      1, 1, 1, 0, 0,
    ]);
  });

  it('names the township beside the village in a county account’s overdue list, not in a township’s', () => {
    const later = new Date(loop.clock.now + 20 * 86_400_000);
    const overdue = (who: string) => todoFor(loop.ctx.db, staffByUsername(loop.ctx.db, who)!, later).overdueByVillage;
    expect(overdue('xianban').map((v) => v.village)).toContain('石桥镇 · 东村');
    expect(overdue('shiqiao').map((v) => v.village)).toEqual(['东村']);
    expect(overdue('shouli')).toEqual([]);
  });

  it('answers the sheet and the ledger within the township', async () => {
    const sheet = await loop.get(`/api/admin/exports/complaint-ledger.xlsx?township=shiqiao-zhen`, 'shouli');
    expect(sheet.status).toBe(200);
    const bad = await loop.get('/api/admin/exports/complaint-ledger.xlsx?township=%E7%9F%B3', 'xianban');
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toContain('乡镇（街道）');
  });
});

describe('rewards and typical cases', () => {
  it('opens a 石桥镇 complaint’s reward panel for the county and 石桥镇 only', async () => {
    const path = `/api/admin/complaints/${shiqiaoComplaint.id}/reward`;
    expect((await loop.get(path, 'shouli')).status).toBe(404);
    expect((await loop.get(path, 'lingdao')).status).toBe(404);
    expect((await loop.get(path, 'xianban')).status).toBe(200);
    expect((await loop.get(path, 'shiqiao')).status).toBe(200);
  });

  it('lists, opens and edits a 石桥镇 case for the county and 石桥镇 only; its village stays in 石桥镇', async () => {
    const { ctx } = loop;
    const author = ctx.db.select().from(users).where(eq(users.username, 'shiqiao')).get()!.id;
    const row = ctx.db
      .insert(cases)
      .values({
        title: '东村某作坊被依法关停',
        villageId: id.dongcun,
        happenedOn: '2026-11-01',
        authorId: author,
        updatedAt: new Date(),
      })
      .returning()
      .get();
    const listed = async (who: string) =>
      ((await (await loop.get('/api/admin/cases', who)).json()) as { rows: { id: number }[] }).rows.map((r) => r.id);
    expect(await listed('shouli')).not.toContain(row.id);
    expect(await listed('xianban')).toContain(row.id);
    const county = (await (await loop.get('/api/admin/cases', 'xianban')).json()) as {
      rows: { id: number; townshipName: string }[];
    };
    expect(county.rows.find((r) => r.id === row.id)?.townshipName).toBe('石桥镇');
    await expectHidden(await loop.get(`/api/admin/cases/${row.id}`, 'lingdao'), '东村某作坊');
    expect((await loop.get(`/api/admin/cases/${row.id}`, 'xianzhang')).status).toBe(200);
    const edit = (villageId: number, who: string) =>
      loop.app.request(`/api/admin/cases/${row.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: loop.cookie(who) },
        body: JSON.stringify({
          title: '东村某作坊被依法关停',
          villageId,
          found: {},
          actions: '',
          summary: '',
          happenedOn: '2026-11-01',
          version: ctx.db.select().from(cases).where(eq(cases.id, row.id)).get()!.version,
        }),
      });
    expect((await edit(id.dongcun, 'shouli')).status).toBe(404);
    const moved = await edit(loop.ids.zhulin, 'xianban');
    expect(moved.status).toBe(400);
    expect(await errorOf(moved)).toContain('村（社区）');
    expect((await edit(id.dongcun, 'shiqiao')).status).toBe(200);
    const kept = ctx.db
      .select()
      .from(cases)
      .where(and(eq(cases.id, row.id), eq(cases.villageId, id.dongcun)))
      .get();
    expect(kept).toBeDefined();
  });
});

describe('the office pages', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(loop.ctx);
  }, 180_000);
  afterAll(() => site?.close());
  const page = async (path: string, who: string) => {
    const res = await fetch(`${site.base}${path}`, { headers: { cookie: loop.cookie(who) }, redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  };

  it('answers 青溪镇’s accounts 404 on a 石桥镇 complaint and its sheet, no words; the county opens both', async () => {
    for (const path of [`/admin/complaints/${shiqiaoComplaint.id}`, `/admin/complaints/${shiqiaoComplaint.id}/sheet`]) {
      for (const who of ['shouli', 'lingdao', 'zhulin', 'qingxi-zhan']) {
        const r = await page(path, who);
        expect(r.status, `${who} ${path}`).toBe(404);
        expect(r.html).not.toContain(shiqiaoComplaint.secret.slice(0, 12));
      }
      expect((await page(path, 'xianban')).status).toBe(200);
    }
    const todo = await page('/admin/todo', 'shouli');
    expect(todo.html).not.toContain(`#${shiqiaoComplaint.id}<`);
  });

  it('offers the complaint’s own township’s villages and departments on its page', async () => {
    const { html } = await page(`/admin/complaints/${shiqiaoComplaint.id}`, 'xianban');
    // The assign form's pickers (the map beside them outlines every village, as the public report page does).
    const villagesOffered = /<select name="villageId"[^>]*>([\s\S]*?)<\/select>/.exec(html)![1]!;
    expect(villagesOffered).toContain('东村');
    expect(villagesOffered).not.toContain('竹林村');
    const departmentsOffered = /<legend>联合执法部门（可多选）<\/legend>([\s\S]*?)<\/fieldset>/.exec(html)![1]!;
    expect(departmentsOffered).toContain('石桥镇环保站');
    expect(departmentsOffered).toContain('生态环境');
    expect(html).not.toContain('青溪镇安监站');
  });

  it('gives the county queue a township filter and column; a township queue has neither', async () => {
    const county = await page('/admin/complaints?township=shiqiao-zhen', 'xianban');
    expect(county.html).toContain('name="township"');
    expect(county.html).toMatch(/<td class="township"[^>]*>石桥镇</);
    expect(county.html).not.toContain(`/admin/complaints/${qingxiComplaint.id}"`);
    const own = await page('/admin/complaints', 'shouli');
    expect(own.html).not.toContain('name="township"');
  });

  it('shows each account’s level and the departments with theirs to the admin', async () => {
    const { status, html } = await page('/admin/users', 'admin');
    expect(status).toBe(200);
    expect(html).toMatch(/<td class="level"[^>]*>石桥镇 · 东村</);
    expect(html).toMatch(/<td class="level"[^>]*>县级</);
    expect(html).toContain('青溪镇安监站');
    expect((await page('/admin/users', 'shouli')).status).toBe(403);
  });
  it.skipIf(!hasValidator)(
    'writes valid HTML on the pages this part changed',
    async () => {
      const pages: Record<string, string> = {};
      for (const [path, who] of [
        ['/admin/users', 'admin'],
        ['/admin/complaints?township=shiqiao-zhen', 'xianban'],
      ] as const)
        pages[path] = (await page(path, who)).html;
      expect(htmlErrors(pages)).toEqual([]);
    },
    60_000,
  );
});
