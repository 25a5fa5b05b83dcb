import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../../../db/client.ts';
import type { FieldPhotoSubject } from '../../../../db/schema-supervision.ts';
import { fieldPhotos } from '../../../../db/schema-supervision.ts';
import { atomically, fail, type Result } from '../result.ts';
import { processReportPhotos, type PhotoLimits } from './pipeline.ts';
import type { PhotoStore } from './store.ts';

export interface EvidenceDeps {
  db: Db;
  photos: PhotoStore;
  photoLimits: PhotoLimits;
}

/** One evidence photo, re-encoded and on disk, with the position it will be recorded at. */
export interface EvidenceFile {
  id: string;
  file: string;
  thumbFile: string;
  width: number;
  height: number;
  bytes: number;
  exifLat: number | null;
  exifLng: number | null;
  exifTakenAt: Date | null;
  /** The photo's own GPS, or the phone's when the camera app stripped it. */
  exifSource: 'file' | 'browser' | null;
}

export type PhonePosition = { lat?: number | undefined; lng?: number | undefined };

/**
 * The one evidence model of field work: photos re-encoded like a resident's and written to disk first;
 * then `save` records them in one transaction, which may still refuse (the work moved on meanwhile).
 * Files that no row names are removed, whatever happens.
 */
export async function withEvidence<T extends object>(
  deps: EvidenceDeps,
  photos: Buffer[],
  phone: PhonePosition,
  save: (tx: Tx, files: EvidenceFile[]) => Result<T>,
): Promise<Result<T>> {
  if (photos.length === 0) return fail(400, '请拍摄或选择至少一张现场照片');
  const store = deps.photos;
  // staff are few: never refused as busy
  const processed = await processReportPhotos(photos, deps.photoLimits, { mayWait: true });
  if (!processed.ok) return fail(400, processed.message);
  const named = processed.photos.map((p) => ({ ...p, name: store.newName('webp'), thumbName: store.newName('webp') }));
  await store.writeAll(
    named.flatMap((f) => [
      { name: f.name, data: f.display },
      { name: f.thumbName, data: f.thumb },
    ]),
  );
  const files: EvidenceFile[] = named.map((f) => {
    const fromFile = f.exif?.lat != null && f.exif.lng != null;
    const fromPhone = !fromFile && phone.lat != null && phone.lng != null;
    return {
      id: f.name.replace(/\.webp$/, ''),
      file: f.name,
      thumbFile: f.thumbName,
      width: f.width,
      height: f.height,
      bytes: f.display.length,
      exifLat: fromFile ? f.exif!.lat! : fromPhone ? phone.lat! : null,
      exifLng: fromFile ? f.exif!.lng! : fromPhone ? phone.lng! : null,
      exifTakenAt: f.exif?.takenAt ?? null,
      exifSource: fromFile ? 'file' : fromPhone ? 'browser' : null,
    };
  });
  const names = files.flatMap((f) => [f.file, f.thumbFile]);
  let saved: Result<T>;
  try {
    saved = atomically(deps.db, (tx) => save(tx, files));
  } catch (err) {
    await store.removeAll(names);
    throw err;
  }
  if (!saved.ok) await store.removeAll(names);
  return saved;
}

export interface FieldPhotoOwner {
  subject: FieldPhotoSubject;
  subjectId: number;
  partId?: number | null;
}

/** Records evidence files as field photos of one subject (an assignment, a revisit, a patrol finding …). */
export function insertFieldPhotos(tx: Tx, owner: FieldPhotoOwner, uploadedBy: number, files: EvidenceFile[]) {
  for (const f of files)
    tx.insert(fieldPhotos)
      .values({ ...f, subject: owner.subject, subjectId: owner.subjectId, partId: owner.partId ?? null, uploadedBy })
      .run();
}

const ownerIs = (owner: FieldPhotoOwner): SQL =>
  and(
    eq(fieldPhotos.subject, owner.subject),
    eq(fieldPhotos.subjectId, owner.subjectId),
    owner.partId == null ? isNull(fieldPhotos.partId) : eq(fieldPhotos.partId, owner.partId),
  )!;

/** Whether a subject has any photo yet (a finding may rest on photos sent with an earlier save). */
export const hasFieldPhotos = (db: Db | Tx, owner: FieldPhotoOwner) =>
  !!db.select({ id: fieldPhotos.id }).from(fieldPhotos).where(ownerIs(owner)).limit(1).get();

/** The stored file of one of a subject's photos (the caller has checked the subject is visible). */
export function fieldPhotoFile(db: Db, owner: FieldPhotoOwner, photoId: string, size: 'display' | 'thumb') {
  const row = db
    .select({ file: fieldPhotos.file, thumb: fieldPhotos.thumbFile })
    .from(fieldPhotos)
    .where(and(ownerIs(owner), eq(fieldPhotos.id, photoId)))
    .get();
  return row ? (size === 'thumb' ? row.thumb : row.file) : null;
}
