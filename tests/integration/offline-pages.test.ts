import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getAssignment } from '../../api/domain/complaints/assignment-queries.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { listTasks } from '../../api/domain/enforcement/task-queries.ts';
import { villages } from '../../db/schema.ts';
import { loopContext } from '../helpers/assignments.ts';
import { json, signIn } from '../helpers/staff.ts';

const loop = await loopContext();
const { ctx, app } = loop;
const pagesFor = async (username: string | null) => {
  const res = await app.request('/api/admin/offline/pages', {
    headers: username ? { cookie: signIn(ctx, username) } : {},
  });
  return { status: res.status, cacheControl: res.headers.get('cache-control'), body: await res.json() };
};
const LISTS = ['/admin/todo', '/admin/tasks', '/admin/revisits', '/admin/patrols'];
const villageId = (name: string) =>
  ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.name, name)).get()!.id;
const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** The office files an unlicensed workshop in the village and opens a shutdown task on it, due in `days` days. */
async function openTask(person: string, village: string, days: number) {
  const cookie = signIn(ctx, 'shouli');
  const post = async (path: string, body: unknown) => {
    const res = await app.request(path, { method: 'POST', ...json(body, cookie) });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return (await res.json()).id as number;
  };
  const enterpriseId = await post('/api/admin/enterprises', {
    name: `${person}塑料作坊`,
    personInCharge: person,
    villageId: villageId(village),
    address: village,
  });
  return post('/api/admin/tasks', {
    enterpriseId,
    type: 'shutdown',
    villageLead: '周村长',
    townshipLead: '陈副镇长',
    dueOn: day(days),
  });
}
const elsewhere = await openTask('李四', '下塘村', 5);
// A complaint assigned to 竹林村 with the environment department joining: a work item for each.
const [villageItem, ecoItem] = (await loop.assigned({ departments: ['eco'] })).items as [number, number];
const otherItem = (await loop.assigned({ village: 'xiatang' })).items[0]!;
const idsOf = (pages: string[], kind: string) =>
  pages.filter((p) => p.startsWith(`/admin/${kind}/`)).map((p) => Number(p.split('/').pop()));

describe('GET /api/admin/offline/pages: the open work the work app keeps on the phone', () => {
  it('answers those who do field work or answer work items; not a leader, not anyone signed out', async () => {
    expect((await pagesFor(null)).status).toBe(401);
    expect((await pagesFor('lingdao')).status).toBe(403);
    for (const username of ['admin', 'shouli', 'zhulin', 'shengtai']) {
      const { status, cacheControl } = await pagesFor(username);
      expect(status, username).toBe(200);
      expect(cacheControl, username).toBe('no-store');
    }
  });

  it("a village officer: his lists, then his village's open tasks and work items, nothing of another", async () => {
    const { body } = await pagesFor('zhulin');
    expect(body.cap).toBe(50);
    expect(body.pages.slice(0, 4)).toEqual(LISTS);
    const officer = staffByUsername(ctx.db, 'zhulin')!;
    const now = ctx.clock();
    const his = listTasks(ctx.db, officer, { status: 'active' }, now).map((t) => t.id);
    const all = listTasks(ctx.db, staffByUsername(ctx.db, 'admin')!, { status: 'active' }, now).map((t) => t.id);
    expect(all).toContain(elsewhere);
    expect(his).not.toContain(elsewhere);
    expect(idsOf(body.pages, 'tasks').sort()).toEqual([...his].sort());
    const items = idsOf(body.pages, 'assignments');
    expect(items).toContain(villageItem);
    expect(items).not.toContain(otherItem);
    for (const id of items) expect(getAssignment(ctx.db, officer, id), `item ${id}`).not.toBeNull();
    expect(body.pages.every((p: string) => !p.startsWith('/admin/complaints'))).toBe(true);
  });

  it('a department member keeps no revisits or night patrols, which he does not record', async () => {
    const { body } = await pagesFor('shengtai');
    expect(body.pages.slice(0, 2)).toEqual(['/admin/todo', '/admin/tasks']);
    expect(body.pages).not.toContain('/admin/revisits');
    expect(body.pages).not.toContain('/admin/patrols');
    expect(idsOf(body.pages, 'assignments')).toEqual([ecoItem]);
  });

  it("stops at 50 pages, the nearest deadline first: the office's township-wide tasks", async () => {
    for (let i = 0; i < 60; i++) await openTask(`张${i}号`, '竹林村', 10 + (i % 30));
    const { body } = await pagesFor('shouli');
    expect(body.pages).toHaveLength(50);
    expect(body.pages.slice(0, 4)).toEqual(LISTS);
    const due = new Map(
      listTasks(ctx.db, staffByUsername(ctx.db, 'shouli')!, { status: 'active' }, ctx.clock()).map((t) => [
        t.id,
        t.dueAt.getTime(),
      ]),
    );
    const kept = idsOf(body.pages, 'tasks').map((id) => due.get(id)!);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    // Those left out are due no sooner than the last one kept.
    const left = [...due].filter(([id]) => !idsOf(body.pages, 'tasks').includes(id)).map(([, d]) => d);
    expect(Math.min(...left)).toBeGreaterThanOrEqual(Math.max(...kept));
  });
});
