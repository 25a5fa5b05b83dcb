import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, complaints, COMPLAINT_STATUSES, townships, type ComplaintStatus } from '../../db/schema.ts';
import { nextStatus, TRANSITIONS, type ActionName } from '../../api/domain/complaints/workflow.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

const { ctx, app } = await freshContext();
const triage = signIn(ctx, 'shouli');
const villageId = ctx.db.select({ villageId: complaints.villageId }).from(complaints).get()?.villageId ?? 5;
// Another township to hand reports over to (移交).
const otherTownship = ctx.db
  .insert(townships)
  .values({ code: 'triage-other', name: '邻镇', county: '青山县', province: '浙江省' })
  .returning({ id: townships.id })
  .get().id;

async function file(over: Record<string, string> = {}) {
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm(over) });
  const { trackingCode } = await res.json();
  const row = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
  return { id: row.id, code: trackingCode as string };
}
const row = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
const act = (id: number, body: Record<string, unknown>, cookie = triage) =>
  app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ version: row(id).version, ...body }, cookie),
  });
const track = async (code: string) => (await app.request(`/api/complaints/${code}`)).json();

// Inputs that make each action valid when its state allows it.
const INPUT: Record<ActionName, Record<string, unknown>> = {
  accept: {},
  reject: { reason: '不属于受理范围' },
  merge: { targetId: 0 },
  assign: { villageId: 5, departmentIds: [1, 3] },
  resolve: {},
  reroute: { reason: '村里反映不在本村' },
  close: {},
  reopen: { reason: '群众反映又开工了' },
  extend: { days: 10, reason: '需联合执法' },
  classify: { categoryId: 2 },
  locate: { lat: ZHULIN.lat, lng: ZHULIN.lng },
  handover: { toTownshipId: otherTownship, reason: '作坊实际在邻镇' },
  reply: { reply: '我们已安排人员核查。' },
  note: { note: '夜查时再看一次' },
};
// How to bring a fresh complaint into each state.
const PATH: Record<ComplaintStatus, ActionName[]> = {
  submitted: [],
  accepted: ['accept'],
  rejected: ['reject'],
  merged: ['merge'],
  assigned: ['accept', 'assign'],
  resolved: ['accept', 'assign', 'resolve'],
  closed: ['accept', 'assign', 'resolve', 'close'],
};

describe('the triage state machine', () => {
  const target = file();
  for (const from of COMPLAINT_STATUSES) {
    it(`from ${from}: allows exactly the legal actions and refuses the rest with a clear message`, async () => {
      const targetId = (await target).id;
      for (const action of Object.keys(TRANSITIONS) as ActionName[]) {
        const { id } = await file();
        for (const step of PATH[from])
          expect((await act(id, { action: step, ...INPUT[step], ...(step === 'merge' && { targetId }) })).status).toBe(
            200,
          );
        expect(row(id).status).toBe(from);
        const res = await act(id, { action, ...INPUT[action], ...(action === 'merge' && { targetId }) });
        const expected = nextStatus(action, from);
        if (expected) {
          expect(res.status, `${action} from ${from}`).toBe(200);
          expect(row(id).status).toBe(expected);
        } else {
          expect(res.status, `${action} from ${from}`).toBe(400);
          expect((await res.json()).error.message).toMatch(/^当前状态「.+」不能执行「.+」$/);
          expect(row(id).status).toBe(from);
        }
      }
    });
  }

  it('refuses the second of two saves from the same version with 409, naming who changed it', async () => {
    const { id } = await file();
    const version = row(id).version;
    const first = await app.request(`/api/admin/complaints/${id}/actions`, {
      method: 'POST',
      ...json({ version, action: 'note', note: '先到' }, triage),
    });
    const second = await app.request(`/api/admin/complaints/${id}/actions`, {
      method: 'POST',
      ...json({ version, action: 'accept', reply: '后到' }, signIn(ctx, 'admin')),
    });
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect((await second.json()).error.message).toMatch(/已被受理员小陈于 .+ 修改，请刷新后再操作/);
    expect(row(id).status).toBe('submitted');
  });

  it('shows replies and new states on the tracking page, never internal notes or reasons', async () => {
    const { id, code } = await file();
    await act(id, { action: 'accept', reply: '已受理，三日内核查。', note: '内部：疑似老陈的作坊' });
    await act(id, { action: 'assign', villageId, departmentIds: [1], reply: '已交办竹林村和生态环境部门。' });
    const view = await track(code);
    expect(view.status).toBe('assigned');
    expect(view.timeline.map((e: { note: string | null }) => e.note)).toEqual([
      null,
      '已受理，三日内核查。',
      '已交办竹林村和生态环境部门。',
    ]);
    expect(JSON.stringify(view)).not.toContain('老陈');
  });

  it('merges a duplicate: its reporter follows the original, and reopening undoes it', async () => {
    const original = await file();
    const dup = await file();
    expect(row(dup.id).possibleDuplicate).toBe(true); // same category within 200 m
    expect((await act(dup.id, { action: 'merge', targetId: original.id, reply: '同一问题已合并处理。' })).status).toBe(
      200,
    );
    await act(original.id, { action: 'accept', reply: '原举报已受理。' });
    const view = await track(dup.code);
    expect(view.status).toBe('merged');
    expect(view.followed).toMatchObject({ status: 'accepted', statusLabel: '已受理' });
    expect(JSON.stringify(view)).not.toContain(original.code); // another reporter's code stays theirs
    expect((await act(dup.id, { action: 'merge', targetId: dup.id })).status).toBe(400);
    expect((await act(dup.id, { action: 'reopen', reason: '并非同一作坊' })).status).toBe(200);
    expect(row(dup.id)).toMatchObject({ status: 'submitted', mergedIntoId: null });
  });

  it('applies the time limits: 15 days to decide, 60 to finish, one extension of up to 30 days', async () => {
    const { id } = await file();
    const r = row(id);
    expect(r.dueAt.getTime() - r.createdAt.getTime()).toBe(15 * 86_400_000);
    await act(id, { action: 'accept' });
    expect(row(id).dueAt.getTime() - row(id).acceptedAt!.getTime()).toBe(60 * 86_400_000);
    expect((await (await act(id, { action: 'extend', days: 31, reason: '太久' })).json()).error.message).toBe(
      '延期最多 30 天',
    );
    expect((await act(id, { action: 'extend', days: 30, reason: '需要联合执法' })).status).toBe(200);
    expect(row(id).dueAt.getTime() - row(id).acceptedAt!.getTime()).toBe(90 * 86_400_000);
    expect((await (await act(id, { action: 'extend', days: 5, reason: '再延' })).json()).error.message).toBe(
      '每条举报只能延期一次',
    );
  });

  it("audits every action and every view of a reporter's contact; the audit table refuses change", async () => {
    const res = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({ anonymous: '0', name: '赵六', phone: '13600002222' }),
    });
    const { trackingCode } = await res.json();
    const id = ctx.db
      .select({ id: complaints.id })
      .from(complaints)
      .where(eq(complaints.trackingCode, trackingCode))
      .get()!.id;
    const noReason = await app.request(`/api/admin/complaints/${id}/contact`, {
      method: 'POST',
      ...json({ reason: '' }, triage),
    });
    expect(noReason.status).toBe(400);
    const seen = await app.request(`/api/admin/complaints/${id}/contact`, {
      method: 'POST',
      ...json({ reason: '电话核实具体位置' }, triage),
    });
    expect(await seen.json()).toEqual({ name: '赵六', phone: '13600002222' });
    await act(id, { action: 'reject', reason: '信息不全无法核实', detail: '地址不清' });
    const rows = ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.objectId, String(id)))
      .all();
    expect(rows.map((r) => [r.action, r.actorLabel, r.reason])).toEqual([
      ['complaint.contact_view', '受理员小陈', '电话核实具体位置'],
      ['complaint.reject', '受理员小陈', '信息不全无法核实：地址不清'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('13600002222');
    // The reporter is told why, on the tracking page.
    const view = await track(trackingCode);
    expect(view.timeline.at(-1)).toMatchObject({
      status: 'rejected',
      statusLabel: '不予受理',
      note: expect.stringContaining('理由：信息不全无法核实：地址不清'),
    });
    expect(() =>
      ctx.db.$client.prepare('UPDATE audit_log SET reason = ? WHERE id = ?').run('改掉', rows[0]!.id),
    ).toThrow(/append-only/);
    expect(() => ctx.db.$client.prepare('DELETE FROM audit_log WHERE id = ?').run(rows[0]!.id)).toThrow(/append-only/);
    const list = await (
      await app.request(`/api/admin/audit?objectType=complaint&objectId=${id}`, {
        headers: { cookie: signIn(ctx, 'admin') },
      })
    ).json();
    expect(list.rows).toHaveLength(2);
  });

  it('bulk-accepts a selection, reporting each row', async () => {
    const a = await file(),
      b = await file();
    await act(b.id, { action: 'reject', reason: '重复举报' });
    const res = await app.request('/api/admin/complaint-batch', {
      method: 'POST',
      ...json(
        { items: [a, b].map((c) => ({ id: c.id, version: row(c.id).version })), action: { action: 'accept' } },
        triage,
      ),
    });
    const { results } = await res.json();
    expect(results).toEqual([
      { id: a.id, ok: true },
      { id: b.id, ok: false, message: '当前状态「不予受理」不能执行「受理」' },
    ]);
    expect(row(a.id).status).toBe('accepted');
  });

  it('finds reports by Chinese text, filters, and pages by keyset', async () => {
    await file({ description: '河边有家电镀作坊夜里偷排黄水', lat: String(ZHULIN.lat + 0.01) });
    const get = async (qs: string) =>
      (await app.request(`/api/admin/complaints?${qs}`, { headers: { cookie: triage } })).json();
    const hit = await get(`q=${encodeURIComponent('电镀作坊')}`);
    expect(hit.rows.map((r: { description: string }) => r.description)).toEqual(['河边有家电镀作坊夜里偷排黄水']);
    expect((await get(`q=${encodeURIComponent('电镀')}`)).rows).toHaveLength(1); // two characters: the fallback scan
    expect((await get(`q=${encodeURIComponent('不存在的词')}`)).rows).toHaveLength(0);
    const all = await get('');
    const ids: number[] = [];
    let page = await get('sort=newest');
    ids.push(...page.rows.map((r: { id: number }) => r.id));
    while (page.nextCursor) {
      page = await get(`sort=newest&after=${page.nextCursor}`);
      ids.push(...page.rows.map((r: { id: number }) => r.id));
    }
    expect(ids.length).toBe(Object.values(all.counts.byStatus as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    expect((await get('status=rejected')).rows.every((r: { status: string }) => r.status === 'rejected')).toBe(true);
    expect((await get('duplicate=yes')).rows.every((r: { possibleDuplicate: boolean }) => r.possibleDuplicate)).toBe(
      true,
    );
  });
});
