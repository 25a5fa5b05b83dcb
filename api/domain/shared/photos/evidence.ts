import { createHash } from 'node:crypto';
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../../../db/client.ts';
import type { FieldPhotoSubject } from '../../../../db/schema-supervision.ts';
import { fieldPhotos } from '../../../../db/schema-supervision.ts';
import { answeredBefore, photoMetaCountProblem, saveOnce, type Submitted } from '../field-submission.ts';
import { fail, type Result } from '../result.ts';
import { processReportPhotos, type PhotoLimits } from './pipeline.ts';
import type { PhotoStore } from './store.ts';

export interface EvidenceDeps {
  db: Db;
  photos: PhotoStore;
  photoLimits: PhotoLimits;
}

/** One evidence photo, re-encoded and on disk with its original, with the position it will be recorded at. */
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
  /** Of the bytes as received, kept unchanged in `originalFile`. */
  sha256: string;
  originalFile: string;
  /** The phone position's accuracy, when the position is the one the phone recorded with this photo. */
  accuracyM: number | null;
  deviceTakenAt: Date | null;
  clockOffsetMs: number | null;
  /** When the server got it (by its own clock). */
  createdAt: Date;
}

export type PhonePosition = { lat?: number | undefined; lng?: number | undefined };

/** Hashed in slices with a turn of the event loop between them: a 10 MB photo at once held it ~8–24 ms here. */
const HASH_SLICE = 1024 * 1024;
export async function sha256Of(data: Buffer): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < data.length; at += HASH_SLICE) {
    if (at > 0) await new Promise((resolve) => setImmediate(resolve));
    hash.update(data.subarray(at, at + HASH_SLICE));
  }
  return hash.digest('hex');
}

export const corruptedInTransit = (index: number) => `第 ${index + 1} 张照片在传输中损坏（校验值不符），请重新上传`;

/**
 * The one evidence model of field work: each photo hashed as received and checked against the hash the phone
 * made of it, re-encoded like a resident's and written to disk with its original first; then `save` records them in
 * one transaction, which may still refuse (the work moved on meanwhile), with the submission's key if it has one.
 * A key answered before gets that answer back, and its photos are not processed again. Files that no row names are
 * removed, whatever happens.
 */
export async function withEvidence<T extends object>(
  deps: EvidenceDeps,
  photos: Buffer[],
  phone: PhonePosition,
  save: (tx: Tx, files: EvidenceFile[]) => Result<T>,
  sent: Submitted,
): Promise<Result<T>> {
  if (photos.length === 0) return fail(400, '请拍摄或选择至少一张现场照片');
  const meta = sent.photoMeta;
  if (meta && meta.length !== photos.length) return fail(400, photoMetaCountProblem(photos.length, meta.length));
  const before = answeredBefore<T>(deps.db, sent.once);
  if (before) return before;
  const hashes: string[] = [];
  for (const data of photos) hashes.push(await sha256Of(data));
  const damaged = meta?.findIndex((m, i) => m.sha256 !== hashes[i]) ?? -1;
  if (damaged >= 0) return fail(400, corruptedInTransit(damaged));
  const store = deps.photos;
  // staff are few: never refused as busy
  const processed = await processReportPhotos(photos, deps.photoLimits, { mayWait: true });
  if (!processed.ok) return fail(400, processed.message);
  const named = processed.photos.map((p, i) => {
    const id = store.newName('webp').replace(/\.webp$/, '');
    return { ...p, id, name: `${id}.webp`, thumbName: store.newName('webp'), originalName: `${id}.orig`, i };
  });
  await store.writeAll(
    named.flatMap((f) => [
      { name: f.name, data: f.display },
      { name: f.thumbName, data: f.thumb },
      { name: f.originalName, data: photos[f.i]! },
    ]),
  );
  const clockOffsetMs = sent.sentAt == null ? null : sent.receivedAt.getTime() - sent.sentAt;
  const files: EvidenceFile[] = named.map((f) => {
    const m = meta?.[f.i];
    const own = f.exif?.lat != null && f.exif.lng != null ? { lat: f.exif.lat, lng: f.exif.lng } : null;
    // The position the phone recorded with this photo, else the one sent with the form.
    const withPhoto = m?.lat != null && m.lng != null ? { lat: m.lat, lng: m.lng } : null;
    const withForm = phone.lat != null && phone.lng != null ? { lat: phone.lat, lng: phone.lng } : null;
    const at = own ?? withPhoto ?? withForm;
    return {
      id: f.id,
      file: f.name,
      thumbFile: f.thumbName,
      width: f.width,
      height: f.height,
      bytes: f.display.length,
      exifLat: at?.lat ?? null,
      exifLng: at?.lng ?? null,
      exifTakenAt: f.exif?.takenAt ?? null,
      exifSource: own ? 'file' : at ? 'browser' : null,
      sha256: hashes[f.i]!,
      originalFile: f.originalName,
      accuracyM: !own && withPhoto ? (m?.accuracy ?? null) : null,
      deviceTakenAt: m?.takenAt == null ? null : new Date(m.takenAt),
      clockOffsetMs,
      createdAt: sent.receivedAt,
    };
  });
  const names = files.flatMap((f) => [f.file, f.thumbFile, f.originalFile]);
  let saved: { result: Result<T>; fresh: boolean };
  try {
    saved = saveOnce(deps.db, sent.once, (tx) => save(tx, files));
  } catch (err) {
    await store.removeAll(names);
    throw err;
  }
  if (!saved.fresh || !saved.result.ok) await store.removeAll(names);
  return saved.result;
}

/** A field-work save with no photos, made once per key like one with them. */
export function withoutEvidence<T extends object>(
  db: Db,
  save: (tx: Tx, files: EvidenceFile[]) => Result<T>,
  sent: Submitted,
): Result<T> {
  return saveOnce(db, sent.once, (tx) => save(tx, [])).result;
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
