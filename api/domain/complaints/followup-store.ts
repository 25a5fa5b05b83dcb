import { and, count, eq, isNotNull, max } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaintEvents, complaintPhotos, complaints } from '../../../db/schema.ts';
import { complaintFollowups, type Rating } from '../../../db/schema-reporter.ts';
import type { AppContext } from '../../context.ts';
import { audit } from '../accounts/audit.ts';
import { processReportPhotos, type ProcessedPhoto } from '../shared/photos/pipeline.ts';
import { type FOLLOWUP_ACTIONS, REPORTER_ACTOR, weightier, type ReporterAlert } from './followup-kinds.ts';
import type { FollowupErrors } from './followup-input.ts';

// What the reporter's follow-ups (followups.ts, followup-relapse.ts) share: their answers, the complaint's flag and
// event, the audit entry, the photos (the filing's pipeline) and a transaction that may refuse.

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
export type Refusal = Extract<FollowupResult, { ok: false }>;

export const NOT_FOUND = '没有找到这个查询码对应的举报，请核对后再试';
export const refuse = (status: Refusal['status'], errors: FollowupErrors, extra: Partial<Refusal> = {}): Refusal => ({
  ok: false,
  status,
  errors,
  ...extra,
});
export const DONE: readonly string[] = ['resolved', 'closed'];

export type Row = typeof complaints.$inferSelect;
export const byCode = (db: Db | Tx, code: string) =>
  db.select().from(complaints).where(eq(complaints.trackingCode, code)).get();
export const byId = (db: Db | Tx, id: number) => db.select().from(complaints).where(eq(complaints.id, id)).get()!;

/** When the complaint was last resolved (a reopened and re-resolved one starts its time again). */
export function lastResolvedAt(db: Db | Tx, row: Pick<Row, 'id' | 'updatedAt'>): Date {
  const at = db
    .select({ at: max(complaintEvents.at) })
    .from(complaintEvents)
    .where(and(eq(complaintEvents.complaintId, row.id), eq(complaintEvents.action, 'resolve')))
    .get()?.at;
  return at ?? row.updatedAt;
}

export const linkedRelapse = (db: Db | Tx, id: number) =>
  db
    .select({ id: complaintFollowups.linkedComplaintId })
    .from(complaintFollowups)
    .where(and(eq(complaintFollowups.complaintId, id), isNotNull(complaintFollowups.linkedComplaintId)))
    .get();

/** The complaint's flag and version move together: a staff member's page from before it is refused (409). */
export function flag(
  tx: Tx,
  row: Row,
  alert: ReporterAlert,
  now: Date,
  extra: Partial<typeof complaints.$inferInsert> = {},
) {
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

export function event(
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

export const recordAudit = (tx: Tx, action: string, id: number, details: Record<string, unknown>, now: Date) =>
  audit(tx, REPORTER_ACTOR, { action: `complaint.${action}`, objectType: 'complaint', objectId: id, details }, now);

export type StoredPhoto = ProcessedPhoto & { name: string; thumbName: string };

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

export const photoRow = (f: StoredPhoto, seq: number) => ({
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

export function insertPhotos(tx: Tx, complaintId: number, followupId: number, files: StoredPhoto[]) {
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
export function roomFor(db: Db | Tx, id: number, adding: number, max: number): Refusal | null {
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
export async function withPhotos<T extends FollowupResult>(
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
export function atomic<T>(db: Db, fn: (tx: Tx) => T | Refusal): T | Refusal {
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
