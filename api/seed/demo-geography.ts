import type { GeoJsonPolygonal } from '../../db/schema.ts';

/** A fictional township in northern Zhejiang; six villages in a 3×2 grid with wavy shared borders. */
export const DEMO_TOWNSHIP = { code: 'qingxi', name: '青溪镇', county: '青山县', province: '浙江省' };

const WEST = 119.8,
  EAST = 119.92,
  SOUTH = 30.9,
  NORTH = 30.98;
const COLS = 3,
  ROWS = 2;

export const DEMO_VILLAGES = [
  // [column, row] from the south-west corner
  { code: 'qingxi-xiatang', name: '下塘村', cell: [0, 0] },
  { code: 'qingxi-shiqiao', name: '石桥村', cell: [1, 0] },
  { code: 'qingxi-taoyuan', name: '桃源社区', cell: [2, 0] },
  { code: 'qingxi-shangtang', name: '上塘村', cell: [0, 1] },
  { code: 'qingxi-zhulin', name: '竹林村', cell: [1, 1] },
  { code: 'qingxi-xikou', name: '溪口村', cell: [2, 1] },
] as const;

// Deterministic jitter, so every seed draws the same map.
function jitter(a: number, b: number): number {
  const s = Math.sin(a * 127.1 + b * 311.7) * 43758.5453;
  return (s - Math.floor(s) - 0.5) * 2;
}

const dx = (EAST - WEST) / COLS,
  dy = (NORTH - SOUTH) / ROWS;
const round = (n: number) => Math.round(n * 1e6) / 1e6;

function vertex(i: number, j: number): [number, number] {
  const inner = (k: number, n: number) => (k > 0 && k < n ? 1 : 0.3);
  return [
    round(WEST + i * dx + jitter(i, j) * dx * 0.12 * inner(i, COLS)),
    round(SOUTH + j * dy + jitter(j + 7, i) * dy * 0.12 * inner(j, ROWS)),
  ];
}

/** The border from one grid vertex to the next, bent the same way for both villages that share it. */
function edge(a: [number, number], b: [number, number], seed: number): [number, number][] {
  const points: [number, number][] = [a];
  const [nx, ny] = [-(b[1] - a[1]), b[0] - a[0]];
  for (let k = 1; k <= 3; k++) {
    const t = k / 4,
      w = jitter(seed, k) * 0.08;
    points.push([round(a[0] + (b[0] - a[0]) * t + nx * w), round(a[1] + (b[1] - a[1]) * t + ny * w)]);
  }
  points.push(b);
  return points;
}

const horizontal = (i: number, j: number) => edge(vertex(i, j), vertex(i + 1, j), 100 + i * 10 + j);
const vertical = (i: number, j: number) => edge(vertex(i, j), vertex(i, j + 1), 200 + i * 10 + j);

export function villageBoundary(i: number, j: number): GeoJsonPolygonal {
  const sides = [horizontal(i, j), vertical(i + 1, j), horizontal(i, j + 1).reverse(), vertical(i, j).reverse()];
  // Each side starts where the last ended; the last ends at the first point, closing the ring.
  const ring = sides.flatMap((side, k) => (k === 0 ? side : side.slice(1)));
  return { type: 'Polygon', coordinates: [ring] };
}

export function cellCenter(i: number, j: number): { lat: number; lng: number } {
  return { lng: WEST + (i + 0.5) * dx, lat: SOUTH + (j + 0.5) * dy };
}
