import type { GeoJsonPolygonal } from '../../db/schema.ts';

/** Lightest for none; then four classes of equal width from the smallest count to the largest. */
export const MAP_SHADES = ['#eef3f0', '#cfe6dc', '#8cc7ae', '#3f9a7a', '#0f5e4a'] as const;

export interface MapArea {
  name: string;
  boundary: GeoJsonPolygonal;
  n: number;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);
const r1 = (x: number) => Math.round(x * 10) / 10;

/** The span the classes divide: villages with reports are told apart even when their counts are close. */
export function countSpan(counts: number[]): { lo: number; hi: number } {
  const some = counts.filter((n) => n > 0);
  return some.length ? { lo: Math.min(...some), hi: Math.max(...some) } : { lo: 1, hi: 1 };
}

export function shadeOf(n: number, { lo, hi }: { lo: number; hi: number }): number {
  return n <= 0 ? 0 : Math.min(4, Math.max(1, 1 + Math.floor(((n - lo) * 4) / (hi - lo + 1))));
}

/** The legend: the counts each shade stands for (shades no count can reach are left out). */
export function shadeRanges({ lo, hi }: { lo: number; hi: number }): { shade: number; from: number; to: number }[] {
  const ranges = [{ shade: 0, from: 0, to: 0 }];
  // Shade k holds n with k - 1 <= (n - lo) * 4 / (hi - lo + 1) < k, as shadeOf computes.
  const w = hi - lo + 1;
  for (let k = 1; k <= 4; k++) {
    const from = lo + Math.ceil(((k - 1) * w) / 4),
      to = lo + Math.ceil((k * w) / 4) - 1;
    if (to >= from) ranges.push({ shade: k, from, to });
  }
  return ranges;
}

function outerRings(g: GeoJsonPolygonal): number[][][] {
  return g.type === 'Polygon' ? [g.coordinates[0]!] : g.coordinates.map((p) => p[0]!);
}

/** The centroid of the largest outer ring, where the label goes. */
function labelPoint(g: GeoJsonPolygonal): [number, number] {
  let best: [number, number] = [0, 0],
    bestArea = -1;
  for (const ring of outerRings(g)) {
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
    if (Math.abs(a) > bestArea) {
      bestArea = Math.abs(a);
      best = a === 0 ? [ring[0]![0]!, ring[0]![1]!] : [cx / (3 * a), cy / (3 * a)];
    }
  }
  return best;
}

/**
 * The villages drawn as a choropleth of their complaint counts, as plain SVG made on the server:
 * no script, no tiles. Each area names itself and its count, and has a <title> tooltip.
 */
export function villageMapSvg(areas: MapArea[], width = 360): string {
  const rings = areas.flatMap((a) =>
    a.boundary.type === 'Polygon' ? a.boundary.coordinates : a.boundary.coordinates.flat(),
  );
  const xs = rings.flat().map((p) => p[0]!),
    ys = rings.flat().map((p) => p[1]!);
  if (xs.length === 0) return '';
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const pad = 6;
  const scale = (width - 2 * pad) / ((maxX - minX) * kx || 1);
  const height = Math.ceil((maxY - minY) * scale + 2 * pad);
  const px = (x: number) => r1(pad + (x - minX) * kx * scale);
  const py = (y: number) => r1(pad + (maxY - y) * scale);
  const span = countSpan(areas.map((a) => a.n));
  const font = Math.max(10, Math.round(width / 30));

  const shapes = areas.map((a) => {
    const polys = a.boundary.type === 'Polygon' ? [a.boundary.coordinates] : a.boundary.coordinates;
    const d = polys
      .flat()
      .map((ring) => `M${ring.map((p) => `${px(p[0]!)} ${py(p[1]!)}`).join('L')}Z`)
      .join('');
    const shade = shadeOf(a.n, span);
    const [lx, ly] = labelPoint(a.boundary);
    const ink = shade >= 3 ? '#fff' : '#1c2622';
    return (
      `<g><title>${esc(a.name)}：${a.n} 件</title>` +
      `<path d="${d}" fill="${MAP_SHADES[shade]}" fill-rule="evenodd" stroke="#fff" stroke-width="1.5"></path>` +
      `<text x="${px(lx)}" y="${py(ly)}" text-anchor="middle" font-size="${font}" font-family="sans-serif"` +
      ` fill="${ink}">` +
      `<tspan x="${px(lx)}" dy="-0.2em">${esc(a.name)}</tspan>` +
      `<tspan x="${px(lx)}" dy="1.2em" font-weight="700">${a.n}</tspan></text></g>`
    );
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}"`;
  return `${svg} aria-hidden="true" focusable="false">${shapes.join('')}</svg>`;
}
