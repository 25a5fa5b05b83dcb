import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { baseMap, textTip, type MapConfig } from '../../site/scripts/report-map.ts';

type Point = { id: number; name: string; lat: number; lng: number; status: 'listed' | 'in_progress' | 'done' };
const COLOURS = { listed: '#c2410c', in_progress: '#b45309', done: '#15803d' } as const;

const el = document.getElementById('register-map');
if (el) {
  const cfg = JSON.parse(document.getElementById('register-map-config')!.textContent!) as MapConfig & {
    points: Point[];
  };
  const { map, toDisplay } = baseMap(el, cfg);
  // Above the village names (tooltip pane, 650), or the labels cover the dots and take their clicks.
  map.createPane('enterprises').style.zIndex = '660';
  const markers = cfg.points.map((p) =>
    L.circleMarker(toDisplay(p.lat, p.lng), {
      pane: 'enterprises',
      radius: 8,
      color: '#fff',
      weight: 2,
      fillColor: COLOURS[p.status],
      fillOpacity: 1,
    })
      .addTo(map)
      .bindTooltip(textTip(p.name))
      .on('click', () => location.assign(`/admin/enterprises/${p.id}`)),
  );
  // Frame the enterprises, not the whole township, so that neighbouring dots stay apart.
  if (markers.length) map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [24, 24], maxZoom: 16 });
}
