import { Hono } from 'hono';
import { z } from 'zod';
import { recordId } from '../domain/shared/text-input.ts';
import { mapTiles } from '../domain/shared/map-tiles.ts';
import { villages } from '../../db/schema.ts';
import type { AppContext } from '../context.ts';
import { casePhotoFile } from '../domain/public/case-photos.ts';
import { caseMapPoints } from '../domain/public/published-cases.ts';
import { townshipChoice } from '../domain/public/township-filter.ts';
import { ApiError } from '../http/errors.ts';
import { eq } from 'drizzle-orm';

const photoParam = z.object({
  id: recordId('案例'),
  photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});

/** Public reads of typical cases: only what a published case shows. */
export function publicCaseRoutes(ctx: AppContext) {
  return new Hono().get('/:id/photos/:photoId/:size', async (c) => {
    const p = photoParam.safeParse(c.req.param());
    if (!p.success) return c.json({ error: { message: '照片不存在' } }, 404);
    const r = casePhotoFile(ctx.db, p.data.id, p.data.photoId, p.data.size, { staff: false });
    if (r.status !== 'ok') {
      return r.status === 'gone'
        ? c.json({ error: { message: '该案例已撤下' } }, 410, { 'Cache-Control': 'no-store' })
        : c.json({ error: { message: '照片不存在' } }, 404);
    }
    // Short-lived like the page: a case taken down (say, for a face badly blurred) must leave shared caches soon.
    return c.body(new Uint8Array(await ctx.photos.read(r.file)), 200, {
      'Content-Type': 'image/webp',
      'Cache-Control': 'public, max-age=300',
    });
  });
}

/** The published cases at village level, for the list page's map (loaded only when asked). */
// Not /cases/map: beside /cases/:id/photos/… that shape drops Hono to its slower router.
export function publicCaseMapRoutes(ctx: AppContext) {
  return new Hono().get('/', (c) => {
    const { env } = ctx;
    // ?township=<code>: one township's villages and cases (decision 024); an unknown code is a 400 in Chinese.
    const choice = townshipChoice(ctx.db, c.req.query('township'));
    if (!choice.ok) throw new ApiError(400, choice.message);
    const id = choice.township?.id;
    const outlines = ctx.db
      .select({ name: villages.name, boundary: villages.boundary })
      .from(villages)
      .where(id === undefined ? undefined : eq(villages.townshipId, id))
      .all();
    return c.json(
      {
        tiles: mapTiles(env),
        villages: {
          type: 'FeatureCollection',
          features: outlines.map((v) => ({ type: 'Feature', properties: { name: v.name }, geometry: v.boundary })),
        },
        points: caseMapPoints(ctx.db, id),
      },
      200,
      { 'Cache-Control': 'public, max-age=300' },
    );
  });
}
