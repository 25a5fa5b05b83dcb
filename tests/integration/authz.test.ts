import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { POLICY } from '../../api/http/policy.ts';
import { complaintDepartments, complaintPhotos, complaints, departments, ROLES } from '../../db/schema.ts';
import { cellCenter, villageBoundary } from '../../db/seed/demo-geography.ts';
import { demoPhoto } from '../../db/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { signIn } from '../helpers/staff.ts';
import { createAccount } from '../../api/services/auth/accounts.ts';

const { ctx, app } = await freshContext();
const file = async (lat: number, lng: number) => {
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm({ lat: String(lat), lng: String(lng), anonymous: '0', phone: '13900001111' }, [await demoPhoto({ hue: 40 })]) });
  const code = (await res.json()).trackingCode as string;
  return ctx.db.select({ id: complaints.id }).from(complaints).where(eq(complaints.trackingCode, code)).get()!.id;
};
const zhulin = cellCenter(1, 1), xiatang = cellCenter(0, 0);
const own = await file(zhulin.lat, zhulin.lng); // the village officer's village
const other = await file(xiatang.lat, xiatang.lng); // another village, joined by the eco department
const eco = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'eco')).get()!.id;
ctx.db.insert(complaintDepartments).values({ complaintId: other, departmentId: eco }).run();
const photoOf = (id: number) => ctx.db.select({ id: complaintPhotos.id }).from(complaintPhotos).where(eq(complaintPhotos.complaintId, id)).get()!.id;

const USERS = { admin: 'admin', triage: 'shouli', village: 'zhulin', department: 'shengtai', leader: 'lingdao' } as const;
// Logging out and editing users end sessions: each role's run signs in afresh, and edits a spare account.
const cookieFor = (role: (typeof ROLES)[number]) => signIn(ctx, USERS[role]);
const spare = await createAccount(ctx.db, { id: null, label: 'test' }, { username: 'spare', displayName: '备用', role: 'leader' });
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
  return { path, init: { method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) } };
}

const apiRoutes = app.routes
  .filter((r) => r.path.startsWith('/api/admin') && r.method !== 'ALL')
  .map((r) => `${r.method} ${r.path}`)
  .sort((a, b) => Number(a === 'DELETE /api/admin/session') - Number(b === 'DELETE /api/admin/session'));

describe('deny by default', () => {
  it('names every back-office route, API and page, in the one policy table', () => {
    expect(apiRoutes.length).toBeGreaterThan(10);
    for (const key of apiRoutes) expect(POLICY[key], `no policy for ${key}`).toBeDefined();
    const config = readFileSync('astro.config.mjs', 'utf8');
    const pages = [...config.matchAll(/'(\/admin[^']*)': '/g)].map((m) => `GET ${m[1]}`);
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
        const allowed = POLICY[key] === 'anyone' || (role !== null && (POLICY[key] as readonly string[]).includes(role));
        if (!allowed) expect(res.status, `${role} ${key}`).toBe(role ? 403 : 401);
        const body = await res.text();
        if (role === 'village' && res.status < 300) {
          expect(body, `${key} leaked another village's complaint`).not.toContain(`"id":${other},`);
        }
        if (role === 'village' && allowed && key.includes(':id') && key.startsWith('GET')) expect(res.status, key).toBe(404);
      }
    });
  }

  it('shows each role only its rows in the queue', async () => {
    const cookies = Object.fromEntries(ROLES.map((r) => [r, cookieFor(r)])) as Record<(typeof ROLES)[number], string>;
    const idsFor = async (role: (typeof ROLES)[number]) =>
      ((await (await app.request('/api/admin/complaints', { headers: { cookie: cookies[role] } })).json()).rows as { id: number }[]).map((r) => r.id).sort();
    expect(await idsFor('village')).toEqual([own]);
    expect(await idsFor('department')).toEqual([other]);
    expect(await idsFor('triage')).toEqual([own, other].sort());
    expect(await idsFor('leader')).toEqual([own, other].sort());
    const ownDetail = await app.request(`/api/admin/complaints/${own}`, { headers: { cookie: cookies.village } });
    expect(ownDetail.status).toBe(200);
    expect((await ownDetail.json()).contact).toBeNull(); // village officers never learn the reporter
    expect((await app.request(`/api/admin/complaints/${own}/photos/${photoOf(own)}/thumb`, { headers: { cookie: cookies.village } })).status).toBe(200);
    expect((await app.request(`/api/admin/complaints/${other}/photos/${photoOf(other)}/thumb`, { headers: { cookie: cookies.village } })).status).toBe(404);
  });

  it('lists no neighbour from another village, even 60 m across the border', async () => {
    // A point on the border 竹林村 shares with 石桥村 to its south, and one step each side of it.
    const [lng, lat] = (villageBoundary(1, 1).coordinates as number[][][])[0]![2]!;
    const north = await file(lat! + 0.0003, lng!), south = await file(lat! - 0.0003, lng!);
    const cookie = cookieFor('village');
    const mine = await (await app.request(`/api/admin/complaints/${north}`, { headers: { cookie } })).json();
    expect(mine.villageName).toBe('竹林村');
    expect(mine.neighbours.map((n: { id: number }) => n.id)).not.toContain(south);
    const triage = await (await app.request(`/api/admin/complaints/${north}`, { headers: { cookie: cookieFor('triage') } })).json();
    expect(triage.neighbours.map((n: { id: number }) => n.id)).toContain(south);
  });
});
