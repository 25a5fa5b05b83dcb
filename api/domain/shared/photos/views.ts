import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { type FieldPhotoSubject, fieldPhotos } from '../../../../db/schema-supervision.ts';
import type { Role } from '../../../../db/schema.ts';
import { metresBetween } from '../geo.ts';
import { isOffice } from '../roles.ts';

export type Site = { lat: number | null; lng: number | null } | null | undefined;

/** Beyond this a photo was probably not taken at the site: whoever reads it should look twice. */
export const OFF_SITE_METRES = 300;
/** A phone clock further off than this is shown to the reviewer: its own times are not to be taken as they are. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** What marks a photo for the reviewer (EVIDENCE_LATE_HOURS: env.ts evidenceRules). */
export interface EvidenceRules {
  /** Taken longer than this before the server got it: perhaps not taken on this visit. */
  lateMs: number;
}
export const DEFAULT_EVIDENCE_RULES: EvidenceRules = { lateMs: 24 * 3_600_000 };

/** A field photo as staff see it: when, and how far from the site; the position itself for the office only. */
export interface FieldPhotoView {
  id: string;
  width: number;
  height: number;
  takenAt: Date | null;
  positionFrom: 'file' | 'browser' | null;
  metresFromSite: number | null;
  lat?: number | null;
  lng?: number | null;
  /** Of the file as received (null on photos from before decision 017). */
  sha256: string | null;
  /** The phone position's accuracy, when the position is the phone's. */
  accuracyM: number | null;
  /** When the phone says it was taken, by its own clock. */
  deviceTakenAt: Date | null;
  /** When the server got it. */
  receivedAt: Date;
  /** Server receipt time minus the phone's clock at sending. */
  clockOffsetMs: number | null;
  /** How long before receipt it was taken: by its EXIF time, else the phone's corrected by the clock offset. */
  takenBeforeReceiptMs: number | null;
  marks: { far: boolean; late: boolean; clockSkewed: boolean };
}

/** The columns task evidence and field photos share. */
export interface StoredEvidence {
  id: string;
  width: number;
  height: number;
  exifLat: number | null;
  exifLng: number | null;
  exifTakenAt: Date | null;
  exifSource: 'file' | 'browser' | null;
  sha256: string | null;
  accuracyM: number | null;
  deviceTakenAt: Date | null;
  clockOffsetMs: number | null;
  createdAt: Date;
}

/** What the marks are read from: the photo's own position and times, and when the server got it. */
export interface MarkedEvidence {
  exifLat: number | null;
  exifLng: number | null;
  exifTakenAt: Date | null;
  deviceTakenAt: Date | null;
  clockOffsetMs: number | null;
  receivedAt: Date;
}

/** Far from the site, taken long before it was received, the phone's clock off: what a reviewer is shown. */
export function evidenceMarks(p: MarkedEvidence, site: Site, rules: EvidenceRules) {
  const metresFromSite =
    p.exifLat != null && p.exifLng != null && site?.lat != null && site.lng != null
      ? Math.round(metresBetween({ lat: p.exifLat, lng: p.exifLng }, { lat: site.lat, lng: site.lng }))
      : null;
  // The camera's time, or else the phone's own clock corrected by how far off it was when sending.
  const taken =
    p.exifTakenAt?.getTime() ?? (p.deviceTakenAt ? p.deviceTakenAt.getTime() + (p.clockOffsetMs ?? 0) : null);
  const takenBeforeReceiptMs = taken === null ? null : p.receivedAt.getTime() - taken;
  return {
    metresFromSite,
    takenBeforeReceiptMs,
    marks: {
      far: metresFromSite !== null && metresFromSite > OFF_SITE_METRES,
      late: takenBeforeReceiptMs !== null && takenBeforeReceiptMs > rules.lateMs,
      clockSkewed: p.clockOffsetMs !== null && Math.abs(p.clockOffsetMs) > CLOCK_SKEW_MS,
    },
  };
}

/** One stored photo as the reviewer sees it, marked where it calls for a second look. */
export function evidenceView(p: StoredEvidence, site: Site, office: boolean, rules: EvidenceRules): FieldPhotoView {
  const { metresFromSite, takenBeforeReceiptMs, marks } = evidenceMarks({ ...p, receivedAt: p.createdAt }, site, rules);
  return {
    id: p.id,
    width: p.width,
    height: p.height,
    takenAt: p.exifTakenAt,
    positionFrom: p.exifSource,
    metresFromSite,
    ...(office ? { lat: p.exifLat, lng: p.exifLng } : {}),
    sha256: p.sha256,
    accuracyM: p.accuracyM,
    deviceTakenAt: p.deviceTakenAt,
    receivedAt: p.createdAt,
    clockOffsetMs: p.clockOffsetMs,
    takenBeforeReceiptMs,
    marks,
  };
}

export const photoKey = (subjectId: number, partId?: number | null) => `${subjectId}:${partId ?? ''}`;

/**
 * The photos of some subjects of one kind, by `photoKey`, oldest first. The caller has checked that the user may
 * see those subjects; `siteOf` gives the place each was taken for, an enterprise or a reported point: how far away
 * it was taken is the check that the officer was there.
 */
export function fieldPhotoViews(
  db: Db,
  user: { role: Role },
  subject: FieldPhotoSubject,
  subjectIds: number[],
  siteOf: (subjectId: number, partId: number | null) => Site,
  rules: EvidenceRules = DEFAULT_EVIDENCE_RULES,
): Map<string, FieldPhotoView[]> {
  const out = new Map<string, FieldPhotoView[]>();
  if (!subjectIds.length) return out;
  const office = isOffice(user);
  const rows = db
    .select()
    .from(fieldPhotos)
    .where(and(eq(fieldPhotos.subject, subject), inArray(fieldPhotos.subjectId, [...new Set(subjectIds)])))
    // Ids are random: rowid keeps the order in which one upload's photos were sent.
    .orderBy(asc(fieldPhotos.createdAt), sql`rowid`)
    .all();
  for (const p of rows) {
    const site = siteOf(p.subjectId, p.partId);
    const key = photoKey(p.subjectId, p.partId);
    const list = out.get(key) ?? [];
    list.push(evidenceView(p, site, office, rules));
    out.set(key, list);
  }
  return out;
}
