import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { type FieldPhotoSubject, fieldPhotos } from '../../../../db/schema-supervision.ts';
import type { Role } from '../../../../db/schema.ts';
import { metresBetween } from '../geo.ts';
import { isOffice } from '../roles.ts';

export type Site = { lat: number | null; lng: number | null } | null | undefined;

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
    list.push({
      id: p.id,
      width: p.width,
      height: p.height,
      takenAt: p.exifTakenAt,
      positionFrom: p.exifSource,
      metresFromSite:
        p.exifLat != null && p.exifLng != null && site?.lat != null && site.lng != null
          ? Math.round(metresBetween({ lat: p.exifLat, lng: p.exifLng }, { lat: site.lat, lng: site.lng }))
          : null,
      ...(office ? { lat: p.exifLat, lng: p.exifLng } : {}),
    });
    out.set(key, list);
  }
  return out;
}
