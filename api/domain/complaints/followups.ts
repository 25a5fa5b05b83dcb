import { and, count, desc, eq, gte, isNotNull, isNull, lt, max, ne, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  complaintCategories,
  complaintContacts,
  complaintEvents,
  complaintPhotos,
  complaints,
  villages,
} from '../../../db/schema.ts';
import { complaintFollowups, RATINGS, type Rating } from '../../../db/schema-reporter.ts';
import type { AppContext } from '../../context.ts';
import { audit } from '../accounts/audit.ts';
import { notify } from '../accounts/notifications.ts';
import { OFFICE } from '../shared/roles.ts';
import { processReportPhotos, type ProcessedPhoto } from '../shared/photos/pipeline.ts';
import { BEIJING_OFFSET_MS, DAY_MS, fmtTime } from '../shared/time.ts';
import { insertFiling, type FilingJob } from './filing-sql.ts';
import {
  type FOLLOWUP_ACTIONS,
  RATING_LABELS,
  REPORTER_ACTOR,
  weightier,
  type ReporterAlert,
} from './followup-kinds.ts';
import type { FollowupErrors, FollowupInput, ParsedFollowup } from './followup-input.ts';
import { DUPLICATE_RULE } from './neighbours.ts';
import { newTrackingCode } from './tracking-code.ts';
import { nextStatus, OPEN_STATUSES } from './workflow.ts';

// 补充材料, 又开工了 and 满意度: what the holder of a tracking code may send back, and the office's flag on it.

export type FollowupResult =
  | { ok: true; kind: 'info'; photos: number }
  | { ok: true; kind: 'relapse'; reopened: true }
  /** An archived complaint: a new one, linked; its code is shown to the reporter once, like a filing's. */
  | { ok: true; kind: 'relapse_filed'; trackingCode: string }
  | { ok: true; kind: 'rating'; rating: Rating }
  | {
      ok: false;
      status: 400 | 404 | 409 | 413 | 415 | 429 | 503;
      errors: FollowupErrors;
      retryAfterS?: number;
      /** Past RELAPSE_REPORT_DAYS: the page offers a new report instead. */
      offerNewReport?: true;
    };
type Refusal = Extract<FollowupResult, { ok: false }>;

export const NOT_FOUND = '没有找到这个查询码对应的举报，请核对后再试';
const refuse = (status: Refusal['status'], errors: FollowupErrors, extra: Partial<Refusal> = {}): Refusal => ({
  ok: false,
  status,
  errors,
  ...extra,
});
const DONE: readonly string[] = ['resolved', 'closed'];

/** Counted against the same per-address limit as filing a report (REPORT_RATE_LIMIT), before the body is read. */
export function countFollowupAttempt(ctx: AppContext, ip: string): Refusal | null {
  const r = ctx.reportLimiter.hit(ip);
  if (r.ok) return null;
  return refuse(
    429,
    { body: `提交过于频繁，请 ${Math.ceil(r.retryAfterS / 60)} 分钟后再试` },
    { retryAfterS: r.retryAfterS },
  );
}

type Row = typeof complaints.$inferSelect;
const byCode = (db: Db | Tx, code: string) =>
  db.select().from(complaints).where(eq(complaints.trackingCode, code)).get();
const byId = (db: Db | Tx, id: number) => db.select().from(complaints).where(eq(complaints.id, id)).get()!;

/** When the complaint was last resolved (a reopened and re-resolved one starts its time again). */
export function lastResolvedAt(db: Db | Tx, row: Pick<Row, 'id' | 'updatedAt'>): Date {
  const at = db
    .select({ at: max(complaintEvents.at) })
    .from(complaintEvents)
    .where(and(eq(complaintEvents.complaintId, row.id), eq(complaintEvents.action, 'resolve')))
    .get()?.at;
  return at ?? row.updatedAt;
}

/** The rating given since the last resolution, if any: one per resolution. */
function ratingSince(db: Db | Tx, id: number, since: Date): Rating | null {
  return (
    db
      .select({ rating: complaintFollowups.rating })
      .from(complaintFollowups)
      .where(
        and(
          eq(complaintFollowups.complaintId, id),
          eq(complaintFollowups.kind, 'rating'),
          gte(complaintFollowups.createdAt, since),
        ),
      )
      .orderBy(desc(complaintFollowups.id))
      .get()?.rating ?? null
  );
}

const linkedRelapse = (db: Db | Tx, id: number) =>
  db
    .select({ id: complaintFollowups.linkedComplaintId })
    .from(complaintFollowups)
    .where(and(eq(complaintFollowups.complaintId, id), isNotNull(complaintFollowups.linkedComplaintId)))
    .get();

/** What the /track page offers the holder of a code, and why not the rest. */
export interface FollowupOffer {
  info: boolean;
  /** Resolved or archived: 又开工了 until `until`; `expired` once past it. */
  relapse: { until: Date; expired: boolean; alreadyFiled: boolean; archived: boolean } | null;
  /** Resolved or archived: the rating given for this resolution, or null (the form is offered). */
  rating: { given: Rating | null } | null;
}

export function followupOffer(db: Db, relapseDays: number, code: string, now: Date): FollowupOffer | null {
  const row = byCode(db, code);
  if (!row) return null;
  if (!DONE.includes(row.status)) return { info: OPEN_STATUSES.includes(row.status), relapse: null, rating: null };
  const resolved = lastResolvedAt(db, row);
  const until = new Date(resolved.getTime() + relapseDays * DAY_MS);
  return {
    info: false,
    relapse: {
      until,
      expired: now > until,
      alreadyFiled: row.status === 'closed' && !!linkedRelapse(db, row.id),
      archived: row.status === 'closed',
    },
    rating: { given: ratingSince(db, row.id, resolved) },
  };
}

/** Follow-ups the office has yet to look at: never a plain 满意/基本满意. */
const awaitingReview = (id: number) =>
  and(
    isNull(complaintFollowups.reviewedAt),
    or(eq(complaintFollowups.complaintId, id), eq(complaintFollowups.linkedComplaintId, id)),
    or(ne(complaintFollowups.kind, 'rating'), eq(complaintFollowups.rating, 'unsatisfied')),
  );

export function pendingFollowupIds(db: Db | Tx, complaintId: number): number[] {
  return db
    .select({ id: complaintFollowups.id })
    .from(complaintFollowups)
    .where(awaitingReview(complaintId))
    .all()
    .map((r) => r.id);
}

/**
 * The office has dealt with what the reporter sent: the follow-ups waiting for it are marked reviewed with the note.
 * Called by the explicit review and by any staff action that changes the complaint's status (actions.ts); the
 * caller clears `reporter_alert` in its own update and audits. Returns the follow-ups marked.
 */
export function settleFollowups(tx: Db | Tx, complaintId: number, userId: number, note: string, now: Date): number[] {
  const ids = pendingFollowupIds(tx, complaintId);
  if (ids.length)
    tx.update(complaintFollowups)
      .set({ reviewedAt: now, reviewedBy: userId, reviewNote: note })
      .where(awaitingReview(complaintId))
      .run();
  return ids;
}

/** The complaint's flag and version move together: a staff member's page from before it is refused (409). */
function flag(tx: Tx, row: Row, alert: ReporterAlert, now: Date, extra: Partial<typeof complaints.$inferInsert> = {}) {
  const r = tx
    .update(complaints)
    .set({
      ...extra,
      reporterAlert: weightier(row.reporterAlert, alert),
      reporterAlertAt: now,
      version: row.version + 1,
      updatedBy: null,
      updatedAt: now,
    })
    .where(and(eq(complaints.id, row.id), eq(complaints.version, row.version)))
    .run();
  if (r.changes !== 1) throw new Error('complaint changed inside its own transaction');
}

function event(
  tx: Tx,
  row: Row,
  action: keyof typeof FOLLOWUP_ACTIONS | 'reopen',
  to: Row['status'],
  publicNote: string,
  now: Date,
) {
  tx.insert(complaintEvents)
    .values({ complaintId: row.id, fromStatus: row.status, toStatus: to, action, actorId: null, publicNote, at: now })
    .run();
}

const recordAudit = (tx: Tx, action: string, id: number, details: Record<string, unknown>, now: Date) =>
  audit(tx, REPORTER_ACTOR, { action: `complaint.${action}`, objectType: 'complaint', objectId: id, details }, now);

type StoredPhoto = ProcessedPhoto & { name: string; thumbName: string };

/** The pipeline of a filing's photos (submit.ts): re-encoded, without metadata, on disk before a row names them. */
async function storePhotos(
  ctx: AppContext,
  photos: Buffer[],
): Promise<{ ok: true; files: StoredPhoto[] } | { ok: false; refusal: Refusal }> {
  const processed = await processReportPhotos(photos, ctx.photoLimits);
  if (!processed.ok)
    return {
      ok: false,
      refusal: processed.busy
        ? refuse(503, { photos: processed.message }, { retryAfterS: processed.retryAfterS })
        : refuse(400, { photos: processed.message }),
    };
  const files = processed.photos.map((p) => ({
    ...p,
    name: ctx.photos.newName('webp'),
    thumbName: ctx.photos.newName('webp'),
  }));
  await ctx.photos.writeAll(
    files.flatMap((f) => [
      { name: f.name, data: f.display },
      { name: f.thumbName, data: f.thumb },
    ]),
  );
  return { ok: true, files };
}

const photoRow = (f: StoredPhoto, seq: number) => ({
  id: f.name.replace(/\.webp$/, ''),
  seq,
  file: f.name,
  thumbFile: f.thumbName,
  width: f.width,
  height: f.height,
  bytes: f.display.length,
  exifLat: f.exif?.lat ?? null,
  exifLng: f.exif?.lng ?? null,
  exifSource: f.exif ? ('file' as const) : null,
});

function insertPhotos(tx: Tx, complaintId: number, followupId: number, files: StoredPhoto[]) {
  const after =
    tx
      .select({ n: max(complaintPhotos.seq) })
      .from(complaintPhotos)
      .where(eq(complaintPhotos.complaintId, complaintId))
      .get()?.n ?? -1;
  for (const [i, f] of files.entries())
    tx.insert(complaintPhotos)
      .values({
        ...photoRow(f, after + 1 + i),
        complaintId,
        followupId,
        exifTakenAt: f.exif?.takenAt ?? null,
      })
      .run();
}

const photoCount = (db: Db | Tx, id: number) =>
  db.select({ n: count() }).from(complaintPhotos).where(eq(complaintPhotos.complaintId, id)).get()?.n ?? 0;

/** MAX_PHOTOS counts the report's photos, those sent at filing included. */
function roomFor(db: Db | Tx, id: number, adding: number, max: number): Refusal | null {
  const have = photoCount(db, id);
  if (have + adding <= max) return null;
  const room = Math.max(0, max - have);
  return refuse(400, {
    photos: `这条举报已有 ${have} 张照片，每条最多 ${max} 张${room > 0 ? `，还能补充 ${room} 张` : '，不能再补充照片'}`,
  });
}

/**
 * Runs `write` with the photos stored first, or none; a refusal or failure removes the files again. `write` reads
 * the complaint afresh inside its transaction: it may have moved while the photos were processed.
 */
async function withPhotos<T extends FollowupResult>(
  ctx: AppContext,
  photos: Buffer[],
  write: (files: StoredPhoto[]) => T | Refusal,
): Promise<T | Refusal> {
  const stored = photos.length ? await storePhotos(ctx, photos) : { ok: true as const, files: [] };
  if (!stored.ok) return stored.refusal;
  const names = stored.files.flatMap((f) => [f.name, f.thumbName]);
  try {
    const r = write(stored.files);
    if (!r.ok) await ctx.photos.removeAll(names);
    return r;
  } catch (err) {
    await ctx.photos.removeAll(names);
    throw err;
  }
}

class Refused extends Error {
  readonly refusal: Refusal;
  constructor(r: Refusal) {
    super('refused');
    this.refusal = r;
  }
}
/** A transaction that may refuse: nothing of it is kept. */
function atomic<T>(db: Db, fn: (tx: Tx) => T | Refusal): T | Refusal {
  try {
    return db.transaction((tx) => {
      const r = fn(tx);
      if (typeof r === 'object' && r !== null && 'ok' in r && r.ok === false) throw new Refused(r as Refusal);
      return r;
    });
  } catch (e) {
    if (e instanceof Refused) return e.refusal;
    throw e;
  }
}

const notOpen = (row: Row): Refusal | null => {
  if (OPEN_STATUSES.includes(row.status)) return null;
  if (DONE.includes(row.status))
    return refuse(400, { body: '这条举报已办结，不能再补充材料；如作坊又开工了，请用下面的“又开工了”告诉我们' });
  return refuse(400, { body: '这条举报未予受理或已合并到其他举报，不能补充材料；如问题仍在，请重新举报' });
};

function addInfo(ctx: AppContext, row: Row, input: Extract<FollowupInput, { kind: 'info' }>, photos: Buffer[]) {
  const early = notOpen(row) ?? roomFor(ctx.db, row.id, photos.length, ctx.env.MAX_PHOTOS);
  if (early) return Promise.resolve(early);
  return withPhotos(ctx, photos, (files) =>
    atomic(ctx.db, (tx) => {
      const now = ctx.clock();
      const fresh = byId(tx, row.id);
      const again = notOpen(fresh) ?? roomFor(tx, row.id, files.length, ctx.env.MAX_PHOTOS);
      if (again) return again;
      const f = tx
        .insert(complaintFollowups)
        .values({ complaintId: row.id, kind: 'info', body: input.body ?? '', createdAt: now })
        .returning({ id: complaintFollowups.id })
        .get();
      insertPhotos(tx, row.id, f.id, files);
      flag(tx, fresh, 'info', now, files.length ? { hasPhotos: true } : {});
      const what = [input.body && '说明', files.length && ` ${files.length} 张照片`].filter(Boolean).join('和');
      event(tx, fresh, 'followup_info', fresh.status, `举报人补充了${what}，已转镇整治办`, now);
      recordAudit(tx, 'followup_info', row.id, { followupId: f.id, photos: files.length }, now);
      return { ok: true as const, kind: 'info' as const, photos: files.length };
    }),
  );
}

/** Resolved or archived, and still within RELAPSE_REPORT_DAYS of the resolution. */
function relapseRefusal(db: Db | Tx, ctx: AppContext, row: Row, now: Date): Refusal | null {
  if (OPEN_STATUSES.includes(row.status))
    return refuse(400, { body: '这条举报还在办理中，请用“补充材料”告诉我们新的情况' });
  if (!DONE.includes(row.status))
    return refuse(400, { body: '这条举报未予受理或已合并到其他举报；如作坊在生产，请重新举报' });
  const resolved = lastResolvedAt(db, row);
  const days = ctx.env.RELAPSE_REPORT_DAYS;
  if (now.getTime() > resolved.getTime() + days * DAY_MS)
    return refuse(
      400,
      { body: `这条举报办结于 ${fmtTime(resolved)}，已超过办结后 ${days} 天的反馈期限。如作坊又开工了，请重新举报。` },
      { offerNewReport: true },
    );
  if (row.status === 'closed' && linkedRelapse(db, row.id))
    return refuse(409, { body: '您已就这条举报反映过“又开工了”，已另立新举报办理，请用当时显示的新查询码查看进度' });
  return null;
}

const RELAPSE_NOTE = '举报人反映问题再次出现（又开工了）';

/** A resolved complaint reopens: the `reopen` transition with no staff member behind it, back to the office. */
function reopen(ctx: AppContext, row: Row, body: string, photos: Buffer[]) {
  const early = roomFor(ctx.db, row.id, photos.length, ctx.env.MAX_PHOTOS);
  if (early) return Promise.resolve(early);
  return withPhotos(ctx, photos, (files) =>
    atomic(ctx.db, (tx) => {
      const now = ctx.clock();
      const fresh = byId(tx, row.id);
      const to = nextStatus('reopen', fresh.status);
      const again =
        relapseRefusal(tx, ctx, fresh, now) ??
        (fresh.status === 'resolved' && to ? null : refuse(409, { body: '这条举报的状态刚刚变了，请刷新后再试' })) ??
        roomFor(tx, row.id, files.length, ctx.env.MAX_PHOTOS);
      if (again || !to) return again ?? refuse(409, { body: '这条举报的状态刚刚变了，请刷新后再试' });
      const f = tx
        .insert(complaintFollowups)
        .values({ complaintId: row.id, kind: 'relapse', body, createdAt: now })
        .returning({ id: complaintFollowups.id })
        .get();
      insertPhotos(tx, row.id, f.id, files);
      flag(tx, fresh, 'relapse', now, {
        status: to,
        dueAt: new Date(now.getTime() + ctx.env.FINISH_DAYS * DAY_MS),
        ...(files.length && { hasPhotos: true }),
      });
      event(tx, fresh, 'reopen', to, `${RELAPSE_NOTE}，已重新办理`, now);
      recordAudit(
        tx,
        'followup_relapse',
        row.id,
        { followupId: f.id, from: fresh.status, to, photos: files.length },
        now,
      );
      notify(
        tx,
        { roles: OFFICE },
        {
          kind: 'reporter',
          text: `举报 #${row.id} 的举报人反映又开工了，已重新打开，请重新交办`,
          link: `/admin/complaints/${row.id}`,
          dedupeKey: `followup:${f.id}`,
        },
        now,
      );
      return { ok: true as const, kind: 'relapse' as const, reopened: true as const };
    }),
  );
}

/**
 * An archived complaint stays archived: a new report is filed in its place (village, point and category), with
 * the reporter's words as its description and the same contact, linked by relapse_of_id (decision 020).
 */
function fileLinked(ctx: AppContext, row: Row, body: string, photos: Buffer[], source: 'web' | 'form') {
  const category = ctx.db
    .select({ code: complaintCategories.code, active: complaintCategories.active })
    .from(complaintCategories)
    .where(eq(complaintCategories.id, row.categoryId))
    .get();
  if (!category?.active) return Promise.resolve(refuse(400, { body: '原举报的问题类别已停用，请重新举报' }));
  return withPhotos(ctx, photos, (files) =>
    atomic(ctx.db, (tx) => {
      const now = ctx.clock();
      const fresh = byId(tx, row.id);
      const again = relapseRefusal(tx, ctx, fresh, now);
      if (again) return again;
      const trackingCode = newTrackingCode();
      const job: FilingJob = {
        complaint: {
          trackingCode,
          townshipId: fresh.townshipId,
          villageId: fresh.villageId,
          outsideVillages: fresh.outsideVillages,
          categoryCode: category.code,
          lat: fresh.lat,
          lng: fresh.lng,
          address: fresh.address,
          description: body,
          seenAtMs: null,
          source,
          idempotencyKey: null,
          createdAtMs: now.getTime(),
          dueAtMs: now.getTime() + ctx.env.ACCEPT_DAYS * DAY_MS,
          hasPhotos: files.length > 0,
          needsLocation: fresh.needsLocation,
        },
        contact: null, // copied whole below (e-mail and opt-in too)
        photos: files.map((f, seq) => ({ ...photoRow(f, seq), exifTakenAtMs: f.exif?.takenAt?.getTime() ?? null })),
        apiKeyId: null,
        duplicateSinceMs: now.getTime() - DUPLICATE_RULE.days * DAY_MS,
      };
      // The filing's own SQL (filing-sql.ts), on this connection: in this transaction, with the rest.
      const filed = insertFiling(ctx.db.$client, job);
      if (!('id' in filed)) return refuse(400, { body: '原举报的问题类别已停用，请重新举报' });
      const contact = tx.select().from(complaintContacts).where(eq(complaintContacts.complaintId, row.id)).get();
      if (contact) {
        const { complaintId: _, createdAt: __, ...rest } = contact;
        tx.insert(complaintContacts)
          .values({ ...rest, complaintId: filed.id })
          .run();
      }
      tx.update(complaints)
        .set({ relapseOfId: row.id, reporterAlert: 'relapse', reporterAlertAt: now })
        .where(eq(complaints.id, filed.id))
        .run();
      const f = tx
        .insert(complaintFollowups)
        .values({ complaintId: row.id, kind: 'relapse', body, linkedComplaintId: filed.id, createdAt: now })
        .returning({ id: complaintFollowups.id })
        .get();
      event(tx, fresh, 'followup_relapse', fresh.status, `${RELAPSE_NOTE}，已另立新举报办理`, now);
      recordAudit(tx, 'followup_relapse', row.id, { followupId: f.id, filed: filed.id, photos: files.length }, now);
      notify(
        tx,
        { roles: OFFICE },
        {
          kind: 'reporter',
          text: `新举报 #${filed.id}：已归档举报 #${row.id} 的举报人反映又开工了`,
          link: `/admin/complaints/${filed.id}`,
          dedupeKey: `followup:${f.id}`,
        },
        now,
      );
      return { ok: true as const, kind: 'relapse_filed' as const, trackingCode };
    }),
  );
}

function rate(ctx: AppContext, row: Row, input: Extract<FollowupInput, { kind: 'rating' }>) {
  return atomic(ctx.db, (tx) => {
    const now = ctx.clock();
    const fresh = byId(tx, row.id);
    if (!DONE.includes(fresh.status)) return refuse(400, { rating: '举报办结后才能评价' });
    if (ratingSince(tx, row.id, lastResolvedAt(tx, fresh)))
      return refuse(409, { rating: '这次办结您已经评价过了，谢谢' });
    const f = tx
      .insert(complaintFollowups)
      .values({
        complaintId: row.id,
        kind: 'rating',
        rating: input.rating,
        body: input.comment ?? '',
        createdAt: now,
      })
      .returning({ id: complaintFollowups.id })
      .get();
    const unsatisfied = input.rating === 'unsatisfied';
    // 不满意 goes back to the office for review; it does not reopen by itself (decision 020).
    if (unsatisfied) flag(tx, fresh, 'unsatisfied', now);
    event(tx, fresh, 'followup_rating', fresh.status, `举报人评价：${RATING_LABELS[input.rating]}`, now);
    recordAudit(tx, 'followup_rating', row.id, { followupId: f.id, rating: input.rating }, now);
    if (unsatisfied)
      notify(
        tx,
        { roles: OFFICE },
        {
          kind: 'reporter',
          text: `举报 #${row.id} 的举报人对办理结果不满意，请复核`,
          link: `/admin/complaints/${row.id}`,
          dedupeKey: `followup:${f.id}`,
        },
        now,
      );
    return { ok: true as const, kind: 'rating' as const, rating: input.rating };
  });
}

/**
 * The one path a follow-up takes after its form is read (the /track page or the API), the attempt already counted.
 * A code that matches nothing answers exactly as /track does: not found, nothing more.
 */
export async function submitFollowup(
  ctx: AppContext,
  parsed: ParsedFollowup,
  source: 'web' | 'form',
): Promise<FollowupResult> {
  if (!parsed.ok) return refuse(parsed.status, parsed.errors);
  const { input, photos } = parsed;
  const row = byCode(ctx.db, input.code);
  if (!row) return refuse(404, { code: NOT_FOUND });
  switch (input.kind) {
    case 'info':
      return addInfo(ctx, row, input, photos);
    case 'relapse': {
      const early = relapseRefusal(ctx.db, ctx, row, ctx.clock());
      if (early) return early;
      return row.status === 'resolved'
        ? reopen(ctx, row, input.body, photos)
        : fileLinked(ctx, row, input.body, photos, source);
    }
    case 'rating':
      return rate(ctx, row, input);
  }
}

export interface SatisfactionRow {
  /** The village's name ('未落入任何村' for none), or the month 'YYYY-MM' in Beijing time. */
  key: string;
  satisfied: number;
  basically: number;
  unsatisfied: number;
  total: number;
  /** (满意 + 基本满意) / total, or null with no rating. */
  rate: number | null;
}

/**
 * Reporters' ratings given in [from, to), by village or by month: each resolution rated counts once. For the
 * county's assessment of the township (issue 14, not built yet: nothing calls this but its tests).
 */
export function satisfactionBy(db: Db, q: { from: Date; to: Date; groupBy: 'village' | 'month' }): SatisfactionRow[] {
  const key =
    q.groupBy === 'village'
      ? sql<string>`coalesce(${villages.name}, '未落入任何村')`
      : sql<string>`strftime('%Y-%m', (${complaintFollowups.createdAt} + ${BEIJING_OFFSET_MS}) / 1000, 'unixepoch')`;
  const n = (r: Rating) => sql<number>`sum(${complaintFollowups.rating} = ${r})`;
  const rows = db
    .select({ key, satisfied: n('satisfied'), basically: n('basically'), unsatisfied: n('unsatisfied') })
    .from(complaintFollowups)
    .innerJoin(complaints, eq(complaints.id, complaintFollowups.complaintId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .where(
      and(
        eq(complaintFollowups.kind, 'rating'),
        gte(complaintFollowups.createdAt, q.from),
        lt(complaintFollowups.createdAt, q.to),
      ),
    )
    .groupBy(key)
    .orderBy(key)
    .all();
  return rows.map((r) => {
    const counts = Object.fromEntries(RATINGS.map((k) => [k, Number(r[k] ?? 0)])) as Record<Rating, number>;
    const total = counts.satisfied + counts.basically + counts.unsatisfied;
    return { key: r.key, ...counts, total, rate: total ? (counts.satisfied + counts.basically) / total : null };
  });
}
