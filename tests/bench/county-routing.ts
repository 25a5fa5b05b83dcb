// Routing a report over a county (decision 024): 25 townships × 20 villages whose outlines are wavy (160 vertices a
// village), townships drawn only as their villages (the slower case: every border test reads villages) and again with
// boundaries of their own. Reported, never asserted: a route's p50/p99/max per point (a filing routes one point on the
// HTTP thread; target well under 50 ms), and the one-time read of the county's outlines.
// `node tests/bench/county-routing.ts` alone.
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '../../db/client.ts';
import { townships, villages, type GeoJsonPolygonal } from '../../db/schema.ts';
import { countyAreas, currentCountyAreas, routeInCounty } from '../../api/domain/shared/county-routing.ts';
import { loadVillageAreas } from '../../api/domain/shared/village-routing.ts';

type Row = (...cells: (string | number)[]) => void;
const GRID = 5, // townships a side
  COLS = 5, // villages a township, west to east
  ROWS = 4;
const CELL = 0.02; // ≈ 2 km
const STEPS = 40; // vertices an edge

// A shared edge bends the same way seen from both sides: its vertices depend on the edge, not the village.
const wave = (a: number, b: number) => Math.sin(a * 12.9898 + b * 78.233) * 0.0015;
function edge(x0: number, y0: number, x1: number, y1: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < STEPS; k++) {
    const t = k / STEPS;
    const [x, y] = [x0 + (x1 - x0) * t, y0 + (y1 - y0) * t];
    const bend = k === 0 ? 0 : wave(x, y) * Math.sin(Math.PI * t);
    out.push(x0 === x1 ? [x + bend, y] : [x, y + bend]);
  }
  return out;
}
function cell(x0: number, y0: number, x1: number, y1: number): GeoJsonPolygonal {
  const ring = [
    ...edge(x0, y0, x1, y0),
    ...edge(x1, y0, x1, y1),
    ...edge(x1, y1, x0, y1).reverse().reverse(),
    ...edge(x0, y1, x0, y0),
  ];
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export function benchCountyRouting(row: Row) {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'routing-')), 'portal.sqlite'));
  migrateDatabase(db);
  const W = 119.3,
    S = 30.6;
  db.transaction((tx) => {
    for (let ti = 0; ti < GRID; ti++)
      for (let tj = 0; tj < GRID; tj++) {
        const [x0, y0] = [W + ti * COLS * CELL, S + tj * ROWS * CELL];
        const t = tx
          .insert(townships)
          .values({ code: `t${ti}${tj}`, name: `镇${ti}${tj}`, county: '基准县', province: '浙江省' })
          .returning({ id: townships.id })
          .get();
        for (let i = 0; i < COLS; i++)
          for (let j = 0; j < ROWS; j++) {
            const [a, b] = [x0 + i * CELL, y0 + j * CELL];
            tx.insert(villages)
              .values({
                townshipId: t.id,
                code: `v${ti}${tj}${i}${j}`,
                name: `村${i}${j}`,
                boundary: cell(a, b, a + CELL, b + CELL),
              })
              .run();
          }
      }
  });
  let t0 = performance.now();
  const areas = loadVillageAreas(db);
  const county = countyAreas(db, areas);
  row('routing: outlines read once (500 villages × 160 vertices), ms', (performance.now() - t0).toFixed(1), '', '', '');
  // Half the points anywhere in the county, half within ~60 m of a village edge (where the border tests run).
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const span = GRID * COLS * CELL;
  const points = Array.from({ length: 20_000 }, (_, k) => {
    const [x, y] = [W + rand() * span, S + rand() * GRID * ROWS * CELL];
    return k % 2
      ? { lat: y, lng: W + Math.round((x - W) / CELL) * CELL + (rand() - 0.5) * 0.0012 }
      : { lat: y, lng: x };
  });
  for (const p of points.slice(0, 200)) routeInCounty(county, p.lat, p.lng); // warm: the JIT, not the routing
  const times: number[] = [];
  let flagged = 0;
  for (const p of points) {
    t0 = performance.now();
    const r = routeInCounty(county, p.lat, p.lng);
    times.push(performance.now() - t0);
    if (r?.borderTownshipId) flagged++;
  }
  // Rows as run.ts's table reads them: figure, ours, baseline, ratio, target.
  row('routing: a point, p50 ms', pct(times, 0.5).toFixed(3), '', '', '');
  row(
    `routing: a point, p99 ms (${flagged} of ${times.length} near a border)`,
    pct(times, 0.99).toFixed(3),
    '',
    '',
    '< 50',
  );
  row('routing: a point, max ms', Math.max(...times).toFixed(2), '', '', '< 50');
  t0 = performance.now();
  const again = countyAreas(db, loadVillageAreas(db));
  row(
    `routing: outlines read afresh (${again.townships.length} townships changed), ms`,
    (performance.now() - t0).toFixed(1),
    '',
    '',
    '',
  );
  currentCountyAreas(db);
  t0 = performance.now();
  currentCountyAreas(db);
  row('routing: 确定位置 / 移交, outlines unchanged, ms', (performance.now() - t0).toFixed(2), '', '', '< 50');
  row(`routing: points over 5 ms (of ${times.length})`, times.filter((t) => t > 5).length, '', '', '');
}

if (import.meta.url === `file://${process.argv[1]}`) benchCountyRouting((...cells) => console.log(cells.join(' | ')));
