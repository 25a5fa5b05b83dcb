// The case map loads Leaflet only when asked: the list itself needs no script.
import { loadMapModule } from './load-map.ts';
import type { MapConfig } from './report-map.ts';

interface CaseMapData extends MapConfig {
  points: { villageId: number; name: string; count: number; lat: number; lng: number }[];
}

async function show(el: HTMLElement) {
  const [{ baseMap, textTip }, { default: L }, data] = await Promise.all([
    loadMapModule(),
    import('leaflet'),
    // The page's township (?township=), if one is chosen: its villages and cases only.
    fetch(
      el.dataset.township ? `/api/case-map?township=${encodeURIComponent(el.dataset.township)}` : '/api/case-map',
    ).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json() as Promise<CaseMapData>;
    }),
  ]);
  // Village names come with the markers' tooltips, not as labels over them.
  const { map, toDisplay } = baseMap(el, data, { labels: false });
  // One marker per village at its centre: a case is public at village level, never at the workshop's door.
  for (const p of data.points) {
    L.circleMarker(toDisplay(p.lat, p.lng), {
      radius: 8 + Math.min(10, p.count * 2),
      color: '#fff',
      weight: 2,
      fillColor: '#c2410c',
      fillOpacity: 0.9,
    })
      .bindTooltip(textTip(`${p.name}：${p.count} 个案例`))
      .on('click', () => location.assign(`/cases?village=${p.villageId}`))
      .addTo(map);
  }
}

const button = document.getElementById('show-map') as HTMLButtonElement | null;
const el = document.getElementById('cases-map');
// The button is laid out from the first paint (global.css hides .js-only without scripts): unhiding it
// here moved the list down on a slow phone.
if (button && el) {
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
