import type { Connection } from '../../db/connection.ts';
import { prepared } from '../../db/prepared.ts';
import { DAY_MS } from './time.ts';

const M_PER_DEG = 111_320;
/** The R*Tree's time axis unit (see migration 0001): 5000 days. */
const RTREE_TIME_UNIT_MS = 5000 * DAY_MS;

export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = 6_371_000, rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad, dLng = (b.lng - a.lng) * rad;
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

function box(p: { lat: number; lng: number }, radiusM: number, sinceMs: number): number[] {
  const dLat = radiusM / M_PER_DEG;
  const dLng = radiusM / (M_PER_DEG * Math.cos((p.lat * Math.PI) / 180));
  return [p.lat - dLat, p.lat + dLat, p.lng - dLng, p.lng + dLng, (sinceMs - DAY_MS) / RTREE_TIME_UNIT_MS, sinceMs];
}

const IN_BOX = 'min_lat >= ? AND max_lat <= ? AND min_lng >= ? AND max_lng <= ? AND max_t >= ? AND created_at >= ?';

/** Whether an open report of this category lies within `radiusM` since a time; stops at the first. */
export function hasOpenNeighbour(conn: Connection, p: { lat: number; lng: number }, categoryId: number, radiusM: number, sinceMs: number): boolean {
  const candidates = prepared(conn, `SELECT min_lat AS lat, min_lng AS lng FROM complaints_rtree WHERE ${IN_BOX} AND category_id = ? AND status NOT IN ('rejected', 'merged')`)
    .iterate(...box(p, radiusM, sinceMs), categoryId) as IterableIterator<{ lat: number; lng: number }>;
  for (const c of candidates) {
    if (distanceM(p, c) <= radiusM) {
      candidates.return?.();
      return true;
    }
  }
  return false;
}

/** Complaints within `radiusM` of a point since a time, through the R*Tree; nearest first, at most `limit`. */
export function nearbyComplaints(conn: Connection, p: { lat: number; lng: number }, radiusM: number, sinceMs: number, limit = 50): Neighbour[] {
  const rows = prepared(
    conn,
    `SELECT id, category_id AS categoryId, status, village_id AS villageId, created_at AS createdAt, min_lat AS lat, min_lng AS lng
       FROM complaints_rtree WHERE ${IN_BOX}`,
  ).all(...box(p, radiusM, sinceMs)) as (Omit<Neighbour, 'distanceM'> & { lat: number; lng: number })[];
  return rows
    .map(({ lat, lng, ...n }) => ({ ...n, distanceM: distanceM(p, { lat, lng }) }))
    .filter((n) => n.distanceM <= radiusM)
    .sort((a, b) => a.distanceM - b.distanceM)
    .slice(0, limit);
}
