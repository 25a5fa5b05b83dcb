import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { townships, type GeoJsonPolygonal } from '../../../db/schema.ts';
import { bboxOf, loadVillageAreas, type VillageArea } from './village-routing.ts';

/**
 * A point this close to another township's boundary is a 镇街交界 report: both offices see it (decision 024). 100 m is
 * about what a resident's phone pin and a hand-drawn boundary are each off by.
 */
export const BORDER_METRES = 100;

type Bbox = VillageArea['bbox'];

/** A township as routing sees it: its own boundary when the county drew one, else its villages' outlines. */
export interface TownshipArea {
  id: number;
  name: string;
  polygons: { shape: GeoJsonPolygonal; bbox: Bbox }[];
  bbox: Bbox;
}

export interface CountyAreas {
  villages: VillageArea[];
  townships: TownshipArea[];
}

/** Where a point lies in the county: its township, its village if any, and the neighbour it is near, if any. */
export interface CountyRoute {
  townshipId: number;
  village: { id: number; name: string } | null;
  borderTownshipId: number | null;
}

// Kept on globalThis: the Astro pages (/map) are bundled apart from the API and would otherwise parse their own copy.
const KEY = Symbol.for('sanluanwu.county-routing');
type Held = { cache: WeakMap<VillageArea[], CountyAreas>; latest: { key: string; county: CountyAreas } | null };
const held: Held = ((globalThis as { [KEY]?: Held })[KEY] ??= { cache: new WeakMap(), latest: null });
const cache = held.cache;

/** The county's townships beside the villages given (ctx.villageAreas()), read once per list of villages. */
export function countyAreas(db: Pick<Db, 'select'>, villages: VillageArea[] = loadVillageAreas(db)): CountyAreas {
  let county = cache.get(villages);
  if (county) return county;
  const rows = db
    .select({ id: townships.id, name: townships.name, boundary: townships.boundary })
    .from(townships)
    .all();
  county = {
    villages,
    townships: rows.map((t) => {
      const shapes = t.boundary ? [t.boundary] : villages.filter((v) => v.townshipId === t.id).map((v) => v.boundary);
      const polygons = shapes.map((shape) => ({ shape, bbox: bboxOf(shape) }));
      return { id: t.id, name: t.name, polygons, bbox: union(polygons.map((p) => p.bbox)) };
    }),
  };
  cache.set(villages, county);
  return county;
}

// What the outlines are now, cheaply (one pass over the boundary columns' lengths, no JSON parsed).
const SUMMARY = "count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(sum(length(boundary)), 0)";
const FINGERPRINT = sql<string>`(select ${sql.raw(SUMMARY)} from villages) || '/' || (select ${sql.raw(SUMMARY)}
  from townships)`;

/**
 * The county's outlines for a staff action (确定位置, 移交) inside its transaction: read again only when villages or
 * townships changed since the last read. Parsing 500 villages' outlines took 30–100 ms, too long for each action.
 */
export function currentCountyAreas(db: Pick<Db, 'select'>): CountyAreas {
  const key = fingerprint(db);
  if (held.latest?.key !== key) held.latest = { key, county: countyAreas(db) };
  return held.latest.county;
}

const fingerprint = (db: Pick<Db, 'select'>) => db.select({ key: FINGERPRINT }).from(sql`(select 1)`).get()!.key;

/**
 * Reads and parses the county's outlines once before the server listens, for both the filing (the process's village
 * list, `villages`) and the staff actions: the first read took 67–374 ms, which no request may pay (50 ms rule).
 */
export function warmCountyRouting(db: Pick<Db, 'select'>, villages: VillageArea[]): void {
  held.latest = { key: fingerprint(db), county: countyAreas(db, villages) };
}

/** Whether routing is ready without reading the outlines again: for this list of villages and as the database is. */
export const countyRoutingWarm = (db: Pick<Db, 'select'>, villages: VillageArea[]) =>
  cache.has(villages) && held.latest?.key === fingerprint(db);

const union = (boxes: Bbox[]): Bbox =>
  boxes.reduce<Bbox>(
    (u, b) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );

const within = (b: Bbox, lng: number, lat: number, padLng = 0, padLat = 0) =>
  lng >= b[0] - padLng && lng <= b[2] + padLng && lat >= b[1] - padLat && lat <= b[3] + padLat;

const M_PER_DEG_LAT = 111_320;

/** Metres from the point to the shape's outline (0 inside), on a plane tangent at the point: exact enough at 100 m. */
function metresTo(shape: GeoJsonPolygonal, lng: number, lat: number): number {
  if (booleanPointInPolygon([lng, lat], shape)) return 0;
  const kx = M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
  let best = Infinity;
  const rings = shape.type === 'Polygon' ? shape.coordinates : shape.coordinates.flat();
  for (const ring of rings)
    for (let i = 0; i + 1 < ring.length; i++) {
      const ax = (ring[i]![0]! - lng) * kx,
        ay = (ring[i]![1]! - lat) * M_PER_DEG_LAT;
      const bx = (ring[i + 1]![0]! - lng) * kx,
        by = (ring[i + 1]![1]! - lat) * M_PER_DEG_LAT;
      const dx = bx - ax,
        dy = by - ay;
      const len = dx * dx + dy * dy;
      const t = len === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len));
      const d = Math.hypot(ax + t * dx, ay + t * dy);
      if (d < best) best = d;
    }
  return best;
}

/** Metres from the point to the township (0 inside), or Infinity when more than `limit` away (bbox first). */
function townshipMetres(t: TownshipArea, lng: number, lat: number, limit = Infinity): number {
  const padLat = limit / M_PER_DEG_LAT,
    padLng = padLat / Math.cos((lat * Math.PI) / 180);
  if (limit !== Infinity && !within(t.bbox, lng, lat, padLng, padLat)) return Infinity;
  let best = Infinity;
  for (const p of t.polygons) {
    if (limit !== Infinity && !within(p.bbox, lng, lat, padLng, padLat)) continue;
    best = Math.min(best, metresTo(p.shape, lng, lat));
    if (best === 0) break;
  }
  return best <= limit ? best : Infinity;
}

/** The village of the township whose outline holds the point, if any (bbox first). */
export function villageAt(county: CountyAreas, lat: number, lng: number, townshipId?: number): VillageArea | null {
  for (const v of county.villages)
    if (
      (townshipId === undefined || v.townshipId === townshipId) &&
      within(v.bbox, lng, lat) &&
      booleanPointInPolygon([lng, lat], v.boundary)
    )
      return v;
  return null;
}

/** The nearest township, other than those named, whose boundary lies within BORDER_METRES of the point. */
export function borderTownship(county: CountyAreas, lat: number, lng: number, except: number[]): number | null {
  let best: { id: number; d: number } | null = null;
  for (const t of county.townships) {
    if (except.includes(t.id)) continue;
    const d = townshipMetres(t, lng, lat, BORDER_METRES);
    if (d !== Infinity && (!best || d < best.d)) best = { id: t.id, d };
  }
  return best?.id ?? null;
}

/**
 * The point decides the township and village over the whole county: the village whose outline holds it; else the
 * township whose boundary holds it (held at township level); outside every township, the nearest one. Null only
 * when the county has no township at all.
 */
export function routeInCounty(county: CountyAreas, lat: number, lng: number): CountyRoute | null {
  const village = villageAt(county, lat, lng);
  const townshipId = village?.townshipId ?? townshipAt(county, lat, lng);
  if (townshipId === null) return null;
  return {
    townshipId,
    village: village && { id: village.id, name: village.name },
    borderTownshipId: borderTownship(county, lat, lng, [townshipId]),
  };
}

/** The township whose boundary holds the point, else the nearest; null when the county has none. */
export function townshipAt(county: CountyAreas, lat: number, lng: number): number | null {
  // Nearest box first: a township whose box is farther than the best so far cannot be nearer (outlines are costly).
  const byBox = county.townships.map((t) => ({ t, box: boxMetres(t.bbox, lng, lat) })).sort((a, b) => a.box - b.box);
  let nearest: { id: number; d: number } | null = null;
  for (const { t, box } of byBox) {
    if (nearest && box > nearest.d) break;
    const d = townshipMetres(t, lng, lat);
    if (!nearest || d < nearest.d) nearest = { id: t.id, d };
    if (d === 0) break;
  }
  return nearest?.id ?? null;
}

/** Metres from the point to the box (0 inside): a lower bound of the distance to anything in it. */
function boxMetres(b: Bbox, lng: number, lat: number): number {
  const dx = Math.max(b[0] - lng, 0, lng - b[2]) * M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
  const dy = Math.max(b[1] - lat, 0, lat - b[3]) * M_PER_DEG_LAT;
  return Math.hypot(dx, dy);
}
