import { and, asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { auditLog, complaints, departments, users, villages } from '../../db/schema.ts';
import { assignmentEvents, assignments, notifications } from '../../db/schema-supervision.ts';
import { freshContext } from './context.ts';
import { photoFiles, reportForm } from './report.ts';
import { json, signIn } from './staff.ts';

/** 10:00 on Monday 2 November 2026, Beijing: 签收 within one working day runs to Tuesday night. */
export const MONDAY = Date.parse('2026-11-02T02:00:00Z');
export const ZHULIN_POINT = cellCenter(1, 1);
export const XIATANG_POINT = cellCenter(0, 0);

/**
 * A database of its own with two villages and two departments staffed: 竹林村 (two officers), 下塘村,
 * 生态环境 and 市场监管, besides the office, the admin and a leader; a clock the test moves.
 */
export async function loopContext(env: Record<string, string> = {}) {
  const clock = { now: MONDAY };
  const { ctx, app } = await freshContext(env, { now: () => clock.now });
  const villageId = (code: string) =>
    ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, code)).get()!.id;
  const departmentId = (code: string) =>
    ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, code)).get()!.id;
  const ids = {
    zhulin: villageId('qingxi-zhulin'),
    xiatang: villageId('qingxi-xiatang'),
    eco: departmentId('eco'),
    market: departmentId('market'),
  };
  const admin = { id: null, label: 'test' };
  for (const a of [
    { username: 'zhulin2', displayName: '竹林村主任老吴', role: 'village', villageId: ids.zhulin },
    { username: 'xiatang', displayName: '下塘村网格员小何', role: 'village', villageId: ids.xiatang },
    { username: 'shichang', displayName: '市场监管所老郑', role: 'department', departmentId: ids.market },
  ] as const) {
    const r = await createAccount(ctx.db, admin, a);
    if (!r.ok) throw new Error(r.message);
  }
  const userId = (username: string) =>
    ctx.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()!.id;

  // Sessions are signed afresh per request: the clock jumps days ahead in some tests.
  const cookie = (user: string) => signIn(ctx, user);
  const complaint = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
  const item = (id: number) => ctx.db.select().from(assignments).where(eq(assignments.id, id)).get()!;
  const itemsOf = (complaintId: number) =>
    ctx.db
      .select()
      .from(assignments)
      .where(eq(assignments.complaintId, complaintId))
      .orderBy(asc(assignments.id))
      .all();
  const events = (id: number) =>
    ctx.db
      .select()
      .from(assignmentEvents)
      .where(eq(assignmentEvents.assignmentId, id))
      .orderBy(asc(assignmentEvents.id))
      .all();
  const audits = (id: number) =>
    ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, 'assignment'), eq(auditLog.objectId, String(id))))
      .orderBy(asc(auditLog.id))
      .all();
  const noticesOf = (username: string) =>
    ctx.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId(username)))
      .orderBy(asc(notifications.id))
      .all();

  const post = async (path: string, body: unknown, user: string) =>
    app.request(path, { method: 'POST', ...json(body, cookie(user)) });
  const get = async (path: string, user: string) => app.request(path, { headers: { cookie: cookie(user) } });

  let filed = 0;
  /** A resident's report at a point, with a name and phone the staff side must never pass on. */
  async function file(point = ZHULIN_POINT) {
    const res = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({
        lat: String(point.lat),
        lng: String(point.lng),
        anonymous: '0',
        name: '赵举报',
        phone: '13600005555',
        description: `第${++filed}号：作坊夜里冒黑烟，气味刺鼻`,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { trackingCode } = await res.json();
    const row = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
    return { id: row.id, code: trackingCode as string };
  }
  const complaintAction = async (id: number, body: Record<string, unknown>, user = 'shouli') => {
    const res = await post(`/api/admin/complaints/${id}/actions`, { version: complaint(id).version, ...body }, user);
    expect(res.status, await res.clone().text()).toBe(200);
  };
  /** Filed, accepted and assigned: returns the complaint and its work items, the village's first. */
  async function assigned(opts: { village?: 'zhulin' | 'xiatang'; departments?: ('eco' | 'market')[] } = {}) {
    const village = opts.village ?? 'zhulin';
    const c = await file(village === 'zhulin' ? ZHULIN_POINT : XIATANG_POINT);
    await complaintAction(c.id, { action: 'accept' });
    await complaintAction(c.id, {
      action: 'assign',
      villageId: ids[village],
      departmentIds: (opts.departments ?? []).map((d) => ids[d]),
    });
    return { ...c, items: itemsOf(c.id).map((i) => i.id) };
  }

  /** A JSON action on a work item, at the version now stored unless the test names another. */
  const act = (id: number, body: Record<string, unknown>, user: string) =>
    post(`/api/admin/assignments/${id}/actions`, { version: item(id).version, ...body }, user);
  const photo = (hue = 20, at?: { lat: number; lng: number }) =>
    demoPhoto({ hue, width: 480, height: 360, ...(at && { lat: at.lat, lng: at.lng }) });
  const multipart = (fields: Record<string, string>, photos: Buffer[]) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const p of photos) form.append('photos', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), 'p.jpg');
    return form;
  };
  const sendForm = async (path: string, form: FormData, user: string) =>
    app.request(path, { method: 'POST', body: form, headers: { cookie: cookie(user) } });
  /** 核查反馈 as multipart: the outcome, what was found, photos. */
  const answer = async (
    id: number,
    fields: Record<string, string>,
    user: string,
    photos?: Buffer[],
  ): Promise<Response> =>
    sendForm(
      `/api/admin/assignments/${id}/answer`,
      multipart(
        { version: String(item(id).version), outcome: 'stopped', finding: '现场已停产，设备已断电', ...fields },
        photos ?? [await photo()],
      ),
      user,
    );
  const record = (id: number, fields: Record<string, string>, user: string, photos: Buffer[] = []) =>
    sendForm(
      `/api/admin/assignments/${id}/records`,
      multipart(
        { kind: 'case_opened', documentNumber: '青环立〔2026〕12号', actedOn: '2026-11-03', ...fields },
        photos,
      ),
      user,
    );
  const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;
  const files = () => photoFiles(ctx).sort();

  return {
    ctx,
    app,
    clock,
    ids,
    userId,
    cookie,
    complaint,
    item,
    itemsOf,
    events,
    audits,
    noticesOf,
    post,
    get,
    file,
    complaintAction,
    assigned,
    act,
    photo,
    multipart,
    sendForm,
    answer,
    record,
    errorOf,
    files,
  };
}

export type Loop = Awaited<ReturnType<typeof loopContext>>;
