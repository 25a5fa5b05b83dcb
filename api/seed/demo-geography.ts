import type { GeoJsonPolygonal } from '../../db/schema.ts';

/**
 * A fictional county in northern Zhejiang, drawn on one grid of cells with wavy shared borders: a village is a cell, a
 * township a block of cells, so villages and townships tile. 青溪镇 keeps the first 3×2 block it had when the demo was
 * one township; its east edge is the county border (the "镇界外" sample lies beyond it).
 */
export const DEMO_COUNTY = { county: '青山县', province: '浙江省' };

/** [i0, j0, i1, j1): the township's cells, columns west to east, rows south to north. */
type Block = readonly [number, number, number, number];

export const DEMO_TOWNSHIPS = [
  { code: 'qingxi', name: '青溪镇', kind: 'town', block: [0, 0, 3, 2] },
  { code: 'shiqiao-zhen', name: '石桥镇', kind: 'town', block: [-2, -1, 0, 2] },
  { code: 'chengdong', name: '城东街道', kind: 'subdistrict', block: [0, -1, 3, 0] },
] as const;

export type DemoTownshipCode = (typeof DEMO_TOWNSHIPS)[number]['code'];

export const DEMO_VILLAGES = [
  // 青溪镇's six first, in the order (and so with the ids) they always had. [column, row] from its south-west corner.
  { township: 'qingxi', code: 'qingxi-xiatang', name: '下塘村', cell: [0, 0] },
  { township: 'qingxi', code: 'qingxi-shiqiao', name: '石桥村', cell: [1, 0] },
  { township: 'qingxi', code: 'qingxi-taoyuan', name: '桃源社区', cell: [2, 0] },
  { township: 'qingxi', code: 'qingxi-shangtang', name: '上塘村', cell: [0, 1] },
  { township: 'qingxi', code: 'qingxi-zhulin', name: '竹林村', cell: [1, 1] },
  { township: 'qingxi', code: 'qingxi-xikou', name: '溪口村', cell: [2, 1] },
  { township: 'shiqiao-zhen', code: 'shiqiao-nanao', name: '南岙村', cell: [-2, -1] },
  { township: 'shiqiao-zhen', code: 'shiqiao-hetou', name: '河头村', cell: [-1, -1] },
  { township: 'shiqiao-zhen', code: 'shiqiao-xicun', name: '西村', cell: [-2, 0] },
  { township: 'shiqiao-zhen', code: 'shiqiao-dongcun', name: '东村', cell: [-1, 0] },
  { township: 'shiqiao-zhen', code: 'shiqiao-beishan', name: '北山村', cell: [-2, 1] },
  { township: 'shiqiao-zhen', code: 'shiqiao-shequ', name: '石桥社区', cell: [-1, 1] },
  { township: 'chengdong', code: 'chengdong-xinhe', name: '新河社区', cell: [0, -1] },
  { township: 'chengdong', code: 'chengdong-yingbin', name: '迎宾社区', cell: [1, -1] },
  { township: 'chengdong', code: 'chengdong-dongyuan', name: '东苑社区', cell: [2, -1] },
] as const;

// 青溪镇's corners; the grid extends west and south of it with the same cell size.
const WEST = 119.8,
  EAST = 119.92,
  SOUTH = 30.9,
  NORTH = 30.98;
const COLS = 3,
  ROWS = 2;

// Deterministic jitter, so every seed draws the same map.
function jitter(a: number, b: number): number {
  const s = Math.sin(a * 127.1 + b * 311.7) * 43758.5453;
  return (s - Math.floor(s) - 0.5) * 2;
}

const dx = (EAST - WEST) / COLS,
  dy = (NORTH - SOUTH) / ROWS;
const round = (n: number) => Math.round(n * 1e6) / 1e6;

function vertex(i: number, j: number): [number, number] {
  // Inside 青溪镇 a corner moves freely; on its outline and beyond, less (as when it was the whole map).
  const inner = (k: number, n: number) => (k > 0 && k < n ? 1 : 0.3);
  return [
    round(WEST + i * dx + jitter(i, j) * dx * 0.12 * inner(i, COLS)),
    round(SOUTH + j * dy + jitter(j + 7, i) * dy * 0.12 * inner(j, ROWS)),
  ];
}

/** The border from one grid vertex to the next, bent the same way for both cells that share it. */
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

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** The outline of a block of cells, counter-clockwise from its south-west corner: shared edges drawn identically. */
function blockRing([i0, j0, i1, j1]: Block): [number, number][] {
  const sides = [
    range(i0, i1).flatMap((i, k) => horizontal(i, j0).slice(k && 1)),
    range(j0, j1).flatMap((j, k) => vertical(i1, j).slice(k && 1)),
    range(i0, i1)
      .flatMap((i, k) => horizontal(i, j1).slice(k && 1))
      .reverse(),
    range(j0, j1)
      .flatMap((j, k) => vertical(i0, j).slice(k && 1))
      .reverse(),
  ];
  // Each side starts where the last ended; the last ends at the first point, closing the ring.
  return sides.flatMap((side, k) => (k === 0 ? side : side.slice(1)));
}

export function villageBoundary(i: number, j: number): GeoJsonPolygonal {
  return { type: 'Polygon', coordinates: [blockRing([i, j, i + 1, j + 1])] };
}

export function townshipBoundary(block: Block): GeoJsonPolygonal {
  return { type: 'Polygon', coordinates: [blockRing(block)] };
}

export function cellCenter(i: number, j: number): { lat: number; lng: number } {
  return { lng: WEST + (i + 0.5) * dx, lat: SOUTH + (j + 0.5) * dy };
}

/** A point of the western edge of cell (i, j), its middle bend: a point just west of it lies near a cell border. */
export function westEdgeMiddle(i: number, j: number): { lat: number; lng: number } {
  const [lng, lat] = vertical(i, j)[2]!;
  return { lat, lng };
}
