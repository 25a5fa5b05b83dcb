import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// The complaint page offers "合并到此" and "关联到此企业" only in the states where they apply:
// merging from a report still being triaged, linking an accepted report the office works on.
const { ctx, app } = await freshContext();
const triage = signIn(ctx, 'shouli');
let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());

async function file(description: string) {
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm({ description }) });
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  return ctx.db.select({ id: complaints.id }).from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!
    .id;
}
const version = (id: number) =>
  ctx.db.select({ v: complaints.version }).from(complaints).where(eq(complaints.id, id)).get()!.v;
async function act(id: number, body: Record<string, unknown>) {
  const res = await app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ version: version(id), ...body }, triage),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
async function offers(id: number) {
  const res = await fetch(`${site.base}/admin/complaints/${id}`, { headers: { cookie: triage } });
  expect(res.status).toBe(200);
  const html = await res.text();
  const panel = /<section class="card" id="enterprise-panel">([\s\S]*?)<\/section>/.exec(html)![1]!;
  return {
    merge: html.includes('data-merge-target='),
    link: panel.includes('关联到此企业'),
    file: panel.includes('为此举报建档'),
    hint: /<p class="hint">([^<]*)<\/p>/.exec(panel)?.[1] ?? null,
  };
}

const enterprise = await app.request('/api/admin/enterprises', {
  method: 'POST',
  ...json(
    { name: '周某塑料颗粒作坊', personInCharge: '周某', lat: ZHULIN.lat, lng: ZHULIN.lng, address: '竹林村一组' },
    triage,
  ),
});
expect(enterprise.status).toBe(201);

describe('what the complaint page offers, by state', () => {
  it('submitted: merge, but no link or file yet, with the hint saying why', async () => {
    await file('塑料颗粒作坊夜里冒烟（先到的一条）');
    const id = await file('塑料颗粒作坊夜里冒烟');
    expect(await offers(id)).toEqual({ merge: true, link: false, file: false, hint: '受理后可建档或关联企业。' });
  });

  it('accepted: merge, link and file', async () => {
    const id = await file('塑料颗粒作坊又在冒烟');
    await act(id, { action: 'accept' });
    expect(await offers(id)).toEqual({ merge: true, link: true, file: true, hint: null });
  });

  it('assigned: link and file, no merge (the state machine refuses it)', async () => {
    const id = await file('塑料颗粒作坊白天也开工');
    await act(id, { action: 'accept' });
    await act(id, { action: 'assign', villageId: 1, departmentIds: [] });
    const got = await offers(id);
    expect(got).toMatchObject({ merge: false, link: true, file: true });
  });

  it('merged: neither merge nor link, and the hint points at the report it follows', async () => {
    const target = await file('塑料颗粒作坊（合并目标）');
    const id = await file('塑料颗粒作坊（被合并）');
    await act(id, { action: 'merge', targetId: target });
    const got = await offers(id);
    expect(got).toMatchObject({ merge: false, link: false, file: false });
    expect(got.hint).toContain('已合并');
  });

  it('rejected: neither', async () => {
    const id = await file('塑料颗粒作坊（不予受理）');
    await act(id, { action: 'reject', reason: '重复举报' });
    expect(await offers(id)).toMatchObject({ merge: false, link: false, file: false });
  });
});
