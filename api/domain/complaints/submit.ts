import type { Db } from '../../../db/client.ts';
import type { Env } from '../../env.ts';
import type { WriteThread } from '../../../db/write-thread.ts';
import {
  ACTIVE_CATEGORY,
  BY_IDEMPOTENCY_KEY,
  sameBody,
  type EarlierFiling,
  type FilingJob,
  type FilingOutcome,
} from './filing-sql.ts';
import { filingFingerprint } from './filing-fingerprint.ts';
import type { ComplaintFields, FieldErrors } from './input.ts';
import { processReportPhotos, type PhotoLimits, type ProcessedPhoto } from '../shared/photos/pipeline.ts';
import type { PhotoStore } from '../shared/photos/store.ts';
import { prepared } from '../../../db/prepared.ts';
import { DAY_MS } from '../shared/time.ts';
import { DUPLICATE_RULE } from './neighbours.ts';
import { FOLLOW_GONE, followTarget } from './follow.ts';
import { bumpPublicCases } from '../shared/public-version.ts';
import { newTrackingCode } from './tracking-code.ts';
import type { VillageArea } from '../shared/village-routing.ts';
import { countyAreas, routeInCounty } from '../shared/county-routing.ts';
import { firstTownshipId } from '../shared/township-links.ts';

export interface SubmitDeps {
  env: Pick<Env, 'ACCEPT_DAYS'>;
  db: Db;
  filings: WriteThread<FilingJob, FilingOutcome>;
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
  /**
   * An address and no point (Open311): fields.lat/lng are the township's centre, a placeholder the
   * office replaces on the map (decision 016). Not routed to a village, guessed near nothing.
   */
  needsLocation?: boolean;
}

export interface Receipt {
  trackingCode: string;
  /** The township whose office holds it (its point decides; no point: the county's first). */
  townshipName: string;
  villageName: string | null;
  /** The point lies outside every village; the township will route it. */
  outsideVillages: boolean;
  createdAt: Date;
}

export type SubmitResult =
  | { ok: true; receipt: Receipt; replayed: boolean; complaintId: number }
  | {
      ok: false;
      errors: FieldErrors;
      keyConflict?: true /** The photo queue is full: try again after this. */;
      retryAfterS?: number;
    };

const UNKNOWN_CATEGORY: SubmitResult = { ok: false, errors: { category: '请选择列表中的问题类别' } };
const FOLLOW_REFUSED: SubmitResult = { ok: false, errors: { follow: FOLLOW_GONE } };
// Says nothing of the report the key filed: not its code, not that it matched in part.
const KEY_CONFLICT: SubmitResult = {
  ok: false,
  keyConflict: true,
  errors: { idempotencyKey: '该提交编号已用于另一份举报，请刷新页面后重新填写提交' },
};

/** A retry gets the first answer, word for word. */
function replayOf(deps: SubmitDeps, f: EarlierFiling): SubmitResult {
  const villageName = deps.villageAreas().find((v) => v.id === f.villageId)?.name ?? null;
  const receipt = {
    trackingCode: f.trackingCode,
    townshipName: townshipNameOf(deps.db, f.townshipId),
    villageName,
    outsideVillages: f.outside === 1,
    createdAt: new Date(f.createdAtMs),
  };
  return { ok: true, receipt, replayed: true, complaintId: f.id };
}

const townshipNameOf = (db: Db, id: number) =>
  (prepared(db.$client, 'SELECT name FROM townships WHERE id = ?').get(id) as { name: string }).name;

/** The rows of a report's photos: where and when, from the file's EXIF or else the browser's reading of it. */
function photoRows(
  files: (ProcessedPhoto & { name: string; thumbName: string })[],
  claims: ComplaintFields['photoExif'],
): FilingJob['photos'] {
  return files.map((f, seq) => {
    const claim = f.exif ? null : claims[seq];
    const exif =
      f.exif ??
      (claim ? { lat: claim.lat, lng: claim.lng, takenAt: claim.takenAt ? new Date(claim.takenAt) : null } : null);
    return {
      id: f.name.replace(/\.webp$/, ''),
      seq,
      file: f.name,
      thumbFile: f.thumbName,
      width: f.width,
      height: f.height,
      bytes: f.display.length,
      exifLat: exif?.lat ?? null,
      exifLng: exif?.lng ?? null,
      exifTakenAtMs: exif?.takenAt?.getTime() ?? null,
      exifSource: f.exif ? 'file' : claim ? 'browser' : null,
    };
  });
}

/** Files a resident's report: photos re-encoded and on disk before the row that names them commits. */
export async function submitComplaint(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  const { db, photos: store } = deps;
  const { fields } = input;
  const idempotencyHash = fields.idempotencyKey ? await filingFingerprint(fields, input.photos) : null;
  // The write thread checks the key and the category of every report. With photos, they are
  // checked here first as well, to spare the photo work; without, the check would cost more
  // than the thread's, whose connection keeps its pages cached between writes. A report following
  // another (follow.ts) needs its category here to find the one it follows.
  let mergeIntoId: number | null = null;
  if (input.photos.length > 0 || fields.follow) {
    const earlier = fields.idempotencyKey
      ? (prepared(db.$client, BY_IDEMPOTENCY_KEY).get(fields.idempotencyKey) as EarlierFiling | undefined)
      : undefined;
    if (earlier) return sameBody(earlier, idempotencyHash) ? replayOf(deps, earlier) : KEY_CONFLICT;
    const category = prepared(db.$client, ACTIVE_CATEGORY).get(fields.category) as { id: number } | undefined;
    if (!category) return UNKNOWN_CATEGORY;
    if (fields.follow) {
      const nowMs = (deps.clock?.() ?? new Date()).getTime();
      mergeIntoId = followTarget(db.$client, fields, category.id, fields.follow, nowMs);
      if (mergeIntoId === null) return FOLLOW_REFUSED;
    }
  }

  // The point decides township, village and the neighbour near it (decision 024); a placeholder point decides nothing.
  const route = input.needsLocation
    ? null
    : routeInCounty(countyAreas(db, deps.villageAreas()), fields.lat, fields.lng);
  const village = route?.village ?? null;
  // No point (an address-only Open311 request): the county's first township holds it until the office places it.
  const townshipId = route?.townshipId ?? firstTownshipId(db);
  if (townshipId === undefined) throw new Error('no township configured');

  const processed = await processReportPhotos(input.photos, deps.photoLimits);
  if (!processed.ok)
    return {
      ok: false,
      errors: { photos: processed.message },
      ...(processed.busy && { retryAfterS: processed.retryAfterS }),
    };
  const files = processed.photos.map((p) => ({ ...p, name: store.newName('webp'), thumbName: store.newName('webp') }));
  const fileNames = files.flatMap((f) => [f.name, f.thumbName]);
  await store.writeAll(
    files.flatMap((f) => [
      { name: f.name, data: f.display },
      { name: f.thumbName, data: f.thumb },
    ]),
  );

  const now = deps.clock?.() ?? new Date();
  const trackingCode = newTrackingCode();
  let outcome: FilingOutcome;
  try {
    outcome = await deps.filings.run({
      complaint: {
        trackingCode,
        townshipId,
        villageId: village?.id ?? null,
        borderTownshipId: route?.borderTownshipId ?? null,
        outsideVillages: !village && !input.needsLocation,
        categoryCode: fields.category,
        lat: fields.lat,
        lng: fields.lng,
        address: fields.address ?? null,
        description: fields.description,
        seenAtMs: fields.seenAt?.getTime() ?? null,
        source: input.source,
        idempotencyKey: fields.idempotencyKey ?? null,
        idempotencyHash,
        createdAtMs: now.getTime(),
        dueAtMs: now.getTime() + deps.env.ACCEPT_DAYS * DAY_MS,
        hasPhotos: files.length > 0,
        needsLocation: input.needsLocation ?? false,
        mergeIntoId,
      },
      contact:
        fields.name || fields.phone || fields.email
          ? {
              name: fields.name ?? null,
              phone: fields.phone ?? null,
              email: fields.email ?? null,
              notify: fields.notify,
            }
          : null,
      photos: photoRows(files, fields.photoExif),
      apiKeyId: input.apiKeyId ?? null,
      duplicateSinceMs: now.getTime() - DUPLICATE_RULE.days * DAY_MS,
    });
  } catch (err) {
    await store.removeAll(fileNames);
    throw err;
  }
  if (!('id' in outcome)) {
    await store.removeAll(fileNames);
    return 'earlier' in outcome
      ? replayOf(deps, outcome.earlier)
      : 'keyConflict' in outcome
        ? KEY_CONFLICT
        : 'followGone' in outcome
          ? FOLLOW_REFUSED
          : UNKNOWN_CATEGORY;
  }
  // As a staff merge: the followed report's enterprise's published cases must mask this reporter too.
  if (mergeIntoId !== null) bumpPublicCases();
  return {
    ok: true,
    replayed: false,
    complaintId: outcome.id,
    receipt: {
      trackingCode,
      townshipName: townshipNameOf(db, townshipId),
      villageName: village?.name ?? null,
      outsideVillages: !village && !input.needsLocation,
      createdAt: now,
    },
  };
}
