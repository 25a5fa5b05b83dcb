import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../api/env.ts';
import { mapTiles } from '../../api/domain/shared/map-tiles.ts';
import { securityHeaders } from '../../api/http/security-headers.ts';

const imgSrc = (env: Record<string, string>) =>
  /img-src [^;]*/.exec(securityHeaders(parseEnv(env))['Content-Security-Policy']!)![0];

describe('map tile presets', () => {
  it('天地图: base map and labels in Web Mercator, the key in both, WGS-84, its 审图号 in the credit', () => {
    const tiles = mapTiles(parseEnv({ TILE_PRESET: 'tianditu', TILE_TOKEN: 'abc123' }));
    expect(tiles.layers.map((l) => new URL(l.url.replace('{s}', '0')).pathname)).toEqual([
      '/vec_w/wmts',
      '/cva_w/wmts',
    ]);
    for (const l of tiles.layers) {
      const q = new URL(l.url.replace('{s}', '0')).searchParams;
      expect(q.get('tk')).toBe('abc123');
      expect(q.get('TILEMATRIXSET')).toBe('w');
      expect(l.subdomains).toBe('01234567');
    }
    expect(tiles.crs).toBe('wgs84');
    expect(tiles.attribution).toBe('© 天地图 审图号：GS(2024)0568号');
    expect(imgSrc({ TILE_PRESET: 'tianditu', TILE_TOKEN: 'abc123' })).toBe(
      "img-src 'self' data: blob: https://*.tianditu.gov.cn",
    );
  });

  it('refuses to start with 天地图 and no key, saying which setting is missing', () => {
    expect(() => parseEnv({ TILE_PRESET: 'tianditu' })).toThrow(/TILE_TOKEN.*天地图/);
    expect(() => parseEnv({ TILE_PRESET: 'tianditu', TILE_TOKEN: '' })).toThrow(/TILE_TOKEN/);
    expect(() => parseEnv({ TILE_PRESET: 'tianditu', TILE_TOKEN: 'a&b=c' })).toThrow(/TILE_TOKEN/);
    // A tile URL of one's own needs no key.
    expect(mapTiles(parseEnv({ TILE_PRESET: 'tianditu', TILE_URL: '' })).layers).toEqual([]);
  });

  it('高德: GCJ-02 (the pins are shifted to match), its 审图号; a newer one replaces it', () => {
    const tiles = mapTiles(parseEnv({ TILE_PRESET: 'amap' }));
    expect(tiles.crs).toBe('gcj02');
    expect(tiles.attribution).toBe('© 高德地图 审图号：GS(2023)4677号');
    expect(imgSrc({ TILE_PRESET: 'amap' })).toBe("img-src 'self' data: blob: https://*.is.autonavi.com");
    expect(mapTiles(parseEnv({ TILE_PRESET: 'amap', TILE_APPROVAL_NO: '审图号：GS(2025)5996号' })).attribution).toBe(
      '© 高德地图 审图号：GS(2025)5996号',
    );
  });

  it('OpenStreetMap by default (development), credited, with no 审图号 to show', () => {
    const tiles = mapTiles(parseEnv({}));
    expect(tiles.layers).toHaveLength(1);
    expect(tiles.attribution).toBe('© OpenStreetMap contributors');
    expect(imgSrc({})).toBe("img-src 'self' data: blob: https://tile.openstreetmap.org");
  });

  it('TILE_URL replaces the preset with its own subdomains, datum and credit; empty means no tiles', () => {
    const tiles = mapTiles(
      parseEnv({
        TILE_PRESET: 'tianditu',
        TILE_URL: 'https://tiles.example.gov.cn/{z}/{x}/{y}.png',
        TILE_CRS: 'gcj02',
        TILE_SUBDOMAINS: '',
        TILE_ATTRIBUTION: '© 某省天地图',
        TILE_APPROVAL_NO: '审图号：浙S(2024)1号',
      }),
    );
    expect(tiles).toEqual({
      layers: [{ url: 'https://tiles.example.gov.cn/{z}/{x}/{y}.png', subdomains: '', maxZoom: 19 }],
      crs: 'gcj02',
      attribution: '© 某省天地图 审图号：浙S(2024)1号',
    });
    expect(mapTiles(parseEnv({ TILE_URL: '' }))).toEqual({ layers: [], attribution: '', crs: 'wgs84' });
    expect(imgSrc({ TILE_URL: '' })).toBe("img-src 'self' data: blob:");
  });
});
