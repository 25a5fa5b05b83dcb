import { asc, eq } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../../db/client.ts';
import { complaintCategories, townships, villages } from '../../../db/schema.ts';
import { type MapTiles, mapTiles } from '../shared/map-tiles.ts';

export interface ReportPageConfig {
  tiles: MapTiles;
  villages: {
    type: 'FeatureCollection';
    features: { type: 'Feature'; properties: { name: string }; geometry: unknown }[];
  };
  captchaSiteKey: string | null;
  maxPhotos: number;
  maxPhotoBytes: number;
  /** ACCEPT_DAYS, for the receipt the script shows after filing. */
  acceptDays: number;
}

/** The categories a resident picks from, and the township's name. */
export function residentCategories(db: Db) {
  const categories = db
    .select({ code: complaintCategories.code, name: complaintCategories.name, hint: complaintCategories.hint })
    .from(complaintCategories)
    .where(eq(complaintCategories.active, true))
    .orderBy(asc(complaintCategories.sort))
    .all();
  const township = db.select({ name: townships.name }).from(townships).orderBy(asc(townships.id)).get();
  return { categories, townshipName: township?.name ?? '本镇' };
}

/** The map (tiles and village outlines) and the limits the report form's script needs. */
export function mapConfig(ctx: AppContext): ReportPageConfig {
  const { db, env } = ctx;
  return {
    tiles: mapTiles(env),
    villages: {
      type: 'FeatureCollection',
      features: db
        .select({ name: villages.name, boundary: villages.boundary })
        .from(villages)
        .orderBy(asc(villages.id))
        .all()
        .map((v) => ({ type: 'Feature', properties: { name: v.name }, geometry: v.boundary })),
    },
    captchaSiteKey: ctx.captcha.siteKey,
    maxPhotos: env.MAX_PHOTOS,
    maxPhotoBytes: env.MAX_PHOTO_BYTES,
    acceptDays: env.ACCEPT_DAYS,
  };
}

/** What the report form needs: the categories to pick from and the map to drop a pin on. */
export function reportPageData(ctx: AppContext) {
  return { ...residentCategories(ctx.db), config: mapConfig(ctx) };
}

/** JSON for a <script type="application/json"> block: nothing in it can close the tag. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
