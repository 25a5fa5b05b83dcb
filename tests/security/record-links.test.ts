import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../api/http/policy.ts';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { routePoint } from '../../api/domain/shared/village-routing.ts';
import { complaints, departments, users, villages } from '../../db/schema.ts';
import { enterprises, nightPatrols, patrolFindings, revisits, tasks } from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from './site-server.ts';
import { sheetText } from '../helpers/xlsx.ts';

// Generated worlds of records linked across two villages and two departments (merges, neighbours,
// enterprise files, tasks, revisits, patrol findings, files that moved village), then every
// staff answer, JSON and page, crawled as each officer: nothing of a record outside his scope
// may show through a link from one inside it, and no staff answer ever carries a tracking code.
const { ctx, app } = await freshContext();
const db = ctx.db;
const idOf = (table: typeof villages | typeof departments, code: string) =>
  db.select({ id: table.id }).from(table).where(eq(table.code, code)).get()!.id;
const V = { A: idOf(villages, 'qingxi-zhulin'), B: idOf(villages, 'qingxi-shangtang') };
const D = { eco: idOf(departments, 'eco'), market: idOf(departments, 'market') };
const system = { id: null, label: 'test' };
await createAccount(db, system, {
  username: 'shangtang',
  displayName: '上塘村网格员',
  role: 'village',
  villageId: V.B,
});
await createAccount(db, system, {
  username: 'shichang',
  displayName: '市场监管所',
  role: 'department',
  departmentId: D.market,
});
const OFFICERS = [
  { username: 'zhulin', village: V.A },
  { username: 'shangtang', village: V.B },
  { username: 'shengtai', department: D.eco },
  { username: 'shichang', department: D.market },
] as const;
const office = signIn(ctx, 'shouli');
const post = (path: string, body: unknown, method = 'POST') => app.request(path, { method, ...json(body, office) });

// Points 30 m either side of the border 竹林村 (A) shares with 上塘村 (B) to its west: neighbours across it.
const border = (() => {
  const c = cellCenter(1, 1);
  let lng = c.lng;
  while (
    routePoint(ctx.villageAreas(), c.lat, lng)?.kind === 'village' &&
    (routePoint(ctx.villageAreas(), c.lat, lng) as { villageId: number }).villageId === V.A
  )
    lng -= 0.00005;
  return { lat: c.lat, lng };
})();
const pointIn = (v: 'A' | 'B', jitter: number) => ({
  lat: border.lat + jitter / 1e5,
  lng: border.lng + (v === 'A' ? 0.0004 : -0.0004),
});

let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());

// ---- a generated world ---------------------------------------------------------------------
const village = fc.constantFrom<'A' | 'B'>('A', 'B');
const depts = fc.subarray<'eco' | 'market'>(['eco', 'market']);
const world = fc.record({
  complaints: fc.array(
    fc.record({
      filedIn: village,
      jitter: fc.integer({ min: -100, max: 100 }),
      fate: fc.constantFrom('submitted', 'accepted', 'assigned', 'merged'),
      assignTo: village,
      depts,
      mergeInto: fc.nat(),
    }),
    { minLength: 2, maxLength: 5 },
  ),
  enterprises: fc.array(
    fc.record({
      in: village,
      links: fc.array(fc.nat(), { maxLength: 3 }),
      task: fc.constantFrom('none', 'open', 'cancelled'),
      depts,
      moveTo: fc.option(village, { nil: null }),
      revisit: fc.option(fc.record({ followUp: fc.nat() }), { nil: null }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  patrols: fc.array(
    fc.record({
      in: village,
      enterprise: fc.option(fc.nat(), { nil: null }),
      complaint: fc.option(fc.nat(), { nil: null }),
    }),
    { maxLength: 2 },
  ),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

/** One world with every kind of link across the border, tried first. */
const ACROSS: World = {
  complaints: [
    { filedIn: 'A', jitter: 0, fate: 'merged', assignTo: 'A', depts: [], mergeInto: 0 }, // A's report merged into B's
    // B's, 70 m away: a neighbour
    { filedIn: 'B', jitter: 10, fate: 'assigned', assignTo: 'B', depts: ['market'], mergeInto: 0 },
    { filedIn: 'A', jitter: -10, fate: 'assigned', assignTo: 'A', depts: ['eco'], mergeInto: 0 },
  ],
  enterprises: [
    // A's file: B's report, a follow-up task in B
    { in: 'A', links: [1], task: 'open', depts: ['eco'], moveTo: null, revisit: { followUp: 1 } },
    { in: 'B', links: [], task: 'open', depts: ['market'], moveTo: null, revisit: null },
    // moved to B, leaving its closed task and revisit in A
    { in: 'A', links: [2], task: 'cancelled', depts: ['eco'], moveTo: 'B', revisit: { followUp: 2 } },
  ],
  patrols: [{ in: 'A', enterprise: 1, complaint: 1 }], // A's patrol, its finding about B's file and report
};

let n = 0;
const tag = () => String(++n).padStart(4, '0');
const versionOf = (id: number) =>
  db.select({ v: complaints.version }).from(complaints).where(eq(complaints.id, id)).get()!.v;
const act = async (id: number, body: Record<string, unknown>) => {
  const res = await post(`/api/admin/complaints/${id}/actions`, { ...body, version: versionOf(id) });
  expect(res.status, JSON.stringify(body)).toBe(200);
};
const pick = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);

async function build(w: World) {
  const filed: number[] = [];
  for (const c of w.complaints) {
    const p = pointIn(c.filedIn, c.jitter);
    const res = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({
        lat: String(p.lat),
        lng: String(p.lng),
        description: `群众反映标记C${tag()}号作坊夜里冒黑烟`,
      }),
    });
    expect(res.status).toBe(201);
    filed.push(
      db
        .select({ id: complaints.id })
        .from(complaints)
        .where(eq(complaints.trackingCode, (await res.json()).trackingCode))
        .get()!.id,
    );
  }
  for (const [i, c] of w.complaints.entries()) {
    if (c.fate === 'submitted') continue;
    if (c.fate === 'merged') continue; // after the rest, into one still open
    await act(filed[i]!, { action: 'accept' });
    if (c.fate === 'assigned')
      await act(filed[i]!, { action: 'assign', villageId: V[c.assignTo], departmentIds: c.depts.map((d) => D[d]) });
  }
  for (const [i, c] of w.complaints.entries()) {
    if (c.fate !== 'merged') continue;
    const open = filed.filter((_id, j) => j !== i && w.complaints[j]!.fate !== 'merged');
    const target = pick(open, c.mergeInto);
    if (target) await act(filed[i]!, { action: 'merge', targetId: target });
  }
  const files: number[] = [];
  const taskIds: number[] = [];
  for (const e of w.enterprises) {
    const t = tag();
    const at = cellCenter(e.in === 'A' ? 1 : 0, 1);
    const res = await post('/api/admin/enterprises', {
      name: `标${t}号塑料作坊`,
      personInCharge: `标${t}号`,
      address: `秘址${t}巷`,
      lat: at.lat,
      lng: at.lng,
    });
    expect(res.status).toBe(201);
    const id = (await res.json()).id as number;
    files.push(id);
    const free = [...new Set(e.links.map((k) => pick(filed, k)!))];
    // 409 if one is filed elsewhere: fine
    if (free.length) await post(`/api/admin/enterprises/${id}/complaints`, { complaintIds: free });
    if (e.task !== 'none') {
      const made = await post('/api/admin/tasks', {
        enterpriseId: id,
        type: 'shutdown',
        villageLead: '村长',
        townshipLead: '镇长',
        departmentLead: '所长',
        dueOn: '2099-01-01',
        departmentIds: e.depts.map((d) => D[d]),
      });
      expect(made.status).toBe(201);
      const task = (await made.json()).id as number;
      taskIds.push(task);
      if (e.task === 'cancelled')
        expect(
          (await post(`/api/admin/tasks/${task}/actions`, { action: 'cancel', version: 1, reason: '测试撤销' })).status,
        ).toBe(200);
    }
  }
  for (const [i, e] of w.enterprises.entries()) {
    const id = files[i]!;
    const row = db.select().from(enterprises).where(eq(enterprises.id, id)).get()!;
    if (e.revisit) {
      // A revisit done where the file was then; its follow-up may be any task.
      db.insert(revisits)
        .values({
          enterpriseId: id,
          villageId: row.villageId,
          dueAt: new Date(),
          status: 'done',
          outcome: 'resumed',
          note: '复查',
          doneAt: new Date(),
          doneBy: null,
          followUpTaskId: pick(taskIds, e.revisit.followUp) ?? null,
        })
        .run();
    }
    if (e.moveTo && V[e.moveTo] !== row.villageId) {
      const moved = await post(
        `/api/admin/enterprises/${id}`,
        {
          name: row.name,
          personInCharge: row.personInCharge,
          address: row.address,
          villageId: V[e.moveTo],
          version: row.version,
        },
        'PATCH',
      );
      expect(moved.status, await moved.clone().text()).toBe(200);
    }
  }
  const shouli = db.select({ id: users.id }).from(users).where(eq(users.username, 'shouli')).get()!.id;
  for (const p of w.patrols) {
    // Findings as they may stand after files and reports moved on: links to anything.
    const patrol = db
      .insert(nightPatrols)
      .values({
        startedAt: new Date(Date.now() - 7_200_000),
        endedAt: new Date(Date.now() - 3_600_000),
        area: '沿河一带',
        villageId: V[p.in],
        participants: ['甲', '乙'],
        createdBy: shouli,
        createdAt: new Date(),
      })
      .returning()
      .get();
    db.insert(patrolFindings)
      .values({
        patrolId: patrol.id,
        enterpriseId: p.enterprise === null ? null : pick(files, p.enterprise)!,
        complaintId: p.complaint === null ? null : pick(filed, p.complaint)!,
        note: '夜间有机器声',
      })
      .run();
  }
}

// ---- what each officer may see, read from the rows themselves (not through the scope code) ----
type Officer = (typeof OFFICERS)[number];
function scopeOf(o: Officer) {
  const ids = (sql: string, arg: number) =>
    new Set((db.$client.prepare(sql).all(arg) as { id: number }[]).map((r) => r.id));
  if ('village' in o) {
    return {
      complaint: ids('SELECT id FROM complaints WHERE village_id = ?', o.village),
      enterprise: ids('SELECT id FROM enterprises WHERE village_id = ?', o.village),
      task: ids('SELECT id FROM tasks WHERE village_id = ?', o.village),
    };
  }
  return {
    complaint: ids('SELECT complaint_id AS id FROM complaint_departments WHERE department_id = ?', o.department),
    enterprise: ids(
      'SELECT DISTINCT t.enterprise_id AS id FROM tasks t JOIN task_departments td ON td.task_id = t.id ' +
        'WHERE td.department_id = ?',
      o.department,
    ),
    task: ids('SELECT task_id AS id FROM task_departments WHERE department_id = ?', o.department),
  };
}
type Kind = 'complaint' | 'enterprise' | 'task';
type Scope = Record<Kind, Set<number>>;

/** Every record another links to in a JSON answer, by the key it sits under. */
const KIND_OF_KEY: Record<string, Kind> = {
  complaint: 'complaint',
  complaints: 'complaint',
  neighbours: 'complaint',
  mergedInto: 'complaint',
  enterprise: 'enterprise',
  enterprises: 'enterprise',
  tasks: 'task',
};
const KIND_OF_ID_KEY: Record<string, Kind> = {
  complaintId: 'complaint',
  mergedIntoId: 'complaint',
  enterpriseId: 'enterprise',
  taskId: 'task',
  followUpTaskId: 'task',
};
function linksIn(value: unknown, kind: Kind | undefined, out: [Kind, number][] = []): [Kind, number][] {
  if (Array.isArray(value)) for (const v of value) linksIn(v, kind, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (kind && typeof o.id === 'number') out.push([kind, o.id]);
    for (const [k, v] of Object.entries(o)) {
      if (KIND_OF_ID_KEY[k] && typeof v === 'number') out.push([KIND_OF_ID_KEY[k]!, v]);
      linksIn(v, KIND_OF_KEY[k], out);
    }
  }
  return out;
}

const everyCode = () =>
  db
    .select({ code: complaints.trackingCode })
    .from(complaints)
    .all()
    .flatMap((r) => [r.code, `${r.code.slice(0, 5)}-${r.code.slice(5)}`]);
/** What a record outside the scope would give away: the reporter's words, a file's name and address. */
function secretsOutside(scope: Scope | null): string[] {
  if (!scope) return [];
  const words = db
    .select({ id: complaints.id, d: complaints.description })
    .from(complaints)
    .all()
    .filter((c) => !scope.complaint.has(c.id))
    .map((c) => c.d);
  const files = db
    .select()
    .from(enterprises)
    .all()
    .filter((e) => !scope.enterprise.has(e.id))
    .flatMap((e) => [e.name, ...(e.address ? [e.address] : [])]);
  return [...words, ...files];
}
const PAGES = { complaint: 'complaints', enterprise: 'enterprises', task: 'tasks' } as const;
const hrefsOutside = (scope: Scope | null) =>
  !scope
    ? []
    : (['complaint', 'enterprise', 'task'] as const).flatMap((k) =>
        db
          .select({ id: { complaint: complaints, enterprise: enterprises, task: tasks }[k].id })
          .from({ complaint: complaints, enterprise: enterprises, task: tasks }[k])
          .all()
          .filter((r) => !scope[k].has(r.id))
          .map((r) => `href="/admin/${PAGES[k]}/${r.id}"`),
      );

/** Every GET answer and page for one user; `scope` null for the roles that see everything. */
async function crawl(username: string, scope: Scope | null, patrolsAllowed: boolean) {
  const cookie = signIn(ctx, username);
  const all = (table: typeof complaints | typeof enterprises | typeof tasks) =>
    db
      .select({ id: table.id })
      .from(table)
      .all()
      .map((r) => r.id);
  const codes = everyCode();
  const secrets = secretsOutside(scope);
  const hrefs = hrefsOutside(scope);
  const check = (what: string, text: string) => {
    for (const code of codes) expect(text, `${username} ${what}: a tracking code`).not.toContain(code);
    for (const s of secrets) expect(text, `${username} ${what}: ${s}`).not.toContain(s);
  };
  const api = async (path: string, kind: Kind | undefined, id?: number) => {
    const res = await app.request(path, { headers: { cookie } });
    const text = await res.text();
    if (scope && kind && id !== undefined && !scope[kind].has(id))
      return expect(res.status, `${username} ${path}`).toBe(404);
    expect(res.status, `${username} ${path}`).toBe(200);
    check(path, text);
    if (scope)
      for (const [k, linked] of linksIn(JSON.parse(text), kind))
        expect(scope[k].has(linked), `${username} ${path} links ${k} #${linked}`).toBe(true);
  };
  const page = async (path: string, kind?: Kind, id?: number) => {
    const res = await fetch(`${site.base}${path}`, { headers: { cookie }, redirect: 'manual' });
    const html = await res.text();
    if (scope && kind && id !== undefined && !scope[kind].has(id))
      return expect(res.status, `${username} page ${path}`).toBe(404);
    expect(res.status, `${username} page ${path}`).toBe(200);
    check(`page ${path}`, html);
    for (const h of hrefs) expect(html, `${username} page ${path} links ${h}`).not.toContain(h);
  };
  await api('/api/admin/complaints', undefined);
  await api('/api/admin/complaints?status=merged', undefined);
  await page('/admin/complaints');
  for (const id of all(complaints)) {
    await api(`/api/admin/complaints/${id}`, 'complaint', id);
    await page(`/admin/complaints/${id}`, 'complaint', id);
  }
  await api('/api/admin/enterprises', undefined);
  await page('/admin/enterprises');
  for (const id of all(enterprises)) {
    await api(`/api/admin/enterprises/${id}`, 'enterprise', id);
    await page(`/admin/enterprises/${id}`, 'enterprise', id);
    await page(`/admin/enterprises/${id}/survey`, 'enterprise', id);
  }
  for (const q of ['', '?status=accepted', '?status=cancelled']) {
    await api(`/api/admin/tasks${q}`, undefined);
    await page(`/admin/tasks${q}`);
  }
  for (const id of all(tasks)) {
    await api(`/api/admin/tasks/${id}`, 'task', id);
    await page(`/admin/tasks/${id}`, 'task', id);
  }
  for (const q of ['', '?status=done']) {
    await api(`/api/admin/revisits${q}`, undefined);
    await page(`/admin/revisits${q}`);
  }
  if (patrolsAllowed) {
    await api('/api/admin/patrols', undefined);
    await page('/admin/patrols');
    for (const { id } of db.select({ id: nightPatrols.id }).from(nightPatrols).all()) {
      const res = await app.request(`/api/admin/patrols/${id}`, { headers: { cookie } });
      if (res.status === 200) {
        const text = await res.text();
        check(`/api/admin/patrols/${id}`, text);
        if (scope)
          for (const [k, linked] of linksIn(JSON.parse(text), undefined))
            expect(scope[k].has(linked), `${username} patrol #${id} links ${k} #${linked}`).toBe(true);
      } else expect(res.status).toBe(404);
    }
  }
  for (const path of SHEETS) {
    const sheet = await app.request(path, { headers: { cookie } });
    if (sheet.status === 200) check(path, await sheetText(sheet));
    else expect(sheet.status, `${username} ${path}`).toBe(403);
  }
}
const SHEETS = Object.keys(POLICY)
  .filter((k) => k.startsWith('GET /api/admin/') && k.endsWith('.xlsx'))
  .map((k) => k.slice(4));

describe('record-to-record links across two villages and two departments', () => {
  it('show an officer nothing outside his scope in any API answer or page, and no staff a tracking code', async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        await build(w);
        for (const o of OFFICERS) await crawl(o.username, scopeOf(o), 'village' in o);
        for (const username of ['shouli', 'lingdao']) await crawl(username, null, true);
      }),
      { numRuns: 4, endOnFailure: true, examples: [[ACROSS]] },
    );
    // Not vacuous: the worlds held merges, moved files and cross-village neighbours.
    expect(db.select().from(complaints).where(eq(complaints.status, 'merged')).all().length).toBeGreaterThan(0);
    expect(SHEETS.length).toBeGreaterThanOrEqual(3);
  }, 600_000);
});
