import { and, asc, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ALERTS_SHOWN } from '../../api/domain/complaints/queue.ts';
import { trackPhotoSources } from '../../api/domain/complaints/track-photos.ts';
import { staffFollowups } from '../../api/domain/complaints/followup-review.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { auditLog, complaintEvents } from '../../db/schema.ts';
import { complaintFollowups, trackPhotos } from '../../db/schema-reporter.ts';
import { loopContext, MONDAY, ZHULIN_POINT } from '../helpers/assignments.ts';
import { photoFiles } from '../helpers/report.ts';

// The office's side of the reporter's follow-ups (issue 17): the queue shows the complaints the reporter came back
// to first, newest first, with a badge; the review (已阅 or reopen) clears the flag with a note, audited, and so
// does a status change; the closing evidence chosen for /track is a blurred public copy without metadata.
const loop = await loopContext();
const { ctx, app, clock, file, complaintAction, complaint, post, get, act, answer, photo, ids } = loop;

const followup = (body: Record<string, unknown>) =>
  app.request('/api/complaints/followups', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const pending = (id: number) =>
  ctx.db
    .select()
    .from(complaintFollowups)
    .where(eq(complaintFollowups.complaintId, id))
    .orderBy(asc(complaintFollowups.id))
    .all();
const lastEvent = (id: number) =>
  ctx.db
    .select()
    .from(complaintEvents)
    .where(eq(complaintEvents.complaintId, id))
    .orderBy(asc(complaintEvents.id))
    .all()
    .at(-1)!;
const auditsOf = (id: number, action: string) =>
  ctx.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.objectId, String(id)), eq(auditLog.action, action)))
    .all();
const review = (id: number, body: Record<string, unknown>, user = 'shouli') =>
  post(`/api/admin/complaints/${id}/followups/review`, body, user);
const queue = async (user = 'shouli', query = '') =>
  (await (await get(`/api/admin/complaints${query}`, user)).json()) as {
    rows: { id: number; reporterAlert: string | null }[];
    alerts: { id: number; reporterAlert: string }[];
  };

async function resolved() {
  const c = await file();
  await complaintAction(c.id, { action: 'accept' });
  await complaintAction(c.id, { action: 'assign', villageId: ids.zhulin });
  await complaintAction(c.id, { action: 'resolve', reply: '作坊已关停。' });
  return c;
}

describe('the queue: what the reporter sent back comes first', () => {
  it("lists flagged complaints above the rest, newest flag first, each once, within the viewer's filters", async () => {
    clock.now = MONDAY;
    const older = await file();
    const relapsed = await resolved();
    const plain = await file();
    clock.now += 60_000;
    expect((await followup({ code: older.code, kind: 'info', body: '补充：老板姓王。' })).status).toBe(201);
    clock.now += 60_000;
    expect(
      (await followup({ code: relapsed.code, kind: 'relapse', body: '关停后昨晚又开工了，噪声很大。' })).status,
    ).toBe(201);
    const q = await queue();
    expect(q.alerts.slice(0, 2).map((r) => [r.id, r.reporterAlert])).toEqual([
      [relapsed.id, 'relapse'],
      [older.id, 'info'],
    ]);
    expect(q.rows[0]!.id).toBe(plain.id); // the rest keep their order
    // The filters hold for the flagged too: only the submitted one among submitted complaints.
    const submitted = await queue('shouli', '?status=submitted');
    expect(submitted.alerts.map((r) => r.id)).toEqual([older.id]);
    expect((await queue('shouli', '?q=老板姓王')).alerts).toEqual([]); // the reporter's new words are not the text
    expect((await queue('shouli', `?q=${encodeURIComponent('气味刺鼻')}`)).alerts.length).toBeGreaterThan(0);
    expect((await queue('shouli', `?after=${plain.id}`)).alerts).toEqual([]);
    // A village officer sees his village's flags (both are in 竹林村); a department none of them.
    expect((await queue('zhulin')).alerts.map((r) => r.id)).toContain(older.id);
    expect((await queue('shengtai')).alerts).toEqual([]);
  });

  it('reads the flagged few from their partial index whatever the filter', () => {
    const plan = (sql: string) =>
      (ctx.db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);
    const flagged = plan(`SELECT id FROM complaints INDEXED BY complaints_reporter_alert
      WHERE reporter_alert IS NOT NULL ORDER BY reporter_alert_at DESC LIMIT ${ALERTS_SHOWN}`);
    expect(flagged.join('\n')).toMatch(/USING (COVERING )?INDEX complaints_reporter_alert/);
    expect(flagged.join('\n')).not.toMatch(/TEMP B-TREE/);
    // The second step reads each by its id (through the primary key, or an index ending in it), never a scan.
    for (const filter of ['', "AND status = 'submitted'", "AND status = 'submitted' AND village_id = 3"]) {
      const byId = plan(`SELECT * FROM complaints WHERE id IN (1, 2, 3) AND reporter_alert IS NOT NULL ${filter}
        ORDER BY reporter_alert_at DESC`).join('\n');
      expect(byId).toMatch(/SEARCH complaints USING .*rowid=\?\)/);
      expect(byId).not.toMatch(/SCAN complaints/);
    }
  });
});

describe('已阅/处理: the office reviews what the reporter sent back', () => {
  it('不满意 kept, with a note and a reply: the flag goes, the follow-up is marked, the reporter reads it', async () => {
    clock.now = MONDAY + 2 * DAY_MS;
    const c = await resolved();
    expect((await followup({ code: c.code, kind: 'rating', rating: 'unsatisfied', comment: '晚上还开' })).status).toBe(
      201,
    );
    const [f] = pending(c.id);
    const res = await review(c.id, {
      upTo: f!.id,
      decision: 'read',
      note: '夜查两次未见生产，维持',
      reply: '我们夜查两次未见生产，如再发现请随时反映。',
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(complaint(c.id)).toMatchObject({ status: 'resolved', reporterAlert: null, reporterAlertAt: null });
    expect(pending(c.id)[0]).toMatchObject({ reviewNote: '已阅，维持现状：夜查两次未见生产，维持' });
    expect(pending(c.id)[0]!.reviewedBy).toBe(loop.userId('shouli'));
    expect(lastEvent(c.id)).toMatchObject({
      action: 'followup_review',
      publicNote: '我们夜查两次未见生产，如再发现请随时反映。',
      internalNote: '不满意：已阅，维持现状。夜查两次未见生产，维持',
    });
    expect(auditsOf(c.id, 'complaint.followup_review')).toHaveLength(1);
    const tracked = await (await app.request(`/api/complaints/${c.code}`)).json();
    expect(tracked.timeline.at(-1)).toMatchObject({
      statusLabel: '答复',
      note: '我们夜查两次未见生产，如再发现请随时反映。',
    });
    // Nothing left to review.
    expect((await review(c.id, { upTo: f!.id, decision: 'read', note: '再看一次' })).status).toBe(400);
  });

  it('不满意, reopened: the reopen transition with its own event and audit, back to the office to assign', async () => {
    const c = await resolved();
    await followup({ code: c.code, kind: 'rating', rating: 'unsatisfied' });
    const [f] = pending(c.id);
    const res = await review(c.id, { upTo: f!.id, decision: 'reopen', note: '群众反映属实，重新交办' });
    expect(res.status).toBe(200);
    expect(complaint(c.id)).toMatchObject({ status: 'accepted', reporterAlert: null });
    expect(lastEvent(c.id)).toMatchObject({ action: 'reopen', actorId: loop.userId('shouli') });
    expect(auditsOf(c.id, 'complaint.reopen')).toHaveLength(1);
    expect(auditsOf(c.id, 'complaint.followup_review')[0]!.details).toMatchObject({ decision: 'reopen' });
    expect(pending(c.id)[0]!.reviewedAt).not.toBeNull();
  });

  it("shows a rating's comment to the office only; the village reads the rating and the additions", async () => {
    const c = await resolved();
    await followup({ code: c.code, kind: 'rating', rating: 'unsatisfied', comment: '村里包庇，晚上照开' });
    const as = (username: string) => staffFollowups(ctx.db, staffByUsername(ctx.db, username)!, c.id)!;
    expect(as('shouli')[0]).toMatchObject({ rating: 'unsatisfied', body: '村里包庇，晚上照开', commentHidden: false });
    expect(as('zhulin')[0]).toMatchObject({ rating: 'unsatisfied', body: '', commentHidden: true });
    expect(staffFollowups(ctx.db, staffByUsername(ctx.db, 'shengtai')!, c.id)).toBeNull(); // not his complaint
    const open = await file();
    await followup({ code: open.code, kind: 'info', body: '补充：后门有一根排水管。' });
    expect(staffFollowups(ctx.db, staffByUsername(ctx.db, 'zhulin')!, open.id)![0]!.body).toBe(
      '补充：后门有一根排水管。',
    );
  });

  it('refuses to clear a follow-up the page did not show, to reopen open work, and anyone but the office', async () => {
    const c = await file();
    await followup({ code: c.code, kind: 'info', body: '补充：后门有一根排水管。' });
    const [first] = pending(c.id);
    await followup({ code: c.code, kind: 'info', body: '补充：晚上十点以后开工。' });
    const stale = await review(c.id, { upTo: first!.id, decision: 'read', note: '已电话核实' });
    expect(stale.status).toBe(409);
    expect(complaint(c.id).reporterAlert).toBe('info');
    const upTo = pending(c.id).at(-1)!.id;
    expect((await review(c.id, { upTo, decision: 'reopen', note: '重新办理' })).status).toBe(400);
    expect((await review(c.id, { upTo, decision: 'read', note: '已阅' }, 'zhulin')).status).toBe(403);
    const blank = await review(c.id, { upTo, decision: 'read', note: ' ' });
    expect(blank.status).toBe(400);
    expect(((await blank.json()) as { error: { message: string } }).error.message).toBe('请填写处理说明');
    expect(complaint(c.id).reporterAlert).toBe('info');
  });

  it('a status change by the office clears the flag and marks the follow-ups, audited; a note does not', async () => {
    const c = await file();
    await followup({ code: c.code, kind: 'info', body: '补充：后门有一根排水管。' });
    const before = complaint(c.id);
    // The reporter's follow-up moved the version: a page read before it is refused, so nothing is cleared unseen.
    const stale = await post(
      `/api/admin/complaints/${c.id}/actions`,
      { action: 'accept', version: before.version - 1 },
      'shouli',
    );
    expect(stale.status).toBe(409);
    await complaintAction(c.id, { action: 'note', note: '先看看' });
    expect(complaint(c.id).reporterAlert).toBe('info');
    await complaintAction(c.id, { action: 'accept' });
    expect(complaint(c.id).reporterAlert).toBeNull();
    expect(pending(c.id)[0]).toMatchObject({ reviewNote: '受理' });
    expect(auditsOf(c.id, 'complaint.accept')[0]!.details).toMatchObject({ reporterAlert: 'info' });
  });
});

describe('closing evidence on /track', () => {
  it('makes a blurred copy without metadata of a field photo; withdrawing hides it and keeps the row', async () => {
    const c = await loop.assigned();
    const item = c.items[0]!;
    expect((await act(item, { action: 'acknowledge' }, 'zhulin')).status).toBe(200);
    const gps = await photo(50, ZHULIN_POINT); // with GPS and camera tags in EXIF
    expect((await answer(item, {}, 'zhulin', [gps])).status).toBe(200);
    // The reporter's own photo is no closing evidence: it shows what he saw, and from where.
    const form = new FormData();
    for (const [k, v] of Object.entries({ code: c.code, kind: 'info' })) form.append(k, v);
    form.append('photos', new Blob([new Uint8Array(await photo(90))], { type: 'image/jpeg' }), 'p.jpg');
    expect((await app.request('/api/complaints/followups', { method: 'POST', body: form })).status).toBe(201);
    const sources = trackPhotoSources(ctx.db, c.id);
    expect(sources).toHaveLength(1);
    const src = sources[0]!;
    expect(src).toMatchObject({
      kind: 'field_photo',
      thumbUrl: `/api/admin/assignments/${item}/photos/${src.id}/thumb`,
    });

    const files = photoFiles(ctx).length;
    const add = (user: string, body: Record<string, unknown> = {}) =>
      post(
        `/api/admin/complaints/${c.id}/track-photos`,
        { sourceKind: 'field_photo', sourceId: src.id, blur: [{ x: 0.1, y: 0.1, w: 0.3, h: 0.3 }], ...body },
        user,
      );
    expect((await add('zhulin')).status).toBe(403);
    expect((await add('shouli', { blur: [{ x: 0.9, y: 0, w: 0.5, h: 0.5 }] })).status).toBe(400);
    expect((await add('shouli', { sourceId: 'AAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(404);
    expect(photoFiles(ctx)).toHaveLength(files); // nothing rendered for a refusal
    const res = await add('shouli');
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = await res.json();
    expect(photoFiles(ctx)).toHaveLength(files + 2);

    const shown = await (await app.request(`/api/complaints/${c.code}`)).json();
    expect(shown.evidence).toEqual([{ id, width: expect.any(Number), height: expect.any(Number) }]);
    const copy = await app.request(`/api/complaints/${c.code}/evidence/${id}/display`);
    expect(copy.status).toBe(200);
    const meta = await sharp(Buffer.from(await copy.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    // Not under another code, nor any code but its complaint's.
    const other = await file();
    expect((await app.request(`/api/complaints/${other.code}/evidence/${id}/display`)).status).toBe(404);
    expect(auditsOf(c.id, 'complaint.track_photo_add')).toHaveLength(1);

    expect((await post(`/api/admin/complaints/${c.id}/track-photos/${id}/withdraw`, {}, 'zhulin')).status).toBe(403);
    expect((await post(`/api/admin/complaints/${c.id}/track-photos/${id}/withdraw`, {}, 'shouli')).status).toBe(200);
    expect((await app.request(`/api/complaints/${c.code}/evidence/${id}/display`)).status).toBe(404);
    expect((await (await app.request(`/api/complaints/${c.code}`)).json()).evidence).toEqual([]);
    const row = ctx.db.select().from(trackPhotos).where(eq(trackPhotos.id, id)).get()!;
    expect(row.withdrawnAt).not.toBeNull();
    expect((await get(`/api/admin/complaints/${c.id}/track-photos/${id}/thumb`, 'shouli')).status).toBe(200);
    expect((await post(`/api/admin/complaints/${c.id}/track-photos/${id}/withdraw`, {}, 'shouli')).status).toBe(404);
  });
});
