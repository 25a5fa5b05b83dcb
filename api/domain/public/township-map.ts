import type { Db } from '../../../db/client.ts';
import { type CountyAreas, townshipAt } from '../shared/county-routing.ts';
import { cachedReportMap, type CachedMap, type ReportMap } from './report-map.ts';

/** Cells placed between two yields: routing a cell's centre costs microseconds, a county has ~10,000 cells. */
const CELLS_PER_SLICE = 500;
const parts = new WeakMap<CachedMap, Map<number, Promise<CachedMap>>>();

/** The cells whose centre lies in the township: the same public points, placed as the map's table places them. */
async function part(whole: ReportMap, county: CountyAreas, townshipId: number): Promise<CachedMap> {
  const features: ReportMap['features'] = [];
  for (let i = 0; i < whole.features.length; i++) {
    if (i > 0 && i % CELLS_PER_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const f = whole.features[i]!;
    const [lng, lat] = f.geometry.coordinates;
    if (townshipAt(county, lat, lng) === townshipId) features.push(f);
  }
  const map: ReportMap = { type: 'FeatureCollection', features };
  const body = Buffer.from(JSON.stringify(map));
  return { map, json: new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length) };
}

/**
 * The public report map of one township (`?township=`, decision 024): cut from the county's cached pass, once per pass
 * and township, so a spike on one township's map costs no more passes over the reports.
 */
export async function townshipReportMap(
  db: Db,
  now: Date,
  county: CountyAreas,
  townshipId: number,
): Promise<CachedMap> {
  const whole = await cachedReportMap(db, now);
  let byTownship = parts.get(whole);
  if (!byTownship) parts.set(whole, (byTownship = new Map()));
  let cut = byTownship.get(townshipId);
  if (!cut) byTownship.set(townshipId, (cut = part(whole.map, county, townshipId)));
  return cut;
}
