import { and, asc, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { satisfactionBy } from '../../api/domain/complaints/followups.ts';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { auditLog, complaintContacts, complaintEvents, complaintPhotos, complaints } from '../../db/schema.ts';
import { complaintFollowups } from '../../db/schema-reporter.ts';
import { loopContext, MONDAY } from '../helpers/assignments.ts';
import { freshContext } from '../helpers/context.ts';
import { cameraJpeg, SVG } from '../helpers/images.ts';
import { photoFiles, reportForm } from '../helpers/report.ts';

// The reporter's follow-ups with the tracking code (issue 17), on the test's clock: 补充材料 on an open report,
// 又开工了 within RELAPSE_REPORT_DAYS of resolution (reopened, or a linked new report for an archived one), one
// rating per resolution, the limits and the answers a wrong code gets.
const loop = await loopContext({ RELAPSE_REPORT_DAYS: '30', MAX_PHOTOS: '3' });
const { ctx, app, clock, file, complaintAction, complaint, noticesOf } = loop;

const followup = (fields: Record<string, string>, photos: Buffer[] = []) => {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [i, p] of photos.entries())
    form.append('photos', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `p${i}.jpg`);
  return app.request('/api/complaints/followups', { method: 'POST', body: form });
};
const followupJson = (body: Record<string, unknown>) =>
  app.request('/api/complaints/followups', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const track = async (code: string) => (await app.request(`/api/complaints/${code}`)).json();
const rowsOf = (id: number) =>
  ctx.db.select().from(complaintFollowups).where(eq(complaintFollowups.complaintId, id)).all();
const eventsOf = (id: number) =>
  ctx.db
    .select()
    .from(complaintEvents)
    .where(eq(complaintEvents.complaintId, id))
    .orderBy(asc(complaintEvents.id))
    .all();
const auditsOf = (id: number) =>
  ctx.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.objectType, 'complaint'), eq(auditLog.objectId, String(id))))
    .orderBy(asc(auditLog.id))
    .all();
const photosOf = (id: number) =>
  ctx.db.select().from(complaintPhotos).where(eq(complaintPhotos.complaintId, id)).orderBy(asc(complaintPhotos.seq));
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { message: string; fields?: Record<string, string> } }).error;

/** Filed, accepted, assigned and resolved by the office at the clock's time. */
async function resolved() {
  const c = await file();
  await complaintAction(c.id, { action: 'accept' });
  await complaintAction(c.id, { action: 'assign', villageId: loop.ids.zhulin });
  await complaintAction(c.id, { action: 'resolve', reply: '作坊已关停。' });
  return c;
}
async function withPhotos(n: number) {
  const form = reportForm({}, await Promise.all(Array.from({ length: n }, (_, i) => cameraJpeg({ hue: i * 40 }))));
  const res = await app.request('/api/complaints', { method: 'POST', body: form });
  const { trackingCode } = await res.json();
  return ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
}

describe('补充材料 (information added to an open report)', () => {
  it('adds words and photos through the filing pipeline, flags the queue, tells the reporter on /track', async () => {
    clock.now = MONDAY;
    const c = await file();
    const before = complaint(c.id);
    const photo = await cameraJpeg({ hue: 90, takenAt: new Date(MONDAY - 3_600_000), lat: 30.1, lng: 120.1 });
    const res = await followup({ code: c.code, kind: 'info', body: '今天早上又看到他们往河里排水。' }, [photo]);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toEqual({ ok: true, kind: 'info', photos: 1 });

    const [f] = rowsOf(c.id);
    expect(f).toMatchObject({ kind: 'info', body: '今天早上又看到他们往河里排水。', reviewedAt: null });
    const [p] = photosOf(c.id).all();
    expect(p).toMatchObject({ followupId: f!.id, seq: 0, exifSource: 'file' });
    expect(p!.exifLat).toBeCloseTo(30.1, 3); // kept for staff, as a filing's photo's
    const after = complaint(c.id);
    expect(after).toMatchObject({ reporterAlert: 'info', hasPhotos: true, version: before.version + 1 });
    expect(after.reporterAlertAt?.getTime()).toBe(MONDAY);
    const event = eventsOf(c.id).at(-1)!;
    expect(event).toMatchObject({ action: 'followup_info', actorId: null, fromStatus: 'submitted' });
    expect(event.publicNote).toBe('举报人补充了说明和 1 张照片，已转整治办');
    expect(auditsOf(c.id).at(-1)).toMatchObject({ action: 'complaint.followup_info', actorId: null });

    const shown = await track(c.code);
    expect(shown.timeline.at(-1)).toMatchObject({ statusLabel: '补充材料' });
    expect(shown.photos).toHaveLength(1);
    expect(shown.followup).toMatchObject({ info: true, relapse: null, rating: null });
    // Nobody is paged for added information: the queue's flag is the office's cue.
    expect(noticesOf('shouli').filter((n) => n.kind === 'reporter')).toEqual([]);
  });

  it("counts the report's own photos against MAX_PHOTOS, and saves nothing of a refused upload", async () => {
    const c = await withPhotos(2);
    const files = photoFiles(ctx).length;
    const two = [await cameraJpeg({ hue: 10 }), await cameraJpeg({ hue: 20 })];
    const refused = await followup({ code: c.trackingCode, kind: 'info' }, two);
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).fields).toEqual({ photos: '这条举报已有 2 张照片，每条最多 3 张，还能补充 1 张' });
    expect(rowsOf(c.id)).toEqual([]);
    expect(photoFiles(ctx)).toHaveLength(files);

    expect((await followup({ code: c.trackingCode, kind: 'info' }, [two[0]!])).status).toBe(201);
    expect(
      photosOf(c.id)
        .all()
        .map((p) => p.seq),
    ).toEqual([0, 1, 2]);
    const full = await followup({ code: c.trackingCode, kind: 'info' }, [two[1]!]);
    expect((await errorOf(full)).fields?.photos).toBe('这条举报已有 3 张照片，每条最多 3 张，不能再补充照片');
    // Words alone are still welcome.
    expect((await followupJson({ code: c.trackingCode, kind: 'info', body: '补充：老板姓王。' })).status).toBe(201);
  });

  it('refuses, naming the field: nothing to add, a file not a photo, too long a text, a resolved report', async () => {
    const c = await file();
    const empty = await followup({ code: c.code, kind: 'info', body: '   ' });
    expect(empty.status).toBe(400);
    expect((await errorOf(empty)).fields).toEqual({ body: '请填写补充说明，或选择要补充的照片' });
    const svg = await followup({ code: c.code, kind: 'info' }, [SVG]);
    expect((await errorOf(svg)).fields?.photos).toMatch(/^第 1 张照片不是 JPEG、PNG 或 WebP 图片/);
    const long = await followup({ code: c.code, kind: 'info', body: '长'.repeat(2001) });
    expect((await errorOf(long)).fields).toEqual({ body: '补充说明最多 2000 个字' });
    const unknown = await followup({ code: c.code, kind: 'praise', body: '好' });
    expect((await errorOf(unknown)).fields).toEqual({ kind: '反馈类型不正确' });
    expect(rowsOf(c.id)).toEqual([]);

    const done = await resolved();
    const late = await followup({ code: done.code, kind: 'info', body: '补充一句。' });
    expect(late.status).toBe(400);
    expect((await errorOf(late)).message).toMatch(/已办结，不能再补充材料/);
  });
});

describe('又开工了 (the workshop is back) within RELAPSE_REPORT_DAYS of resolution', () => {
  it('reopens a resolved complaint as the reopen transition with no staff member, and tells the office', async () => {
    clock.now = MONDAY;
    const c = await resolved();
    clock.now = MONDAY + 30 * DAY_MS; // the last day still counts
    const before = complaint(c.id);
    const res = await followup({ code: c.code, kind: 'relapse', body: '关停一个月后昨晚又开工了，噪声很大。' });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toEqual({ ok: true, kind: 'relapse', reopened: true });

    const after = complaint(c.id);
    expect(after).toMatchObject({ status: 'accepted', reporterAlert: 'relapse', version: before.version + 1 });
    expect(after.dueAt.getTime()).toBe(clock.now + ctx.env.FINISH_DAYS * DAY_MS);
    const event = eventsOf(c.id).at(-1)!;
    expect(event).toMatchObject({ action: 'reopen', actorId: null, fromStatus: 'resolved', toStatus: 'accepted' });
    expect(event.publicNote).toBe('举报人反映问题再次出现（又开工了），已重新办理');
    expect(rowsOf(c.id)).toMatchObject([{ kind: 'relapse', body: '关停一个月后昨晚又开工了，噪声很大。' }]);
    expect(auditsOf(c.id).at(-1)).toMatchObject({
      action: 'complaint.followup_relapse',
      actorLabel: '举报人（凭查询码）',
    });
    for (const office of ['shouli', 'admin'])
      expect(noticesOf(office).at(-1)).toMatchObject({ kind: 'reporter', link: `/admin/complaints/${c.id}` });
    expect(noticesOf('zhulin').some((n) => n.kind === 'reporter')).toBe(false);
    expect((await track(c.code)).timeline.at(-1)).toMatchObject({ statusLabel: '重新办理', status: 'accepted' });

    // Reopened, it is open: 又开工了 again is refused; 补充材料 is the way to add to it.
    const again = await followup({ code: c.code, kind: 'relapse', body: '今天还在开工，烟很大很大。' });
    expect((await errorOf(again)).fields?.body).toMatch(/还在办理中/);
  });

  it('past the limit says so and offers a new report; an open, refused or merged report is no relapse', async () => {
    clock.now = MONDAY;
    const c = await resolved();
    clock.now = MONDAY + 30 * DAY_MS + 1;
    const res = await followup({ code: c.code, kind: 'relapse', body: '又开工了，晚上一直在冒烟。' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/已超过办结后 30 天的反馈期限。如作坊又开工了，请重新举报。$/);
    expect(complaint(c.id).status).toBe('resolved');
    expect(rowsOf(c.id)).toEqual([]);
    expect((await track(c.code)).followup.relapse).toMatchObject({ expired: true });

    const open = await file();
    const relapse = (code: string) => followup({ code, kind: 'relapse', body: '又开工了，烟很大，气味刺鼻。' });
    expect((await errorOf(await relapse(open.code))).fields).toEqual({
      body: '这条举报还在办理中，请用“补充材料”告诉我们新的情况',
    });
    const rejected = await file();
    await complaintAction(rejected.id, { action: 'reject', reason: '不属于受理范围' });
    expect((await errorOf(await relapse(rejected.code))).fields?.body).toMatch(/未予受理或已合并/);
    const short = await followup({ code: c.code, kind: 'relapse', body: '又开工了' });
    expect((await errorOf(short)).fields).toEqual({ body: '情况说明至少写 10 个字：什么时候、看到了什么' });
  });

  it('files a new report linked to an archived one, with its own code, and only once', async () => {
    clock.now = MONDAY;
    const c = await resolved();
    await complaintAction(c.id, { action: 'close' });
    const old = complaint(c.id);
    clock.now = MONDAY + 5 * DAY_MS;
    const photo = await cameraJpeg({ hue: 200 });
    const res = await followup({ code: c.code, kind: 'relapse', body: '归档后又在原地开工了，每天夜里都在生产。' }, [
      photo,
    ]);
    expect(res.status, await res.clone().text()).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, kind: 'relapse_filed' });
    expect(body.trackingCode).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
    expect(body.trackingCode).not.toBe(c.code);

    const linked = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, body.trackingCode)).get()!;
    expect(linked).toMatchObject({
      status: 'submitted',
      relapseOfId: c.id,
      villageId: old.villageId,
      categoryId: old.categoryId,
      lat: old.lat,
      lng: old.lng,
      description: '归档后又在原地开工了，每天夜里都在生产。',
      reporterAlert: 'relapse',
      hasPhotos: true,
    });
    expect(linked.dueAt.getTime()).toBe(clock.now + ctx.env.ACCEPT_DAYS * DAY_MS);
    expect(photosOf(linked.id).all()).toHaveLength(1);
    // The same reporter: his contact goes with it, for the office's call and his messages.
    const contact = (id: number) =>
      ctx.db
        .select({ name: complaintContacts.name, phone: complaintContacts.phone })
        .from(complaintContacts)
        .where(eq(complaintContacts.complaintId, id))
        .get();
    expect(contact(linked.id)).toEqual(contact(c.id));
    // The archived one stays archived, with a step the reporter reads and a follow-up naming the new one.
    expect(complaint(c.id)).toMatchObject({ status: 'closed', reporterAlert: null, version: old.version });
    expect(eventsOf(c.id).at(-1)).toMatchObject({
      action: 'followup_relapse',
      toStatus: 'closed',
      publicNote: '举报人反映问题再次出现（又开工了），已另立新举报办理',
    });
    expect(rowsOf(c.id)).toMatchObject([{ kind: 'relapse', linkedComplaintId: linked.id }]);
    expect(noticesOf('shouli').at(-1)).toMatchObject({ kind: 'reporter', link: `/admin/complaints/${linked.id}` });
    expect((await track(body.trackingCode)).status).toBe('submitted');
    const oldTrack = await track(c.code);
    expect(oldTrack.followup.relapse).toMatchObject({ alreadyFiled: true });
    // The new code is not on the old report's page.
    expect(JSON.stringify(oldTrack)).not.toContain(body.trackingCode);

    const twice = await followup({ code: c.code, kind: 'relapse', body: '又开工了，还是同一个作坊。' });
    expect(twice.status).toBe(409);
    expect(ctx.db.select({ n: count() }).from(complaints).where(eq(complaints.relapseOfId, c.id)).get()!.n).toBe(1);
  });
});

describe('满意度 (the rating), once per resolution', () => {
  it('takes one rating per resolution; a re-resolved complaint may be rated again', async () => {
    clock.now = MONDAY;
    const c = await resolved();
    const rate = (rating: string, comment?: string) =>
      followupJson({ code: c.code, kind: 'rating', rating, ...(comment && { comment }) });
    expect((await rate('satisfied', '处理得很快')).status).toBe(201);
    expect(complaint(c.id).reporterAlert).toBeNull(); // nothing for the office to look at
    expect((await track(c.code)).followup.rating).toEqual({ given: 'satisfied' });
    const again = await rate('basically');
    expect(again.status).toBe(409);
    expect((await errorOf(again)).fields).toEqual({ rating: '这次办结您已经评价过了，谢谢' });

    clock.now += DAY_MS;
    await complaintAction(c.id, { action: 'reopen', reason: '复查发现仍在生产' });
    await complaintAction(c.id, { action: 'assign', villageId: loop.ids.zhulin });
    clock.now += DAY_MS;
    await complaintAction(c.id, { action: 'resolve', reply: '再次关停。' });
    expect((await track(c.code)).followup.rating).toEqual({ given: null });
    expect((await rate('basically')).status).toBe(201);
    expect(rowsOf(c.id).map((f) => f.rating)).toEqual(['satisfied', 'basically']);
    expect(eventsOf(c.id).at(-1)).toMatchObject({ action: 'followup_rating', publicNote: '举报人评价：基本满意' });
  });

  it('不满意 flags the complaint for the office and tells it, without reopening it', async () => {
    clock.now = MONDAY;
    const c = await resolved();
    const before = complaint(c.id);
    const res = await followupJson({
      code: c.code,
      kind: 'rating',
      rating: 'unsatisfied',
      comment: '白天停了晚上照开',
    });
    expect(res.status).toBe(201);
    expect(complaint(c.id)).toMatchObject({
      status: 'resolved',
      reporterAlert: 'unsatisfied',
      version: before.version + 1,
    });
    expect(rowsOf(c.id)).toMatchObject([{ rating: 'unsatisfied', body: '白天停了晚上照开', reviewedAt: null }]);
    expect(noticesOf('shouli').at(-1)).toMatchObject({ kind: 'reporter', text: expect.stringContaining('不满意') });
  });

  it('is refused before resolution, and for a choice that is none', async () => {
    const c = await file();
    const open = await followupJson({ code: c.code, kind: 'rating', rating: 'satisfied' });
    expect((await errorOf(open)).fields).toEqual({ rating: '举报办结后才能评价' });
    const odd = await followupJson({ code: c.code, kind: 'rating', rating: 'great' });
    expect((await errorOf(odd)).fields).toEqual({ rating: '请选择满意度：满意、基本满意或不满意' });
    const long = await followupJson({ code: c.code, kind: 'rating', rating: 'satisfied', comment: '长'.repeat(501) });
    expect((await errorOf(long)).fields).toEqual({ comment: '评价意见最多 500 个字' });
  });

  it("feeds the county's assessment: ratings by village and by month", async () => {
    const from = new Date(MONDAY - DAY_MS);
    const to = new Date(MONDAY + 10 * DAY_MS);
    const byVillage = satisfactionBy(ctx.db, { from, to, groupBy: 'village' });
    expect(byVillage).toEqual([{ key: '竹林村', satisfied: 1, basically: 1, unsatisfied: 1, total: 3, rate: 2 / 3 }]);
    const byMonth = satisfactionBy(ctx.db, { from, to, groupBy: 'month' });
    expect(byMonth.map((r) => [r.key, r.total])).toEqual([['2026-11', 3]]);
    expect(satisfactionBy(ctx.db, { from: new Date(0), to: from, groupBy: 'village' })).toEqual([]);
  });
});

describe('a wrong code, and the limit', () => {
  it('answers a code that matches nothing exactly as /track does, and one that is no code by its format', async () => {
    const unknown = await followupJson({ code: '7KQ2M-XH9PD', kind: 'info', body: '补充一句话。' });
    const looked = await app.request('/api/complaints/7KQ2M-XH9PD');
    expect(unknown.status).toBe(404);
    expect(looked.status).toBe(404);
    const message = (await errorOf(unknown)).message;
    expect(message).toBe((await errorOf(looked)).message);
    for (const kind of ['relapse', 'rating'])
      expect(
        (
          await errorOf(
            await followupJson({ code: '7KQ2M-XH9PD', kind, body: '又开工了，烟很大很大。', rating: 'unsatisfied' }),
          )
        ).message,
      ).toBe(message);
    const malformed = await followupJson({ code: 'hello', kind: 'info', body: '补充一句话。' });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).fields?.code).toMatch(/^查询码是 10 位字母和数字/);
  });

  it('shares the per-address report limit with filing: 429 with Retry-After beyond it', async () => {
    const { app: limited } = await freshContext({ REPORT_RATE_LIMIT: '3' });
    const post = (body: unknown) =>
      limited.request('/api/complaints/followups', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await limited.request('/api/complaints', { method: 'POST', body: reportForm() })).status).toBe(201);
    for (let i = 0; i < 2; i++)
      expect((await post({ code: '7KQ2M-XH9PD', kind: 'info', body: '一句' })).status).toBe(404);
    const over = await post({ code: '7KQ2M-XH9PD', kind: 'info', body: '一句' });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(over)).message).toMatch(/^提交过于频繁，请 \d+ 分钟后再试$/);
    expect((await limited.request('/api/complaints', { method: 'POST', body: reportForm() })).status).toBe(429);
  });
});
