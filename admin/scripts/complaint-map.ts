import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { baseMap, textTip, type MapConfig } from '../../site/scripts/report-map.ts';

type Config = MapConfig & {
  pin: { lat: number; lng: number };
  nearM: number;
  photoPoints: { lat: number; lng: number; label: string }[];
};

const el = document.getElementById('complaint-map');
if (el) {
  const cfg = JSON.parse(document.getElementById('complaint-map-config')!.textContent!) as Config;
  const { map, toDisplay } = baseMap(el, cfg);
  const pin = toDisplay(cfg.pin.lat, cfg.pin.lng);
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
