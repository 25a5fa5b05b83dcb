import type { GeoJsonPolygonal } from '../../../db/schema.ts';

/** Great-circle distance in metres (haversine); ample for "is this photo on site" checks. */
export function metresBetween(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad,
    dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The area-weighted centre of a village's outer ring: where public maps and Open311 place anything "at village level".
 */
export function villageCentroid(boundary: GeoJsonPolygonal): { lat: number; lng: number } {
  const ring = boundary.type === 'Polygon' ? boundary.coordinates[0]! : boundary.coordinates[0]![0]!;
  let a = 0,
    cx = 0,
    cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i]!,
      [x1, y1] = ring[i + 1]!;
    const f = x0! * y1! - x1! * y0!;
    a += f;
    cx += (x0! + x1!) * f;
    cy += (y0! + y1!) * f;
  }
  if (Math.abs(a) < 1e-12) return { lng: ring[0]![0]!, lat: ring[0]![1]! };
  return { lng: round(cx / (3 * a)), lat: round(cy / (3 * a)) };
}
const round = (n: number) => Math.round(n * 1e5) / 1e5;
