import type { CellError } from './columns.ts';
import { COLUMN_HEADER } from './columns.ts';
import { routePoint, type VillageArea } from '../../shared/village-routing.ts';

// Which village a dynamic-list line lies in, and why none when it does not.

export const NO_VILLAGE = '无法确定属地村（社区）：请填写经纬度或在地址中写明村名';

/** The other townships' villages, by id and name. */
export type Elsewhere = { id: number; name: string }[];

export type Village = { id: number; name: string; townshipId: number };

export function villageFinder(all: Village[], areas: VillageArea[]) {
  const byId = new Map(all.map((v) => [v.id, v]));
  const named = (text: string) => {
    const hits = all.filter((v) => text.includes(v.name));
    return hits.length === 1 ? hits[0]! : null;
  };
  return {
    byId,
    /** The coordinates decide; else a village named in the address; else the one named in the title. */
    find(lat: number | null | undefined, lng: number | null | undefined, address: string, title: string) {
      if (lat != null && lng != null) {
        const r = routePoint(areas, lat, lng);
        if (r?.kind === 'village') return byId.get(r.villageId) ?? null;
      }
      return named(address) ?? named(title);
    },
  };
}

/**
 * Why a line found no village of the importing township: a village of another township was meant (its point, or a
 * name the user typed, the only words of that township told back), else the generic NO_VILLAGE.
 */
export function noVillage(
  basis: { townshipName: string | null; elsewhere: Elsewhere },
  areas: VillageArea[],
  fields: { lat?: number | null; lng?: number | null; address?: string },
  title: string,
): CellError {
  const { elsewhere, townshipName } = basis;
  if (!townshipName || elsewhere.length === 0) return { column: COLUMN_HEADER.coords, message: NO_VILLAGE };
  const not = `不属于本次导入的乡镇（街道）${townshipName}，请由其所在乡镇（街道）导入`;
  if (fields.lat != null && fields.lng != null) {
    const r = routePoint(areas, fields.lat, fields.lng);
    if (r?.kind === 'village' && elsewhere.some((v) => v.id === r.villageId))
      return { column: COLUMN_HEADER.coords, message: `经纬度所在的村（社区）${not}` };
  }
  const typed = (text: string) => elsewhere.find((v) => text.includes(v.name))?.name;
  const inAddress = typed(fields.address ?? '');
  if (inAddress) return { column: COLUMN_HEADER.address, message: `“${inAddress}”${not}` };
  const inTitle = typed(title);
  if (inTitle) return { column: COLUMN_HEADER.coords, message: `表格标题中的“${inTitle}”${not}` };
  return { column: COLUMN_HEADER.coords, message: NO_VILLAGE };
}
