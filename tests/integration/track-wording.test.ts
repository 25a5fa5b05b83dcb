import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// /track tells the reporter what each step was, in plain words: opening a remediation task is not
// "重新交办", a reopened report is not "submitted" again; a refused or merged report has no 属地.
const { ctx, app } = await freshContext();
const triage = signIn(ctx, 'shouli');
const village = ctx.db.select({ id: complaints.villageId }).from(complaints).get()?.id ?? 1;

async function file(description = '竹林村口的塑料作坊每天傍晚冒黑烟', at = ZHULIN) {
  const where = { lat: String(at.lat), lng: String(at.lng) };
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm({ description, ...where }) });
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  const id = ctx.db
    .select({ id: complaints.id })
    .from(complaints)
    .where(eq(complaints.trackingCode, trackingCode))
    .get()!.id;
  return { id, code: trackingCode };
}
const version = (id: number) =>
  ctx.db.select({ v: complaints.version }).from(complaints).where(eq(complaints.id, id)).get()!.v;
async function post(path: string, body: Record<string, unknown>) {
  const res = await app.request(path, { method: 'POST', ...json(body, triage) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.json();
}
const act = (id: number, body: Record<string, unknown>) =>
  post(`/api/admin/complaints/${id}/actions`, { version: version(id), ...body });
const labels = async (code: string) =>
  (
    (await (await app.request(`/api/complaints/${code}`)).json()) as { timeline: { statusLabel: string }[] }
  ).timeline.map((e) => e.statusLabel);
let n = 0;
async function openTask(complaintIds: number[]) {
  const { id } = await post('/api/admin/enterprises', {
    name: `钱某${++n}号塑料作坊`,
    personInCharge: '钱某',
    lat: ZHULIN.lat,
    lng: ZHULIN.lng,
    address: '竹林村四组',
  });
  await post('/api/admin/tasks', {
    enterpriseId: id,
    type: 'shutdown',
    villageLead: '李村长',
    townshipLead: '王镇长',
    dueOn: '2099-01-01',
    complaintIds,
  });
}

describe('the steps on /track', () => {
  it('a task opened on an accepted report reads as such', async () => {
    const c = await file();
    await act(c.id, { action: 'accept' });
    await openTask([c.id]);
    expect(await labels(c.code)).toEqual(['已提交，待受理', '已受理', '已列入整治任务']);
  });

  it('a task opened on an assigned report reads as such, not as 重新交办', async () => {
    const c = await file();
    await act(c.id, { action: 'accept' });
    await act(c.id, { action: 'assign', villageId: village, departmentIds: [] });
    await openTask([c.id]);
    expect(await labels(c.code)).toEqual(['已提交，待受理', '已受理', '已交办属地处理', '已列入整治任务']);
  });

  it('a change of who handles it, a refusal undone, a reopened result: each named for what it was', async () => {
    const a = await file();
    await act(a.id, { action: 'accept' });
    await act(a.id, { action: 'assign', villageId: village, departmentIds: [] });
    await act(a.id, { action: 'assign', villageId: village, departmentIds: [1], reply: '生态环境所一同核查。' });
    await act(a.id, { action: 'resolve', reply: '已责令停产。' });
    await act(a.id, { action: 'reopen', reason: '群众反映又开工了' });
    expect(await labels(a.code)).toEqual([
      '已提交，待受理',
      '已受理',
      '已交办属地处理',
      '调整承办单位',
      '已办结',
      '重新办理',
    ]);
    const b = await file();
    await act(b.id, { action: 'reject', reason: '重复举报' });
    await act(b.id, { action: 'reopen', reason: '并非重复' });
    expect(await labels(b.code)).toEqual(['已提交，待受理', '不予受理', '重新打开，待受理']);
  });
});

describe('the /track page', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 180_000);
  afterAll(() => site?.close());
  const page = async (code: string) => (await fetch(`${site.base}/track?code=${code}`)).text();

  it('shows no 属地 for a refused or a merged report, and does for one in hand', async () => {
    const refused = await file();
    await act(refused.id, { action: 'reject', reason: '不属于受理范围' });
    const target = await file();
    const merged = await file();
    await act(merged.id, { action: 'merge', targetId: target.id });
    for (const c of [refused, merged]) {
      const html = await page(c.code);
      expect(html).toContain('id="status"');
      expect(html).not.toContain('属地</dt>');
      expect(html).not.toMatch(/待\S*整治办确定/);
    }
    expect(await page(target.code)).toContain('属地</dt>');
  });

  it("names the office of the township that holds the report: a 街道's is no 镇整治办", async () => {
    const { code } = await file('社区后面的喷漆作坊每天晚上气味刺鼻', cellCenter(1, -1)); // a cell of 城东街道
    const html = await page(code);
    expect(html).toContain('补充说明或照片会转给城东街道整治办');
    expect(html).not.toContain('镇整治办');
  });
});
