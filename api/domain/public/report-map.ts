import type { Db } from '../../../db/client.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';
import { prepared } from '../../../db/prepared.ts';
import { STATUS_LABELS } from '../complaints/tracking.ts';
import { gridCell } from '../shared/public-grid.ts';
import { routePoint, type VillageArea } from '../shared/village-routing.ts';
import { addMonths, monthBounds, monthOf, type Month } from '../shared/months.ts';

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

// A page of one status's reports in id order, through the index on (status, rowid): each page starts where the last
// ended, so the whole pass reads each row once. The month is Beijing's, as the statistics' rollups count it.
const PAGE = `SELECT c.id, c.lat, c.lng, k.name AS category, c.status,
    strftime('%Y-%m', (c.created_at + 28800000) / 1000, 'unixepoch') AS month
  FROM complaints c INDEXED BY complaints_status JOIN complaint_categories k ON k.id = c.category_id
  WHERE c.status = ? AND c.id > ? AND c.needs_location = 0 AND c.created_at >= ?
  ORDER BY c.id LIMIT ?`;
/** Rows read between two yields to the event loop: a few milliseconds' work (~3 µs a row measured). */
const PAGE_ROWS = 500;

/** The first month the map shows: MAP_MONTHS back from now, Beijing calendar. */
export const mapFirstMonth = (now: Date): Month => addMonths(monthOf(now), 1 - MAP_MONTHS);

/**
 * Every mapped report of the last MAP_MONTHS months, one feature per grid cell. Read a page at a time, yielding
 * between pages: a county's year of reports (200,000 complaints took ~300 ms in one pass) never holds the main thread.
 */
export async function reportMap(db: Db, now: Date): Promise<ReportMap> {
  const since = monthBounds(mapFirstMonth(now)).start.getTime();
  const cells = new Map<string, { lat: number; lng: number; groups: Map<string, MapGroup> }>();
  type Row = { id: number; lat: number; lng: number; category: string; status: ComplaintStatus; month: Month };
  for (const status of MAPPED) {
    for (let after = 0; ; ) {
      const rows = prepared(db.$client, PAGE).all(status, after, since, PAGE_ROWS) as Row[];
      for (const r of rows) {
        const at = gridCell(r.lat, r.lng);
        let cell = cells.get(at.key);
        if (!cell) cells.set(at.key, (cell = { lat: at.lat, lng: at.lng, groups: new Map() }));
        const key = `${r.category}\u0000${r.status}\u0000${r.month}`;
        const g = cell.groups.get(key);
        if (g) g.count++;
        else cell.groups.set(key, { category: r.category, status: STATUS_LABELS[r.status], month: r.month, count: 1 });
      }
      if (rows.length < PAGE_ROWS) break;
      after = rows[rows.length - 1]!.id;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  const features: MapFeature[] = [...cells.values()].map((c) => {
    // Newest first; code-unit order otherwise (a collator here cost ~20 ms for 10,000 cells).
    const reports = [...c.groups.values()].sort((a, b) =>
      a.month !== b.month
        ? a.month < b.month
          ? 1
          : -1
        : a.category < b.category
          ? -1
          : a.category > b.category
            ? 1
            : 0,
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
/**
 * Features serialised between two yields. 10,000 cells (4.6 MB) took ~70 ms in one JSON.stringify and as long again
 * to encode as UTF-8 when sent; a slice of 500 is encoded as it is made, and the slices are copied together once.
 */
const FEATURES_PER_SLICE = 500;

export interface CachedMap {
  map: ReportMap;
  /** The GeoJSON answer's body, UTF-8, made once per pass. */
  json: Uint8Array<ArrayBuffer>;
}
const memo = new WeakMap<Db, { at: number; pass: Promise<CachedMap> }>();

/** The map as GeoJSON bytes, a slice of features at a time with a yield between: no block at a county's scale. */
async function serialise(map: ReportMap): Promise<Uint8Array<ArrayBuffer>> {
  const parts = [Buffer.from('{"type":"FeatureCollection","features":[')];
  for (let i = 0; i < map.features.length; i += FEATURES_PER_SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const slice = map.features.slice(i, i + FEATURES_PER_SLICE).map((f) => JSON.stringify(f));
    parts.push(Buffer.from((i > 0 ? ',' : '') + slice.join(',')));
  }
  parts.push(Buffer.from(']}'));
  const body = Buffer.concat(parts);
  return new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length);
}

/**
 * reportMap, computed at most every 30 s per database: the page and the JSON share it, visitors arriving while it is
 * computed wait for the same pass, and a spike costs one pass over the reports (decision 008: public answers fast under
 * a spike). Staleness is bounded by the same 30 s.
 */
export function cachedReportMap(db: Db, now: Date): Promise<CachedMap> {
  const hit = memo.get(db);
  const t = Date.now();
  if (hit && t - hit.at < MEMO_MS) return hit.pass;
  const pass = reportMap(db, now).then(async (map) => ({ map, json: await serialise(map) }));
  memo.set(db, { at: t, pass });
  // A failed pass is not kept: the next visitor tries again.
  pass.catch(() => memo.delete(db));
  return pass;
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
