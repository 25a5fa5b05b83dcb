// The public map of accepted reports: Leaflet after first paint, the cells from /api/report-map (already snapped to
// the ~100 m grid and stripped on the server). The table under the map holds the same reports without a script.
import { loadMapModule } from './load-map.ts';
import type { MapConfig } from './report-map.ts';

interface Cell {
  geometry: { coordinates: [number, number] };
  properties: { count: number; reports: { category: string; status: string; month: string; count: number }[] };
}

const el = document.getElementById('report-map');
// `cells`: where the page's cells come from (the whole county's, or one township's with ?township=).
const config = JSON.parse(document.getElementById('map-config')!.textContent!) as MapConfig & {
  resolved: string;
  cells: string;
};
const monthText = (m: string) => `${Number(m.slice(0, 4))}年${Number(m.slice(5))}月`;

/** A cell's reports, each line as text (Leaflet would read a string as HTML). */
function details(cell: Cell): HTMLElement {
  const box = document.createElement('div');
  const head = document.createElement('strong');
  head.textContent = `此处约 100 米范围内 ${cell.properties.count} 件举报`;
  const list = document.createElement('ul');
  list.className = 'cell-reports';
  for (const r of cell.properties.reports) {
    const li = document.createElement('li');
    li.textContent = `${r.category} · ${r.status} · ${monthText(r.month)}${r.count > 1 ? ` · ${r.count} 件` : ''}`;
    list.append(li);
  }
  box.append(head, list);
  return box;
}

async function show(target: HTMLElement) {
  const [{ baseMap }, { default: L }, cells] = await Promise.all([
    loadMapModule(),
    import('leaflet'),
    fetch(config.cells).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json() as Promise<{ features: Cell[] }>;
    }),
  ]);
  const { map, toDisplay } = baseMap(target, config);
  for (const cell of cells.features) {
    const [lng, lat] = cell.geometry.coordinates;
    const done = cell.properties.reports.every((r) => r.status === config.resolved);
    L.circleMarker(toDisplay(lat, lng), {
      radius: 7 + Math.min(9, Math.round(Math.sqrt(cell.properties.count) * 3)),
      color: '#fff',
      weight: 2,
      fillColor: done ? '#15803d' : '#c2410c',
      fillOpacity: 0.9,
    })
      .bindPopup(details(cell))
      .addTo(map);
  }
}

if (el) {
  show(el).catch(() => {
    el.textContent = '地图加载失败，请查看下方表格。';
  });
}
