import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { sendReminders } from '../../api/domain/complaints/assignment-reminders.ts';
import { complaintAssignments, listAssignments } from '../../api/domain/complaints/assignment-queries.ts';
import type { StaffUser } from '../../api/domain/accounts/sessions.ts';
import { POLICY } from '../../api/http/policy.ts';
import { auditLog, complaintEvents, users } from '../../db/schema.ts';
import { ASSIGNMENT_STATUSES, departmentActions, fieldPhotos } from '../../db/schema-supervision.ts';
import { loopContext, MONDAY, ZHULIN_POINT } from '../helpers/assignments.ts';

// 反馈 within three days of 交办, so that a reminder sweep meets both deadlines within one week.
const L = await loopContext({ ASSIGN_ANSWER_DAYS: '3' });
const { ctx, app, clock, item, itemsOf, complaint, act, answer, errorOf, noticesOf } = L;
beforeEach(() => {
  clock.now = MONDAY;
});

const track = async (code: string) => (await app.request(`/api/complaints/${code}`)).json();
const kinds = (username: string, link: string) =>
  noticesOf(username)
    .filter((n) => n.link === link)
    .map((n) => n.kind);
const signAndAnswer = async (id: number, user: string, fields: Record<string, string> = {}, photos?: Buffer[]) => {
  expect((await act(id, { action: 'acknowledge' }, user)).status).toBe(200);
  const res = await answer(id, fields, user, photos);
  expect(res.status, await res.clone().text()).toBe(200);
};
const approve = async (id: number, extra: Record<string, unknown> = {}) => {
  const res = await act(id, { action: 'approve', ...extra }, 'shouli');
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<{ status: string; version: number; complaintStatus?: string }>;
};

describe('the loop, end to end', () => {
  it('assign → sign → 不属实 with a photo → returned → 属实·已制止 → approved item by item → resolved', async () => {
    const c = await L.file();
    await L.complaintAction(c.id, { action: 'accept' });
    await L.complaintAction(c.id, {
      action: 'assign',
      villageId: L.ids.zhulin,
      departmentIds: [L.ids.eco, L.ids.market],
      reply: '已交办竹林村和相关部门核查。',
    });
    const items = itemsOf(c.id);
    expect(items.map((i) => [i.villageId, i.departmentId, i.status])).toEqual([
      [L.ids.zhulin, null, 'pending'],
      [L.ids.zhulin, L.ids.eco, 'pending'],
      [L.ids.zhulin, L.ids.market, 'pending'],
    ]);
    const [village, eco, market] = items.map((i) => i.id) as [number, number, number];
    const link = (id: number) => `/admin/assignments/${id}`;
    // Each assignee is told; nobody else.
    for (const [user, id] of [
      ['zhulin', village],
      ['zhulin2', village],
      ['shengtai', eco],
      ['shichang', market],
    ] as const)
      expect(kinds(user, link(id)), user).toEqual(['assigned']);
    for (const user of ['xiatang', 'shouli', 'lingdao'])
      expect(noticesOf(user).filter((n) => n.link === link(village))).toEqual([]);

    // 签收, then 不属实 with a photo taken about 111 m north of the reported point.
    const at = { lat: ZHULIN_POINT.lat + 0.001, lng: ZHULIN_POINT.lng };
    const privateFinding = '现场未见冒烟，老陈家后院只堆着塑料筐';
    await signAndAnswer(village, 'zhulin', { outcome: 'unfounded', finding: privateFinding }, [await L.photo(50, at)]);
    expect(item(village)).toMatchObject({ status: 'answered', outcome: 'unfounded', finding: privateFinding });
    expect(kinds('shouli', link(village))).toEqual(['answered']);
    expect(kinds('admin', link(village))).toEqual(['answered']);
    const page = await (await L.get(`/api/admin/assignments/${village}`, 'shouli')).json();
    expect(page.photos).toHaveLength(1);
    const [p] = page.photos;
    expect(p.positionFrom).toBe('file');
    expect(p.lat).toBeCloseTo(at.lat, 4);
    expect(p.lng).toBeCloseTo(at.lng, 4);
    expect(p.metresFromSite).toBeGreaterThan(100);
    expect(p.metresFromSite).toBeLessThan(125);
    // Stored re-encoded, without its metadata; served to staff as WebP.
    const stored = ctx.db.select().from(fieldPhotos).where(eq(fieldPhotos.id, p.id)).get()!;
    for (const file of [stored.file, stored.thumbFile]) {
      const meta = await sharp(readFileSync(join(ctx.photos.dir, file))).metadata();
      expect(meta.format).toBe('webp');
      expect(meta.exif).toBeUndefined();
    }
    const served = await L.get(`/api/admin/assignments/${village}/photos/${p.id}/display`, 'zhulin');
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    // The item's page carries neither the reporter's contact nor the tracking code.
    for (const user of ['shouli', 'zhulin']) {
      const text = await (await L.get(`/api/admin/assignments/${village}`, user)).text();
      for (const secret of [c.code, '赵举报', '13600005555'])
        expect(text, `${user} sees ${secret}`).not.toContain(secret);
    }

    // The office returns it with a reason: the village is told why.
    const returned = await act(village, { action: 'return', reason: '照片没拍到作坊内部，请补拍' }, 'shouli');
    expect(returned.status).toBe(200);
    expect(item(village)).toMatchObject({ status: 'checking', returnCount: 1 });
    for (const user of ['zhulin', 'zhulin2']) {
      const notice = noticesOf(user).find((n) => n.kind === 'returned' && n.link === link(village))!;
      expect(notice.text).toContain('照片没拍到作坊内部，请补拍');
    }
    expect(kinds('shengtai', link(village))).toEqual([]);
    const returnAudit = L.audits(village).find((a) => a.action === 'assignment.return')!;
    expect(returnAudit.reason).toBe('照片没拍到作坊内部，请补拍');

    // Answered again: 属实·已制止.
    const second = await answer(village, { outcome: 'stopped', finding: '老陈已停产，设备已断电拆除' }, 'zhulin', [
      await L.photo(60, at),
    ]);
    expect(second.status).toBe(200);
    expect(item(village)).toMatchObject({ status: 'answered', outcome: 'stopped' });
    expect((await (await L.get(`/api/admin/assignments/${village}`, 'shouli')).json()).photos).toHaveLength(2);

    // Approved: the complaint waits for the departments.
    expect(await approve(village, { note: '内部：电话回访老陈本人' })).toEqual({
      ok: true,
      status: 'approved',
      version: item(village).version,
    });
    expect(complaint(c.id).status).toBe('assigned');
    await signAndAnswer(eco, 'shengtai', { finding: '已责令停产，立案查处' });
    const penalty = await L.record(
      eco,
      { kind: 'penalty', documentNumber: '青环罚〔2026〕9号', penaltyKind: '罚款', amountYuan: '5000' },
      'shengtai',
    );
    expect(penalty.status).toBe(201);
    await signAndAnswer(market, 'shichang', { finding: '已责令停止无照经营' });
    expect((await approve(eco)).complaintStatus).toBeUndefined();
    expect(complaint(c.id).status).toBe('assigned');
    // The last one: the complaint resolves with the office's reply.
    const last = await approve(market, { reply: '经属地和部门核查，作坊已停产，责任人已被罚款。感谢您的监督。' });
    expect(last.complaintStatus).toBe('resolved');
    expect(complaint(c.id).status).toBe('resolved');
    expect(itemsOf(c.id).map((i) => i.status)).toEqual(['approved', 'approved', 'approved']);
    const view = await track(c.code);
    expect(view.status).toBe('resolved');
    expect(view.timeline.at(-1)).toMatchObject({
      status: 'resolved',
      note: '经属地和部门核查，作坊已停产，责任人已被罚款。感谢您的监督。',
    });
    const text = JSON.stringify(view);
    for (const secret of ['老陈', '内部', '补拍', '后院', '青环罚', '罚款 5000', 'lat', 'exif'])
      expect(text, secret).not.toContain(secret);
    const resolveAudit = ctx.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.objectType, 'complaint'),
          eq(auditLog.objectId, String(c.id)),
          eq(auditLog.action, 'complaint.resolve'),
        ),
      )
      .all();
    expect(resolveAudit).toHaveLength(1);
  });

  it('resolves with the default reply that fits what was found', async () => {
    const c = await L.assigned();
    await signAndAnswer(c.items[0]!, 'zhulin', { outcome: 'unfounded', finding: '现场未见作坊' });
    expect((await approve(c.items[0]!)).complaintStatus).toBe('resolved');
    expect((await track(c.code)).timeline.at(-1).note).toContain('未发现您反映的问题');
  });

  it('resolves when the last item is a department saying it is not its duty', async () => {
    const c = await L.assigned({ departments: ['eco'] });
    const [village, eco] = c.items as [number, number];
    await signAndAnswer(village, 'zhulin', { outcome: 'stopped' });
    await signAndAnswer(eco, 'shengtai', { outcome: 'not_ours', finding: '属市场监管职责，不属本部门' }, []);
    expect((await approve(village)).complaintStatus).toBeUndefined();
    expect((await approve(eco)).complaintStatus).toBe('resolved');
    expect((await track(c.code)).timeline.at(-1).note).toContain('现已制止');
  });

  it('the reporter is told it was stopped when the village stopped it, whichever item is approved last', async () => {
    const c = await L.assigned({ departments: ['eco'] });
    const [village, eco] = c.items as [number, number];
    await signAndAnswer(village, 'zhulin', { outcome: 'stopped' });
    await signAndAnswer(eco, 'shengtai', { outcome: 'unfounded', finding: '到场时已无生产迹象' });
    await approve(village);
    expect((await approve(eco)).complaintStatus).toBe('resolved');
    expect((await track(c.code)).timeline.at(-1).note).toContain('现已制止');
  });

  it('a case to open keeps the complaint open, whichever item is approved last', async () => {
    for (const order of ['village last', 'department last'] as const) {
      const c = await L.assigned({ departments: ['eco'] });
      const [village, eco] = c.items as [number, number];
      await signAndAnswer(village, 'zhulin', { outcome: 'needs_case', finding: '无证塑料造粒，需立案查处' });
      await signAndAnswer(eco, 'shengtai', { outcome: 'stopped', finding: '已责令停产' });
      for (const id of order === 'village last' ? [eco, village] : [village, eco]) await approve(id);
      expect(complaint(c.id).status, order).toBe('assigned');
    }
  });
});

describe('where the photos were taken', () => {
  it("keeps the phone's position when the photo has none, and says so; no position, no distance", async () => {
    const [village, eco] = (await L.assigned({ departments: ['eco'] })).items as [number, number];
    const phone = { lat: ZHULIN_POINT.lat, lng: ZHULIN_POINT.lng + 0.002 };
    await signAndAnswer(village, 'zhulin', { lat: String(phone.lat), lng: String(phone.lng) }, [await L.photo(10)]);
    await signAndAnswer(eco, 'shengtai', {}, [await L.photo(15)]);
    const photos = async (id: number) => (await (await L.get(`/api/admin/assignments/${id}`, 'shouli')).json()).photos;
    const [fromPhone] = await photos(village);
    expect(fromPhone).toMatchObject({ positionFrom: 'browser', lat: phone.lat, lng: phone.lng });
    expect(fromPhone.metresFromSite).toBeGreaterThan(150); // 0.002° of longitude at 31° N is about 190 m
    expect(fromPhone.metresFromSite).toBeLessThan(250);
    expect((await photos(eco))[0]).toMatchObject({ positionFrom: null, lat: null, metresFromSite: null });
  });
});

describe('不属本村: back to the office, and re-assigning', () => {
  it('approving 不属本村 (no photo needed) sends the complaint back to accepted with a reason', async () => {
    const c = await L.assigned({ departments: ['eco'] });
    const [village, eco] = c.items as [number, number];
    await signAndAnswer(village, 'zhulin', { outcome: 'not_ours', finding: '该处属下塘村地界，不在本村' }, []);
    expect(item(village)).toMatchObject({ status: 'answered', outcome: 'not_ours' });
    expect(await approve(village)).toMatchObject({ status: 'approved', complaintStatus: 'accepted' });
    expect(complaint(c.id).status).toBe('accepted');
    expect(item(eco).status).toBe('withdrawn');
    const reroute = ctx.db
      .select()
      .from(complaintEvents)
      .where(and(eq(complaintEvents.complaintId, c.id), eq(complaintEvents.action, 'reroute')))
      .get()!;
    expect(reroute.internalNote).toContain('该处属下塘村地界，不在本村');
    expect(reroute.publicNote).toBeNull();
    const audit = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectId, String(c.id)), eq(auditLog.action, 'complaint.reroute')))
      .get()!;
    expect(audit.reason).toContain('不属本村');
    expect(JSON.stringify(await track(c.code))).not.toContain('下塘村地界');
    // The office assigns it to the right village: new items, the old approved one stays as it was.
    await L.complaintAction(c.id, { action: 'assign', villageId: L.ids.xiatang, departmentIds: [L.ids.eco] });
    const now = itemsOf(c.id);
    expect(now.map((i) => [i.villageId, i.departmentId, i.status])).toEqual([
      [L.ids.zhulin, null, 'approved'],
      [L.ids.zhulin, L.ids.eco, 'withdrawn'],
      [L.ids.xiatang, null, 'pending'],
      [L.ids.xiatang, L.ids.eco, 'pending'],
    ]);
    expect((await L.get(`/api/admin/assignments/${now[2]!.id}`, 'xiatang')).status).toBe(200);
    expect((await L.get(`/api/admin/assignments/${now[2]!.id}`, 'zhulin')).status).toBe(404);
    // A department says "not our duty" without a photo too; other outcomes need one.
    const deptNo = await answer(now[3]!.id, { outcome: 'not_ours', finding: '不属生态环境职责' }, 'shengtai', []);
    expect(deptNo.status).toBe(400); // not yet signed
    await act(now[3]!.id, { action: 'acknowledge' }, 'shengtai');
    expect((await answer(now[3]!.id, { outcome: 'stopped' }, 'shengtai', [])).status).toBe(400);
    expect(
      (await answer(now[3]!.id, { outcome: 'not_ours', finding: '不属生态环境职责' }, 'shengtai', [])).status,
    ).toBe(200);
  });

  it('re-assigning withdraws every live item, with an event, and tells nobody to keep working', async () => {
    const c = await L.assigned({ departments: ['eco', 'market'] });
    const [village, eco, market] = c.items as [number, number, number];
    await act(village, { action: 'acknowledge' }, 'zhulin');
    await signAndAnswer(eco, 'shengtai');
    await L.complaintAction(c.id, { action: 'assign', villageId: L.ids.xiatang, departmentIds: [L.ids.market] });
    expect([village, eco, market].map((id) => item(id).status)).toEqual(['withdrawn', 'withdrawn', 'withdrawn']);
    for (const id of [village, eco, market])
      expect(L.events(id).at(-1)).toMatchObject({ action: 'withdraw', note: '重新交办' });
    const fresh = itemsOf(c.id).slice(3);
    expect(fresh.map((i) => [i.villageId, i.departmentId, i.status])).toEqual([
      [L.ids.xiatang, null, 'pending'],
      [L.ids.xiatang, L.ids.market, 'pending'],
    ]);
    // A withdrawn item takes no answer; the office's own 办结 withdraws the rest.
    const late = await answer(village, {}, 'zhulin');
    expect(late.status).toBe(400);
    expect(await errorOf(late)).toBe('当前状态「已撤回」不能反馈');
    await L.complaintAction(c.id, { action: 'resolve', reply: '已由镇整治办直接办结。' });
    expect(fresh.map((i) => item(i.id).status)).toEqual(['withdrawn', 'withdrawn']);
  });
});

describe('reminders, urges and the notification list', () => {
  it('reminds the responsible accounts once when 签收 or 反馈 is due tomorrow and once when overdue', async () => {
    const c = await L.assigned({ departments: ['eco'] });
    const [village, eco] = c.items as [number, number];
    const link = (id: number) => `/admin/assignments/${id}`;
    // Due: 签收 by Tuesday night (one working day), 反馈 by Thursday 10:00 (three days).
    expect(item(village).ackDueAt.toISOString()).toBe('2026-11-03T15:59:59.999Z');
    expect(item(village).answerDueAt.toISOString()).toBe('2026-11-05T02:00:00.000Z');
    await act(eco, { action: 'acknowledge' }, 'shengtai');
    const sweep = (at: string) => {
      clock.now = Date.parse(at);
      for (let i = 0; i < 2; i++) sendReminders(ctx.db, new Date(clock.now)); // twice: still one notice each
    };
    const reminders = (user: string, id: number) =>
      noticesOf(user)
        .filter((n) => n.link === link(id) && (n.kind === 'due_soon' || n.kind === 'overdue'))
        .map((n) => `${n.kind}:${/签收|反馈/.exec(n.text)![0]}`);

    sweep('2026-11-02T02:00:00Z'); // Monday: 签收 is due tomorrow
    expect(reminders('zhulin', village)).toEqual(['due_soon:签收']);
    expect(reminders('shengtai', eco)).toEqual([]); // signed already; its 反馈 is not due tomorrow
    sweep('2026-11-04T02:00:00Z'); // Wednesday: 签收 overdue, 反馈 due tomorrow
    expect(reminders('zhulin', village)).toEqual(['due_soon:签收', 'overdue:签收', 'due_soon:反馈']);
    expect(reminders('shengtai', eco)).toEqual(['due_soon:反馈']);
    sweep('2026-11-06T02:00:00Z'); // Friday: 反馈 overdue
    const all = ['due_soon:签收', 'overdue:签收', 'due_soon:反馈', 'overdue:反馈'];
    expect(reminders('zhulin', village)).toEqual(all);
    expect(reminders('zhulin2', village)).toEqual(all); // every officer of the village
    expect(reminders('shengtai', eco)).toEqual(['due_soon:反馈', 'overdue:反馈']);
    expect(noticesOf('zhulin').find((n) => n.kind === 'overdue' && n.link === link(village))!.text).toMatch(
      /^已超期：举报 #\d+ 应于 .+ 前签收$/,
    );
    // Nobody else: another village, another department, the office.
    for (const user of ['xiatang', 'shichang', 'shouli', 'admin', 'lingdao'])
      expect([...reminders(user, village), ...reminders(user, eco)], user).toEqual([]);
    // An answered item waits for the office: no more reminders to the department.
    await answer(eco, {}, 'shengtai');
    sweep('2026-11-09T02:00:00Z');
    expect(reminders('shengtai', eco)).toEqual(['due_soon:反馈', 'overdue:反馈']);
    expect(reminders('zhulin', village)).toEqual(all);
  });

  it('reads only items near their deadline: one first swept long after it fell due is not reminded', async () => {
    const [village] = (await L.assigned()).items as [number];
    // 签收 by Tuesday night, 反馈 by Thursday; the first sweep is eight days after 反馈 fell due.
    clock.now = Date.parse('2026-11-13T02:00:00Z');
    expect(sendReminders(ctx.db, new Date(clock.now))).toEqual({ dueSoon: 0, overdue: 0 });
    expect(
      noticesOf('zhulin').filter((n) => n.link === `/admin/assignments/${village}` && n.kind === 'overdue'),
    ).toEqual([]);
  });

  it('督办 counts each urge, notes it and tells the village', async () => {
    const [village] = (await L.assigned()).items as [number];
    const link = `/admin/assignments/${village}`;
    expect((await act(village, { action: 'urge', note: '已超期，请今天签收' }, 'shouli')).status).toBe(200);
    clock.now += 3_600_000;
    expect((await act(village, { action: 'urge', note: '再次督办：今天下班前签收' }, 'admin')).status).toBe(200);
    expect(item(village)).toMatchObject({ urgeCount: 2, status: 'pending' });
    expect(item(village).lastUrgedAt!.getTime()).toBe(clock.now);
    for (const user of ['zhulin', 'zhulin2'])
      expect(
        noticesOf(user)
          .filter((n) => n.kind === 'urged' && n.link === link)
          .map((n) => n.text.replace(/#\d+/, '#N')),
      ).toEqual(['督办：举报 #N，已超期，请今天签收', '督办：举报 #N，再次督办：今天下班前签收']);
    expect(noticesOf('xiatang').filter((n) => n.link === link)).toEqual([]);
    const urges = L.audits(village).filter((a) => a.action === 'assignment.urge');
    expect(urges.map((a) => [a.actorLabel, (a.details as { urge: number }).urge])).toEqual([
      ['受理员小陈', 1],
      ['管理员', 2],
    ]);
    expect(
      L.events(village)
        .filter((e) => e.action === 'urge')
        .map((e) => e.note),
    ).toEqual(['已超期，请今天签收', '再次督办：今天下班前签收']);
    // Signed, it may still be urged; answered, it waits for the office and may not.
    await signAndAnswer(village, 'zhulin');
    expect((await act(village, { action: 'urge', note: '第三次督办' }, 'shouli')).status).toBe(400);
    expect(item(village).urgeCount).toBe(2);
  });

  it("lists each account's own notices with the unread count, and marks only the caller's own read", async () => {
    await L.assigned({ departments: ['eco'] }); // something new for each
    const list = async (user: string) =>
      (await L.get('/api/admin/notifications', user)).json() as Promise<{
        unread: number;
        rows: { id: number; readAt: string | null; kind: string }[];
      }>;
    const unreadInDb = (user: string) => noticesOf(user).filter((n) => n.readAt === null).length;
    const mine = await list('zhulin');
    expect(mine.unread).toBe(unreadInDb('zhulin'));
    expect(mine.unread).toBeGreaterThan(1);
    expect(mine.rows.map((r) => r.id).sort()).toEqual(
      noticesOf('zhulin')
        .map((n) => n.id)
        .sort(),
    );
    const theirs = noticesOf('zhulin2').filter((n) => n.readAt === null);
    const theirsBefore = theirs.length;
    // One of mine and one of another officer's: only mine is marked.
    const read = await L.post('/api/admin/notifications/read', { ids: [mine.rows[0]!.id, theirs[0]!.id] }, 'zhulin');
    expect(await read.json()).toEqual({ marked: 1, unread: mine.unread - 1 });
    expect(unreadInDb('zhulin2')).toBe(theirsBefore);
    const after = await list('zhulin');
    expect(after.rows.at(-1)!.readAt).not.toBeNull(); // read ones after the unread
    expect(after.rows.slice(0, -1).every((r) => r.readAt === null)).toBe(true);
    expect(await (await L.post('/api/admin/notifications/read', { ids: 'all' }, 'zhulin')).json()).toEqual({
      marked: mine.unread - 1,
      unread: 0,
    });
    expect(unreadInDb('zhulin2')).toBe(theirsBefore);
    expect((await list('zhulin2')).unread).toBe(theirsBefore);
    for (const [body, message] of [
      [{ ids: [] }, /^请选择要标为已读的通知$/],
      [{ ids: ['abc'] }, /通知/],
      [{ ids: Array.from({ length: 501 }, (_, i) => i + 1) }, /通知/],
      [{ ids: 'some' }, /^请选择要标为已读的通知$/],
      [{}, /^请选择要标为已读的通知$/],
    ] as const) {
      const res = await L.post('/api/admin/notifications/read', body, 'zhulin2');
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await errorOf(res)).toMatch(message);
    }
    expect(unreadInDb('zhulin2')).toBe(theirsBefore);
    expect((await app.request('/api/admin/notifications')).status).toBe(401);
  });
});

describe('authorization matrix of the loop, with two villages and two departments', () => {
  it('gives every account on every route the policy answer, and scope hides the others’ items', async () => {
    const a = await L.assigned({ departments: ['eco', 'market'] });
    const b = await L.assigned({ village: 'xiatang', departments: ['eco'] });
    const [aVillage, aEco, aMarket] = a.items as [number, number, number];
    const [bVillage, bEco] = b.items as [number, number];
    const assignee: Record<number, string> = {
      [aVillage]: 'zhulin',
      [aEco]: 'shengtai',
      [aMarket]: 'shichang',
      [bVillage]: 'xiatang',
      [bEco]: 'shengtai',
    };
    const all = [aVillage, aEco, aMarket, bVillage, bEco];
    for (const [i, id] of all.entries()) await signAndAnswer(id, assignee[id]!, {}, [await L.photo(100 + 30 * i)]);
    const photoOf = (id: number) =>
      ctx.db
        .select({ id: fieldPhotos.id })
        .from(fieldPhotos)
        .where(and(eq(fieldPhotos.subject, 'assignment'), eq(fieldPhotos.subjectId, id)))
        .get()!.id;
    const SEES: Record<string, number[]> = {
      admin: all,
      shouli: all,
      lingdao: all,
      zhulin: [aVillage],
      zhulin2: [aVillage],
      xiatang: [bVillage],
      shengtai: [aEco, bEco],
      shichang: [aMarket],
    };
    const roleOf = (username: string) =>
      ctx.db.select({ role: users.role }).from(users).where(eq(users.username, username)).get()!.role;

    const keys = app.routes
      .filter((r) => /^\/api\/admin\/(assignments|notifications)/.test(r.path) && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`)
      .filter((key, i, keys) => keys.indexOf(key) === i) // a validator is a route of its own
      .sort();
    expect(keys).toEqual([
      'GET /api/admin/assignments/:id',
      'GET /api/admin/assignments/:id/photos/:photoId/:size',
      'GET /api/admin/notifications',
      'POST /api/admin/assignments/:id/actions',
      'POST /api/admin/assignments/:id/answer',
      'POST /api/admin/assignments/:id/records',
      'POST /api/admin/notifications/read',
    ]);
    const request = (key: string, id: number): RequestInit & { path: string } => {
      const base = `/api/admin/assignments/${id}`;
      const form = (fields: Record<string, string>) => ({ method: 'POST', body: L.multipart(fields, []) });
      switch (key) {
        case 'GET /api/admin/assignments/:id':
          return { path: base };
        case 'GET /api/admin/assignments/:id/photos/:photoId/:size':
          return { path: `${base}/photos/${photoOf(id)}/thumb` };
        case 'POST /api/admin/assignments/:id/actions':
          return {
            path: `${base}/actions`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ action: 'urge', version: 999, note: '矩阵测试' }),
          };
        case 'POST /api/admin/assignments/:id/answer':
          return {
            path: `${base}/answer`,
            ...form({ version: '999', outcome: 'not_ours', finding: '矩阵测试：不属本村' }),
          };
        case 'POST /api/admin/assignments/:id/records':
          return {
            path: `${base}/records`,
            ...form({ kind: 'police_referral', documentNumber: `矩阵〔2026〕${id}号`, actedOn: '2026-11-03' }),
          };
        case 'GET /api/admin/notifications':
          return { path: '/api/admin/notifications' };
        default:
          return {
            path: '/api/admin/notifications/read',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ids: 'all' }),
          };
      }
    };
    // What a visible item answers each route with: the requests above are refused for their stale version.
    const VISIBLE: Record<string, number> = {
      'GET /api/admin/assignments/:id': 200,
      'GET /api/admin/assignments/:id/photos/:photoId/:size': 200,
      'POST /api/admin/assignments/:id/actions': 409,
      'POST /api/admin/assignments/:id/answer': 409,
      'POST /api/admin/assignments/:id/records': 201,
    };
    const state = () =>
      all.map((id) => {
        const { status, outcome, finding, urgeCount, returnCount } = item(id);
        return { status, outcome, finding, urgeCount, returnCount };
      });
    const before = state();
    const secrets = [a.code, b.code, '赵举报', '13600005555'];
    const descriptionOf = (id: number) => complaint(item(id).complaintId).description;
    for (const user of [null, ...Object.keys(SEES)]) {
      const role = user === null ? null : roleOf(user);
      for (const key of keys) {
        const policy = POLICY[key]!;
        const allowed = role !== null && (policy === 'anyone' || policy.includes(role));
        for (const id of key.includes(':id') ? all : [0]) {
          const { path, ...init } = request(key, id);
          const headers = { ...(init.headers as Record<string, string>), ...(user ? { cookie: L.cookie(user) } : {}) };
          const res = await app.request(path, { ...init, headers });
          const expected = !role
            ? 401
            : !allowed
              ? 403
              : !key.includes(':id')
                ? 200
                : SEES[user!]!.includes(id)
                  ? VISIBLE[key]
                  : 404;
          expect(res.status, `${user} ${key} on ${id}`).toBe(expected);
          const body = await res.text();
          for (const secret of secrets) expect(body, `${user} ${key} shows ${secret}`).not.toContain(secret);
          if (res.status === 404) expect(body).not.toContain(descriptionOf(id));
        }
      }
    }
    expect(state()).toEqual(before);
    // Each department recorded on its own items only.
    const recorded = ctx.db
      .select({ assignmentId: departmentActions.assignmentId, departmentId: departmentActions.departmentId })
      .from(departmentActions)
      .all()
      .filter((r) => all.includes(r.assignmentId));
    expect(recorded.sort((x, y) => x.assignmentId - y.assignmentId)).toEqual([
      { assignmentId: aEco, departmentId: L.ids.eco },
      { assignmentId: aMarket, departmentId: L.ids.market },
      { assignmentId: bEco, departmentId: L.ids.eco },
    ]);

    // The lists every page draws from carry the same scope.
    const staffUser = (username: string): StaffUser =>
      ctx.db
        .select({
          id: users.id,
          username: users.username,
          displayName: users.displayName,
          role: users.role,
          townshipId: users.townshipId,
          villageId: users.villageId,
          departmentId: users.departmentId,
          mustChangePassword: users.mustChangePassword,
        })
        .from(users)
        .where(eq(users.username, username))
        .get()!;
    for (const [user, sees] of Object.entries(SEES)) {
      const listed = listAssignments(ctx.db, staffUser(user), ASSIGNMENT_STATUSES)
        .map((r) => r.id)
        .filter((id) => all.includes(id));
      expect(listed.sort(), user).toEqual([...sees].sort());
      for (const c of [a, b])
        expect(
          complaintAssignments(ctx.db, staffUser(user), c.id).map((r) => r.id),
          `${user} on complaint ${c.id}`,
        ).toEqual(sees.filter((id) => c.items.includes(id)));
    }
  });
});
