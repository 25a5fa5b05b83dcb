import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Db } from '../../../db/client.ts';
import { villages, type GeoJsonPolygonal } from '../../../db/schema.ts';
import { villageCentroid } from './geo.ts';

export interface VillageArea {
  id: number;
  townshipId: number;
  name: string;
  boundary: GeoJsonPolygonal;
  bbox: [minLng: number, minLat: number, maxLng: number, maxLat: number];
  centre: { lat: number; lng: number };
}

export type RoutingResult =
  | { kind: 'village'; villageId: number; townshipId: number; villageName: string }
  | { kind: 'township'; townshipId: number };

export function bboxOf(g: GeoJsonPolygonal): VillageArea['bbox'] {
  const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings)
    for (const [x, y] of ring) {
      if (x! < minX) minX = x!;
      if (x! > maxX) maxX = x!;
      if (y! < minY) minY = y!;
      if (y! > maxY) maxY = y!;
    }
  return [minX, minY, maxX, maxY];
}

export function loadVillageAreas(db: Pick<Db, 'select'>): VillageArea[] {
  return db
    .select({ id: villages.id, townshipId: villages.townshipId, name: villages.name, boundary: villages.boundary })
    .from(villages)
    .all()
    .map((v) => ({ ...v, bbox: bboxOf(v.boundary), centre: villageCentroid(v.boundary) }));
}

/** The point decides the village; outside every village it is held by the nearest township. */
export function routePoint(areas: VillageArea[], lat: number, lng: number): RoutingResult | null {
  let nearest: { d: number; townshipId: number } | null = null;
  for (const a of areas) {
    const [minX, minY, maxX, maxY] = a.bbox;
    if (lng >= minX && lng <= maxX && lat >= minY && lat <= maxY && booleanPointInPolygon([lng, lat], a.boundary)) {
      return { kind: 'village', villageId: a.id, townshipId: a.townshipId, villageName: a.name };
    }
    const d = (lng - (minX + maxX) / 2) ** 2 + (lat - (minY + maxY) / 2) ** 2;
    if (!nearest || d < nearest.d) nearest = { d, townshipId: a.townshipId };
  }
  return nearest && { kind: 'township', townshipId: nearest.townshipId };
}
