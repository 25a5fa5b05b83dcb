// Leaflet's stylesheet is not imported here: public pages load this module with it through
// load-map.ts, after first paint; admin pages import the stylesheet themselves.
import L from 'leaflet';
import { gcj02ToWgs84, wgs84ToGcj02 } from '../lib/gcj02.ts';

export interface MapConfig {
  /** api/domain/shared/map-tiles.ts: the layers bottom up, the credit line as plain text. */
  tiles: {
    layers: { url: string; subdomains: string; maxZoom: number }[];
    attribution: string;
    crs: 'wgs84' | 'gcj02';
  };
  villages: { features: { properties: { name: string }; geometry: { type: string; coordinates: unknown } }[] };
}

/**
 * A tooltip's content as text: Leaflet puts a string into the DOM as HTML, so names that come
 * from data (villages, enterprises, cases) are handed over as a node whose text is set.
 */
export function textTip(text: string): HTMLElement {
  const span = document.createElement('span');
  span.textContent = text;
  return span;
}

/** A map of the township's villages in the tiles' datum (WGS-84 in, converted for GCJ-02 tiles). */
export function baseMap(el: HTMLElement, cfg: MapConfig, { labels = true } = {}) {
  const gcj = cfg.tiles.crs === 'gcj02';
  const toDisplay = (lat: number, lng: number): L.LatLngTuple => (gcj ? wgs84ToGcj02(lat, lng) : [lat, lng]);
  const fromDisplay = (ll: L.LatLng): [number, number] => (gcj ? gcj02ToWgs84(ll.lat, ll.lng) : [ll.lat, ll.lng]);
  el.classList.remove('hidden');
  const map = L.map(el, { zoomControl: false, attributionControl: false });
  L.control.zoom({ zoomInTitle: '放大', zoomOutTitle: '缩小' }).addTo(map);
  if (cfg.tiles.layers.length) {
    // No Leaflet prefix (its name and a flag): the credit line of a government map names the tile
    // provider and its 审图号, nothing else.
    L.control.attribution({ prefix: false }).addTo(map);
    for (const [i, layer] of cfg.tiles.layers.entries()) {
      L.tileLayer(layer.url, {
        // Leaflet writes attributions as HTML; the configured text is shown as text.
        attribution: i === 0 ? textTip(cfg.tiles.attribution).outerHTML : undefined,
        subdomains: layer.subdomains,
        maxZoom: layer.maxZoom,
        // Providers ask which site uses their tiles (天地图 keys are bound to it); the origin says so, no page path.
        referrerPolicy: 'strict-origin',
      }).addTo(map);
    }
  }
  const outlines = L.geoJSON(cfg.villages as unknown as GeoJSON.FeatureCollection, {
    coordsToLatLng: ([lng, lat]) => L.latLng(toDisplay(lat!, lng!)),
    style: { color: '#0f5e4a', weight: 2, fillOpacity: 0.06 },
    interactive: false,
    onEachFeature: (f, layer) =>
      labels &&
      layer.bindTooltip(textTip(f.properties.name), {
        permanent: true,
        direction: 'center',
        className: 'village-label',
      }),
  }).addTo(map);
  const bounds = outlines.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
  else map.setView([30.27, 120.15], 10);
  return { map, toDisplay, fromDisplay };
}

/** The pin map: draws in the tiles' datum, reports WGS-84. Works with no tiles at all. */
export function createPinMap(el: HTMLElement, cfg: MapConfig, onPick: (lat: number, lng: number) => void) {
  const { map, toDisplay, fromDisplay } = baseMap(el, cfg);

  let pin: L.CircleMarker | null = null;
  const place = (lat: number, lng: number, zoom?: number) => {
    const at = toDisplay(lat, lng);
    if (pin) pin.setLatLng(at);
    else
      pin = L.circleMarker(at, { radius: 11, color: '#fff', weight: 3, fillColor: '#c2410c', fillOpacity: 1 }).addTo(
        map,
      );
    if (zoom) map.setView(at, zoom);
  };
  map.on('click', (e: L.LeafletMouseEvent) => {
    const [lat, lng] = fromDisplay(e.latlng);
    place(lat, lng);
    onPick(lat, lng);
  });
  return { place, element: el };
}
