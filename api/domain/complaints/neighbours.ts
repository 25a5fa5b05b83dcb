import type { Connection } from '../../../db/connection.ts';
import { prepared } from '../../../db/prepared.ts';
import { ABOVE_WATERMARK } from './search-index.ts';
import { DAY_MS } from '../shared/time.ts';

/**
 * A new report is a possible duplicate when another open one of the same category lies within
 * `metres` of it and came in the last `days`; staff see every report that near and that recent
 * beside a complaint. The filing, the complaint page and its map all read this.
 */
export const DUPLICATE_RULE = { metres: 200, days: 90 } as const;

const M_PER_DEG = 111_320;
/** The R*Tree's time axis unit (see migration 0001): 5000 days. */
const RTREE_TIME_UNIT_MS = 5000 * DAY_MS;

export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = 6_371_000,
    rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad,
    dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(h));
}

export interface Neighbour {
  id: number;
  categoryId: number;
  status: string;
  villageId: number | null;
  createdAt: number;
  distanceM: number;
}

function box(p: { lat: number; lng: number }, radiusM: number, sinceMs: number) {
  const dLat = radiusM / M_PER_DEG;
  const dLng = radiusM / (M_PER_DEG * Math.cos((p.lat * Math.PI) / 180));
  return {
    s: p.lat - dLat,
    n: p.lat + dLat,
    w: p.lng - dLng,
    e: p.lng + dLng,
    t: (sinceMs - DAY_MS) / RTREE_TIME_UNIT_MS,
    since: sinceMs,
  };
}

// A report waiting to be placed on the map has a placeholder point (decision 016): it is near nothing.
const PLACED = 'id NOT IN (SELECT id FROM complaints WHERE needs_location = 1)';
const IN_BOX =
  'min_lat >= @s AND max_lat <= @n AND min_lng >= @w AND max_lng <= @e AND max_t >= @t AND created_at >= @since' +
  ` AND ${PLACED}`;
// The complaints not yet in the R*Tree (decision 010): a scan of the rows above the watermark.
const IN_BOX_TAIL = `${ABOVE_WATERMARK} AND lat BETWEEN @s AND @n AND lng BETWEEN @w AND @e AND created_at >= @since
  AND needs_location = 0`;
const OPEN_OF_CATEGORY = "category_id = @category AND status NOT IN ('rejected', 'merged')";

/** Whether an open report of this category lies within `radiusM` since a time; stops at the first. */
export function hasOpenNeighbour(
  conn: Connection,
  p: { lat: number; lng: number },
  categoryId: number,
  radiusM: number,
  sinceMs: number,
): boolean {
  const b = box(p, radiusM, sinceMs);
  for (const sql of [
    `SELECT min_lat AS lat, min_lng AS lng FROM complaints_rtree WHERE ${IN_BOX} AND ${OPEN_OF_CATEGORY}`,
    `SELECT lat, lng FROM complaints WHERE ${IN_BOX_TAIL} AND ${OPEN_OF_CATEGORY}`,
  ]) {
    const candidates = prepared(conn, sql).iterate({ ...b, category: categoryId }) as IterableIterator<{
      lat: number;
      lng: number;
    }>;
    for (const c of candidates) {
      if (distanceM(p, c) <= radiusM) {
        candidates.return?.();
        return true;
      }
    }
  }
  return false;
}

const NEAR_COLUMNS = 'id, category_id AS categoryId, status, village_id AS villageId, created_at AS createdAt';

/** Complaints within `radiusM` of a point since a time, through the R*Tree; nearest first, at most `limit`. */
export function nearbyComplaints(
  conn: Connection,
  p: { lat: number; lng: number },
  radiusM: number,
  sinceMs: number,
  limit = 50,
): Neighbour[] {
  return nearbyComplaintPoints(conn, p, radiusM, sinceMs, limit).map(({ lat, lng, ...n }) => n);
}

/** nearbyComplaints with each one's point, for a caller that places them itself (a public view snaps them). */
export function nearbyComplaintPoints(
  conn: Connection,
  p: { lat: number; lng: number },
  radiusM: number,
  sinceMs: number,
  limit = 50,
): (Neighbour & { lat: number; lng: number })[] {
  const b = box(p, radiusM, sinceMs);
  type Row = Omit<Neighbour, 'distanceM'> & { lat: number; lng: number };
  const indexed = prepared(
    conn,
    `SELECT ${NEAR_COLUMNS}, min_lat AS lat, min_lng AS lng FROM complaints_rtree WHERE ${IN_BOX}`,
  ).all(b) as Row[];
  const tail = prepared(conn, `SELECT ${NEAR_COLUMNS}, lat, lng FROM complaints WHERE ${IN_BOX_TAIL}`).all(b) as Row[];
  // A row indexed between the two reads is in both.
  const seen = new Set(indexed.map((r) => r.id));
  return [...indexed, ...tail.filter((r) => !seen.has(r.id))]
    .map((n) => ({ ...n, distanceM: distanceM(p, n) }))
    .filter((n) => n.distanceM <= radiusM)
    .sort((a, b) => a.distanceM - b.distanceM)
    .slice(0, limit);
}
