import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import '../styles/register-map.css';
import { ENTERPRISE_STATUS_LABELS } from '../../api/domain/enforcement/labels.ts';
import { baseMap, textTip, type MapConfig } from '../../site/scripts/report-map.ts';

type Status = keyof typeof ENTERPRISE_STATUS_LABELS;
type Point = { id: number; name: string; lat: number; lng: number; status: Status };
// Told apart by more than hue (red and green look alike to many): a finished file is a ring.
const LOOK: Record<Status, { colour: string; fill: string }> = {
  listed: { colour: '#b91c1c', fill: '#b91c1c' },
  in_progress: { colour: '#1d4ed8', fill: '#1d4ed8' },
  done: { colour: '#15803d', fill: '#ffffff' },
};
const RADIUS = 7;
// Dots closer than this on screen are fanned out around their centre, each joined to its place.
const APART_PX = 2 * RADIUS + 4;

const el = document.getElementById('register-map');
if (el) {
  const cfg = JSON.parse(document.getElementById('register-map-config')!.textContent!) as MapConfig & {
    points: Point[];
  };
  const { map, toDisplay } = baseMap(el, cfg, { labels: false });
  // Village names sit under everything that can be clicked and take no clicks themselves.
  map.createPane('village-names').style.zIndex = '450';
  map.createPane('enterprises').style.zIndex = '610';
  villageNames(map, cfg, toDisplay);

  const dots = cfg.points.map((p) => {
    const at = L.latLng(toDisplay(p.lat, p.lng));
    const leader = L.polyline([at, at], { pane: 'enterprises', color: '#334155', weight: 1, interactive: false });
    const marker = L.circleMarker(at, {
      pane: 'enterprises',
      radius: RADIUS,
      color: LOOK[p.status].colour,
      weight: p.status === 'done' ? 3 : 2,
      fillColor: LOOK[p.status].fill,
      fillOpacity: 1,
    })
      .bindTooltip(textTip(p.name))
      .on('click', () => location.assign(`/admin/enterprises/${p.id}`));
    return { at, leader: leader.addTo(map), marker: marker.addTo(map) };
  });
  const spread = () => fanOut(map, dots);
  map.on('zoomend viewreset', spread);
  // Frame the enterprises, not the whole township, so that neighbouring dots stay apart.
  if (dots.length) map.fitBounds(L.latLngBounds(dots.map((d) => d.at)), { padding: [32, 32], maxZoom: 16 });
  spread();
  legend(cfg.points).addTo(map);
}

/** Each village's name, small, near the top of its outline, where the enterprises rarely are. */
function villageNames(map: L.Map, cfg: MapConfig, toDisplay: (lat: number, lng: number) => L.LatLngTuple) {
  for (const f of cfg.villages.features) {
    const b = L.geoJSON(f as unknown as GeoJSON.Feature, {
      coordsToLatLng: ([lng, lat]) => L.latLng(toDisplay(lat!, lng!)),
    }).getBounds();
    if (!b.isValid()) continue;
    const at = L.latLng(b.getNorth() - (b.getNorth() - b.getSouth()) * 0.14, b.getCenter().lng);
    const name = textTip(f.properties.name);
    L.marker(at, {
      pane: 'village-names',
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: 'register-village-name', html: name, iconSize: [0, 0] }),
    }).addTo(map);
  }
}

/** Dots that would overlap at this zoom are set on a small circle around their centre. */
function fanOut(map: L.Map, dots: { at: L.LatLng; leader: L.Polyline; marker: L.CircleMarker }[]) {
  const groups: { centre: L.Point; members: typeof dots }[] = [];
  for (const d of dots) {
    const p = map.latLngToLayerPoint(d.at);
    const near = groups.find((g) => g.centre.distanceTo(p) < APART_PX);
    if (!near) {
      groups.push({ centre: p, members: [d] });
      continue;
    }
    near.members.push(d);
    const n = near.members.length;
    near.centre = near.centre.multiplyBy((n - 1) / n).add(p.divideBy(n));
  }
  for (const { centre, members } of groups) {
    // Round the circle, one dot and a gap apart.
    const r = members.length === 1 ? 0 : Math.max(APART_PX, (members.length * (APART_PX + 2)) / (2 * Math.PI));
    members.forEach((d, i) => {
      const angle = (2 * Math.PI * i) / members.length - Math.PI / 2;
      const shown = r ? map.layerPointToLatLng(centre.add(L.point(r * Math.cos(angle), r * Math.sin(angle)))) : d.at;
      d.marker.setLatLng(shown);
      d.leader.setLatLngs([d.at, shown]);
    });
  }
}

function legend(points: Point[]): L.Control {
  const control = new L.Control({ position: 'bottomleft' });
  control.onAdd = () => {
    const box = L.DomUtil.create('div', 'register-legend');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', '图例');
    for (const status of Object.keys(LOOK) as Status[]) {
      const row = L.DomUtil.create('div', 'legend-row', box);
      const swatch = L.DomUtil.create('span', 'swatch', row);
      swatch.style.borderColor = LOOK[status].colour;
      swatch.style.background = LOOK[status].fill;
      const n = points.filter((p) => p.status === status).length;
      row.append(`${ENTERPRISE_STATUS_LABELS[status]} ${n} 家`);
    }
    const note = L.DomUtil.create('div', 'note', box);
    note.textContent = '挨得太近的企业错开画出，细线连到实际位置';
    return box;
  };
  return control;
}
