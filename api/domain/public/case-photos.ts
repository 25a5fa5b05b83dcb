import { and, asc, eq, max } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { complaintPhotos } from '../../../db/schema.ts';
import { enterpriseComplaints } from '../../../db/schema-enforcement.ts';
import { casePhotos, cases } from '../../../db/schema-public.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import type { AtLevel } from '../shared/township-scope.ts';
import { caseScope } from './case-scope.ts';
import { fail, type Result } from '../shared/result.ts';
import { forWrite } from './cases.ts';
import { CASE_TRANSITIONS, nextCaseStatus } from './case-workflow.ts';
import { blurRegions, renderPublicCopy } from '../shared/photos/public-copy.ts';
import { taskEvidencePicks } from '../shared/photos/task-evidence-picks.ts';
import type { PhotoStore } from '../shared/photos/store.ts';
import { bumpPublicCases } from '../shared/public-version.ts';

export interface CasePhotoDeps {
  db: Db;
  photos: PhotoStore;
}

const photoId = z.string().regex(/^[A-Za-z0-9_-]{10,40}$/, { error: '照片不存在' });
export const photoAddInput = z.object({
  source: z.enum(['evidence', 'complaint'], { error: '请选择照片来源' }),
  sourceId: photoId,
  kind: z.enum(['before', 'after'], { error: '请选择整治前或整治后' }),
  blur: blurRegions,
  version: z.number().int().min(1),
});
export const photoBlurInput = z.object({ blur: blurRegions, version: z.number().int().min(1) });
export const photoRemoveInput = z.object({ version: z.number().int().min(1) });

/** Photos a case may show: its enterprise's task evidence and the photos of complaints about it. */
export function photoSources(db: Db, enterpriseId: number | null) {
  if (!enterpriseId) return [];
  const evidence = taskEvidencePicks(db, enterpriseId).map((p) => ({ source: 'evidence' as const, ...p }));
  const fromComplaints = db
    .select({
      id: complaintPhotos.id,
      complaintId: complaintPhotos.complaintId,
      width: complaintPhotos.width,
      height: complaintPhotos.height,
      file: complaintPhotos.file,
    })
    .from(complaintPhotos)
    .innerJoin(enterpriseComplaints, eq(enterpriseComplaints.complaintId, complaintPhotos.complaintId))
    .where(eq(enterpriseComplaints.enterpriseId, enterpriseId))
    .orderBy(asc(complaintPhotos.complaintId), asc(complaintPhotos.seq))
    .all()
    .map((p) => ({
      source: 'complaint' as const,
      id: p.id,
      label: `举报 #${p.complaintId} 照片`,
      width: p.width,
      height: p.height,
      file: p.file,
      thumbUrl: `/api/admin/complaints/${p.complaintId}/photos/${p.id}/thumb`,
      displayUrl: `/api/admin/complaints/${p.complaintId}/photos/${p.id}/display`,
    }));
  return [...evidence, ...fromComplaints];
}
export type PhotoSource = ReturnType<typeof photoSources>[number];

const actor = (u: StaffUser) => ({ id: u.id, label: u.displayName });

async function recorded<T extends object>(
  deps: CasePhotoDeps,
  files: string[],
  write: () => Result<T>,
): Promise<Result<T>> {
  try {
    const r = write();
    if (!r.ok) await deps.photos.removeAll(files);
    return r;
  } catch (err) {
    await deps.photos.removeAll(files);
    throw err;
  }
}

/** A photo change is a content change: the case goes back to draft and needs a new approval. */
function touch(db: Db | Tx, row: typeof cases.$inferSelect, now: Date) {
  db.update(cases)
    .set({ version: row.version + 1, updatedAt: now, status: CASE_TRANSITIONS.edit.to })
    .where(eq(cases.id, row.id))
    .run();
  bumpPublicCases();
  return row.version + 1;
}

function editable(
  db: Db | Tx,
  user: StaffUser,
  id: number,
  version: number,
): Result<{ row: typeof cases.$inferSelect }> {
  const r = forWrite(db, user, id, version);
  if (r.ok && nextCaseStatus('edit', r.row.status) === null) return fail(400, '已发布的案例不能修改照片，请先撤下');
  return r;
}

export async function addCasePhoto(
  deps: CasePhotoDeps,
  user: StaffUser,
  id: number,
  input: z.infer<typeof photoAddInput>,
  now: Date,
): Promise<Result<{ id: string; version: number }>> {
  const first = editable(deps.db, user, id, input.version);
  if (!first.ok) return first;
  const src = photoSources(deps.db, first.row.enterpriseId).find(
    (s) => s.source === input.source && s.id === input.sourceId,
  );
  if (!src) return fail(404, '照片不属于本案例的企业');
  const out = await renderPublicCopy(deps.photos, src.file, input.blur);
  return recorded(deps, [out.name, out.thumbName], () =>
    deps.db.transaction((tx) => {
      const r = editable(tx, user, id, input.version);
      if (!r.ok) return r;
      const seq =
        (tx
          .select({ n: max(casePhotos.seq) })
          .from(casePhotos)
          .where(and(eq(casePhotos.caseId, id), eq(casePhotos.kind, input.kind)))
          .get()?.n ?? 0) + 1;
      tx.insert(casePhotos)
        .values({
          id: out.id,
          caseId: id,
          kind: input.kind,
          seq,
          blur: input.blur,
          file: out.name,
          thumbFile: out.thumbName,
          width: out.width,
          height: out.height,
          sourceEvidenceId: input.source === 'evidence' ? src.id : null,
          sourceComplaintPhotoId: input.source === 'complaint' ? src.id : null,
        })
        .run();
      audit(
        tx,
        actor(user),
        {
          action: 'case.photo_add',
          objectType: 'case',
          objectId: id,
          details: { photoId: out.id, kind: input.kind, source: input.source, regions: input.blur.length },
        },
        now,
      );
      return { ok: true as const, id: out.id, version: touch(tx, r.row, now) };
    }),
  );
}

/** A new blur is rendered again from the original, under a new name: a cached copy never changes under its URL. */
export async function reblurCasePhoto(
  deps: CasePhotoDeps,
  user: StaffUser,
  id: number,
  photo: string,
  input: z.infer<typeof photoBlurInput>,
  now: Date,
): Promise<Result<{ id: string; version: number }>> {
  const first = editable(deps.db, user, id, input.version);
  if (!first.ok) return first;
  const old = deps.db
    .select()
    .from(casePhotos)
    .where(and(eq(casePhotos.id, photo), eq(casePhotos.caseId, id)))
    .get();
  if (!old) return fail(404, '照片不存在');
  const src = photoSources(deps.db, first.row.enterpriseId).find(
    (s) => s.id === (old.sourceEvidenceId ?? old.sourceComplaintPhotoId),
  );
  if (!src) return fail(404, '原始照片已不属于本案例的企业');
  const out = await renderPublicCopy(deps.photos, src.file, input.blur);
  const r = await recorded(deps, [out.name, out.thumbName], () =>
    deps.db.transaction((tx) => {
      const again = editable(tx, user, id, input.version);
      if (!again.ok) return again;
      tx.delete(casePhotos).where(eq(casePhotos.id, old.id)).run();
      tx.insert(casePhotos)
        .values({
          ...old,
          id: out.id,
          blur: input.blur,
          file: out.name,
          thumbFile: out.thumbName,
          width: out.width,
          height: out.height,
          createdAt: now,
        })
        .run();
      audit(
        tx,
        actor(user),
        {
          action: 'case.photo_blur',
          objectType: 'case',
          objectId: id,
          details: { from: old.id, to: out.id, regions: input.blur.length },
        },
        now,
      );
      return { ok: true as const, id: out.id, version: touch(tx, again.row, now) };
    }),
  );
  // The superseded copy was never the original evidence, and the case is not public while edited.
  if (r.ok) await deps.photos.removeAll([old.file, old.thumbFile]);
  return r;
}

export async function removeCasePhoto(
  deps: CasePhotoDeps,
  user: StaffUser,
  id: number,
  photo: string,
  input: z.infer<typeof photoRemoveInput>,
  now: Date,
): Promise<Result<{ version: number }>> {
  const r = deps.db.transaction((tx) => {
    const w = editable(tx, user, id, input.version);
    if (!w.ok) return w;
    const old = tx
      .select()
      .from(casePhotos)
      .where(and(eq(casePhotos.id, photo), eq(casePhotos.caseId, id)))
      .get();
    if (!old) return fail(404, '照片不存在');
    tx.delete(casePhotos).where(eq(casePhotos.id, old.id)).run();
    audit(
      tx,
      actor(user),
      { action: 'case.photo_remove', objectType: 'case', objectId: id, details: { photoId: old.id, kind: old.kind } },
      now,
    );
    return { ok: true as const, version: touch(tx, w.row, now), files: [old.file, old.thumbFile] };
  });
  if (!r.ok) return r;
  await deps.photos.removeAll(r.files);
  return { ok: true, version: r.version };
}

/** A stored public copy: 'gone' once its case is withdrawn; staff may also see drafts, within their township. */
export function casePhotoFile(
  db: Db,
  id: number,
  photo: string,
  size: 'display' | 'thumb',
  opts: { staff: boolean; within?: AtLevel },
): { status: 'ok'; file: string } | { status: 'gone' | 'missing' } {
  const row = db
    .select({ file: casePhotos.file, thumb: casePhotos.thumbFile, status: cases.status })
    .from(casePhotos)
    .innerJoin(cases, eq(cases.id, casePhotos.caseId))
    .where(and(eq(casePhotos.id, photo), eq(casePhotos.caseId, id), opts.within && caseScope(opts.within)))
    .get();
  if (!row) return { status: 'missing' };
  if (!opts.staff && row.status !== 'published') return { status: row.status === 'unpublished' ? 'gone' : 'missing' };
  return { status: 'ok', file: size === 'thumb' ? row.thumb : row.file };
}

export function casePhotoList(db: Db, id: number) {
  return db
    .select({
      id: casePhotos.id,
      kind: casePhotos.kind,
      seq: casePhotos.seq,
      width: casePhotos.width,
      height: casePhotos.height,
      blur: casePhotos.blur,
      sourceEvidenceId: casePhotos.sourceEvidenceId,
      sourceComplaintPhotoId: casePhotos.sourceComplaintPhotoId,
    })
    .from(casePhotos)
    .where(eq(casePhotos.caseId, id))
    .orderBy(asc(casePhotos.kind), asc(casePhotos.seq))
    .all();
}
