import { adminPages } from '../../admin/page-routes.ts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../api/http/policy.ts';
import { complaintDepartments, complaintPhotos, complaints, departments, ROLES } from '../../db/schema.ts';
import { cellCenter, villageBoundary } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { signIn } from '../helpers/staff.ts';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { listenWithPages } from '../security/site-server.ts';

const { ctx, app } = await freshContext();
let filed = 0;
const file = async (lat: number, lng: number) => {
  // Each report's own words, so that any page showing them is found by a plain search.
  const description = `第${String(++filed).padStart(3, '0')}号举报：作坊傍晚冒黑烟，气味刺鼻`;
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(lat), lng: String(lng), anonymous: '0', phone: '13900001111', description }, [
      await demoPhoto({ hue: 40 }),
    ]),
  });
  const code = (await res.json()).trackingCode as string;
  return ctx.db.select({ id: complaints.id }).from(complaints).where(eq(complaints.trackingCode, code)).get()!.id;
};
const zhulin = cellCenter(1, 1),
  xiatang = cellCenter(0, 0);
const own = await file(zhulin.lat, zhulin.lng); // the village officer's village
const other = await file(xiatang.lat, xiatang.lng); // another village, joined by the eco department
const eco = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'eco')).get()!.id;
ctx.db.insert(complaintDepartments).values({ complaintId: other, departmentId: eco }).run();
const photoOf = (id: number) =>
  ctx.db.select({ id: complaintPhotos.id }).from(complaintPhotos).where(eq(complaintPhotos.complaintId, id)).get()!.id;
const row = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
/** A tracking code as stored and as printed: the reporter's key, on no staff answer at all. */
const codeForms = (id: number) => [
  row(id).trackingCode,
  `${row(id).trackingCode.slice(0, 5)}-${row(id).trackingCode.slice(5)}`,
];

const USERS = {
  admin: 'admin',
  triage: 'shouli',
  village: 'zhulin',
  department: 'shengtai',
  leader: 'lingdao',
} as const;
// Logging out and editing users end sessions: each role's run signs in afresh, and edits a spare account.
const cookieFor = (role: (typeof ROLES)[number]) => signIn(ctx, USERS[role]);
const spare = await createAccount(
  ctx.db,
  { id: null, label: 'test' },
  { username: 'spare', displayName: '备用', role: 'leader' },
);
const spareId = spare.ok ? spare.value.id : 0;

// A concrete request for each route, aimed at a complaint outside the village officer's village.
function requestFor(key: string): { path: string; init: RequestInit } {
  const [method, pattern] = key.split(' ') as [string, string];
  const path = pattern
    .replace(':id/photos/:photoId/:size', `${other}/photos/${photoOf(other)}/thumb`)
    .replace(':id', pattern.includes('/users/') ? String(spareId) : String(other))
    .replace(':action', 'accept');
  const bodies: Record<string, unknown> = {
    'POST /api/admin/session': { username: 'nobody', password: 'wrong-password' },
    'POST /api/admin/password': { current: 'x', next: 'y' },
    'POST /api/admin/complaints/:id/actions': { action: 'note', version: 999, note: 'x' },
    'POST /api/admin/complaints/:id/contact': { reason: '电话核实位置' },
    'POST /api/admin/complaint-batch': { items: [{ id: other, version: 999 }], action: { action: 'accept' } },
    'POST /api/admin/users': { username: 'x' },
    'PATCH /api/admin/users/:id': { reason: '测试' },
    'POST /api/admin/users/:id/password': { reason: '忘记密码' },
    'PUT /api/admin/templates/:action': { body: '测试模板' },
  };
  const body = bodies[key];
  return {
    path,
    init: {
      method,
      ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    },
  };
}

const apiRoutes = app.routes
  .filter((r) => r.path.startsWith('/api/admin') && r.method !== 'ALL')
  .map((r) => `${r.method} ${r.path}`)
  .sort((a, b) => Number(a === 'DELETE /api/admin/session') - Number(b === 'DELETE /api/admin/session'));

describe('deny by default', () => {
  it('names every back-office route, API and page, in the one policy table', () => {
    expect(apiRoutes.length).toBeGreaterThan(10);
    for (const key of apiRoutes) expect(POLICY[key], `no policy for ${key}`).toBeDefined();
    const pages = adminPages().map((p) => `GET ${p.pattern}`);
    expect(pages.length).toBeGreaterThan(4);
    for (const key of pages) expect(POLICY[key], `no policy for page ${key}`).toBeDefined();
  });

  for (const role of [null, ...ROLES] as const) {
    it(`${role ?? 'anonymous'}: no unexpected 2xx on any admin route, and no row of another village`, async () => {
      const cookie = role && cookieFor(role);
      for (const key of apiRoutes) {
        const { path, init } = requestFor(key);
        const headers = { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) };
        const res = await app.request(path, { ...init, headers });
        const allowed =
          POLICY[key] === 'anyone' || (role !== null && (POLICY[key] as readonly string[]).includes(role));
        if (!allowed) expect(res.status, `${role} ${key}`).toBe(role ? 403 : 401);
        const body = await res.text();
        if (role === 'village' && res.status < 300) {
          expect(body, `${key} leaked another village's complaint`).not.toContain(`"id":${other},`);
          expect(body, `${key} leaked another village's report`).not.toContain(row(other).description);
        }
        for (const code of [...codeForms(own), ...codeForms(other)])
          expect(body, `${role} ${key} shows a tracking code`).not.toContain(code);
        if (role === 'village' && allowed && key.includes(':id') && key.startsWith('GET'))
          expect(res.status, key).toBe(404);
      }
    });
  }

  it('shows each role only its rows in the queue', async () => {
    const cookies = Object.fromEntries(ROLES.map((r) => [r, cookieFor(r)])) as Record<(typeof ROLES)[number], string>;
    const idsFor = async (role: (typeof ROLES)[number]) =>
      (
        (await (await app.request('/api/admin/complaints', { headers: { cookie: cookies[role] } })).json()).rows as {
          id: number;
        }[]
      )
        .map((r) => r.id)
        .sort();
    expect(await idsFor('village')).toEqual([own]);
    expect(await idsFor('department')).toEqual([other]);
    expect(await idsFor('triage')).toEqual([own, other].sort());
    expect(await idsFor('leader')).toEqual([own, other].sort());
    const ownDetail = await app.request(`/api/admin/complaints/${own}`, { headers: { cookie: cookies.village } });
    expect(ownDetail.status).toBe(200);
    expect((await ownDetail.json()).contact).toBeNull(); // village officers never learn the reporter
    expect(
      (
        await app.request(`/api/admin/complaints/${own}/photos/${photoOf(own)}/thumb`, {
          headers: { cookie: cookies.village },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await app.request(`/api/admin/complaints/${other}/photos/${photoOf(other)}/thumb`, {
          headers: { cookie: cookies.village },
        })
      ).status,
    ).toBe(404);
  });

  it('lists no neighbour from another village, even 60 m across the border', async () => {
    // A point on the border 竹林村 shares with 石桥村 to its south, and one step each side of it.
    const [lng, lat] = (villageBoundary(1, 1).coordinates as number[][][])[0]![2]!;
    const north = await file(lat! + 0.0003, lng!),
      south = await file(lat! - 0.0003, lng!);
    const cookie = cookieFor('village');
    const mine = await (await app.request(`/api/admin/complaints/${north}`, { headers: { cookie } })).json();
    expect(mine.villageName).toBe('竹林村');
    expect(mine.neighbours.map((n: { id: number }) => n.id)).not.toContain(south);
    const triage = await (
      await app.request(`/api/admin/complaints/${north}`, { headers: { cookie: cookieFor('triage') } })
    ).json();
    expect(triage.neighbours.map((n: { id: number }) => n.id)).toContain(south);
  });
  describe('through links from one record to another (JSON and pages)', () => {
    let site: Awaited<ReturnType<typeof listenWithPages>>;
    beforeAll(async () => {
      site = await listenWithPages(ctx);
    }, 180_000);
    afterAll(() => site?.close());
    const page = async (path: string, cookie: string) => {
      const res = await fetch(`${site.base}${path}`, { headers: { cookie }, redirect: 'manual' });
      expect(res.status, path).toBe(200);
      return res.text();
    };
    /** Nothing of a record: its id as a link or a field, its tracking code, the reporter's words. */
    const expectNothingOf = (text: string, id: number, where: string) => {
      for (const needle of [
        `/admin/complaints/${id}"`,
        `"id":${id},`,
        `"mergedIntoId":${id}`,
        `#${id}<`,
        row(id).description,
        ...codeForms(id),
      ]) {
        expect(text, `${where} shows ${needle}`).not.toContain(needle);
      }
    };

    it('a merge target in another village or department: shown only as existing, never id, code or words', async () => {
      // Triage merges a 竹林村 report into the 下塘村 one (joined by the eco department).
      const dup = await file(zhulin.lat + 0.0001, zhulin.lng);
      const merged = await app.request(`/api/admin/complaints/${dup}/actions`, {
        method: 'POST',
        headers: { cookie: cookieFor('triage'), 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'merge', version: row(dup).version, targetId: other }),
      });
      expect(merged.status).toBe(200);
      const village = cookieFor('village');
      const json = await (await app.request(`/api/admin/complaints/${dup}`, { headers: { cookie: village } })).text();
      expect(JSON.parse(json).mergedInto).toEqual({ hidden: true });
      expectNothingOf(json, other, 'village JSON');
      const html = await page(`/admin/complaints/${dup}`, village);
      expect(html).toContain('已合并到其他村（社区）或部门的举报');
      expectNothingOf(html, other, 'village page');
      for (const code of codeForms(dup)) expect(html, 'own code on a staff page').not.toContain(code);
      // The office follows the link, by id; never by the code.
      const triage = await (
        await app.request(`/api/admin/complaints/${dup}`, { headers: { cookie: cookieFor('triage') } })
      ).text();
      expect(JSON.parse(triage).mergedInto).toEqual({ id: other, status: 'submitted' });
      for (const code of codeForms(other)) expect(triage).not.toContain(code);
      expect(await page(`/admin/complaints/${dup}`, cookieFor('triage'))).toContain(
        `href="/admin/complaints/${other}"`,
      );
      // A department that joins the target but not the merged report cannot open the merged one at all.
      expect(
        (await app.request(`/api/admin/complaints/${dup}`, { headers: { cookie: cookieFor('department') } })).status,
      ).toBe(404);
    });

    it('neighbours across the border (page, JSON) and the queue page: nothing of the other village', async () => {
      const [lng, lat] = (villageBoundary(1, 1).coordinates as number[][][])[0]![2]!;
      const north = await file(lat! + 0.0003, lng!),
        south = await file(lat! - 0.0003, lng!);
      const village = cookieFor('village');
      const html = await page(`/admin/complaints/${north}`, village);
      expect(html).toContain(row(north).description);
      for (const id of [south, other]) expectNothingOf(html, id, 'village complaint page');
      const queue = await page('/admin/complaints', village);
      expect(queue).toContain(`href="/admin/complaints/${north}"`);
      for (const id of [south, other]) expectNothingOf(queue, id, 'village queue page');
      for (const id of [north, own])
        for (const code of codeForms(id)) expect(queue, 'a code in the queue').not.toContain(code);
      expect(await page(`/admin/complaints/${north}`, cookieFor('triage'))).toContain(
        `href="/admin/complaints/${south}"`,
      );
    });
  });
});
