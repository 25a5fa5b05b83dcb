// The case map loads Leaflet only when asked: the list itself needs no script.
import { wgs84ToGcj02 } from '../lib/gcj02.ts';
import { loadStylesheet } from './stylesheet.ts';

interface CaseMapData {
  tiles: { url: string; attribution: string; crs: 'wgs84' | 'gcj02'; subdomains: string };
  villages: { type: 'FeatureCollection'; features: unknown[] };
  points: { villageId: number; name: string; count: number; lat: number; lng: number }[];
}

async function show(el: HTMLElement) {
  const [{ default: L }, { default: cssHref }, data] = await Promise.all([
    import('leaflet'),
    import('leaflet/dist/leaflet.css?url'),
    fetch('/api/case-map').then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json() as Promise<CaseMapData>;
    }),
  ]);
  await loadStylesheet(cssHref);
  const at = (lat: number, lng: number): [number, number] => (data.tiles.crs === 'gcj02' ? wgs84ToGcj02(lat, lng) : [lat, lng]);
  el.classList.remove('hidden');
  const map = L.map(el);
  if (data.tiles.url) L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, subdomains: data.tiles.subdomains, maxZoom: 19 }).addTo(map);
  const outlines = L.geoJSON(data.villages as GeoJSON.FeatureCollection, {
    coordsToLatLng: ([lng, lat]) => L.latLng(at(lat!, lng!)),
    style: { color: '#0f5e4a', weight: 2, fillOpacity: 0.06 },
    interactive: false,
  }).addTo(map);
  if (outlines.getBounds().isValid()) map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
  // One marker per village at its centre: a case is public at village level, never at the workshop's door.
  for (const p of data.points) {
    L.circleMarker(at(p.lat, p.lng), { radius: 8 + Math.min(10, p.count * 2), color: '#fff', weight: 2, fillColor: '#c2410c', fillOpacity: 0.9 })
      .bindTooltip(`${p.name}：${p.count} 个案例`)
      .on('click', () => location.assign(`/cases?village=${p.villageId}`))
      .addTo(map);
  }
}

const button = document.getElementById('show-map') as HTMLButtonElement | null;
const el = document.getElementById('cases-map');
if (button && el) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = '地图加载中…';
    try {
      await show(el);
      button.hidden = true;
    } catch {
      button.disabled = false;
      button.textContent = '地图加载失败，点此重试';
    }
  });
}
