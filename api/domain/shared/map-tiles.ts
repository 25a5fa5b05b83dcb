import type { Env } from '../../env.ts';

/** The tiles every map draws on, as the browser needs them. */
export interface MapTiles {
  /** Drawn bottom up (天地图: the base map, then its labels). Empty: no tiles, the outlines and pins still draw. */
  layers: { url: string; subdomains: string; maxZoom: number }[];
  /** The credit line, plain text: the provider and, for a map published in China, its 审图号. */
  attribution: string;
  /** The datum the tiles are drawn in: GCJ-02 tiles get the pins converted for display only. */
  crs: 'wgs84' | 'gcj02';
}

export type TilePreset = 'osm' | 'tianditu' | 'amap';

/** The 天地图 Web Mercator layer (vec_w, cva_w…) through its WMTS key-value interface. */
const tianditu = (layer: string, token: string) =>
  `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
  `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(token)}`;

// The 审图号 each provider printed on its own maps when this was written; they renew it, and the
// current one (on the provider's map) goes in TILE_APPROVAL_NO. OpenStreetMap has none: a map of
// China published without one is not lawful there, so OSM is for development only.
const PRESETS: Record<
  TilePreset,
  (token: string) => Omit<MapTiles, 'attribution'> & { credit: string; approval: string }
> = {
  osm: () => ({
    layers: [{ url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', subdomains: 'abc', maxZoom: 19 }],
    crs: 'wgs84',
    credit: '© OpenStreetMap contributors',
    approval: '',
  }),
  // The state map service: CGCS2000, within centimetres of WGS-84, so the stored points draw as they are.
  tianditu: (token) => ({
    layers: [
      { url: tianditu('vec', token), subdomains: '01234567', maxZoom: 18 },
      { url: tianditu('cva', token), subdomains: '01234567', maxZoom: 18 },
    ],
    crs: 'wgs84',
    credit: '© 天地图',
    approval: '审图号：GS(2024)0568号',
  }),
  amap: () => ({
    layers: [
      {
        url: 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}',
        subdomains: '1234',
        maxZoom: 18,
      },
    ],
    crs: 'gcj02',
    credit: '© 高德地图',
    approval: '审图号：GS(2023)4677号',
  }),
};

type TileEnv = Pick<
  Env,
  'TILE_PRESET' | 'TILE_TOKEN' | 'TILE_URL' | 'TILE_SUBDOMAINS' | 'TILE_CRS' | 'TILE_ATTRIBUTION' | 'TILE_APPROVAL_NO'
>;

/** The preset named by TILE_PRESET, or the tile source TILE_URL describes (empty: no tiles). */
export function mapTiles(env: TileEnv): MapTiles {
  const preset = PRESETS[env.TILE_PRESET](env.TILE_TOKEN ?? '');
  const custom = env.TILE_URL !== undefined;
  const layers = !custom
    ? preset.layers
    : env.TILE_URL
      ? [{ url: env.TILE_URL, subdomains: env.TILE_SUBDOMAINS, maxZoom: 19 }]
      : [];
  const credit = env.TILE_ATTRIBUTION ?? (custom ? '' : preset.credit);
  const approval = env.TILE_APPROVAL_NO ?? (custom ? '' : preset.approval);
  return {
    layers,
    attribution: layers.length ? [credit, approval].filter(Boolean).join(' ') : '',
    crs: custom ? env.TILE_CRS : preset.crs,
  };
}
