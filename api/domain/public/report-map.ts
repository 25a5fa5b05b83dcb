import type { Db } from '../../../db/client.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';
import { prepared } from '../../../db/prepared.ts';
import { STATUS_LABELS } from '../complaints/tracking.ts';
import { gridCell } from '../shared/public-grid.ts';
import { routePoint, type VillageArea } from '../shared/village-routing.ts';
import { addMonths, monthBounds, monthOf, type Month } from './months.ts';

// Public code: the map of accepted reports. It reads a report's point, category, status and month, and returns the
// point snapped to the public grid (public-grid.ts) with the category's name, the status in the words /track uses and
// the month, counted per cell. Nothing else about a report leaves this module: no id, no text, no photo, no village
// officer; a report nobody has reviewed (submitted), refused, merged, archived or not yet placed is not on it.

/** Reviewed reports, being worked on or finished: the only ones the public map shows. */
export const MAPPED: readonly ComplaintStatus[] = ['accepted', 'assigned', 'resolved'];
/** How far back the map goes, in months including the current one. */
export const MAP_MONTHS = 12;

export interface MapGroup {
  category: string;
  status: string;
  month: Month;
  count: number;
}

export interface MapFeature {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: { count: number; reports: MapGroup[] };
}

export interface ReportMap {
  type: 'FeatureCollection';
  features: MapFeature[];
}

const ROWS = `SELECT c.lat, c.lng, k.name AS category, c.status, c.created_at AS createdAt
  FROM complaints c JOIN complaint_categories k ON k.id = c.category_id
  WHERE c.status IN (${MAPPED.map((s) => `'${s}'`).join(', ')}) AND c.needs_location = 0 AND c.created_at >= ?`;

/** The first month the map shows: MAP_MONTHS back from now, Beijing calendar. */
export const mapFirstMonth = (now: Date): Month => addMonths(monthOf(now), 1 - MAP_MONTHS);

/** Every mapped report of the last MAP_MONTHS months, one feature per grid cell. */
export function reportMap(db: Db, now: Date): ReportMap {
  const since = monthBounds(mapFirstMonth(now)).start.getTime();
  const cells = new Map<string, { lat: number; lng: number; groups: Map<string, MapGroup> }>();
  const rows = prepared(db.$client, ROWS).iterate(since) as IterableIterator<{
    lat: number;
    lng: number;
    category: string;
    status: ComplaintStatus;
    createdAt: number;
  }>;
  for (const r of rows) {
    const at = gridCell(r.lat, r.lng);
    let cell = cells.get(at.key);
    if (!cell) cells.set(at.key, (cell = { lat: at.lat, lng: at.lng, groups: new Map() }));
    const group = { category: r.category, status: STATUS_LABELS[r.status], month: monthOf(new Date(r.createdAt)) };
    const key = `${group.category}\u0000${group.status}\u0000${group.month}`;
    const g = cell.groups.get(key);
    if (g) g.count++;
    else cell.groups.set(key, { ...group, count: 1 });
  }
  const features: MapFeature[] = [...cells.values()].map((c) => {
    const reports = [...c.groups.values()].sort(
      (a, b) => b.month.localeCompare(a.month) || a.category.localeCompare(b.category, 'zh-CN'),
    );
    return {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [c.lng, c.lat] },
      properties: { count: reports.reduce((n, g) => n + g.count, 0), reports },
    };
  });
  // North to south, west to east: the same answer for the same reports, whatever order the rows came in.
  features.sort(
    (a, b) =>
      b.geometry.coordinates[1] - a.geometry.coordinates[1] || a.geometry.coordinates[0] - b.geometry.coordinates[0],
  );
  return { type: 'FeatureCollection', features };
}

const MEMO_MS = 30_000;
const memo = new WeakMap<Db, { at: number; map: ReportMap }>();

/**
 * reportMap, computed at most every 30 s per database: the page and the JSON share it, and a spike of visitors costs
 * one pass over the reports (decision 008: public answers fast under a spike). Staleness is bounded by the same 30 s.
 */
export function cachedReportMap(db: Db, now: Date): ReportMap {
  const hit = memo.get(db);
  const t = Date.now();
  if (hit && t - hit.at < MEMO_MS) return hit.map;
  const map = reportMap(db, now);
  memo.set(db, { at: t, map });
  return map;
}

export interface MapTableRow {
  /** The village whose outline holds the cell's centre, or the township for a cell outside them all. */
  place: string;
  category: string;
  /** By status, in MAPPED's order. */
  counts: number[];
  total: number;
}

/**
 * The map as a table, for a reader who cannot use the map: reports per village and category, by status. Placed by the
 * cells' centres, the same public points the map shows.
 */
export function reportMapTable(map: ReportMap, areas: VillageArea[], township: string): MapTableRow[] {
  const labels = MAPPED.map((s) => STATUS_LABELS[s]);
  const rows = new Map<string, MapTableRow>();
  for (const f of map.features) {
    const [lng, lat] = f.geometry.coordinates;
    const route = routePoint(areas, lat, lng);
    const place = route?.kind === 'village' ? route.villageName : `${township}（村界外）`;
    for (const g of f.properties.reports) {
      const key = `${place}\u0000${g.category}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { place, category: g.category, counts: labels.map(() => 0), total: 0 }));
      row.counts[labels.indexOf(g.status)]! += g.count;
      row.total += g.count;
    }
  }
  const order = new Map(areas.map((a, i) => [a.name, i]));
  return [...rows.values()].sort(
    (a, b) =>
      (order.get(a.place) ?? Infinity) - (order.get(b.place) ?? Infinity) ||
      a.category.localeCompare(b.category, 'zh-CN'),
  );
}
