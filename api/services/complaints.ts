import type { Db } from '../../db/client.ts';
import type { Env } from '../env.ts';
import type { WriteThread } from '../../db/write-thread.ts';
import type { FilingJob } from './complaint-filing.ts';
import { townships } from '../../db/schema.ts';
import type { ComplaintFields, FieldErrors } from './complaint-input.ts';
import { PhotoError, processPhoto, type PhotoLimits, type ProcessedPhoto } from './photo-pipeline.ts';
import type { PhotoStore } from './photo-store.ts';
import { prepared } from '../../db/prepared.ts';
import { DAY_MS } from './time.ts';
import { newTrackingCode } from './tracking-code.ts';
import { routePoint, type VillageArea } from './village-routing.ts';

export interface SubmitDeps {
  env: Pick<Env, 'ACCEPT_DAYS'>;
  db: Db;
  filings: WriteThread<FilingJob, { id: number }>;
  photos: PhotoStore;
  villageAreas: () => VillageArea[];
  photoLimits: PhotoLimits;
  clock?: () => Date;
}

export interface SubmitInput {
  fields: ComplaintFields;
  photos: Buffer[];
  source: 'web' | 'form' | 'api' | 'seed';
  /** The Open311 key filing it, recorded in the filing's own transaction. */
  apiKeyId?: number;
}

export interface Receipt {
  trackingCode: string;
  villageName: string | null;
  /** The point lies outside every village; the township will route it. */
  outsideVillages: boolean;
  createdAt: Date;
}

export type SubmitResult = { ok: true; receipt: Receipt; replayed: boolean; complaintId: number } | { ok: false; errors: FieldErrors };

const PHOTO_MESSAGES: Record<PhotoError['problem'], string> = {
  too_large: '超过大小上限',
  not_image: '不是 JPEG、PNG 或 WebP 图片',
  too_many_pixels: '像素过多，请换一张或先缩小',
  damaged: '文件已损坏或不完整',
};

// Every report from the site carries a key, so this runs on each one: prepared once (the drizzle
// builder took ~70 µs a call here, the statement ~9).
const BY_KEY = `SELECT c.id, c.tracking_code AS trackingCode, v.name AS villageName, c.outside_villages AS outside, c.created_at AS createdAtMs
  FROM complaints c LEFT JOIN villages v ON v.id = c.village_id WHERE c.idempotency_key = ?`;

/** The filing an idempotency key already made: a retry gets the first answer. */
function earlierFiling(db: Db, key: string): SubmitResult | null {
  const row = prepared(db.$client, BY_KEY).get(key) as
    | { id: number; trackingCode: string; villageName: string | null; outside: number; createdAtMs: number }
    | undefined;
  if (!row) return null;
  const receipt = { trackingCode: row.trackingCode, villageName: row.villageName, outsideVillages: row.outside === 1, createdAt: new Date(row.createdAtMs) };
  return { ok: true, receipt, replayed: true, complaintId: row.id };
}

/** The rows of a report's photos: where and when, from the file's EXIF or else the browser's reading of it. */
function photoRows(files: (ProcessedPhoto & { name: string; thumbName: string })[], claims: ComplaintFields['photoExif']): FilingJob['photos'] {
  return files.map((f, seq) => {
    const claim = f.exif ? null : claims[seq];
    const exif = f.exif ?? (claim ? { lat: claim.lat, lng: claim.lng, takenAt: claim.takenAt ? new Date(claim.takenAt) : null } : null);
    return {
      id: f.name.replace(/\.webp$/, ''), seq, file: f.name, thumbFile: f.thumbName,
      width: f.width, height: f.height, bytes: f.display.length,
      exifLat: exif?.lat ?? null, exifLng: exif?.lng ?? null, exifTakenAtMs: exif?.takenAt?.getTime() ?? null,
      exifSource: f.exif ? 'file' : claim ? 'browser' : null,
    };
  });
}

export async function processAll(buffers: Buffer[], limits: PhotoLimits): Promise<ProcessedPhoto[] | FieldErrors> {
  const results = await Promise.allSettled(buffers.map((b) => processPhoto(b, limits)));
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed < 0) return results.map((r) => (r as PromiseFulfilledResult<ProcessedPhoto>).value);
  const reason = (results[failed] as PromiseRejectedResult).reason;
  if (!(reason instanceof PhotoError)) throw reason;
  return { photos: `第 ${failed + 1} 张照片${PHOTO_MESSAGES[reason.problem]}` };
}

/** Files a resident's report: photos re-encoded and on disk before the row that names them commits. */
export async function submitComplaint(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  const { db, photos: store } = deps;
  const { fields } = input;
  if (fields.idempotencyKey) {
    const earlier = earlierFiling(db, fields.idempotencyKey);
    if (earlier) return earlier;
  }
  const category = prepared(db.$client, 'SELECT id FROM complaint_categories WHERE code = ? AND active = 1').get(fields.category) as { id: number } | undefined;
  if (!category) return { ok: false, errors: { category: '请选择列表中的问题类别' } };

  const route = routePoint(deps.villageAreas(), fields.lat, fields.lng);
  const village = route?.kind === 'village' ? route : null;
  const townshipId = route?.townshipId ?? db.select({ id: townships.id }).from(townships).limit(1).get()?.id;
  if (townshipId === undefined) throw new Error('no township configured');

  const processed = await processAll(input.photos, deps.photoLimits);
  if (!Array.isArray(processed)) return { ok: false, errors: processed };
  const files = processed.map((p) => ({ ...p, name: store.newName('webp'), thumbName: store.newName('webp') }));
  await store.writeAll(files.flatMap((f) => [{ name: f.name, data: f.display }, { name: f.thumbName, data: f.thumb }]));

  const now = deps.clock?.() ?? new Date();
  const trackingCode = newTrackingCode();
  let complaintId: number;
  try {
    ({ id: complaintId } = await deps.filings.run({
      complaint: {
        trackingCode, townshipId,
        villageId: village?.villageId ?? null, outsideVillages: !village,
        categoryId: category.id, lat: fields.lat, lng: fields.lng, address: fields.address ?? null,
        description: fields.description, seenAtMs: fields.seenAt?.getTime() ?? null,
        source: input.source, idempotencyKey: fields.idempotencyKey ?? null, createdAtMs: now.getTime(),
        dueAtMs: now.getTime() + deps.env.ACCEPT_DAYS * DAY_MS, hasPhotos: files.length > 0,
      },
      contact: fields.name || fields.phone ? { name: fields.name ?? null, phone: fields.phone ?? null } : null,
      photos: photoRows(files, fields.photoExif),
      apiKeyId: input.apiKeyId ?? null,
      duplicateSinceMs: now.getTime() - 90 * DAY_MS,
    }));
  } catch (err) {
    await store.removeAll(files.flatMap((f) => [f.name, f.thumbName]));
    const earlier = fields.idempotencyKey ? earlierFiling(db, fields.idempotencyKey) : null;
    if (earlier) return earlier; // lost a race with its own retry
    throw err;
  }
  return {
    ok: true,
    replayed: false,
    complaintId,
    receipt: { trackingCode, villageName: village?.villageName ?? null, outsideVillages: !village, createdAt: now },
  };
}
