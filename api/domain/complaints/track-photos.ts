import { and, asc, count, eq, inArray, isNull, max, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { complaints } from '../../../db/schema.ts';
import { enterpriseComplaints, revisits } from '../../../db/schema-enforcement.ts';
import { trackPhotos } from '../../../db/schema-reporter.ts';
import { assignments, departmentActions, fieldPhotos } from '../../../db/schema-supervision.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { blurRegions, renderPublicCopy } from '../shared/photos/public-copy.ts';
import { taskEvidencePicks } from '../shared/photos/task-evidence-picks.ts';
import type { PhotoStore } from '../shared/photos/store.ts';
import { fail, type Result } from '../shared/result.ts';
import { isOffice } from '../shared/roles.ts';
import { visibleComplaint } from './scope.ts';

// The closing evidence the office chooses to show the reporter on /track: public copies of the work's photos, made
// exactly as a typical case's are (shared/photos/public-copy.ts). Withdrawing hides one and keeps its row.

/** More would be a gallery, not the evidence that the workshop is gone. */
export const MAX_TRACK_PHOTOS = 12;

export const trackPhotoInput = z.object({
  sourceKind: z.enum(['task_evidence', 'field_photo'], { error: '请选择照片来源' }),
  sourceId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/, { error: '照片不存在' }),
  blur: blurRegions,
});
export type TrackPhotoInput = z.infer<typeof trackPhotoInput>;

export interface TrackPhotoSource {
  kind: 'task_evidence' | 'field_photo';
  id: string;
  label: string;
  width: number;
  height: number;
  file: string;
  thumbUrl: string;
  displayUrl: string;
}

const FIELD_LABELS = { assignment: '核查反馈', department_action: '部门执法记录', revisit: '回头看' } as const;

/**
 * Photos that may become closing evidence: the task evidence of the complaint's enterprise, the field photos of its
 * 交办 work items and of the departments' records on them, and the enterprise's 回头看. Never a resident's photo:
 * those show what the reporter saw, and from where.
 */
export function trackPhotoSources(db: Db, complaintId: number): TrackPhotoSource[] {
  const enterpriseId =
    db
      .select({ id: enterpriseComplaints.enterpriseId })
      .from(enterpriseComplaints)
      .where(eq(enterpriseComplaints.complaintId, complaintId))
      .get()?.id ?? null;
  const evidence: TrackPhotoSource[] = enterpriseId
    ? taskEvidencePicks(db, enterpriseId).map((p) => ({ kind: 'task_evidence', ...p }))
    : [];
  const items = db
    .select({ id: assignments.id })
    .from(assignments)
    .where(eq(assignments.complaintId, complaintId))
    .all()
    .map((a) => a.id);
  const records = items.length
    ? db
        .select({ id: departmentActions.id, assignmentId: departmentActions.assignmentId })
        .from(departmentActions)
        .where(inArray(departmentActions.assignmentId, items))
        .all()
    : [];
  const visits = enterpriseId
    ? db
        .select({ id: revisits.id })
        .from(revisits)
        .where(eq(revisits.enterpriseId, enterpriseId))
        .all()
        .map((r) => r.id)
    : [];
  const subjects = [
    items.length && and(eq(fieldPhotos.subject, 'assignment'), inArray(fieldPhotos.subjectId, items)),
    records.length &&
      and(
        eq(fieldPhotos.subject, 'department_action'),
        inArray(
          fieldPhotos.subjectId,
          records.map((r) => r.id),
        ),
      ),
    visits.length && and(eq(fieldPhotos.subject, 'revisit'), inArray(fieldPhotos.subjectId, visits)),
  ].filter((w) => !!w);
  const field: TrackPhotoSource[] = subjects.length
    ? db
        .select()
        .from(fieldPhotos)
        .where(or(...subjects))
        .orderBy(asc(fieldPhotos.createdAt), sql`rowid`)
        .all()
        .map((p) => {
          const base =
            p.subject === 'revisit'
              ? `/api/admin/revisits/${p.subjectId}`
              : `/api/admin/assignments/${
                  p.subject === 'assignment' ? p.subjectId : records.find((r) => r.id === p.subjectId)?.assignmentId
                }`;
          return {
            kind: 'field_photo',
            id: p.id,
            label: `${FIELD_LABELS[p.subject as keyof typeof FIELD_LABELS]} #${p.subjectId}`,
            width: p.width,
            height: p.height,
            file: p.file,
            thumbUrl: `${base}/photos/${p.id}/thumb`,
            displayUrl: `${base}/photos/${p.id}/display`,
          };
        })
    : [];
  return [...evidence, ...field];
}

const actor = (u: StaffUser) => ({ id: u.id, label: u.displayName });
const officeComplaint = (db: Db, user: StaffUser, id: number) =>
  isOffice(user)
    ? db.select({ id: complaints.id }).from(complaints).where(visibleComplaint(user, id)).get()
    : undefined;
const shown = (complaintId: number) => and(eq(trackPhotos.complaintId, complaintId), isNull(trackPhotos.withdrawnAt));

/** Makes the public copy (the blur burnt in) and shows it on /track; the files go again if it is not recorded. */
export async function addTrackPhoto(
  deps: { db: Db; photos: PhotoStore },
  user: StaffUser,
  complaintId: number,
  input: TrackPhotoInput,
  now: Date,
): Promise<Result<{ id: string }>> {
  const { db } = deps;
  if (!officeComplaint(db, user, complaintId)) return fail(404, '举报不存在或无权查看');
  const src = trackPhotoSources(db, complaintId).find((s) => s.kind === input.sourceKind && s.id === input.sourceId);
  if (!src) return fail(404, '照片不属于这条举报的整治工作');
  const out = await renderPublicCopy(deps.photos, src.file, input.blur);
  try {
    const r = db.transaction((tx): Result<{ id: string }> => {
      const n = tx.select({ n: count() }).from(trackPhotos).where(shown(complaintId)).get()?.n ?? 0;
      if (n >= MAX_TRACK_PHOTOS) return fail(400, `查询页最多展示 ${MAX_TRACK_PHOTOS} 张整治照片，请先撤下一张`);
      const seq =
        (tx
          .select({ n: max(trackPhotos.seq) })
          .from(trackPhotos)
          .where(eq(trackPhotos.complaintId, complaintId))
          .get()?.n ?? 0) + 1;
      tx.insert(trackPhotos)
        .values({
          id: out.id,
          complaintId,
          seq,
          sourceKind: input.sourceKind,
          sourceId: src.id,
          blur: input.blur,
          file: out.name,
          thumbFile: out.thumbName,
          width: out.width,
          height: out.height,
          createdBy: user.id,
          createdAt: now,
        })
        .run();
      audit(
        tx,
        actor(user),
        {
          action: 'complaint.track_photo_add',
          objectType: 'complaint',
          objectId: complaintId,
          details: { photoId: out.id, source: input.sourceKind, sourceId: src.id, regions: input.blur.length },
        },
        now,
      );
      return { ok: true, id: out.id };
    });
    if (!r.ok) await deps.photos.removeAll([out.name, out.thumbName]);
    return r;
  } catch (err) {
    await deps.photos.removeAll([out.name, out.thumbName]);
    throw err;
  }
}

/** Off /track; the row (and the copy) stay, as a record of what the reporter was shown. */
export function withdrawTrackPhoto(
  db: Db,
  user: StaffUser,
  complaintId: number,
  photoId: string,
  now: Date,
): Result<{ id: string }> {
  if (!officeComplaint(db, user, complaintId)) return fail(404, '举报不存在或无权查看');
  return db.transaction((tx) => {
    const r = tx
      .update(trackPhotos)
      .set({ withdrawnAt: now })
      .where(and(eq(trackPhotos.id, photoId), shown(complaintId)))
      .run();
    if (r.changes !== 1) return fail(404, '照片不存在或已撤下');
    audit(
      tx,
      actor(user),
      {
        action: 'complaint.track_photo_withdraw',
        objectType: 'complaint',
        objectId: complaintId,
        details: { photoId },
      },
      now,
    );
    return { ok: true, id: photoId };
  });
}

/** Every copy made for the complaint, withdrawn ones too, for its staff page. */
export function trackPhotoList(db: Db, complaintId: number) {
  return db
    .select({
      id: trackPhotos.id,
      seq: trackPhotos.seq,
      sourceKind: trackPhotos.sourceKind,
      sourceId: trackPhotos.sourceId,
      blur: trackPhotos.blur,
      width: trackPhotos.width,
      height: trackPhotos.height,
      createdAt: trackPhotos.createdAt,
      withdrawnAt: trackPhotos.withdrawnAt,
    })
    .from(trackPhotos)
    .where(eq(trackPhotos.complaintId, complaintId))
    .orderBy(asc(trackPhotos.seq))
    .all();
}

/** What /track shows: the copies not withdrawn, in the order chosen. */
export function publicTrackPhotos(db: Db, complaintId: number) {
  return db
    .select({ id: trackPhotos.id, width: trackPhotos.width, height: trackPhotos.height })
    .from(trackPhotos)
    .where(shown(complaintId))
    .orderBy(asc(trackPhotos.seq))
    .all();
}

/** A public copy's file, for the holder of the complaint's code; a withdrawn one is gone. */
export function findTrackPhotoFile(db: Db, trackingCode: string, photoId: string, size: 'display' | 'thumb') {
  const row = db
    .select({ file: trackPhotos.file, thumb: trackPhotos.thumbFile })
    .from(trackPhotos)
    .innerJoin(complaints, eq(complaints.id, trackPhotos.complaintId))
    .where(and(eq(trackPhotos.id, photoId), eq(complaints.trackingCode, trackingCode), isNull(trackPhotos.withdrawnAt)))
    .get();
  return row ? (size === 'thumb' ? row.thumb : row.file) : null;
}

/** The same copy for staff on the complaint's page (withdrawn ones too). */
export function staffTrackPhotoFile(
  db: Db,
  user: StaffUser,
  complaintId: number,
  photoId: string,
  size: 'display' | 'thumb',
) {
  const row = db
    .select({ file: trackPhotos.file, thumb: trackPhotos.thumbFile })
    .from(trackPhotos)
    .innerJoin(complaints, eq(complaints.id, trackPhotos.complaintId))
    .where(
      and(eq(trackPhotos.id, photoId), eq(trackPhotos.complaintId, complaintId), visibleComplaint(user, complaintId)),
    )
    .get();
  return row ? (size === 'thumb' ? row.thumb : row.file) : null;
}
