import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { baseMap, textTip, type MapConfig } from '../../site/scripts/report-map.ts';

type Config = MapConfig & {
  /** Null for a report filed with an address only, until the office places it (decision 016). */
  pin: { lat: number; lng: number } | null;
  nearM: number;
  photoPoints: { lat: number; lng: number; label: string }[];
};

const el = document.getElementById('complaint-map');
if (el) {
  const cfg = JSON.parse(document.getElementById('complaint-map-config')!.textContent!) as Config;
  const { map, toDisplay, fromDisplay } = baseMap(el, cfg);
  // With the "确定位置" form on the page, a click on the map fills in its point (in WGS-84).
  const locate = document.getElementById('action-locate') as HTMLFormElement | null;
  let picked: L.CircleMarker | null = null;
  if (locate)
    map.on('click', (e: L.LeafletMouseEvent) => {
      const [lat, lng] = fromDisplay(e.latlng);
      (locate.elements.namedItem('lat') as HTMLInputElement).value = lat.toFixed(6);
      (locate.elements.namedItem('lng') as HTMLInputElement).value = lng.toFixed(6);
      if (picked) picked.setLatLng(e.latlng);
      else
        picked = L.circleMarker(e.latlng, { radius: 9, color: '#fff', weight: 3, fillColor: '#15803d', fillOpacity: 1 })
          .addTo(map)
          .bindTooltip(textTip('新位置'));
      (locate.parentElement as HTMLDetailsElement).open = true;
    });
  if (cfg.pin) showPin(map, toDisplay(cfg.pin.lat, cfg.pin.lng), cfg, toDisplay);
}

function showPin(map: L.Map, pin: L.LatLngTuple, cfg: Config, toDisplay: (lat: number, lng: number) => L.LatLngTuple) {
  L.circleMarker(pin, { radius: 10, color: '#fff', weight: 3, fillColor: '#c2410c', fillOpacity: 1 })
    .addTo(map)
    .bindTooltip(textTip('举报位置'));
  for (const p of cfg.photoPoints) {
    const at = toDisplay(p.lat, p.lng);
    L.circleMarker(at, { radius: 7, color: '#fff', weight: 2, fillColor: '#2563eb', fillOpacity: 1 })
      .addTo(map)
      .bindTooltip(textTip(p.label));
    L.polyline([pin, at], { color: '#2563eb', dashArray: '4 4', weight: 2 }).addTo(map);
  }
  L.circle(pin, { radius: cfg.nearM, color: '#c2410c', weight: 1, fillOpacity: 0.05 }).addTo(map);
  map.setView(pin, 16);
}
